package io.tlspsk.handler.store;

/** Hex for keys, without the String copies {@code HexFormat} would leave on the heap. */
final class Hex {

    private static final byte[] DIGITS = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Hex() {
    }

    /** Lower-case hex digits of {@code bytes}, as ASCII bytes (the caller zeroes them when they hold a key). */
    static byte[] encode(byte[] bytes) {
        byte[] out = new byte[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
        }
        return out;
    }

    /** The bytes of ASCII hex digits (either case), or {@code null} when {@code hex} is not an even number of them. */
    static byte[] decode(byte[] hex) {
        return decode(hex, 0, hex.length);
    }

    /** As {@link #decode(byte[])}, over {@code hex[from..to)}. */
    static byte[] decode(byte[] hex, int from, int to) {
        int n = to - from;
        if (n == 0 || (n & 1) != 0) {
            return null;
        }
        byte[] out = new byte[n / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = digit(hex[from + 2 * i]);
            int lo = digit(hex[from + 2 * i + 1]);
            if (hi < 0 || lo < 0) {
                java.util.Arrays.fill(out, (byte) 0);
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    /** As {@link #decode(byte[])}, over the chars {@code s[from..to)}. */
    static byte[] decode(CharSequence s, int from, int to) {
        byte[] ascii = new byte[to - from];
        for (int i = 0; i < ascii.length; i++) {
            char c = s.charAt(from + i);
            ascii[i] = c < 128 ? (byte) c : (byte) '?';
        }
        try {
            return decode(ascii);
        } finally {
            java.util.Arrays.fill(ascii, (byte) 0);
        }
    }

    private static int digit(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
