package io.tlspsk.codec.crypto;

/** The AEAD algorithms of the TLS 1.3 cipher suites (RFC 8446 appendix B.4) and of the TLS 1.2 AEAD suites. */
public enum AeadAlgorithm {
    AES_128_GCM(16, 16),
    AES_256_GCM(32, 16),
    CHACHA20_POLY1305(32, 16),
    AES_128_CCM(16, 16),
    AES_128_CCM_8(16, 8);

    private final int keyLength;
    private final int tagLength;

    AeadAlgorithm(int keyLength, int tagLength) {
        this.keyLength = keyLength;
        this.tagLength = tagLength;
    }

    public int keyLength() {
        return keyLength;
    }

    /** Nonce and TLS 1.3 IV length: 12 bytes for every algorithm here (RFC 8446 section 5.3). */
    public int ivLength() {
        return 12;
    }

    public int tagLength() {
        return tagLength;
    }
}
