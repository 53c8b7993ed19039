package io.tlspsk.handler;

import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable, shareable TLS-PSK configuration: build one per server (or per client profile), then call
 * {@link #newHandler(ByteBufAllocator)} once per channel.
 *
 * <pre>{@code
 * PskTlsContext tls = PskTlsContext.forServer(selector)
 *         .keyExchangeModes(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE)
 *         .build();
 * ch.pipeline().addLast(tls.newHandler(ch.alloc()), new MyHandler());
 * }</pre>
 */
public final class PskTlsContext {

    /** The default handshake timeout, as Netty's SslHandler: 10 seconds. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    final boolean client;
    final PskSelector selector;
    final List<ExternalPsk> clientPsks;
    final List<CipherSuite> cipherSuites;
    final List<PskKeyExchangeMode> modes;
    final List<NamedGroup> groups;
    final List<String> applicationProtocols;
    final String serverName;
    final boolean middleboxCompatibility;
    final long handshakeTimeoutMillis;
    final long keyUpdateAfterRecords;
    final int maxHandshakeMessageSize;
    final int maxOfferedIdentities;

    private PskTlsContext(Builder b) {
        this.client = b.client;
        this.selector = b.selector;
        this.clientPsks = List.copyOf(b.clientPsks);
        this.cipherSuites = List.copyOf(b.cipherSuites);
        this.modes = List.copyOf(b.modes);
        this.groups = List.copyOf(b.groups);
        this.applicationProtocols = List.copyOf(b.applicationProtocols);
        this.serverName = b.serverName;
        this.middleboxCompatibility = b.middleboxCompatibility;
        this.handshakeTimeoutMillis = b.handshakeTimeout.toMillis();
        this.keyUpdateAfterRecords = b.keyUpdateAfterRecords;
        this.maxHandshakeMessageSize = b.maxHandshakeMessageSize;
        this.maxOfferedIdentities = b.maxOfferedIdentities;
    }

    /** A server that chooses PSKs with {@code selector} (see {@link PskSelector} for the async contract). */
    public static Builder forServer(PskSelector selector) {
        Builder b = new Builder(false);
        b.selector = Objects.requireNonNull(selector, "selector");
        return b;
    }

    /** A server with a fixed key list and the default rule of {@link PskSelector#fromKeys(List)}. */
    public static Builder forServer(ExternalPsk... keys) {
        return forServer(PskSelector.fromKeys(Arrays.asList(keys)));
    }

    /** A client; add its PSKs in preference order with {@link Builder#addPsk(ExternalPsk)}. */
    public static Builder forClient() {
        return new Builder(true);
    }

    /** A new handler for one channel. It adds the record codec and record layer in front of itself. */
    public PskHandshakeHandler newHandler(ByteBufAllocator alloc) {
        return new PskHandshakeHandler(this, alloc);
    }

    public boolean isClient() {
        return client;
    }

    public List<CipherSuite> cipherSuites() {
        return cipherSuites;
    }

    public List<PskKeyExchangeMode> keyExchangeModes() {
        return modes;
    }

    public List<NamedGroup> groups() {
        return groups;
    }

    public Duration handshakeTimeout() {
        return Duration.ofMillis(handshakeTimeoutMillis);
    }

    /** Builds a {@link PskTlsContext}; every setting is checked in {@link #build()}. */
    public static final class Builder {
        private final boolean client;
        private PskSelector selector;
        private final List<ExternalPsk> clientPsks = new ArrayList<>();
        private List<CipherSuite> cipherSuites = List.of(
                CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384,
                CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_CCM_SHA256,
                CipherSuite.TLS_AES_128_CCM_8_SHA256);
        private List<PskKeyExchangeMode> modes = List.of(PskKeyExchangeMode.PSK_DHE_KE);
        private List<NamedGroup> groups = List.of(NamedGroup.X25519, NamedGroup.SECP256R1, NamedGroup.SECP384R1);
        private List<String> applicationProtocols = List.of();
        private String serverName;
        private boolean middleboxCompatibility = true;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private long keyUpdateAfterRecords = -1;
        private int maxHandshakeMessageSize = 32 * 1024;
        private int maxOfferedIdentities = 64;

        private Builder(boolean client) {
            this.client = client;
        }

        /** Client: adds a PSK to offer; PSKs are offered in the order added (the first is preferred). */
        public Builder addPsk(ExternalPsk psk) {
            if (!client) {
                throw new IllegalStateException("addPsk is for clients; a server gets its keys from its PskSelector");
            }
            clientPsks.add(Objects.requireNonNull(psk, "psk"));
            return this;
        }

        /**
         * Cipher suites in preference order. Default: all TLS 1.3 suites, AES-128-GCM first. A server picks the
         * first suite in this list that the client offered and whose hash matches the chosen PSK's.
         */
        public Builder cipherSuites(CipherSuite... suites) {
            this.cipherSuites = List.of(suites);
            return this;
        }

        /**
         * PSK key exchange modes in preference order. Default: {@code psk_dhe_ke} only (forward secret). Add
         * {@code PSK_KE} to allow key exchange without (EC)DHE, which costs no public-key operation.
         */
        public Builder keyExchangeModes(PskKeyExchangeMode... modes) {
            this.modes = List.of(modes);
            return this;
        }

        /**
         * (EC)DHE groups in preference order. Default: x25519, secp256r1, secp384r1. A client sends a key share
         * for the first one only; a server answers a ClientHello without an acceptable share with a
         * HelloRetryRequest for the first group in this list that the client supports.
         */
        public Builder groups(NamedGroup... groups) {
            this.groups = List.of(groups);
            return this;
        }

        /** ALPN (RFC 7301): a client's offer, or a server's supported protocols in preference order. */
        public Builder applicationProtocols(String... protocols) {
            this.applicationProtocols = List.of(protocols);
            return this;
        }

        /** Client: the server_name (RFC 6066) to send. */
        public Builder serverName(String serverName) {
            this.serverName = serverName;
            return this;
        }

        /**
         * Client: middlebox compatibility mode (RFC 8446 appendix D.4): a random legacy_session_id and a dummy
         * change_cipher_spec before the second flight. Default on, as in OpenSSL.
         */
        public Builder middleboxCompatibility(boolean enabled) {
            this.middleboxCompatibility = enabled;
            return this;
        }

        /** Time allowed for the whole handshake, PSK lookup included. Default 10 seconds; zero disables it. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Sends a KeyUpdate after this many records under one key. By default the limit follows the AEAD's safety
         * margin (RFC 8446 section 5.5): 2^24 records for AES-GCM and AES-CCM, 2^48 for ChaCha20-Poly1305. A
         * smaller value only makes updates more frequent.
         */
        public Builder keyUpdateAfterRecords(long records) {
            this.keyUpdateAfterRecords = records;
            return this;
        }

        /** Largest handshake message accepted, in bytes. Default 32 KiB. */
        public Builder maxHandshakeMessageSize(int bytes) {
            this.maxHandshakeMessageSize = bytes;
            return this;
        }

        /** Server: most PSK identities looked at in one ClientHello. Default 64; more is illegal_parameter. */
        public Builder maxOfferedIdentities(int count) {
            this.maxOfferedIdentities = count;
            return this;
        }

        /** Checks the settings and builds the context. */
        public PskTlsContext build() {
            if (client && clientPsks.isEmpty()) {
                throw new IllegalStateException("a client needs at least one PSK (addPsk)");
            }
            if (cipherSuites.isEmpty()) {
                throw new IllegalStateException("no cipher suite configured");
            }
            for (CipherSuite s : cipherSuites) {
                if (!s.isTls13()) {
                    throw new IllegalStateException(s + " is not a TLS 1.3 suite");
                }
            }
            if (modes.isEmpty()) {
                throw new IllegalStateException("no PSK key exchange mode configured");
            }
            if (modes.contains(PskKeyExchangeMode.PSK_DHE_KE) && groups.isEmpty()) {
                throw new IllegalStateException("psk_dhe_ke needs at least one group");
            }
            if (client) {
                for (ExternalPsk psk : clientPsks) {
                    if (!hasSuiteFor(psk.hash())) {
                        throw new IllegalStateException(psk + " has no configured cipher suite of its hash");
                    }
                }
            }
            for (String p : applicationProtocols) {
                int len = p.getBytes(java.nio.charset.StandardCharsets.US_ASCII).length;
                if (len == 0 || len > 255) {
                    throw new IllegalStateException("ALPN protocol names are 1 to 255 bytes: " + p);
                }
            }
            if (handshakeTimeout.isNegative()) {
                throw new IllegalStateException("negative handshake timeout");
            }
            if (keyUpdateAfterRecords == 0 || keyUpdateAfterRecords < -1) {
                throw new IllegalStateException("keyUpdateAfterRecords must be positive");
            }
            if (maxHandshakeMessageSize < 1024 || maxHandshakeMessageSize > (1 << 24) - 1) {
                throw new IllegalStateException("maxHandshakeMessageSize must be between 1 KiB and 2^24-1");
            }
            if (maxOfferedIdentities < 1) {
                throw new IllegalStateException("maxOfferedIdentities must be at least 1");
            }
            return new PskTlsContext(this);
        }

        private boolean hasSuiteFor(HashAlgorithm hash) {
            for (CipherSuite s : cipherSuites) {
                if (s.hash() == hash) {
                    return true;
                }
            }
            return false;
        }
    }
}
