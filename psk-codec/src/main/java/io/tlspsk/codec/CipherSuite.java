package io.tlspsk.codec;

import io.tlspsk.codec.crypto.AeadAlgorithm;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.util.Locale;

/** The cipher suites this library implements, with their IANA codepoints. */
public enum CipherSuite {
    // TLS 1.3, RFC 8446 appendix B.4
    TLS_AES_128_GCM_SHA256(0x1301, AeadAlgorithm.AES_128_GCM, HashAlgorithm.SHA256),
    TLS_AES_256_GCM_SHA384(0x1302, AeadAlgorithm.AES_256_GCM, HashAlgorithm.SHA384),
    TLS_CHACHA20_POLY1305_SHA256(0x1303, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHA256),
    TLS_AES_128_CCM_SHA256(0x1304, AeadAlgorithm.AES_128_CCM, HashAlgorithm.SHA256),
    TLS_AES_128_CCM_8_SHA256(0x1305, AeadAlgorithm.AES_128_CCM_8, HashAlgorithm.SHA256);

    private final int id;
    private final AeadAlgorithm aead;
    private final HashAlgorithm hash;

    CipherSuite(int id, AeadAlgorithm aead, HashAlgorithm hash) {
        this.id = id;
        this.aead = aead;
        this.hash = hash;
    }

    public int id() {
        return id;
    }

    public AeadAlgorithm aead() {
        return aead;
    }

    /** The hash of the key schedule; a PSK is only used with suites of its own hash (RFC 8446 4.2.11). */
    public HashAlgorithm hash() {
        return hash;
    }

    /** True for the TLS 1.3 suites. */
    public boolean isTls13() {
        return (id & 0xff00) == 0x1300;
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
