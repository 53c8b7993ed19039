package io.tlspsk.examples;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code psk-tool demo}: an echo server and a client in one process on 127.0.0.1, sharing a freshly generated
 * key. One psk_dhe_ke and one psk_ke handshake, each followed by an echo; prints what was negotiated and how long
 * each handshake took.
 */
final class Demo {

    static final String IDENTITY = "demo-device";
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);

    private Demo() {
    }

    /** Returns the exit code: {@link ExitCodes#OK} when both exchanges negotiated what they asked for. */
    static int run(Transports transports, Consumer<String> out, Consumer<String> err) throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        ExternalPsk psk = ExternalPsk.of(IDENTITY, secret, HashAlgorithm.SHA256);
        Arrays.fill(secret, (byte) 0);
        try {
            PskTlsContext serverTls = PskTlsContext.forServer(psk)
                    .keyExchangeModes(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE)
                    .build();
            out.accept("transport: " + transports.name() + "; identity " + IDENTITY + " with a fresh 32-byte key");
            try (EchoServer server = EchoServer.start(transports, serverTls, "127.0.0.1", 0,
                    line -> out.accept("  server: " + line))) {
                int port = server.localAddress().getPort();
                out.accept("echo server listening on 127.0.0.1:" + port);
                boolean ok = true;
                for (PskKeyExchangeMode mode : List.of(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE)) {
                    ok &= exchange(transports, psk, port, mode, out, err);
                }
                out.accept("(the first handshake also pays for JVM class loading and JIT warm-up)");
                out.accept(ok ? "demo ok" : "demo FAILED");
                return ok ? ExitCodes.OK : ExitCodes.FAILED;
            }
        } finally {
            psk.destroy();
        }
    }

    private static boolean exchange(Transports transports, ExternalPsk psk, int port, PskKeyExchangeMode mode,
                                    Consumer<String> out, Consumer<String> err) {
        out.accept(mode.rfcName() + ":");
        PskTlsContext clientTls = PskTlsContext.forClient().addPsk(psk).keyExchangeModes(mode).build();
        EchoClient.Result r = EchoClient.run(transports, clientTls, "127.0.0.1", port, "demo " + mode.rfcName(),
                CLIENT_TIMEOUT, line -> out.accept("  client: " + line), line -> err.accept("  client: " + line));
        if (!r.isSuccess()) {
            out.accept("  FAILED (exit " + r.exitCode + ")");
            return false;
        }
        PskTlsSession s = r.session;
        if (s.keyExchangeMode() != mode) {
            out.accept("  FAILED: asked for " + mode.rfcName() + ", negotiated " + s.keyExchangeMode());
            return false;
        }
        out.accept(String.format(Locale.ROOT, "  negotiated %s %s mode=%s group=%s; handshake took %.2f ms; echo ok",
                s.protocol(), s.cipherSuite().name(), s.keyExchangeMode().rfcName(),
                s.group() != null ? s.group().tlsName() : "none", r.handshakeNanos / 1e6));
        return true;
    }
}
