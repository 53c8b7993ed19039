package io.tlspsk.bench;

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
 * Full handshakes per second, client and server in one thread. One operation = two new channels with their TLS
 * handlers, the whole handshake, a check that both sides succeeded, and closing and releasing both channels.
 * TLS_AES_128_GCM_SHA256 everywhere; x25519 wherever there is a key exchange.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.LEAK_DETECTION_OFF, Jvm.EXECUTOR, Jvm.EXECUTOR_CLASS})
public class HandshakeBenchmark {

    @Param({"ours_psk_ke", "ours_psk_dhe_ke", "ours_psk_dhe_ke_p256_accp", "ssl_jdk", "ssl_openssl", "bc_bc", "bc_jca"})
    public String stack;

    private Stack tls;

    @Setup
    public void setUp() throws Exception {
        tls = BenchSupport.open(stack, Stack.AES);
        InMemoryPair p = new InMemoryPair(tls);
        try {
            p.handshake();
            tls.checkNegotiated(p.serverTls);
            tls.checkNegotiated(p.clientTls);
            System.out.println("# " + stack + " negotiated " + tls.negotiated(p.serverTls));
        } finally {
            p.close();
        }
    }

    @TearDown
    public void tearDown() {
        if (tls != null) {
            tls.close();
        }
    }

    @Benchmark
    public long handshake() {
        InMemoryPair p = new InMemoryPair(tls);
        try {
            p.handshake();
            return p.clientSink.messages;
        } finally {
            p.close();
        }
    }
}
