package io.tlspsk.codec.tls12;

import java.util.Arrays;

/**
 * HMAC (RFC 2104) over a {@link MacHash}: the record MAC of the TLS 1.2 CBC suites (RFC 5246 section 6.2.3.1).
 *
 * <p>Written here rather than taken from {@code javax.crypto.Mac} so that every compression-function call it causes is
 * known: the Lucky Thirteen countermeasure in {@link Tls12RecordProtection} has to make their number independent of
 * the padding, and a test counts them. Like {@code javax.crypto.Mac}, a MAC starts with the first
 * {@link #update} after construction, {@link #finish} or {@link #reset}, which first hashes the inner key pad.
 *
 * <p>Not thread-safe; one instance per direction per connection.
 */
final class RecordMac {

    private static final byte INNER_PAD = 0x36;
    private static final byte OUTER_PAD = 0x5c;
    /**
     * The most by which a record's content can be shorter than the longest content the record could hold: its padding,
     * 1 to 256 bytes with padding_length (RFC 5246 section 6.2.3.2).
     */
    private static final int MAX_CONTENT_SHIFT = 256;

    private final MacHash hash;
    /** The key XOR 0x36, one hash block. */
    private final byte[] innerPad;
    /** The key XOR 0x5c, one hash block. */
    private final byte[] outerPad;
    private final byte[] innerDigest;
    /** Throwaway input for {@link #compressFiller}: enough blocks to make up for {@link #MAX_CONTENT_SHIFT} bytes. */
    private final byte[] filler;
    private boolean started;

    /**
     * @param key the MAC key, copied; at most one hash block (the TLS 1.2 MAC keys are one digest long, RFC 5246
     *        section 6.3)
     */
    RecordMac(MacHash hash, byte[] key) {
        int block = hash.blockLength();
        if (key.length > block) {
            throw new IllegalArgumentException("MAC key of " + key.length + " bytes is longer than a hash block");
        }
        this.hash = hash;
        innerPad = new byte[block];
        outerPad = new byte[block];
        for (int i = 0; i < block; i++) {
            byte k = i < key.length ? key[i] : 0;
            innerPad[i] = (byte) (k ^ INNER_PAD);
            outerPad[i] = (byte) (k ^ OUTER_PAD);
        }
        innerDigest = new byte[hash.digestLength()];
        filler = new byte[((MAX_CONTENT_SHIFT + block - 1) / block + 1) * block];
    }

    /** Length of the MAC. */
    int length() {
        return innerDigest.length;
    }

    void update(byte[] b) {
        update(b, 0, b.length);
    }

    void update(byte[] b, int off, int len) {
        start();
        hash.update(b, off, len);
    }

    /** Writes the MAC of what was fed since the MAC started into {@code out[off, off + length())}. */
    void finish(byte[] out, int off) {
        start();
        started = false;
        hash.digest(innerDigest, 0);
        hash.update(outerPad, 0, outerPad.length);
        hash.update(innerDigest, 0, innerDigest.length);
        hash.digest(out, off);
    }

    /**
     * Compression-function calls that one MAC over {@code length} bytes costs: the inner hash of the key pad block,
     * the message and the final padding, then the outer hash of the key pad block and the inner digest.
     */
    int compressions(int length) {
        return hash.compressions(innerPad.length + length) + hash.compressions(outerPad.length + innerDigest.length);
    }

    /**
     * Runs exactly {@code blocks} compression-function calls over throwaway input, between two MACs: the Lucky
     * Thirteen countermeasure's dummy work. The filler goes straight into the hash, one call whatever
     * {@code blocks} is, without starting a MAC (so no key pad block is hashed), and is dropped unfinished, so it
     * costs whole blocks only and no final padding.
     *
     * @param blocks at most what content shorter by 256 bytes saves: 256 / block length + 1
     */
    void compressFiller(int blocks) {
        if (started) {
            throw new IllegalStateException("a MAC is under way");
        }
        hash.update(filler, 0, blocks * hash.blockLength());
        hash.reset();
    }

    /** Drops a MAC started and not finished. */
    void reset() {
        if (started) {
            hash.reset();
            started = false;
        }
    }

    private void start() {
        if (!started) {
            hash.update(innerPad, 0, innerPad.length);
            started = true;
        }
    }

    /** Zeroes the key pads; the instance is unusable afterwards. */
    void destroy() {
        hash.reset();
        started = false;
        Arrays.fill(innerPad, (byte) 0);
        Arrays.fill(outerPad, (byte) 0);
        Arrays.fill(innerDigest, (byte) 0);
    }
}
