package io.tlspsk.bench.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.TlsVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * One side (server or client) of one {@link GatewayStack}: a context made once, a TLS handler per channel.
 * Ours is made only through the public API ({@code PskTlsContext.forServer/forClient}, {@code newHandler}).
 */
abstract class GatewayTls implements AutoCloseable {

    /**
     * Every stack's handshake timeout, both sides. Longer than a gateway's usual 10 s: on a machine shared with
     * other work a slow stack's queue of handshakes must not turn into timeouts that end the measurement.
     */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

    /** The one PSK of the benchmark device: identity "bench-device", 32 fixed bytes, SHA-256. */
    static final String PSK_IDENTITY = "bench-device";

    static byte[] pskSecret() {
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (0x11 * (i % 15 + 1));
        }
        return secret;
    }

    /** Adds this stack's TLS handler, if it has one, as the first handler of {@code ch}. */
    abstract void install(Channel ch);

    @Override
    public void close() {
    }

    /**
     * The gateway's side. Ours is one context for every device: TLS 1.3 with both key exchange modes and TLS 1.2
     * PSK, each client choosing; a psk_ke, psk_dhe_ke or TLS 1.2 client picks which handshake is measured.
     */
    static GatewayTls server(GatewayStack stack, CertificateFiles cert) throws SSLException {
        switch (stack) {
            case PLAIN:
                return new None();
            case SSL_JDK:
                return new Ssl(SslContextBuilder.forServer(cert.certificate().toFile(), cert.privateKey().toFile())
                        .sslProvider(SslProvider.JDK).protocols("TLSv1.3")
                        .ciphers(List.of("TLS_AES_128_GCM_SHA256")).build());
            case SSL_OPENSSL:
                requireOpenSsl();
                return new Ssl(SslContextBuilder.forServer(cert.certificate().toFile(), cert.privateKey().toFile())
                        .sslProvider(SslProvider.OPENSSL).protocols("TLSv1.3")
                        .ciphers(List.of("TLS_AES_128_GCM_SHA256")).build());
            default:
                return new Ours(PskTlsContext.forServer(psk())
                        .protocols(TlsVersion.TLS_1_3, TlsVersion.TLS_1_2)
                        .keyExchangeModes(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE)
                        .cipherSuites(CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256)
                        .groups(NamedGroup.X25519)
                        .handshakeTimeout(HANDSHAKE_TIMEOUT)
                        .build());
        }
    }

    /**
     * The devices' side, in the load generator. Both certificate stacks get the OpenSSL engine as their client
     * (the fastest client there is, so the load generator holds back the server as little as it can); the
     * server's engine is what differs between them.
     */
    static GatewayTls client(GatewayStack stack, CertificateFiles cert) throws SSLException {
        switch (stack) {
            case PLAIN:
                return new None();
            case SSL_JDK:
            case SSL_OPENSSL:
                requireOpenSsl();
                return new Ssl(SslContextBuilder.forClient()
                        .sslProvider(SslProvider.OPENSSL).protocols("TLSv1.3")
                        .ciphers(List.of("TLS_AES_128_GCM_SHA256"))
                        .trustManager(cert.certificate().toFile())
                        // The chain is verified; with no peer host given, a client never resumes a session, so
                        // every connection is a full handshake as with ours.
                        .endpointIdentificationAlgorithm(null)
                        .build());
            case OURS_PSK_KE:
                return new Ours(oursClient(PskKeyExchangeMode.PSK_KE).build());
            case OURS_PSK_DHE_KE:
                return new Ours(oursClient(PskKeyExchangeMode.PSK_DHE_KE).build());
            case OURS_TLS12_PSK:
                return new Ours(PskTlsContext.forClient().addPsk(psk())
                        .protocols(TlsVersion.TLS_1_2)
                        .cipherSuites(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256)
                        .handshakeTimeout(HANDSHAKE_TIMEOUT)
                        .build());
            default:
                throw new IllegalArgumentException(stack.id());
        }
    }

    private static PskTlsContext.Builder oursClient(PskKeyExchangeMode mode) {
        return PskTlsContext.forClient().addPsk(psk())
                .protocols(TlsVersion.TLS_1_3)
                .keyExchangeModes(mode)
                .cipherSuites(CipherSuite.TLS_AES_128_GCM_SHA256)
                .groups(NamedGroup.X25519)
                .handshakeTimeout(HANDSHAKE_TIMEOUT);
    }

    private static ExternalPsk psk() {
        return ExternalPsk.of(PSK_IDENTITY.getBytes(StandardCharsets.US_ASCII), pskSecret(), HashAlgorithm.SHA256);
    }

    private static void requireOpenSsl() {
        if (!OpenSsl.isAvailable()) {
            throw new IllegalStateException("netty-tcnative OpenSSL is not available: "
                    + OpenSsl.unavailabilityCause());
        }
    }

    /** Plain TCP. */
    private static final class None extends GatewayTls {
        @Override
        void install(Channel ch) {
        }
    }

    private static final class Ours extends GatewayTls {
        private final PskTlsContext context;

        Ours(PskTlsContext context) {
            this.context = context;
        }

        @Override
        void install(Channel ch) {
            ChannelHandler h = context.newHandler(ch.alloc());
            ch.pipeline().addLast(h);
        }
    }

    private static final class Ssl extends GatewayTls {
        private final SslContext context;

        Ssl(SslContext context) {
            this.context = context;
        }

        @Override
        void install(Channel ch) {
            SslHandler h = context.newHandler(ch.alloc());
            h.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT.toMillis());
            ch.pipeline().addLast(h);
        }

        @Override
        public void close() {
            ReferenceCountUtil.release(context);
        }
    }
}
