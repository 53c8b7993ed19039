package io.tlspsk.codec.crypto;

import java.util.Arrays;

/** The write key and write IV derived from one traffic secret (RFC 8446 section 7.3). */
public final class TrafficKeys {

    private final byte[] key;
    private final byte[] iv;

    /** Takes ownership of both arrays (no copy); {@link #destroy()} zeroes them. */
    public TrafficKeys(byte[] key, byte[] iv) {
        this.key = key;
        this.iv = iv;
    }

    /** The AEAD key. The internal array, not a copy: callers must not modify it. */
    public byte[] key() {
        return key;
    }

    /** The 12-byte IV that the record sequence number is XORed into (RFC 8446 section 5.3). The internal array, not a
     * copy: callers must not modify it. */
    public byte[] iv() {
        return iv;
    }

    /** Zeroes the key and the IV. */
    public void destroy() {
        Arrays.fill(key, (byte) 0);
        Arrays.fill(iv, (byte) 0);
    }

    @Override
    public String toString() {
        return "TrafficKeys(" + key.length + "-byte key, " + iv.length + "-byte iv)";
    }
}
