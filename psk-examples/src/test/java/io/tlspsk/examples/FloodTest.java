package io.tlspsk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.interop.PeerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Floods through a real socket (epoll where it loads, else NIO, on 127.0.0.1) against the psk-tool echo server's
 * handlers in a JVM of its own with a small heap ({@value #HEAP}, serial GC, {@value #DIRECT} of direct memory, exit
 * on OutOfMemoryError), one event loop thread and small socket buffers: {@link FloodTargetServer}, started on a free
 * port (it binds port 0 and says which) and stopped by its process id.
 * Each test checks that the server's memory after the flood (used heap after a full GC, and the direct memory its
 * allocator holds) is within {@value #GROWTH_BOUND_BYTES} bytes of what it was before, that an honest client
 * handshakes and gets its echo during and after the flood, and that the limit meant for the flood counted it.
 *
 * <p>The hostile client reads nothing after its handshake and has a 4 KiB receive buffer, so whatever the server
 * answers soon waits in the server's own queue. Before the fixes of issue 9 the KeyUpdate and renegotiation floods
 * grew that queue by an answer per request, the flood of empty records never ended, and a handshake message sent as
 * one-byte records cost the server O(n^2) copying, holding its one event loop for minutes.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FloodTest {

    static final String KEY = ToolOptionsTest.KEY;
    static final String HEAP = "64m";
    static final String DIRECT = "64m";
    /**
     * Allowed growth of the server's heap after GC, and apart from it of its allocator's direct memory, from before a
     * flood to its end. The flooding connection itself may hold its queue up to the channel's high water mark
     * (64 KiB) and a read's worth of records; the allocator reserves direct memory in chunks of a few MiB. An answer
     * queued per request (about 150 bytes of heap each) passes this after some 60,000 requests.
     */
    static final long GROWTH_BOUND_BYTES = 8L << 20;
    static final Duration WAIT = Duration.ofSeconds(20);
    /** No write possible for this long: the server stopped reading (a busy server on a loaded machine is slower). */
    static final Duration STALL = Duration.ofSeconds(4);
    static final Duration FLOOD_LIMIT = Duration.ofSeconds(25);
    /** Honest exchanges before the memory is first measured: classes, JIT and the allocator's pools settle. */
    static final int WARM_UP_EXCHANGES = 5;

    static final ExternalPsk PSK = ExternalPsk.of("dev-1", HexFormat.of().parseHex(KEY), HashAlgorithm.SHA256);

    /** The flooded server: a child JVM answering questions about its memory and counters. */
    static final class Target implements AutoCloseable {
        final PeerProcess process;
        final int port;
        private final AtomicInteger questions = new AtomicInteger();

        private Target(PeerProcess process, int port) {
            this.process = process;
            this.port = port;
        }

        /** Starts the server and warms it up with honest exchanges, so that its memory is then at its steady size. */
        static Target start(int maxHandshakeMessageSize) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            PeerProcess p = PeerProcess.start(java, "-Xmx" + HEAP, "-XX:MaxDirectMemorySize=" + DIRECT,
                    "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                    "-cp", System.getProperty("java.class.path"), FloodTargetServer.class.getName(), KEY,
                    String.valueOf(maxHandshakeMessageSize));
            try {
                int port = Integer.parseInt(p.awaitOutput("^listening (\\d+)$", WAIT).group(1));
                Target target = new Target(p, port);
                for (int i = 0; i < WARM_UP_EXCHANGES; i++) {
                    assertHonestClientServed(target, "before");
                }
                return target;
            } catch (RuntimeException | Error | InterruptedException e) {
                p.close();
                throw e;
            }
        }

        /** Used heap after GC and allocator direct memory, in bytes. */
        long[] memory() throws Exception {
            Matcher m = ask("memory", "heap=(\\d+) direct=(-?\\d+)");
            return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
        }

        /** The value of {@code counter} in the server's stats. */
        long stat(String counter) throws Exception {
            return Long.parseLong(ask("stats", ".*\\b" + counter + "=(\\d+)").group(1));
        }

        private Matcher ask(String command, String answer) throws Exception {
            String token = "q" + questions.incrementAndGet();
            process.writeLine(command + " " + token);
            return process.awaitOutput("^" + command + " " + token + " " + answer, WAIT);
        }

        @Override
        public void close() {
            process.close();
        }
    }

    static PskTlsContext tls13Client() {
        return PskTlsContext.forClient().addPsk(PSK).build();
    }

    static PskTlsContext tls12Client() {
        return PskTlsContext.forClient().addPsk(PSK).cipherSuites(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256).build();
    }

    /** One honest exchange, TLS 1.3, bounded: handshake, send a line, get it back. */
    static void assertHonestClientServed(Target target, String when) {
        List<String> problems = new ArrayList<>();
        EchoClient.Result r = EchoClient.run(Transports.best(), tls13Client(), "127.0.0.1", target.port,
                "honest " + when, Duration.ofSeconds(15), line -> { }, problems::add);
        assertTrue(r.isSuccess(), () -> "honest client " + when + ": exit " + r.exitCode + " " + problems
                + "\nserver output:\n" + target.process.output());
        assertEquals("honest " + when, r.echo.strip());
    }

    static void assertMemoryFlat(long[] before, long[] after, String flood) {
        String figures = String.format(Locale.ROOT, "%s: server heap after GC %.2f -> %.2f MB, direct %.2f -> %.2f MB",
                flood, before[0] / 1e6, after[0] / 1e6, before[1] / 1e6, after[1] / 1e6);
        System.out.println("FloodTest " + figures);
        assertTrue(after[0] - before[0] < GROWTH_BOUND_BYTES, "heap grew: " + figures);
        assertTrue(after[1] - before[1] < GROWTH_BOUND_BYTES, "direct memory grew: " + figures);
    }

    static void assertServerClean(Target target) {
        assertTrue(target.process.isAlive(), () -> "the server died:\n" + target.process.output());
        assertFalse(target.process.output().contains("LEAK:"), () -> "the server leaked:\n" + target.process.output());
    }

    /**
     * Item 1: KeyUpdate requests, sixteen at a time with 8 KiB of data between them (so the limit on KeyUpdates in a
     * row never applies), from a peer that never reads. The server answers each read's requests once and echoes the
     * data; its queue for that peer grows, and at the channel's high water mark it stops reading from it: the flood
     * stalls. Before the fix the queue grew by 16 answers and the echo every cycle, without end.
     */
    @Test
    void keyUpdateRequestsFromAPeerThatNeverReadsLeaveTheServerMemoryFlat() throws Exception {
        byte[] data = new byte[8 * 1024];
        try (Target target = Target.start(32 * 1024)) {
            long[] before = target.memory();
            try (FloodClient flood = FloodClient.connect(Transports.best(), tls13Client(), target.port, WAIT)) {
                var outcome = flood.flood(17 * 5_000, (c, i) -> {
                    if (i % 17 == 16) {
                        c.applicationData(data);
                    } else {
                        c.keyUpdateRequest();
                    }
                }, STALL, FLOOD_LIMIT);
                assertHonestClientServed(target, "during");
                FloodClient.Outcome o = outcome.get(FLOOD_LIMIT.toSeconds() + 5, TimeUnit.SECONDS);
                System.out.println("FloodTest KeyUpdate flood: " + o);
                assertMemoryFlat(before, target.memory(), "KeyUpdate flood of " + o.sent() + " records");
                assertEquals(FloodClient.End.STALLED, o.end(), "the server stopped reading from a peer that does not");
                assertHonestClientServed(target, "while the flood waits");
                assertTrue(flood.isOpen(), "data between the requests keeps the connection within its limits");
            }
            assertHonestClientServed(target, "after");
            assertEquals(0, target.stat("tooManyKeyUpdates"));
            assertServerClean(target);
        }
    }

    /** Item 1: KeyUpdates alone, never read: cut off after 32 in a row. */
    @Test
    void keyUpdateRequestsWithoutDataAreCutOffAtTheLimit() throws Exception {
        try (Target target = Target.start(32 * 1024)) {
            long[] before = target.memory();
            try (FloodClient flood = FloodClient.connect(Transports.best(), tls13Client(), target.port, WAIT)) {
                FloodClient.Outcome o = flood.flood(200_000, (c, i) -> c.keyUpdateRequest(), STALL, FLOOD_LIMIT)
                        .get(FLOOD_LIMIT.toSeconds() + 5, TimeUnit.SECONDS);
                System.out.println("FloodTest KeyUpdate flood without data: " + o);
                assertHonestClientServed(target, "during");
                assertMemoryFlat(before, target.memory(), "KeyUpdate flood without data, " + o.sent() + " sent");
                assertTrue(flood.awaitClosed(WAIT), "the server closed the flooding connection");
            }
            assertEquals(1, target.stat("tooManyKeyUpdates"));
            assertHonestClientServed(target, "after");
            assertServerClean(target);
        }
    }

    /** Item 2: renegotiation ClientHellos on a TLS 1.2 connection, never read: refused three times, then cut off. */
    @Test
    void renegotiationFloodIsCutOffAndLeavesTheServerMemoryFlat() throws Exception {
        // A ClientHello body: legacy_version, random, empty session id, one suite, null compression. The server
        // refuses renegotiation from the message type alone.
        byte[] body = new byte[2 + 32 + 1 + 4 + 2];
        body[0] = 3;
        body[1] = 3;
        body[35] = 2;
        body[37] = (byte) 0xa8;
        body[39] = 1;
        byte[] clientHello = new byte[4 + body.length];
        clientHello[0] = 1;
        clientHello[3] = (byte) body.length;
        System.arraycopy(body, 0, clientHello, 4, body.length);
        try (Target target = Target.start(32 * 1024)) {
            long[] before = target.memory();
            try (FloodClient flood = FloodClient.connect(Transports.best(), tls12Client(), target.port, WAIT)) {
                FloodClient.Outcome o = flood.flood(200_000, (c, i) -> c.record(ContentType.HANDSHAKE, clientHello),
                        STALL, FLOOD_LIMIT).get(FLOOD_LIMIT.toSeconds() + 5, TimeUnit.SECONDS);
                System.out.println("FloodTest renegotiation flood: " + o);
                assertHonestClientServed(target, "during");
                assertMemoryFlat(before, target.memory(), "renegotiation flood, " + o.sent() + " sent");
                assertTrue(flood.awaitClosed(WAIT), "the server closed the flooding connection");
            }
            assertEquals(1, target.stat("tooManyRenegotiations"));
            assertHonestClientServed(target, "after");
            assertServerClean(target);
        }
    }

    /** Item 9: empty application data records, never read: cut off after 32 in a row. */
    @Test
    void emptyRecordFloodIsCutOffAtTheLimit() throws Exception {
        try (Target target = Target.start(32 * 1024)) {
            long[] before = target.memory();
            try (FloodClient flood = FloodClient.connect(Transports.best(), tls13Client(), target.port, WAIT)) {
                FloodClient.Outcome o = flood.flood(200_000, (c, i) -> c.record(ContentType.APPLICATION_DATA,
                        new byte[0]), STALL, FLOOD_LIMIT).get(FLOOD_LIMIT.toSeconds() + 5, TimeUnit.SECONDS);
                System.out.println("FloodTest empty record flood: " + o);
                assertHonestClientServed(target, "during");
                assertMemoryFlat(before, target.memory(), "empty record flood, " + o.sent() + " sent");
                assertTrue(flood.awaitClosed(WAIT), "the server closed the flooding connection");
            }
            assertEquals(1, target.stat("tooManyRecordsWithoutProgress"));
            assertHonestClientServed(target, "after");
            assertServerClean(target);
        }
    }

    /**
     * Item 8: a 1 MiB ClientHello (the server accepts handshake messages that large here) sent as one-byte records,
     * 6 MiB on the wire, while an honest client is served on the same single event loop. The server gathers it in
     * linear time and refuses it (it is zeros) with an alert.
     */
    @Test
    void handshakeMessageInOneByteRecordsIsGatheredWhileOthersAreServed() throws Exception {
        int length = 1 << 20;
        byte[] message = new byte[4 + length];
        message[0] = 1; // ClientHello
        message[1] = (byte) (length >>> 16);
        byte[] wire = new byte[message.length * 6];
        for (int i = 0; i < message.length; i++) {
            int at = i * 6;
            wire[at] = ContentType.HANDSHAKE;
            wire[at + 1] = 3;
            wire[at + 2] = 1;
            wire[at + 4] = 1;
            wire[at + 5] = message[i];
        }
        try (Target target = Target.start(length)) {
            long[] before = target.memory();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", target.port), 5_000);
                s.setSoTimeout((int) WAIT.toMillis());
                AtomicLong written = new AtomicLong();
                AtomicReference<IOException> failed = new AtomicReference<>();
                Thread writer = new Thread(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        for (int off = 0; off < wire.length; off += 64 * 1024) {
                            out.write(wire, off, Math.min(64 * 1024, wire.length - off));
                            written.set(off);
                        }
                        out.flush();
                        written.set(wire.length);
                    } catch (IOException e) {
                        failed.set(e);
                    }
                }, "one-byte-records");
                writer.setDaemon(true);
                long start = System.nanoTime();
                writer.start();
                long deadline = start + WAIT.toNanos();
                while (written.get() < wire.length / 2 && System.nanoTime() < deadline && failed.get() == null) {
                    Thread.sleep(10);
                }
                assertTrue(written.get() >= wire.length / 2, () -> "the server took only " + written.get()
                        + " bytes in " + WAIT + " (" + failed.get() + ")");
                assertHonestClientServed(target, "during");
                writer.join(WAIT.toMillis());
                assertFalse(writer.isAlive(), () -> "the server had taken " + written.get() + " of " + wire.length
                        + " bytes after " + WAIT);
                InputStream in = s.getInputStream();
                byte[] alert = in.readNBytes(7);
                System.out.printf(Locale.ROOT, "FloodTest 1 MiB ClientHello in one-byte records: answered after %.2f s"
                        + " with %s%n", (System.nanoTime() - start) / 1e9, HexFormat.of().formatHex(alert));
                assertEquals(7, alert.length, "the server answered");
                assertEquals(ContentType.ALERT, alert[0], "with an alert record");
                assertEquals(2, alert[5], "a fatal one");
            }
            assertHonestClientServed(target, "after");
            assertMemoryFlat(before, target.memory(), "1 MiB ClientHello in one-byte records");
            assertServerClean(target);
        }
    }
}
