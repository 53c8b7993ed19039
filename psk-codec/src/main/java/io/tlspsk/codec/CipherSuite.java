package io.tlspsk.codec;

import io.tlspsk.codec.crypto.AeadAlgorithm;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.util.Locale;

/**
 * The cipher suites this library implements, with their IANA codepoints: the TLS 1.3 suites and the TLS 1.2 PSK
 * suites (plain PSK, DHE_PSK and ECDHE_PSK key exchange).
 *
 * <p>For a TLS 1.3 suite {@link #hash()} is the key-schedule hash; for a TLS 1.2 suite it is the PRF hash (RFC 5246
 * section 5): SHA-384 only for TLS_PSK_WITH_AES_256_GCM_SHA384 (RFC 5487 section 3), SHA-256 for every other one here.
 * The CBC suites have no AEAD ({@link #aead()} is {@code null}); they pair AES-128-CBC with HMAC-SHA256 (RFC 5246
 * section 6.2.3.2, RFC 5487 section 3.2, RFC 5489 section 3).
 */
public enum CipherSuite {
    // TLS 1.3, RFC 8446 appendix B.4
    TLS_AES_128_GCM_SHA256(0x1301, KeyExchange.TLS13, AeadAlgorithm.AES_128_GCM, HashAlgorithm.SHA256),
    TLS_AES_256_GCM_SHA384(0x1302, KeyExchange.TLS13, AeadAlgorithm.AES_256_GCM, HashAlgorithm.SHA384),
    TLS_CHACHA20_POLY1305_SHA256(0x1303, KeyExchange.TLS13, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHA256),
    TLS_AES_128_CCM_SHA256(0x1304, KeyExchange.TLS13, AeadAlgorithm.AES_128_CCM, HashAlgorithm.SHA256),
    TLS_AES_128_CCM_8_SHA256(0x1305, KeyExchange.TLS13, AeadAlgorithm.AES_128_CCM_8, HashAlgorithm.SHA256),

    // TLS 1.2 AES-GCM PSK suites, RFC 5487 section 2
    TLS_PSK_WITH_AES_128_GCM_SHA256(0x00A8, KeyExchange.PSK, AeadAlgorithm.AES_128_GCM, HashAlgorithm.SHA256),
    TLS_PSK_WITH_AES_256_GCM_SHA384(0x00A9, KeyExchange.PSK, AeadAlgorithm.AES_256_GCM, HashAlgorithm.SHA384),
    TLS_DHE_PSK_WITH_AES_128_GCM_SHA256(0x00AA, KeyExchange.DHE_PSK, AeadAlgorithm.AES_128_GCM, HashAlgorithm.SHA256),
    // TLS 1.2 ECDHE_PSK with AES-GCM, RFC 8442 section 2
    TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256(0xD001, KeyExchange.ECDHE_PSK, AeadAlgorithm.AES_128_GCM,
            HashAlgorithm.SHA256),
    // TLS 1.2 AES-CCM PSK suites, RFC 6655 section 4
    TLS_PSK_WITH_AES_128_CCM(0xC0A4, KeyExchange.PSK, AeadAlgorithm.AES_128_CCM, HashAlgorithm.SHA256),
    TLS_DHE_PSK_WITH_AES_128_CCM(0xC0A6, KeyExchange.DHE_PSK, AeadAlgorithm.AES_128_CCM, HashAlgorithm.SHA256),
    TLS_PSK_WITH_AES_128_CCM_8(0xC0A8, KeyExchange.PSK, AeadAlgorithm.AES_128_CCM_8, HashAlgorithm.SHA256),
    // TLS 1.2 ChaCha20-Poly1305 PSK suites, RFC 7905 section 2
    TLS_PSK_WITH_CHACHA20_POLY1305_SHA256(0xCCAB, KeyExchange.PSK, AeadAlgorithm.CHACHA20_POLY1305,
            HashAlgorithm.SHA256),
    TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256(0xCCAC, KeyExchange.ECDHE_PSK, AeadAlgorithm.CHACHA20_POLY1305,
            HashAlgorithm.SHA256),
    TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256(0xCCAD, KeyExchange.DHE_PSK, AeadAlgorithm.CHACHA20_POLY1305,
            HashAlgorithm.SHA256),
    // TLS 1.2 CBC suites with HMAC-SHA256: RFC 5487 section 3.2 (PSK) and RFC 5489 section 3 (ECDHE_PSK)
    TLS_PSK_WITH_AES_128_CBC_SHA256(0x00AE, KeyExchange.PSK, null, HashAlgorithm.SHA256),
    TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256(0xC037, KeyExchange.ECDHE_PSK, null, HashAlgorithm.SHA256);

    /** How a suite establishes its keys. */
    public enum KeyExchange {
        /** TLS 1.3: the key exchange is negotiated separately (psk_ke / psk_dhe_ke), not by the suite. */
        TLS13,
        /** TLS 1.2 plain PSK, RFC 4279 section 2. */
        PSK,
        /** TLS 1.2 PSK with an ephemeral ECDH exchange, RFC 5489 section 2. */
        ECDHE_PSK,
        /** TLS 1.2 PSK with an ephemeral finite-field DH exchange, RFC 4279 section 3. */
        DHE_PSK
    }

    /** Block cipher of the CBC suites: AES-128. */
    private static final int CBC_KEY_LENGTH = 16;

    private final int id;
    private final KeyExchange keyExchange;
    private final AeadAlgorithm aead;
    private final HashAlgorithm hash;

    CipherSuite(int id, KeyExchange keyExchange, AeadAlgorithm aead, HashAlgorithm hash) {
        this.id = id;
        this.keyExchange = keyExchange;
        this.aead = aead;
        this.hash = hash;
    }

    public int id() {
        return id;
    }

    /** The AEAD, or {@code null} for a CBC suite ({@link #isCbc()}). */
    public AeadAlgorithm aead() {
        return aead;
    }

    /**
     * TLS 1.3: the hash of the key schedule; a PSK is only used with suites of its own hash (RFC 8446 4.2.11).
     * TLS 1.2: the PRF hash (RFC 5246 section 5), also the hash of the Finished and extended-master-secret inputs.
     */
    public HashAlgorithm hash() {
        return hash;
    }

    /** How this suite exchanges keys; {@link KeyExchange#TLS13} for the TLS 1.3 suites. */
    public KeyExchange keyExchange() {
        return keyExchange;
    }

    /** True for the TLS 1.3 suites. */
    public boolean isTls13() {
        return keyExchange == KeyExchange.TLS13;
    }

    /** True for the TLS 1.2 AES-128-CBC + HMAC-SHA256 suites, which have no AEAD. */
    public boolean isCbc() {
        return aead == null;
    }

    /** Length of the record MAC and of its key: 32 for HMAC-SHA256 (CBC suites), 0 for AEAD suites. */
    public int macLength() {
        return isCbc() ? 32 : 0;
    }

    /** Length of the encryption key: the AEAD's key length, or 16 for AES-128-CBC. */
    public int encKeyLength() {
        return isCbc() ? CBC_KEY_LENGTH : aead.keyLength();
    }

    /** The suite with this codepoint, or {@code null} when we do not implement it. */
    public static CipherSuite byId(int id) {
        for (CipherSuite s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        return null;
    }

    /** The suite with this IANA name, case-insensitive, e.g. {@code TLS_AES_128_CCM_8_SHA256}. */
    public static CipherSuite byName(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown cipher suite: " + name, e);
        }
    }
}
