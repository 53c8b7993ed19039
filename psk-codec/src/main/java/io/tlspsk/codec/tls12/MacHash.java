package io.tlspsk.codec.tls12;

import io.tlspsk.codec.crypto.HashAlgorithm;

/**
 * The hash under the record MAC of the TLS 1.2 CBC suites, seen as what the Lucky Thirteen countermeasure in
 * {@link Tls12RecordProtection} has to count: calls of its compression function. SHA-256 and SHA-384 are
 * Merkle-Damgard hashes (FIPS 180-4 sections 5.1 and 6): the message is consumed in blocks of {@link #blockLength()}
 * bytes, one compression per block, and finishing appends a 0x80 byte, zeros and the bit length, which costs one more
 * compression, or two when the last partial block has no room for them.
 *
 * <p>Package-private so that a test can stand in an implementation that counts compressions.
 */
interface MacHash {

    /** Bytes consumed by one compression: 64 for SHA-256, 128 for SHA-384. */
    int blockLength();

    /** Bytes the final padding adds at least: the 0x80 byte and the length field (9 for SHA-256, 17 for SHA-384). */
    int minPaddingLength();

    /** Length of the digest. */
    int digestLength();

    void update(byte[] b, int off, int len);

    /** Finishes the hash into {@code out[off, off + digestLength())} and starts a new one. */
    void digest(byte[] out, int off);

    /** Drops what was fed since the last digest or reset, unfinished, and starts a new hash. */
    void reset();

    /** Compressions that hashing and finishing a message of {@code length} bytes costs (FIPS 180-4 section 5.1). */
    default int compressions(int length) {
        return (length + minPaddingLength() + blockLength() - 1) / blockLength();
    }

    /** The JDK's implementation of {@code hash}. */
    static MacHash of(HashAlgorithm hash) {
        return new DigestMacHash(hash);
    }
}
