package io.tlspsk.codec.crypto;

/**
 * One ephemeral key pair of a {@link NamedGroup}, used once. Not thread-safe.
 */
public interface KeyShare {

    NamedGroup group();

    /** The encoded public key for the key_share extension (a fresh copy). */
    byte[] publicKey();

    /**
     * Computes the shared secret with the peer's encoded public key.
     *
     * @throws java.security.GeneralSecurityException when the peer's key is malformed, not on the curve, or yields
     *         the all-zero X25519 output (RFC 8446 section 7.4.2); the caller answers illegal_parameter
     */
    byte[] agree(byte[] peerPublicKey) throws java.security.GeneralSecurityException;

    /** Zeroes the private key. */
    void destroy();
}
