package io.tlspsk.codec.tls12;

import java.util.Arrays;

/**
 * The premaster secrets of the TLS 1.2 PSK key exchanges. Both have the shape
 * {@code uint16 len(other_secret) || other_secret || uint16 len(psk) || psk}:
 *
 * <ul>
 *   <li>PSK (RFC 4279 section 2): other_secret is as many zero bytes as the PSK is long.</li>
 *   <li>DHE_PSK (RFC 4279 section 3): other_secret is the Diffie-Hellman result with its leading zero bytes stripped
 *       (RFC 5246 section 8.1.2): {@link #dhOtherSecret} makes it from what
 *       {@link io.tlspsk.codec.crypto.FfdheKeyShare#agree} returns.</li>
 *   <li>ECDHE_PSK (RFC 5489 section 2): other_secret is the ECDH result, the fixed-length X coordinate (RFC 8422
 *       section 5.10) or the 32-byte X25519 output (RFC 8422 section 5.11), as the key shares return it.</li>
 * </ul>
 *
 * <p>The returned array holds the PSK: the caller zeroes it as soon as the master secret is derived (RFC 5246 section
 * 8.1). The inputs are not modified; the caller zeroes its own {@code psk} and {@code otherSecret} copies.
 */
public final class PskPremaster {

    /** RFC 4279 section 5.3: PSKs up to 2^16-1 bytes fit the encoding; implementations must handle at least 64. */
    private static final int MAX_LENGTH = 0xffff;

    private PskPremaster() {
    }

    /** {@code uint16(N) || N zero bytes || uint16(N) || psk} for plain PSK (RFC 4279 section 2). */
    public static byte[] plain(byte[] psk) {
        check(psk, "PSK");
        int n = psk.length;
        byte[] out = new byte[4 + 2 * n];
        out[0] = (byte) (n >>> 8);
        out[1] = (byte) n;
        // out[2 .. 2+n) stays zero: the other_secret of plain PSK
        out[2 + n] = (byte) (n >>> 8);
        out[3 + n] = (byte) n;
        System.arraycopy(psk, 0, out, 4 + n, n);
        return out;
    }

    /**
     * {@code uint16(len(other)) || other || uint16(N) || psk} for DHE_PSK (RFC 4279 section 3) and ECDHE_PSK
     * (RFC 5489 section 2).
     */
    public static byte[] withOtherSecret(byte[] otherSecret, byte[] psk) {
        check(otherSecret, "other_secret");
        check(psk, "PSK");
        int m = otherSecret.length;
        int n = psk.length;
        byte[] out = new byte[4 + m + n];
        out[0] = (byte) (m >>> 8);
        out[1] = (byte) m;
        System.arraycopy(otherSecret, 0, out, 2, m);
        out[2 + m] = (byte) (n >>> 8);
        out[3 + m] = (byte) n;
        System.arraycopy(psk, 0, out, 4 + m, n);
        return out;
    }

    /**
     * The DHE_PSK other_secret: {@code z} (a Diffie-Hellman result padded to the length of p) without its leading
     * zero bytes (RFC 5246 section 8.1.2), in a new array. {@code z} is zeroed. How many bytes are stripped shows in
     * the timing (the Raccoon attack); that only matters for a reused exponent, and ours are never reused.
     *
     * @throws IllegalArgumentException when z is all zeros (never a valid Diffie-Hellman result)
     */
    public static byte[] dhOtherSecret(byte[] z) {
        int start = 0;
        while (start < z.length && z[start] == 0) {
            start++;
        }
        if (start == z.length) {
            throw new IllegalArgumentException("Diffie-Hellman result is zero");
        }
        byte[] out = Arrays.copyOfRange(z, start, z.length);
        Arrays.fill(z, (byte) 0);
        return out;
    }

    private static void check(byte[] value, String what) {
        if (value.length == 0 || value.length > MAX_LENGTH) {
            // No length in the message: the secret itself is never part of the text.
            throw new IllegalArgumentException(what + " must be 1 to 65535 bytes");
        }
    }
}
