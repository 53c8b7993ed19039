package io.tlspsk.handler.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A PSK identity as a value: the identity bytes a client sends (RFC 8446 section 4.2.11, RFC 4279 section 2), compared
 * by content, so it can key a map or a cache. It holds no secret. Instances are immutable; the bytes are copied in
 * and out.
 */
public final class PskIdentity {

    /** RFC 8446 section 4.2.11: {@code opaque identity<1..2^16-1>}. */
    public static final int MAX_LENGTH = 0xffff;

    private final byte[] bytes;
    private final int hash;

    private PskIdentity(byte[] bytes) {
        this.bytes = bytes;
        this.hash = mix(Arrays.hashCode(bytes));
    }

    /**
     * The identity {@code bytes} (copied).
     *
     * @throws IllegalArgumentException for an empty identity or one longer than {@value #MAX_LENGTH} bytes
     */
    public static PskIdentity of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0 || bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("a PSK identity is 1 to " + MAX_LENGTH + " bytes, not " + bytes.length);
        }
        return new PskIdentity(bytes.clone());
    }

    /** The identity {@code text} in UTF-8, the usual form for device names. */
    public static PskIdentity of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of the identity bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The length in bytes. */
    public int length() {
        return bytes.length;
    }

    /** The byte at {@code index}, without copying. */
    public byte byteAt(int index) {
        return bytes[index];
    }

    /** True when {@code other} holds exactly these bytes. */
    public boolean hasBytes(byte[] other) {
        return Arrays.equals(bytes, other);
    }

    /** The identity decoded as UTF-8, invalid sequences replaced: for logs and display. */
    public String asString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Copies the identity bytes into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(bytes, 0, dst, offset, bytes.length);
    }

    /**
     * A well-mixed hash of the bytes ({@link Arrays#hashCode(byte[])} with a finaliser), so that identities differing
     * only in their last characters ("device-000001", "device-000002") spread over an open-addressing table.
     */
    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PskIdentity && ((PskIdentity) o).hash == hash && Arrays.equals(((PskIdentity) o).bytes, bytes);
    }

    /** The identity as text (identities are not secret). */
    @Override
    public String toString() {
        return asString();
    }

    /** The same hash {@link #hashCode()} gives, over an identity held at {@code offset} in {@code a}. */
    static int hashOf(byte[] a, int offset, int length) {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + a[i];
        }
        return mix(h);
    }

    /** MurmurHash3's 32-bit finaliser. */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
