package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.record.ContentType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile or slow peers: a handshake that drags on (slowloris, silence) is cut off by the handshake timeout, and a
 * peer that does not read makes the channel unwritable instead of letting data pile up unnoticed.
 *
 * <p>Every channel here runs on a frozen {@link EmbeddedChannel} clock that moves only by
 * {@link EmbeddedChannel#advanceTimeBy}, so no test depends on how fast the machine is.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultToleranceTest {

    static final ExternalPsk PSK = ExternalPsk.of("fault-tolerance", WireTap.pattern(32, 41), HashAlgorithm.SHA256);
    static final long TIMEOUT_MILLIS = 300;
    static final int LOW_WATER = 8 * 1024;
    static final int HIGH_WATER = 16 * 1024;
    /** Far more than the high water mark; not a multiple of the write size nor of the record size. */
    static final int VOLUME = 200 * 1024 + 123;
    static final int WRITE_SIZE = 3000;

    static PskTlsContext serverContext() {
        return PskTlsContext.forServer(PSK).handshakeTimeout(Duration.ofMillis(TIMEOUT_MILLIS)).build();
    }

    static PskTlsContext clientContext() {
        return PskTlsContext.forClient().addPsk(PSK).build();
    }

    /** A server channel with a frozen clock; the handler is added (and its timeout scheduled) after freezing. */
    static EmbeddedChannel frozenServer(PskTlsContext context, EmbeddedPair.Recorder recorder) {
        EmbeddedChannel server = new EmbeddedChannel();
        server.freezeTime();
        server.pipeline().addLast(context.newHandler(server.alloc()), recorder);
        return server;
    }

    /** The bytes of a valid ClientHello flight for {@link #PSK}, from a real client. */
    static byte[] clientHello() {
        EmbeddedChannel client = new EmbeddedChannel();
        client.freezeTime();
        try {
            client.pipeline().addLast(clientContext().newHandler(client.alloc()));
            List<ByteBuf> flight = WireTap.take(client);
            byte[] bytes = WireTap.concat(flight);
            WireTap.release(flight);
            return bytes;
        } finally {
            client.finishAndReleaseAll();
        }
    }

    static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runPendingTasks();
    }

    static void assertTimedOut(EmbeddedChannel server, PskHandshakeHandler handler, EmbeddedPair.Recorder events) {
        assertFalse(server.isOpen(), "the timed-out channel is closed");
        assertTrue(handler.handshakeFuture().isDone(), "the handshake ended");
        assertInstanceOf(PskHandshakeTimeoutException.class, handler.handshakeFuture().cause());
        PskHandshakeCompletionEvent event = events.event(PskHandshakeCompletionEvent.class);
        assertNotNull(event, "a completion event was fired");
        assertInstanceOf(PskHandshakeTimeoutException.class, event.cause());
        assertTrue(events.messages.isEmpty(), "no application data");
    }

    /**
     * What a handshake cut off by the timeout before any key sends (RFC 8446 section 6.1): a user_canceled warning,
     * then a close_notify, both in clear, and nothing else.
     */
    static void assertCancelledInClear(EmbeddedChannel server) {
        assertArrayEquals(HostileWire.concat(HostileWire.alertRecord(1, AlertDescription.USER_CANCELED.code()),
                        HostileWire.alertRecord(1, AlertDescription.CLOSE_NOTIFY.code())),
                HostileWire.takeOutbound(server), "user_canceled and close_notify, and nothing else");
    }

    // ---- handshake timeout ----

    @Test
    void clientHelloTrickledByteByByteIsCutOffByTheHandshakeTimeout() {
        byte[] hello = clientHello();
        int pause = 40;
        int bytesBeforeDeadline = (int) (TIMEOUT_MILLIS / pause); // 7 bytes, 280 ms
        assertTrue(hello.length > bytesBeforeDeadline + 1, "the ClientHello is longer than the attack lasts");
        EmbeddedPair.Recorder events = new EmbeddedPair.Recorder();
        EmbeddedChannel server = frozenServer(serverContext(), events);
        PskHandshakeHandler handler = server.pipeline().get(PskHandshakeHandler.class);
        ByteBuf queuedData = Unpooled.copiedBuffer("queued before the handshake", StandardCharsets.UTF_8);
        try {
            ChannelFuture queued = server.writeAndFlush(queuedData);
            assertFalse(queued.isDone(), "a write before the handshake waits for it");
            int fed = 0;
            for (; fed < bytesBeforeDeadline; fed++) {
                server.writeInbound(Unpooled.wrappedBuffer(hello, fed, 1));
                advance(server, pause);
                assertTrue(server.isOpen(), "still open after " + (fed + 1) * pause + " ms");
                assertFalse(handler.handshakeFuture().isDone(), "handshake still pending");
            }
            server.writeInbound(Unpooled.wrappedBuffer(hello, fed, 1));
            advance(server, pause); // 320 ms: every byte arrived well within any idle limit, yet the deadline passed
            assertTimedOut(server, handler, events);
            assertInstanceOf(PskHandshakeTimeoutException.class, queued.cause(), "the queued write fails with it");
            assertEquals(0, queuedData.refCnt(), "the queued data is released");
            assertCancelledInClear(server); // and nothing of the queued data
        } finally {
            server.finishAndReleaseAll();
            events.releaseAll();
        }
    }

    /** Control for the test above: the same byte-by-byte ClientHello, fast enough, is answered. */
    @Test
    void clientHelloDeliveredByteByByteWithinTheTimeoutIsAnsweredButTheDeadlineStillHolds() {
        byte[] hello = clientHello();
        EmbeddedPair.Recorder events = new EmbeddedPair.Recorder();
        EmbeddedChannel server = frozenServer(serverContext(), events);
        PskHandshakeHandler handler = server.pipeline().get(PskHandshakeHandler.class);
        try {
            for (int i = 0; i < hello.length; i++) {
                server.writeInbound(Unpooled.wrappedBuffer(hello, i, 1));
            }
            List<ByteBuf> answer = WireTap.take(server);
            assertFalse(answer.isEmpty(), "the server answered the trickled ClientHello");
            WireTap.release(answer);
            assertTrue(server.isOpen());
            advance(server, TIMEOUT_MILLIS - 10);
            assertTrue(server.isOpen(), "still inside the deadline");
            assertFalse(handler.handshakeFuture().isDone());
            advance(server, 20); // the client never sends its Finished
            assertTimedOut(server, handler, events);
            // user_canceled and close_notify under the server's handshake key: two protected records.
            List<HostileWire.Rec> alerts = HostileWire.records(HostileWire.takeOutbound(server));
            assertEquals(2, alerts.size(), () -> "expected two protected alerts, got " + alerts);
            for (HostileWire.Rec r : alerts) {
                assertEquals(ContentType.APPLICATION_DATA, r.type(), "an alert sent in clear after the ServerHello");
            }
        } finally {
            server.finishAndReleaseAll();
            events.releaseAll();
        }
    }

    @Test
    void silentPeerIsTimedOut() {
        EmbeddedPair.Recorder events = new EmbeddedPair.Recorder();
        EmbeddedChannel server = frozenServer(serverContext(), events);
        PskHandshakeHandler handler = server.pipeline().get(PskHandshakeHandler.class);
        try {
            advance(server, TIMEOUT_MILLIS - 10);
            assertTrue(server.isOpen(), "not yet");
            assertFalse(handler.handshakeFuture().isDone());
            advance(server, 20);
            assertTimedOut(server, handler, events);
            assertCancelledInClear(server);
        } finally {
            server.finishAndReleaseAll();
            events.releaseAll();
        }
    }

    @Test
    void handshakeCompletedBeforeTheTimeoutIsNotAffectedByItLater() {
        try (EmbeddedPair pair = new EmbeddedPair(clientContext(), serverContext(), true)) {
            WireTap.deliver(WireTap.take(pair.client), pair.server); // ClientHello
            advance(pair.server, TIMEOUT_MILLIS - 50);               // most of the server's budget used
            pair.handshake();
            advance(pair.server, 10 * TIMEOUT_MILLIS);
            advance(pair.client, PskTlsContext.DEFAULT_HANDSHAKE_TIMEOUT.toMillis() + 1000);
            assertTrue(pair.server.isOpen() && pair.client.isOpen(), "the cancelled timeout closes nothing");
            pair.assertDataFlowsBothWays("still here?", "still here.");
            assertTrue(pair.serverEvents.exceptions.isEmpty(), () -> "" + pair.serverEvents.exceptions);
            assertTrue(pair.clientEvents.exceptions.isEmpty(), () -> "" + pair.clientEvents.exceptions);
            assertEquals(1, WireTap.events(pair.serverEvents, PskHandshakeCompletionEvent.class).size(),
                    "one completion event, the successful one");
        }
    }

    // ---- backpressure ----

    /** Holds back the transport's flush, as a socket whose peer does not read: written bytes stay pending. */
    static final class StalledTransport extends ChannelOutboundHandlerAdapter {
        private ChannelHandlerContext ctx;
        private boolean stalled = true;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (!stalled) {
                ctx.flush();
            }
        }

        void drain() {
            stalled = false;
            ctx.flush();
        }
    }

    /** Records channelWritabilityChanged as the writability it changed to. */
    static final class WritabilityLog extends ChannelInboundHandlerAdapter {
        final List<Boolean> changes = new ArrayList<>();

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            changes.add(ctx.channel().isWritable());
            ctx.fireChannelWritabilityChanged();
        }
    }

    static WritabilityLog watchWritability(EmbeddedChannel ch) {
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(LOW_WATER, HIGH_WATER));
        WritabilityLog log = new WritabilityLog();
        ch.pipeline().addLast(log);
        return log;
    }

    /**
     * Writes {@code data} in pieces, checking after each that the channel is writable exactly while no more than
     * the high water mark is pending, and that it stays unwritable once it became so (nothing drains meanwhile).
     */
    static List<ChannelFuture> writeAllCheckingWritability(EmbeddedChannel ch, byte[] data, boolean flush) {
        ChannelOutboundBuffer outbound = ch.unsafe().outboundBuffer();
        List<ChannelFuture> futures = new ArrayList<>();
        boolean unwritable = false;
        assertTrue(ch.isWritable(), "writable before the writes");
        for (int off = 0; off < data.length; off += WRITE_SIZE) {
            ByteBuf piece = Unpooled.copiedBuffer(data, off, Math.min(WRITE_SIZE, data.length - off));
            futures.add(flush ? ch.writeAndFlush(piece) : ch.write(piece));
            long pending = outbound.totalPendingWriteBytes();
            if (!unwritable) {
                int written = off + piece.capacity();
                assertEquals(pending <= HIGH_WATER, ch.isWritable(),
                        "writable iff pending <= high water mark; pending " + pending + " after " + written);
                unwritable = !ch.isWritable();
            } else {
                assertFalse(ch.isWritable(), "unwritable until the data drains; pending " + pending);
            }
        }
        assertTrue(unwritable, "the channel became unwritable");
        assertTrue(outbound.totalPendingWriteBytes() >= data.length, "all the data counts as pending");
        for (ChannelFuture f : futures) {
            assertFalse(f.isDone(), "nothing has reached the transport yet");
        }
        return futures;
    }

    static void assertAllSucceeded(List<ChannelFuture> futures) {
        for (ChannelFuture f : futures) {
            assertTrue(f.isSuccess(), () -> "write failed: " + f.cause());
        }
    }

    @Test
    void peerNotReadingMakesTheChannelUnwritableUntilTheDataDrains() {
        try (EmbeddedPair pair = new EmbeddedPair(clientContext(), serverContext(), true)) {
            pair.handshake();
            WritabilityLog log = watchWritability(pair.client);
            StalledTransport transport = new StalledTransport();
            pair.client.pipeline().addFirst(transport);
            byte[] data = WireTap.pattern(VOLUME, 1);

            List<ChannelFuture> futures = writeAllCheckingWritability(pair.client, data, true);
            pair.client.runPendingTasks();
            assertEquals(List.of(false), log.changes, "one change, to unwritable");
            assertNull(pair.client.readOutbound(), "nothing reached the wire");

            transport.drain();
            pair.client.runPendingTasks();
            assertTrue(pair.client.isWritable(), "writable again once drained");
            assertEquals(0, pair.client.unsafe().outboundBuffer().totalPendingWriteBytes());
            assertEquals(List.of(false, true), log.changes, "then one change back to writable");
            assertAllSucceeded(futures);

            pair.pump();
            assertArrayEquals(data, WireTap.drainBytes(pair.serverEvents), "every byte, in order");
            assertTrue(pair.client.isOpen() && pair.server.isOpen());
        }
    }

    /**
     * A fatal alert that cannot be flushed (the peer stopped reading, so it waits behind unread data) does not keep
     * the connection: it closes when the close_notify flush timeout passes, as close() does.
     */
    @Test
    void fatalAlertStuckBehindUnreadDataStillClosesTheChannel() {
        try (EmbeddedPair pair = new EmbeddedPair(clientContext(), serverContext(), true)) {
            pair.handshake();
            pair.client.pipeline().addFirst(new StalledTransport());
            pair.client.writeAndFlush(Unpooled.wrappedBuffer(WireTap.pattern(VOLUME, 3)));
            // A protected record that does not authenticate: the client answers bad_record_mac and must close.
            byte[] forged = new byte[5 + 40];
            forged[0] = 23;
            forged[1] = 3;
            forged[2] = 3;
            forged[4] = 40;
            pair.client.writeInbound(Unpooled.wrappedBuffer(forged));
            pair.client.runPendingTasks();
            assertTrue(pair.client.isOpen(), "the alert is not flushed yet");
            advance(pair.client, 2_000);
            assertTrue(pair.client.isOpen(), "still within the flush timeout");
            advance(pair.client, 1_100);
            assertFalse(pair.client.isOpen(), "closed once the flush timeout passed");
            PskAlertException sent = assertInstanceOf(PskAlertException.class, pair.clientEvents.exceptions.get(0));
            assertEquals(AlertDescription.BAD_RECORD_MAC, sent.description());
        }
    }

    @Test
    void unflushedApplicationDataInTheRecordLayerCountsTowardWritability() {
        try (EmbeddedPair pair = new EmbeddedPair(clientContext(), serverContext(), true)) {
            pair.handshake();
            WritabilityLog log = watchWritability(pair.client);
            byte[] data = WireTap.pattern(VOLUME, 2);

            List<ChannelFuture> futures = writeAllCheckingWritability(pair.client, data, false);
            assertNull(pair.client.readOutbound(), "nothing sealed before the flush");

            pair.client.flush();
            pair.client.runPendingTasks();
            assertTrue(pair.client.isWritable(), "writable again once flushed");
            assertEquals(0, pair.client.unsafe().outboundBuffer().totalPendingWriteBytes());
            assertEquals(List.of(false, true), log.changes);
            assertAllSucceeded(futures);

            pair.pump();
            assertArrayEquals(data, WireTap.drainBytes(pair.serverEvents), "every byte, in order");
        }
    }

    @Test
    void writesQueuedBeforeTheHandshakeCountTowardWritability() {
        try (EmbeddedPair pair = new EmbeddedPair(clientContext(), serverContext(), true)) {
            WritabilityLog log = watchWritability(pair.client);
            byte[] data = WireTap.pattern(VOLUME, 3);

            List<ChannelFuture> futures = writeAllCheckingWritability(pair.client, data, true);
            assertFalse(pair.clientHandler().handshakeFuture().isDone());

            pair.handshake();
            pair.client.runPendingTasks();
            assertTrue(pair.client.isWritable(), "writable again once the queued writes went out");
            assertEquals(0, pair.client.unsafe().outboundBuffer().totalPendingWriteBytes());
            assertEquals(List.of(false, true), log.changes);
            assertAllSucceeded(futures);

            pair.pump();
            assertArrayEquals(data, WireTap.drainBytes(pair.serverEvents), "every byte, in order");
        }
    }
}
