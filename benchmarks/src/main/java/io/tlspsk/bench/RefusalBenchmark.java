package io.tlspsk.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.TlsVersion;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a TLS 1.3 server spends refusing a ClientHello whose PSK it cannot accept: one operation is a new server
 * channel and handler, one recorded ClientHello (our client's default: psk_dhe_ke with an x25519 share, one identity
 * of 7 bytes with a SHA-256 binder) and the fatal alert, then closing and releasing. {@code refusal}: {@code wrong_key} (a known
 * identity, a binder made with another key), {@code unknown} (an identity the server does not know, default
 * settings: answered like a wrong key after a decoy binder check) and {@code unknown_rejected} (the same with
 * {@code rejectUnknownIdentity(true)}: handshake_failure at once, as every unknown identity was answered before).
 * Identity hiding holds when {@code unknown} costs what {@code wrong_key} costs.
 *
 * <p>On a machine shared with other work, wall-clock times swing too much to compare a few microseconds; the
 * {@link #main} measures the benchmark thread's CPU time instead, the three refusals interleaved round by round,
 * and prints each one's median: {@code java -cp benchmarks/target/benchmarks.jar io.tlspsk.bench.RefusalBenchmark
 * [rounds] [operations per round]}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.LEAK_DETECTION_OFF, Jvm.EXECUTOR, Jvm.EXECUTOR_CLASS})
public class RefusalBenchmark {

    @Param({"wrong_key", "unknown", "unknown_rejected"})
    public String refusal;

    private PskTlsContext server;
    private byte[] clientHello;

    @Setup
    public void setUp() {
        byte[] key = new byte[32];
        byte[] other = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i + 1);
            other[i] = (byte) (i + 2);
        }
        ExternalPsk known = ExternalPsk.of("meter-7", key, HashAlgorithm.SHA256);
        ExternalPsk offered = refusal.equals("wrong_key") ? ExternalPsk.of("meter-7", other, HashAlgorithm.SHA256)
                : ExternalPsk.of("meter-8", key, HashAlgorithm.SHA256);
        server = PskTlsContext.forServer(known).protocols(TlsVersion.TLS_1_3)
                .rejectUnknownIdentity(refusal.equals("unknown_rejected")).build();
        clientHello = recordedClientHello(PskTlsContext.forClient().addPsk(offered)
                .protocols(TlsVersion.TLS_1_3).build());
        String answer = refuse();
        System.out.println("# " + refusal + ": the server answered " + answer);
    }

    private static byte[] recordedClientHello(PskTlsContext client) {
        EmbeddedChannel ch = new EmbeddedChannel(client.newHandler(ByteBufAllocator.DEFAULT));
        try {
            ByteBuf out = Unpooled.buffer();
            for (Object o; (o = ch.readOutbound()) != null; ) {
                out.writeBytes((ByteBuf) o);
                ReferenceCountUtil.release(o);
            }
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            out.release();
            return bytes;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** One refusal; returns the alert the server sent, as "level/description". */
    private String refuse() {
        EmbeddedChannel ch = new EmbeddedChannel(server.newHandler(ByteBufAllocator.DEFAULT));
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(clientHello));
            ByteBuf alert = ch.readOutbound();
            if (alert == null || alert.readableBytes() != 7 || ch.isOpen()) {
                throw new IllegalStateException("the server did not refuse with one alert");
            }
            String answer = alert.getByte(5) + "/" + alert.getByte(6);
            alert.release();
            return answer;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Benchmark
    public String refuseClientHello() {
        return refuse();
    }

    /** Median thread-CPU microseconds per refusal, per kind, interleaved (see the class comment). */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int ops = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        String[] kinds = {"wrong_key", "unknown", "unknown_rejected"};
        RefusalBenchmark[] states = new RefusalBenchmark[kinds.length];
        double[][] perOp = new double[kinds.length][rounds];
        for (int k = 0; k < kinds.length; k++) {
            states[k] = new RefusalBenchmark();
            states[k].refusal = kinds[k];
            states[k].setUp();
        }
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = -5; r < rounds; r++) { // five rounds of warm-up
            for (int k = 0; k < kinds.length; k++) {
                long start = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < ops; i++) {
                    states[k].refuse();
                }
                if (r >= 0) {
                    perOp[k][r] = (cpu.getCurrentThreadCpuTime() - start) / 1000.0 / ops;
                }
            }
        }
        for (int k = 0; k < kinds.length; k++) {
            double[] sorted = perOp[k].clone();
            java.util.Arrays.sort(sorted);
            System.out.printf("%-17s median %.2f us CPU per refusal (min %.2f, max %.2f, %d rounds of %d)%n",
                    kinds[k], sorted[rounds / 2], sorted[0], sorted[rounds - 1], rounds, ops);
        }
    }
}
