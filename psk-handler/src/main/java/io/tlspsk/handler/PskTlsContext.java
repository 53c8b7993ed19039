package io.tlspsk.handler;

import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.handler.store.LiveChannelRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

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

    /** The default longest PSK identity a server accepts: 1024 bytes. */
    public static final int DEFAULT_MAX_IDENTITY_LENGTH = 1024;

    /** The default most PSK lookups a server has pending at once: 10,000. */
    public static final int DEFAULT_MAX_PENDING_LOOKUPS = 10_000;

    /** The default most bytes a server holds from a client while that client's PSK lookup is pending: 64 KiB. */
    public static final int DEFAULT_MAX_BYTES_HELD_DURING_LOOKUP = 64 * 1024;

    /** The default most KeyUpdates accepted in a row without application data between them: 32, as BoringSSL. */
    public static final int DEFAULT_MAX_CONSECUTIVE_KEY_UPDATES = 32;

    /**
     * The default most records accepted in a row that carry no progress (see
     * {@link Builder#maxRecordsWithoutProgress}): 32, as OpenSSL and BoringSSL allow for empty records.
     */
    public static final int DEFAULT_MAX_RECORDS_WITHOUT_PROGRESS = 32;

    /** Upper end of the range of {@code maxConsecutiveKeyUpdates} and {@code maxRecordsWithoutProgress}. */
    static final int MAX_FLOOD_LIMIT = 1 << 16;

    /**
     * TLS 1.2: how many renegotiation attempts in a row (no application data between them) are refused with a
     * no_renegotiation warning; the next one ends the connection with unexpected_message. A peer refused three times
     * that asks again without sending anything else is not going to stop. Each refusal is an answer we must write,
     * so without this bound a peer that never reads could make us queue them without end.
     */
    public static final int MAX_REFUSED_RENEGOTIATIONS = 3;

    final boolean client;
    final PskSelector selector;
    final List<ExternalPsk> clientPsks;
    final List<CipherSuite> cipherSuites;
    final List<CipherSuite> tls12CipherSuites;
    final boolean tls13;
    final boolean tls12;
    final String identityHint;
    final boolean rejectUnknownIdentity;
    final boolean requireExtendedMasterSecret;
    final PskHintCallback hintCallback;
    final List<PskKeyExchangeMode> modes;
    final List<NamedGroup> groups;
    final List<String> applicationProtocols;
    final String serverName;
    final boolean middleboxCompatibility;
    final long handshakeTimeoutMillis;
    final long keyUpdateAfterRecords;
    final int maxHandshakeMessageSize;
    final int maxOfferedIdentities;
    final int maxIdentityLength;
    final int maxBytesHeldDuringLookup;
    final int maxPendingLookups;
    final int maxConsecutiveKeyUpdates;
    final int maxRecordsWithoutProgress;
    /** Server: where completed handshakes register their channel for revocation; {@code null} (the default): nowhere. */
    final LiveChannelRegistry liveChannels;
    /** Server: identities this entity offers as a client (Selfie protection); wrapped copies, compared by content. */
    private final Set<ByteBuffer> rejectedIdentities;
    /** Server: one decoy key per hash, indexed by {@link HashAlgorithm#ordinal()} (see {@link #decoyKey}). */
    private final ExternalPsk[] decoyKeys;

    // Totals for stats(). LongAdder: many event loops update them concurrently and they are rarely read.
    final LongAdder handshakesSucceeded = new LongAdder();
    final LongAdder handshakesFailed = new LongAdder();
    final LongAdder authenticationFailures = new LongAdder();
    // One per limit, counted only when the limit ends a connection (never on the per-record success path).
    final LongAdder oversizedRecords = new LongAdder();
    final LongAdder oversizedHandshakeMessages = new LongAdder();
    final LongAdder tooManyIdentities = new LongAdder();
    final LongAdder oversizedIdentities = new LongAdder();
    final LongAdder lookupBufferOverflows = new LongAdder();
    final LongAdder handshakeTimeouts = new LongAdder();
    final LongAdder lookupsRefused = new LongAdder();
    final LongAdder earlyDataOverflows = new LongAdder();
    final LongAdder tooManyKeyUpdates = new LongAdder();
    final LongAdder tooManyRenegotiations = new LongAdder();
    final LongAdder tooManyRecordsWithoutProgress = new LongAdder();

    /** Server: PSK lookups started and not yet completed or abandoned, over every channel of this context. */
    private final AtomicInteger pendingLookups = new AtomicInteger();

    /** A client-and-server context's client side (which has none); {@code null} for single-role contexts. */
    private final PskTlsContext clientSide;

    private PskTlsContext(Builder b, boolean client, PskTlsContext clientSide, Set<ByteBuffer> rejectedIdentities) {
        this.client = client;
        this.clientSide = clientSide;
        this.selector = b.selector;
        this.clientPsks = List.copyOf(b.clientPsks);
        this.cipherSuites = b.cipherSuites.stream().filter(CipherSuite::isTls13).collect(Collectors.toUnmodifiableList());
        this.tls12CipherSuites = b.cipherSuites.stream().filter(s -> !s.isTls13())
                .collect(Collectors.toUnmodifiableList());
        this.tls13 = b.enabledVersions().contains(TlsVersion.TLS_1_3);
        this.tls12 = b.enabledVersions().contains(TlsVersion.TLS_1_2);
        this.identityHint = b.identityHint;
        this.rejectUnknownIdentity = b.rejectUnknownIdentity;
        this.requireExtendedMasterSecret = b.requireExtendedMasterSecret;
        this.hintCallback = b.hintCallback != null ? b.hintCallback : firstUsablePsk(this.clientPsks);
        this.modes = List.copyOf(b.modes);
        this.groups = List.copyOf(b.groups);
        this.applicationProtocols = List.copyOf(b.applicationProtocols);
        this.serverName = b.serverName;
        this.middleboxCompatibility = b.middleboxCompatibility;
        this.handshakeTimeoutMillis = b.handshakeTimeout.toMillis();
        this.keyUpdateAfterRecords = b.keyUpdateAfterRecords;
        this.maxHandshakeMessageSize = b.maxHandshakeMessageSize;
        this.maxOfferedIdentities = b.maxOfferedIdentities;
        this.maxIdentityLength = b.maxIdentityLength;
        this.maxPendingLookups = b.maxPendingLookups;
        this.maxBytesHeldDuringLookup = b.maxBytesHeldDuringLookup;
        this.maxConsecutiveKeyUpdates = b.maxConsecutiveKeyUpdates;
        this.maxRecordsWithoutProgress = b.maxRecordsWithoutProgress;
        this.liveChannels = client ? null : b.liveChannels;
        this.rejectedIdentities = Set.copyOf(rejectedIdentities);
        this.decoyKeys = client ? null : newDecoyKeys();
    }

    private static ExternalPsk[] newDecoyKeys() {
        HashAlgorithm[] hashes = HashAlgorithm.values();
        ExternalPsk[] out = new ExternalPsk[hashes.length];
        for (HashAlgorithm h : hashes) {
            byte[] secret = new byte[h.length()];
            CryptoBackend.secureRandom().nextBytes(secret);
            out[h.ordinal()] = ExternalPsk.of("decoy", secret, h);
            Arrays.fill(secret, (byte) 0);
        }
        return out;
    }

    /**
     * Server, TLS 1.3: the key that stands in for an unknown identity's (see {@link Builder#rejectUnknownIdentity}):
     * its binder is checked like a candidate key's, so that an unknown identity costs the same work as a wrong key,
     * and refused whatever the result. Random per context, so that it is no value anyone knows; not a secret
     * otherwise (it authenticates nothing), so it lives, unzeroed, as long as the context.
     */
    ExternalPsk decoyKey(HashAlgorithm hash) {
        return decoyKeys[hash.ordinal()];
    }

    /** A server that chooses PSKs with {@code selector} (see {@link PskSelector} for the async contract). */
    public static Builder forServer(PskSelector selector) {
        Builder b = new Builder(false, false);
        b.selector = Objects.requireNonNull(selector, "selector");
        return b;
    }

    /** A server with a fixed key list and the default rule of {@link PskSelector#fromKeys(List)}. */
    public static Builder forServer(ExternalPsk... keys) {
        return forServer(PskSelector.fromKeys(Arrays.asList(keys)));
    }

    /** A client; add its PSKs in preference order with {@link Builder#addPsk(ExternalPsk)}. */
    public static Builder forClient() {
        return new Builder(true, false);
    }

    /**
     * An entity that is both client and server (a mesh node, a gateway that also dials out), its server side
     * choosing PSKs with {@code selector} and its client side offering the PSKs added with
     * {@link Builder#addPsk(ExternalPsk)}. Make handlers with {@link #newServerHandler} and
     * {@link #newClientHandler}. Every setting applies to both sides where it means something.
     *
     * <p>Selfie protection (RFC 9257) is on by default: the server side refuses, with handshake_failure and before
     * the selector is asked, a ClientHello that offers one of the client side's identities, since that is this
     * entity's own ClientHello reflected back at it. {@link Builder#allowOwnIdentities()} turns that off.
     */
    public static Builder forClientAndServer(PskSelector selector) {
        Builder b = new Builder(false, true);
        b.selector = Objects.requireNonNull(selector, "selector");
        return b;
    }

    /**
     * A new handler for one channel. It adds the record codec and record layer in front of itself. The
     * allocator argument mirrors Netty's {@code SslContext.newHandler(alloc)}; buffers are taken from the
     * channel's own allocator ({@code ctx.alloc()}), which is what callers pass in practice.
     */
    public PskHandshakeHandler newHandler(ByteBufAllocator alloc) {
        if (clientSide != null) {
            throw new IllegalStateException(
                    "a client-and-server context makes handlers with newClientHandler or newServerHandler");
        }
        return new PskHandshakeHandler(this, alloc);
    }

    /**
     * A client handler for one channel, from a client or a client-and-server context.
     *
     * @throws IllegalStateException on a server-only context
     */
    public PskHandshakeHandler newClientHandler(ByteBufAllocator alloc) {
        if (clientSide != null) {
            return clientSide.newHandler(alloc);
        }
        if (!client) {
            throw new IllegalStateException("a server context has no client side");
        }
        return newHandler(alloc);
    }

    /**
     * A server handler for one channel, from a server or a client-and-server context.
     *
     * @throws IllegalStateException on a client-only context
     */
    public PskHandshakeHandler newServerHandler(ByteBufAllocator alloc) {
        if (client) {
            throw new IllegalStateException("a client context has no server side");
        }
        return new PskHandshakeHandler(this, alloc);
    }

    private static PskHintCallback firstUsablePsk(List<ExternalPsk> psks) {
        return hint -> {
            for (ExternalPsk psk : psks) {
                if (!psk.isDestroyed()) {
                    return psk;
                }
            }
            return null;
        };
    }

    /** True for a client context; false for a server or a client-and-server context. */
    public boolean isClient() {
        return client;
    }

    /**
     * A snapshot of this context's counters, summed over every handler it made: handshakes succeeded and failed,
     * (servers) authentication failures, each of which also fired a {@link PskAuthenticationFailedEvent}, and one
     * counter per limit (see {@link PskTlsStats}). Nothing is kept per identity.
     */
    public PskTlsStats stats() {
        PskTlsStats own = ownStats();
        return clientSide == null ? own : own.plus(clientSide.ownStats());
    }

    private PskTlsStats ownStats() {
        return new PskTlsStats(handshakesSucceeded.sum(), handshakesFailed.sum(), authenticationFailures.sum(),
                oversizedRecords.sum(), oversizedHandshakeMessages.sum(), tooManyIdentities.sum(),
                oversizedIdentities.sum(), lookupBufferOverflows.sum(), handshakeTimeouts.sum(),
                lookupsRefused.sum(), earlyDataOverflows.sum(), tooManyKeyUpdates.sum(), tooManyRenegotiations.sum(),
                tooManyRecordsWithoutProgress.sum());
    }

    /** Counts a connection ended by {@code limit}; called once per connection, on its failure path only. */
    void limitExceeded(TlsLimitExceededException.Limit limit) {
        switch (limit) {
            case RECORD_SIZE:
                oversizedRecords.increment();
                break;
            case HANDSHAKE_MESSAGE_SIZE:
                oversizedHandshakeMessages.increment();
                break;
            case OFFERED_IDENTITIES:
                tooManyIdentities.increment();
                break;
            case IDENTITY_LENGTH:
                oversizedIdentities.increment();
                break;
            case BUFFERED_DURING_LOOKUP:
                lookupBufferOverflows.increment();
                break;
            case PENDING_LOOKUPS:
                lookupsRefused.increment();
                break;
            case EARLY_DATA:
                earlyDataOverflows.increment();
                break;
            case KEY_UPDATES:
                tooManyKeyUpdates.increment();
                break;
            case RENEGOTIATIONS:
                tooManyRenegotiations.increment();
                break;
            case RECORDS_WITHOUT_PROGRESS:
                tooManyRecordsWithoutProgress.increment();
                break;
            default:
                throw new IllegalArgumentException("unknown limit " + limit);
        }
    }

    /**
     * Server: takes one of the {@link Builder#maxPendingLookups} slots for a PSK lookup about to start, or returns
     * false, taking nothing, when all are in use. Exact under concurrency: the count never exceeds the limit.
     */
    boolean tryStartLookup() {
        for (;;) {
            int n = pendingLookups.get();
            if (n >= maxPendingLookups) {
                return false;
            }
            if (pendingLookups.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Server: gives back a slot taken by {@link #tryStartLookup()}. The caller makes sure it does so only once. */
    void endLookup() {
        pendingLookups.decrementAndGet();
    }

    /** Server: PSK lookups pending now, over every channel of this context. */
    int pendingLookups() {
        return pendingLookups.get();
    }

    /** Server: true when {@code identity} is one this entity offers as a client ({@link Builder#rejectIdentitiesOf}). */
    boolean rejectsIdentity(byte[] identity) {
        return !rejectedIdentities.isEmpty() && rejectedIdentities.contains(ByteBuffer.wrap(identity));
    }

    /** The TLS 1.3 suites, then the TLS 1.2 suites, each in preference order. */
    public List<CipherSuite> cipherSuites() {
        List<CipherSuite> all = new ArrayList<>(cipherSuites);
        all.addAll(tls12CipherSuites);
        return List.copyOf(all);
    }

    /** The enabled protocol versions. */
    public List<TlsVersion> protocols() {
        List<TlsVersion> out = new ArrayList<>(2);
        if (tls12) {
            out.add(TlsVersion.TLS_1_2);
        }
        if (tls13) {
            out.add(TlsVersion.TLS_1_3);
        }
        return List.copyOf(out);
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

    /**
     * The default suites: every TLS 1.3 suite, then the TLS 1.2 PSK suites with forward secrecy by ECDHE first,
     * plain PSK next (what most devices speak), CBC after the AEADs, and finite-field DHE last (it is by far the
     * most expensive).
     */
    public static final List<CipherSuite> DEFAULT_CIPHER_SUITES = List.of(
            CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384,
            CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_CCM_SHA256,
            CipherSuite.TLS_AES_128_CCM_8_SHA256,
            CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_PSK_WITH_AES_256_GCM_SHA384,
            CipherSuite.TLS_PSK_WITH_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_PSK_WITH_AES_128_CCM,
            CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
            CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256,
            CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM);

    /**
     * The default groups, in preference order: x25519, secp256r1, secp384r1, then the RFC 7919 groups ffdhe2048 and
     * ffdhe3072. See {@link Builder#groups}.
     */
    public static final List<NamedGroup> DEFAULT_GROUPS = List.of(NamedGroup.X25519, NamedGroup.SECP256R1,
            NamedGroup.SECP384R1, NamedGroup.FFDHE2048, NamedGroup.FFDHE3072);

    /** Builds a {@link PskTlsContext}; every setting is checked in {@link #build()}. */
    public static final class Builder {
        private final boolean client;
        /** {@link #forClientAndServer}: built as a server with a client side. */
        private final boolean dual;
        private boolean allowOwnIdentities;
        private PskSelector selector;
        private final List<ExternalPsk> clientPsks = new ArrayList<>();
        private List<CipherSuite> cipherSuites = DEFAULT_CIPHER_SUITES;
        private List<TlsVersion> protocols;
        private String identityHint;
        private boolean rejectUnknownIdentity;
        private boolean requireExtendedMasterSecret;
        private PskHintCallback hintCallback;
        private List<PskKeyExchangeMode> modes = List.of(PskKeyExchangeMode.PSK_DHE_KE);
        private List<NamedGroup> groups = DEFAULT_GROUPS;
        private List<String> applicationProtocols = List.of();
        private String serverName;
        private boolean middleboxCompatibility = true;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private long keyUpdateAfterRecords = -1;
        private int maxHandshakeMessageSize = 32 * 1024;
        private int maxOfferedIdentities = 64;
        private int maxIdentityLength = DEFAULT_MAX_IDENTITY_LENGTH;
        private int maxPendingLookups = DEFAULT_MAX_PENDING_LOOKUPS;
        private int maxBytesHeldDuringLookup = DEFAULT_MAX_BYTES_HELD_DURING_LOOKUP;
        private int maxConsecutiveKeyUpdates = DEFAULT_MAX_CONSECUTIVE_KEY_UPDATES;
        private int maxRecordsWithoutProgress = DEFAULT_MAX_RECORDS_WITHOUT_PROGRESS;
        private final Set<ByteBuffer> rejectedIdentities = new HashSet<>();
        private LiveChannelRegistry liveChannels;

        private Builder(boolean client, boolean dual) {
            this.client = client;
            this.dual = dual;
        }

        /** Client: adds a PSK to offer; PSKs are offered in the order added (the first is preferred). */
        public Builder addPsk(ExternalPsk psk) {
            if (!client && !dual) {
                throw new IllegalStateException("addPsk is for clients; a server gets its keys from its PskSelector");
            }
            clientPsks.add(Objects.requireNonNull(psk, "psk"));
            return this;
        }

        /**
         * Cipher suites in preference order, TLS 1.3 and TLS 1.2 ones mixed as you like (each version uses its
         * own, in this order). Default: {@link #DEFAULT_CIPHER_SUITES}. A TLS 1.3 server picks the first suite in
         * this list that the client offered and whose hash matches the chosen PSK's.
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
         * (EC)DHE groups in preference order, for TLS 1.3 psk_dhe_ke, the TLS 1.2 ECDHE_PSK curves and the TLS 1.2
         * DHE_PSK groups. Default: {@link #DEFAULT_GROUPS} (x25519, secp256r1, secp384r1, ffdhe2048, ffdhe3072).
         *
         * <p>TLS 1.3: a client sends a key share for the first group only and lists all of them in supported_groups;
         * a server takes a share of the first group here that the client sent one for, else answers with a
         * HelloRetryRequest for the first group here that the client supports. So with the default list a client
         * pays no finite-field share (256 bytes for ffdhe2048) in its ClientHello, while a peer limited to ffdhe2048
         * or ffdhe3072 still gets psk_dhe_ke after one round trip. A finite-field exchange costs several times an
         * x25519 one (two modular exponentiations a side, about 0.5 ms each for ffdhe2048 here); a TLS 1.3 server
         * does it only after the client's binder verified.
         *
         * <p>TLS 1.2 DHE_PSK: a server uses the first finite-field group here that the client accepts (RFC 7919
         * section 4: any of them when the client lists none), ffdhe2048 when this list has none. A client lists
         * the finite-field groups here, and accepts from a server, by exact match of p and g, any of the RFC 7919
         * groups ffdhe2048/3072/4096 and the RFC 3526 MODP groups of the same sizes (what OpenSSL-based servers
         * send); any other group is refused with insufficient_security.
         *
         * <p>The MODP groups, which have no TLS codepoint, cannot be listed here.
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

        /**
         * Protocol versions to speak. By default every version for which a cipher suite is configured: both with
         * the default suites. A server that speaks both picks TLS 1.3 whenever the client offers it.
         */
        public Builder protocols(TlsVersion... versions) {
            this.protocols = List.of(versions);
            return this;
        }

        /** TLS 1.2 server: the PSK identity hint (RFC 4279 section 2) sent in ServerKeyExchange. */
        public Builder identityHint(String hint) {
            this.identityHint = hint;
            return this;
        }

        /**
         * Server: tell clients at once that an identity is unknown, instead of answering it like a wrong key. Off by
         * default, so that nobody can find out which identities a server knows by offering them (identity
         * enumeration):
         * <ul>
         *   <li>TLS 1.3: by default an unknown identity gets decrypt_error, the alert of a binder that does not
         *       verify (RFC 8446 section 6.2 lets a server answer an invalid PSK identity so), after the same work as
         *       checking one candidate key: the binder is checked against a random decoy key of the hash its length
         *       names. With {@code true}: handshake_failure at once, with no binder check.</li>
         *   <li>TLS 1.2: by default the handshake goes on with a random key and fails at the client's Finished with
         *       bad_record_mac, like a wrong key. With {@code true}: unknown_psk_identity at once (RFC 4279 section
         *       2 allows both).</li>
         * </ul>
         * An identity is unknown when the {@link PskSelector} answers {@link PskSelection#none()}, or only with keys
         * destroyed since. Unknown identities never fire a {@link PskAuthenticationFailedEvent}, in either mode.
         * Hiding covers what this library does; a selector whose answer takes longer for known identities than for
         * unknown ones (or the reverse) still shows the difference in time.
         */
        public Builder rejectUnknownIdentity(boolean reject) {
            this.rejectUnknownIdentity = reject;
            return this;
        }

        /**
         * TLS 1.2: refuse a peer that does not negotiate extended_master_secret (RFC 7627). It is always offered
         * and used when the peer supports it.
         */
        public Builder requireExtendedMasterSecret(boolean require) {
            this.requireExtendedMasterSecret = require;
            return this;
        }

        /**
         * TLS 1.2 client: chooses the PSK once the server's identity hint is known. By default the first PSK added
         * with {@link #addPsk} is used whatever the hint.
         */
        public Builder pskForHint(PskHintCallback callback) {
            this.hintCallback = Objects.requireNonNull(callback, "callback");
            return this;
        }

        List<TlsVersion> enabledVersions() {
            if (protocols != null) {
                return protocols;
            }
            List<TlsVersion> out = new ArrayList<>(2);
            if (cipherSuites.stream().anyMatch(s -> !s.isTls13())) {
                out.add(TlsVersion.TLS_1_2);
            }
            if (cipherSuites.stream().anyMatch(CipherSuite::isTls13)) {
                out.add(TlsVersion.TLS_1_3);
            }
            return out;
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

        /**
         * Time allowed for the whole handshake, PSK lookup included. Default 10 seconds; zero disables it. When it
         * runs out the handler sends user_canceled and close_notify (RFC 8446 section 6.1), fails the handshake with
         * a {@link PskHandshakeTimeoutException}, closes the channel and counts it in
         * {@link PskTlsStats#handshakeTimeouts()}.
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Sends a KeyUpdate after this many records under one key (TLS 1.3). By default the limit follows the
         * AEAD's safety margin (RFC 8446 section 5.5): 2^24 records for AES-GCM, 2^20 for AES-CCM (no analysis
         * for TLS-sized records exists, so a wide margin), 2^48 for ChaCha20-Poly1305. A smaller value only makes
         * updates more frequent.
         */
        public Builder keyUpdateAfterRecords(long records) {
            this.keyUpdateAfterRecords = records;
            return this;
        }

        /**
         * Largest handshake message accepted, in bytes: a larger one is refused with illegal_parameter from its header
         * alone and counted in {@link PskTlsStats#oversizedHandshakeMessages()}. Default 32 KiB.
         */
        public Builder maxHandshakeMessageSize(int bytes) {
            this.maxHandshakeMessageSize = bytes;
            return this;
        }

        /**
         * Server: most PSK identities looked at in one ClientHello. Default 64; more is illegal_parameter, counted in
         * {@link PskTlsStats#tooManyIdentities()}.
         */
        public Builder maxOfferedIdentities(int count) {
            this.maxOfferedIdentities = count;
            return this;
        }

        /**
         * Server: longest PSK identity accepted, in bytes: in a TLS 1.3 ClientHello (any offered identity) or a
         * TLS 1.2 ClientKeyExchange. A longer one is refused with illegal_parameter before the {@link PskSelector}
         * is asked, and counted in {@link PskTlsStats#oversizedIdentities()}. Default
         * {@value #DEFAULT_MAX_IDENTITY_LENGTH}; at least 128 (RFC 4279 section 5.3: implementations must support
         * identities of up to 128 bytes) and at most 65535 (RFC 8446 section 4.2.11: {@code identity<1..2^16-1>}).
         */
        public Builder maxIdentityLength(int bytes) {
            this.maxIdentityLength = bytes;
            return this;
        }

        /**
         * Server: most bytes (records with their headers) kept from one client while its PSK lookup is pending:
         * they cannot be decrypted before the lookup answers, so they wait. A client that waits for the server's
         * flight, as every client does, sends well under 1 KiB meanwhile (TLS 1.3: change_cipher_spec at most;
         * TLS 1.2: its change_cipher_spec and Finished). More is refused with unexpected_message and counted in
         * {@link PskTlsStats#lookupBufferOverflows()}. Default {@value #DEFAULT_MAX_BYTES_HELD_DURING_LOOKUP};
         * between 1 KiB and 16 MiB.
         */
        public Builder maxBytesHeldDuringLookup(int bytes) {
            this.maxBytesHeldDuringLookup = bytes;
            return this;
        }

        /**
         * TLS 1.3: most KeyUpdates accepted from the peer in a row with no application data from it between them; one
         * more ends the connection with unexpected_message, counted in {@link PskTlsStats#tooManyKeyUpdates()}.
         * Default {@value #DEFAULT_MAX_CONSECUTIVE_KEY_UPDATES} (BoringSSL's limit); between 1 and 65536. The peer's
         * answer to a KeyUpdate we requested ({@link PskHandshakeHandler#updateKeys(boolean)}) does not count.
         *
         * <p>Each KeyUpdate costs a key derivation, and one that requests an update costs us a KeyUpdate of our own.
         * Requests that arrive while we have sent nothing are answered with one KeyUpdate, sent before our next
         * application data or at the end of the read (RFC 8446 section 4.6.3 allows that), so a peer cannot make us
         * queue an answer per request.
         */
        public Builder maxConsecutiveKeyUpdates(int count) {
            this.maxConsecutiveKeyUpdates = count;
            return this;
        }

        /**
         * Most records accepted from the peer in a row that carry nothing for the application or the handshake: empty
         * application data records, TLS 1.2 warning alerts, user_canceled alerts, change_cipher_spec records, a
         * HelloRequest the client ignores during a TLS 1.2 handshake, NewSessionTickets the client ignores. One more
         * ends the connection with unexpected_message, counted in
         * {@link PskTlsStats#tooManyRecordsWithoutProgress()}. Application data of at least one byte, and a handshake
         * message during the handshake, start the count again. Default
         * {@value #DEFAULT_MAX_RECORDS_WITHOUT_PROGRESS} (OpenSSL and BoringSSL stop at 32 empty records); between 1
         * and 65536.
         *
         * <p>Such records cost a decryption each and reach no application handler, so the application cannot limit
         * them itself. KeyUpdates (see {@link #maxConsecutiveKeyUpdates}) and refused renegotiations (see
         * {@link #MAX_REFUSED_RENEGOTIATIONS}) have limits of their own and neither add to this count nor start it
         * again.
         */
        public Builder maxRecordsWithoutProgress(int count) {
            this.maxRecordsWithoutProgress = count;
            return this;
        }

        /**
         * Server: most PSK lookups pending at once over every channel of this context: lookups the
         * {@link PskSelector} was asked for and has not answered yet (TLS 1.3 asks after the ClientHello, TLS 1.2
         * after the ClientKeyExchange). A lookup stops counting when its stage completes (successfully or not) or
         * its handshake ends first (timeout, channel closed, handler removed). Default
         * {@value #DEFAULT_MAX_PENDING_LOOKUPS}; at least 1.
         *
         * <p>It protects the server when its key service is slow: each pending lookup holds a connection, its
         * ClientHello and whatever the client sends meanwhile, so a flood of ClientHellos would otherwise hold memory
         * and connections without bound until the handshake timeout (which still applies to every handshake) ends
         * them. Once the limit is reached a handshake that needs a lookup is refused without calling the selector:
         * the server sends internal_error (RFC 8446 section 6.2: "an internal error unrelated to the peer or the
         * correctness of this specification"; handshake_failure would tell the client its parameters or PSK were
         * unacceptable, which they were not), fails the handshake with "too many pending PSK lookups (limit N)",
         * closes the channel and counts it in {@link PskTlsStats#lookupsRefused()}.
         */
        public Builder maxPendingLookups(int count) {
            this.maxPendingLookups = count;
            return this;
        }

        /**
         * Server: registers each connection whose handshake completes in {@code registry} under its PSK identity, until
         * it closes, so that revoking the identity in a store the registry listens to closes it (see
         * {@link LiveChannelRegistry}). Off by default, and then costs nothing.
         */
        public Builder liveChannels(LiveChannelRegistry registry) {
            if (client) {
                throw new IllegalStateException("liveChannels is for servers");
            }
            this.liveChannels = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Server: refuse a ClientHello that offers any identity {@code clientContext} offers, with
         * handshake_failure, before the {@link PskSelector} is asked (TLS 1.3: any identity in the ClientHello's
         * pre_shared_key; TLS 1.2: the identity in ClientKeyExchange). May be called for several client contexts.
         *
         * <p>This defends against the Selfie attack (RFC 9257; Drucker and Gueron, 2019): an entity
         * that is both client and server with one PSK can be made to talk to itself, an attacker reflecting its
         * own ClientHello back to its server, which then authenticates "the peer" with the very key the entity
         * uses as a client. RFC 9257 asks that a PSK be shared by exactly one client and one server: the
         * right fix is a separate PSK per role (and per direction). When that cannot be done, pass the server the
         * context this entity uses as a client.
         *
         * <p>Only the PSKs added with {@link #addPsk} are known; a client that picks other keys in
         * {@link #pskForHint} is covered only for those. The identities are captured now.
         *
         * @throws IllegalStateException on a client builder
         * @throws IllegalArgumentException when {@code clientContext} is not a client context
         */
        public Builder rejectIdentitiesOf(PskTlsContext clientContext) {
            // (A client-and-server context rejects its own client side's identities without being told.)
            Objects.requireNonNull(clientContext, "clientContext");
            if (client) {
                throw new IllegalStateException("rejectIdentitiesOf is for servers");
            }
            if (!clientContext.client) {
                throw new IllegalArgumentException("rejectIdentitiesOf needs a client context");
            }
            for (ExternalPsk psk : clientContext.clientPsks) {
                rejectedIdentities.add(ByteBuffer.wrap(psk.identity()));
            }
            return this;
        }

        /**
         * Client-and-server contexts only: let the server side accept ClientHellos offering the client side's own
         * identities, which turns the default Selfie protection off. Only for an entity that must really connect
         * to itself (a test); RFC 9257 asks for a PSK per client-server pair instead.
         */
        public Builder allowOwnIdentities() {
            if (!dual) {
                throw new IllegalStateException("allowOwnIdentities is for client-and-server contexts");
            }
            this.allowOwnIdentities = true;
            return this;
        }

        /** Checks the settings and builds the context. */
        public PskTlsContext build() {
            if ((client || dual) && clientPsks.isEmpty()) {
                throw new IllegalStateException("a client needs at least one PSK (addPsk)");
            }
            List<TlsVersion> versions = enabledVersions();
            if (versions.isEmpty()) {
                throw new IllegalStateException("no protocol version enabled");
            }
            boolean v13 = versions.contains(TlsVersion.TLS_1_3);
            boolean v12 = versions.contains(TlsVersion.TLS_1_2);
            if (v13 && cipherSuites.stream().noneMatch(CipherSuite::isTls13)) {
                throw new IllegalStateException("TLS 1.3 is enabled but no TLS 1.3 cipher suite is configured");
            }
            if (v12 && cipherSuites.stream().allMatch(CipherSuite::isTls13)) {
                throw new IllegalStateException("TLS 1.2 is enabled but no TLS 1.2 cipher suite is configured");
            }
            if (v13 && modes.isEmpty()) {
                throw new IllegalStateException("no PSK key exchange mode configured");
            }
            if (v13 && modes.contains(PskKeyExchangeMode.PSK_DHE_KE) && groups.isEmpty()) {
                throw new IllegalStateException("psk_dhe_ke needs at least one group");
            }
            for (NamedGroup g : groups) {
                if (!g.hasCodepoint()) {
                    throw new IllegalStateException(g.tlsName() + " has no TLS codepoint: it cannot be offered or "
                            + "negotiated, only accepted from a TLS 1.2 server (which the client always does)");
                }
            }
            if ((client || dual) && v13) {
                for (ExternalPsk psk : clientPsks) {
                    if (!hasSuiteFor(psk.hash())) {
                        throw new IllegalStateException(psk + " has no configured TLS 1.3 cipher suite of its hash");
                    }
                }
            }
            if (identityHint != null && identityHint.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 0xffff) {
                throw new IllegalStateException("identity hint longer than 65535 bytes");
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
            if (maxIdentityLength < 128 || maxIdentityLength > ClientHello.MAX_IDENTITY_LENGTH) {
                throw new IllegalStateException("maxIdentityLength must be between 128 and 65535 bytes");
            }
            if (maxPendingLookups < 1) {
                throw new IllegalStateException("maxPendingLookups must be at least 1");
            }
            if (maxBytesHeldDuringLookup < 1024 || maxBytesHeldDuringLookup > 16 << 20) {
                throw new IllegalStateException("maxBytesHeldDuringLookup must be between 1 KiB and 16 MiB");
            }
            if (maxConsecutiveKeyUpdates < 1 || maxConsecutiveKeyUpdates > MAX_FLOOD_LIMIT) {
                throw new IllegalStateException("maxConsecutiveKeyUpdates must be between 1 and " + MAX_FLOOD_LIMIT);
            }
            if (maxRecordsWithoutProgress < 1 || maxRecordsWithoutProgress > MAX_FLOOD_LIMIT) {
                throw new IllegalStateException("maxRecordsWithoutProgress must be between 1 and " + MAX_FLOOD_LIMIT);
            }
            if (!dual) {
                return new PskTlsContext(this, client, null, rejectedIdentities);
            }
            // RFC 9257 (Selfie): the server side refuses this entity's own client identities unless told otherwise.
            PskTlsContext clientPart = new PskTlsContext(this, true, null, Set.of());
            Set<ByteBuffer> rejected = new HashSet<>(rejectedIdentities);
            if (!allowOwnIdentities) {
                for (ExternalPsk psk : clientPsks) {
                    rejected.add(ByteBuffer.wrap(psk.identity()));
                }
            }
            return new PskTlsContext(this, false, clientPart, rejected);
        }

        private boolean hasSuiteFor(HashAlgorithm hash) {
            for (CipherSuite s : cipherSuites) {
                if (s.isTls13() && s.hash() == hash) {
                    return true;
                }
            }
            return false;
        }
    }
}
