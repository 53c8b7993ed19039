package io.tlspsk.codec.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;

/**
 * One AEAD key in one direction. Not thread-safe: one instance belongs to one channel's event loop.
 * Implementations work on heap arrays (PERFORMANCE.md: the JDK's Cipher is fastest on heap arrays).
 */
public interface Aead {

    AeadAlgorithm algorithm();

    /**
     * Encrypts {@code in[inOff, inOff+inLen)} and writes ciphertext followed by the tag to {@code out} at
     * {@code outOff}. {@code in} and {@code out} may be the same array, at the same offset (in place) or at others,
     * overlapping or not.
     *
     * @return bytes written: {@code inLen + tagLength}
     */
    int seal(byte[] nonce, byte[] aad, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws GeneralSecurityException;

    /**
     * Verifies and decrypts {@code in[inOff, inOff+inLen)} (ciphertext followed by tag) into {@code out} at
     * {@code outOff}. {@code in} and {@code out} may share an array as for {@link #seal}.
     *
     * @return plaintext bytes written: {@code inLen - tagLength}
     * @throws AEADBadTagException when the tag does not verify (the caller answers bad_record_mac)
     */
    int open(byte[] nonce, byte[] aad, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws GeneralSecurityException;

    /**
     * Replaces the key (copied) and keeps the cipher object: a key update or the switch from handshake to
     * application keys costs no new cipher.
     */
    void rekey(byte[] key);

    /** Forgets the key; the instance is unusable afterwards. */
    void destroy();
}
