package io.tlspsk.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * Application data through an established in-memory pair. One operation = one write+flush of {@code size}
 * bytes at one side, the records moved to the other side, and the plaintext read (counted and released) there:
 * one record sealed and opened for 16 KiB. MB/s = ops/s * size / 10^6 (ResultsReport does that); with
 * {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes allocated per write, both sides together.
 *
 * <p>The payload is the same for every stack: one buffer from Netty's default allocator (direct where the
 * platform allows, as {@code ctx.alloc().buffer()} gives a Netty application), sent again and again.
 * {@code plain} is the harness without TLS.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.LEAK_DETECTION_OFF, Jvm.EXECUTOR, Jvm.EXECUTOR_CLASS})
public class BulkBenchmark {

    @Param({"plain", "ours", "ours_accp", "ssl_jdk", "ssl_openssl", "bc_bc", "bc_jca"})
    public String stack;

    @Param({Stack.AES, Stack.CHACHA})
    public String cipher;

    @Param({"16384", "256"})
    public int size;

    /** s2c: the server writes, the client reads; c2s the other way. */
    @Param({"s2c", "c2s"})
    public String direction;

    private Stack tls;
    private InMemoryPair pair;
    private ByteBuf payload;
    private boolean serverToClient;

    @Setup
    public void setUp() throws Exception {
        if (!"s2c".equals(direction) && !"c2s".equals(direction)) {
            throw new IllegalArgumentException("direction is s2c or c2s");
        }
        serverToClient = "s2c".equals(direction);
        tls = BenchSupport.open(stack, cipher);
        pair = new InMemoryPair(tls);
        pair.handshake();
        tls.checkNegotiated(pair.serverTls);
        tls.checkNegotiated(pair.clientTls);
        payload = ByteBufAllocator.DEFAULT.buffer(size);
        for (int i = 0; i < size; i++) {
            payload.writeByte((byte) (i * 31 + 7));
        }
        long got = pair.transfer(serverToClient, payload);
        if (got != size || payload.refCnt() != 1) {
            throw new IllegalStateException(tls + ": sent " + size + " bytes, " + got + " arrived, payload refCnt "
                    + payload.refCnt());
        }
        System.out.println("# " + stack + " negotiated " + tls.negotiated(pair.serverTls) + "; payload "
                + (payload.isDirect() ? "direct" : "heap") + " " + payload.getClass().getSimpleName());
    }

    @TearDown
    public void tearDown() {
        if (pair != null) {
            pair.close();
        }
        if (payload != null) {
            payload.release();
        }
        if (tls != null) {
            tls.close();
        }
    }

    @Benchmark
    public long transfer() {
        return pair.transfer(serverToClient, payload);
    }
}
