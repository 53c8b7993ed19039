package io.tlspsk.bench;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.SucceededFuture;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskHandshakeHandler;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * One TLS implementation under test, configured for one cipher suite: it makes a client or server handler per
 * channel and tells whether a handler's handshake is done. Build one per benchmark trial; {@link #close()}
 * releases its contexts.
 *
 * <p>Names: {@code plain} (no TLS: the cost of the harness itself), {@code ours_psk_ke}, {@code ours_psk_dhe_ke}
 * (x25519), {@code ours} (bulk), each also with {@code _accp} (ACCP's native AES-GCM; without the suffix ACCP is
 * kept out), {@code ours_psk_dhe_ke_p256_accp} (psk_dhe_ke over ACCP's native P-256), {@code ssl_jdk} and {@code ssl_openssl} (Netty SslHandler, TLS 1.3, ECDSA P-256 self-signed
 * certificate, JDK or BoringSSL engine), {@code bc_bc} and {@code bc_jca} (BouncyCastle bctls, external PSK
 * psk_dhe_ke x25519, with BcTlsCrypto or JcaTlsCrypto, wrapped in a Netty handler by {@link BcTlsHandler}).
 */
abstract class Stack implements AutoCloseable {

    static final String AES = "aes128gcm";
    static final String CHACHA = "chacha20";

    /** The PSK every PSK stack uses: identity "bench-device", 32 fixed bytes, SHA-256. */
    static final byte[] PSK_IDENTITY = "bench-device".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final byte[] PSK_SECRET = new byte[32];

    static {
        for (int i = 0; i < PSK_SECRET.length; i++) {
            PSK_SECRET[i] = (byte) (0x11 * (i % 15 + 1));
        }
    }

    final String name;
    final String cipher;

    Stack(String name, String cipher) {
        this.name = name;
        this.cipher = cipher;
    }

    /** Creates the stack named {@code name} for {@code cipher} ({@link #AES} or {@link #CHACHA}). */
    static Stack create(String name, String cipher) throws Exception {
        if (!AES.equals(cipher) && !CHACHA.equals(cipher)) {
            throw new IllegalArgumentException("unknown cipher " + cipher + " (aes128gcm or chacha20)");
        }
        switch (name) {
            case "plain": return new Plain(cipher);
            case "ours": // bulk: the record layer does not depend on the key exchange mode
            case "ours_accp":
            case "ours_psk_dhe_ke":
            case "ours_psk_dhe_ke_accp":
            case "ours_psk_dhe_ke_p256_accp":
                return new Ours(name, cipher, PskKeyExchangeMode.PSK_DHE_KE);
            case "ours_psk_ke":
            case "ours_psk_ke_accp":
                return new Ours(name, cipher, PskKeyExchangeMode.PSK_KE);
            case "ssl_jdk": return new Ssl(name, cipher, SslProvider.JDK);
            case "ssl_openssl": return new Ssl(name, cipher, SslProvider.OPENSSL);
            case "bc_bc": return new Bc(name, cipher, false);
            case "bc_jca": return new Bc(name, cipher, true);
            default: throw new IllegalArgumentException("unknown stack " + name);
        }
    }

    /** The TLS handler for one side of a new channel; {@code null} for {@code plain}. */
    abstract ChannelHandler newHandler(boolean client, ByteBufAllocator alloc);

    /** Completes when {@code handler}'s handshake has. */
    abstract Future<?> handshakeFuture(ChannelHandler handler);

    /** The negotiated parameters, for checking that the stack did what it was asked to. */
    abstract String negotiated(ChannelHandler handler);

    /** The IANA name of the cipher suite this stack must negotiate. */
    String suiteName() {
        return AES.equals(cipher) ? "TLS_AES_128_GCM_SHA256" : "TLS_CHACHA20_POLY1305_SHA256";
    }

    /** Throws unless {@code handler} negotiated the suite (and whatever else) this stack is configured for. */
    void checkNegotiated(ChannelHandler handler) {
        String n = negotiated(handler);
        if (!n.contains(suiteName())) {
            throw new IllegalStateException(name + " negotiated " + n + ", not " + suiteName());
        }
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return name + "/" + cipher;
    }

    /** No TLS at all: what the in-memory harness costs by itself. */
    static final class Plain extends Stack {
        Plain(String cipher) {
            super("plain", cipher);
        }

        @Override
        ChannelHandler newHandler(boolean client, ByteBufAllocator alloc) {
            return null;
        }

        @Override
        Future<?> handshakeFuture(ChannelHandler handler) {
            return new SucceededFuture<>(ImmediateEventExecutor.INSTANCE, null);
        }

        @Override
        String negotiated(ChannelHandler handler) {
            return "plaintext";
        }

        @Override
        void checkNegotiated(ChannelHandler handler) {
        }
    }

    /** This project's handler. */
    static final class Ours extends Stack {
        private final PskKeyExchangeMode mode;
        private final NamedGroup group;
        private final PskTlsContext server;
        private final PskTlsContext client;

        Ours(String name, String cipher, PskKeyExchangeMode mode) {
            super(name, cipher);
            this.mode = mode;
            chooseBackend(name.endsWith("_accp"));
            CipherSuite suite = AES.equals(cipher) ? CipherSuite.TLS_AES_128_GCM_SHA256
                    : CipherSuite.TLS_CHACHA20_POLY1305_SHA256;
            ExternalPsk psk = ExternalPsk.of(PSK_IDENTITY, PSK_SECRET, HashAlgorithm.SHA256);
            // x25519 (BouncyCastle's, the fastest in Java) unless the name asks for P-256 (ACCP's native one).
            NamedGroup group = name.contains("_p256") ? NamedGroup.SECP256R1 : NamedGroup.X25519;
            this.group = group;
            // A gateway that takes both modes; the client asks for one.
            server = PskTlsContext.forServer(psk)
                    .keyExchangeModes(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE)
                    .cipherSuites(suite)
                    .groups(group)
                    .build();
            client = PskTlsContext.forClient()
                    .addPsk(psk)
                    .keyExchangeModes(mode)
                    .cipherSuites(suite)
                    .groups(group)
                    .build();
        }

        /**
         * CryptoBackend chooses once per JVM, and JMH forks a JVM per parameter combination: the {@code _accp}
         * stacks use ACCP's native AES-GCM (and P-256), the others are kept on the JDK and BouncyCastle. Throws when
         * the choice in force is not the one asked for (the backend was initialised earlier in this JVM, or ACCP
         * could not load here).
         */
        private static void chooseBackend(boolean accp) {
            System.setProperty(CryptoBackend.ACCP_PROPERTY, Boolean.toString(accp));
            String chosen = CryptoBackend.describe();
            if (chosen.startsWith("AES-GCM: AmazonCorrettoCryptoProvider") != accp) {
                throw new UnsupportedOperationException("SKIPPED: asked for " + (accp ? "ACCP" : "no ACCP")
                        + " but the crypto backend is " + chosen);
            }
            System.out.println("# crypto backend: " + chosen);
        }

        @Override
        ChannelHandler newHandler(boolean isClient, ByteBufAllocator alloc) {
            return (isClient ? client : server).newHandler(alloc);
        }

        @Override
        Future<?> handshakeFuture(ChannelHandler handler) {
            return ((PskHandshakeHandler) handler).handshakeFuture();
        }

        @Override
        String negotiated(ChannelHandler handler) {
            PskTlsSession s = ((PskHandshakeHandler) handler).session();
            return s == null ? "nothing" : s.protocol() + " " + s.cipherSuite().name() + " "
                    + (s.keyExchangeMode() != null ? s.keyExchangeMode().rfcName() : "?") + " "
                    + (s.group() != null ? s.group().tlsName() : "none");
        }

        @Override
        void checkNegotiated(ChannelHandler handler) {
            super.checkNegotiated(handler);
            String n = negotiated(handler);
            if (!n.contains(" " + mode.rfcName() + " ")) {
                throw new IllegalStateException(name + " negotiated " + n + ", not " + mode.rfcName());
            }
            if (mode == PskKeyExchangeMode.PSK_DHE_KE && !n.endsWith(" " + group.tlsName())) {
                throw new IllegalStateException(name + " negotiated " + n + ", not " + group.tlsName());
            }
        }
    }

    /** Netty's SslHandler, TLS 1.3 only, ECDSA P-256 self-signed server certificate that the client trusts. */
    static final class Ssl extends Stack {
        private final SslContext server;
        private final SslContext client;

        Ssl(String name, String cipher, SslProvider provider) throws SSLException {
            super(name, cipher);
            if (provider != SslProvider.JDK && !OpenSsl.isAvailable()) {
                throw new UnsupportedOperationException("SKIPPED " + name + ": netty-tcnative OpenSSL is not "
                        + "available: " + OpenSsl.unavailabilityCause());
            }
            SelfSignedEcdsa cert = SelfSignedEcdsa.get();
            List<String> suites = List.of(suiteName());
            server = SslContextBuilder.forServer(cert.privateKey, cert.certificate)
                    .sslProvider(provider).protocols("TLSv1.3").ciphers(suites).build();
            client = SslContextBuilder.forClient()
                    .sslProvider(provider).protocols("TLSv1.3").ciphers(suites)
                    .trustManager(cert.certificate)
                    // The chain is still verified; the in-memory peer has no host name to match (Netty 4.2
                    // checks it by default), and giving one would turn on client-side session resumption.
                    .endpointIdentificationAlgorithm(null)
                    .build();
        }

        @Override
        ChannelHandler newHandler(boolean isClient, ByteBufAllocator alloc) {
            return (isClient ? client : server).newHandler(alloc);
        }

        @Override
        Future<?> handshakeFuture(ChannelHandler handler) {
            return ((SslHandler) handler).handshakeFuture();
        }

        @Override
        String negotiated(ChannelHandler handler) {
            javax.net.ssl.SSLSession s = ((SslHandler) handler).engine().getSession();
            return s.getProtocol() + " " + s.getCipherSuite();
        }

        @Override
        public void close() {
            ReferenceCountUtil.release(server);
            ReferenceCountUtil.release(client);
        }
    }

    /** BouncyCastle's TLS 1.3 external PSK (psk_dhe_ke, x25519), non-blocking, in a Netty handler. */
    static final class Bc extends Stack {
        private final BcTlsHandler.Config config;

        Bc(String name, String cipher, boolean jca) {
            super(name, cipher);
            int suite = AES.equals(cipher) ? org.bouncycastle.tls.CipherSuite.TLS_AES_128_GCM_SHA256
                    : org.bouncycastle.tls.CipherSuite.TLS_CHACHA20_POLY1305_SHA256;
            config = new BcTlsHandler.Config(jca, suite, PSK_IDENTITY, PSK_SECRET);
        }

        @Override
        ChannelHandler newHandler(boolean isClient, ByteBufAllocator alloc) {
            return new BcTlsHandler(config, isClient);
        }

        @Override
        Future<?> handshakeFuture(ChannelHandler handler) {
            return ((BcTlsHandler) handler).handshakeFuture();
        }

        @Override
        String negotiated(ChannelHandler handler) {
            return ((BcTlsHandler) handler).negotiated();
        }
    }
}
