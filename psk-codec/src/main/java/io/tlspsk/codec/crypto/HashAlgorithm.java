package io.tlspsk.codec.crypto;

/**
 * The hash of a PSK and of a cipher suite's key schedule (RFC 8446 section 4.2.11: a PSK is only used with
 * suites whose hash matches its own).
 */
public enum HashAlgorithm {
    SHA256("SHA-256", "HmacSHA256", 32),
    SHA384("SHA-384", "HmacSHA384", 48);

    private final String digestName;
    private final String macName;
    private final int length;

    HashAlgorithm(String digestName, String macName, int length) {
        this.digestName = digestName;
        this.macName = macName;
        this.length = length;
    }

    /** JCA {@code MessageDigest} name. */
    public String digestName() {
        return digestName;
    }

    /** JCA {@code Mac} name of the HMAC over this hash. */
    public String macName() {
        return macName;
    }

    /** Output length in bytes. */
    public int length() {
        return length;
    }
}
