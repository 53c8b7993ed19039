package io.tlspsk.codec.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * An ephemeral X25519 key pair (RFC 7748) for the key_share extension, over BouncyCastle's low-level
 * {@link X25519}: 2.5x the JDK's XDH on this hardware (PERFORMANCE.md).
 */
public final class X25519KeyShare implements KeyShare {

    private final byte[] privateKey = new byte[X25519.SCALAR_SIZE];
    private final byte[] publicKey = new byte[X25519.POINT_SIZE];
    private boolean destroyed;

    /** Generates a key pair with {@link CryptoBackend#secureRandom()}. */
    public X25519KeyShare() {
        this(CryptoBackend.secureRandom());
    }

    /** Generates a key pair with {@code random}. */
    public X25519KeyShare(SecureRandom random) {
        X25519.generatePrivateKey(random, privateKey);
        X25519.generatePublicKey(privateKey, 0, publicKey, 0);
    }

    /** A fixed private key, for known-answer tests; the array is copied. */
    X25519KeyShare(byte[] fixedPrivateKey) {
        if (fixedPrivateKey.length != X25519.SCALAR_SIZE) {
            throw new IllegalArgumentException("X25519 private key must be 32 bytes");
        }
        System.arraycopy(fixedPrivateKey, 0, privateKey, 0, privateKey.length);
        X25519.generatePublicKey(privateKey, 0, publicKey, 0);
    }

    @Override
    public NamedGroup group() {
        return NamedGroup.X25519;
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * X25519(private, peer) (RFC 7748 section 5). Rejects a key_exchange that is not 32 bytes (RFC 8446 section
     * 4.2.8.2) and an all-zero result, which a low-order peer point produces (RFC 8446 section 7.4.2).
     */
    @Override
    public byte[] agree(byte[] peerPublicKey) throws GeneralSecurityException {
        if (destroyed) {
            throw new IllegalStateException("key share destroyed");
        }
        if (peerPublicKey.length != X25519.POINT_SIZE) {
            throw new GeneralSecurityException("X25519 public key must be 32 bytes, got " + peerPublicKey.length);
        }
        byte[] shared = new byte[X25519.POINT_SIZE];
        if (!X25519.calculateAgreement(privateKey, 0, peerPublicKey, 0, shared, 0)) {
            throw new GeneralSecurityException("X25519 shared secret is all zeros (low-order peer point)");
        }
        return shared;
    }

    @Override
    public void destroy() {
        Arrays.fill(privateKey, (byte) 0);
        destroyed = true;
    }

    @Override
    public String toString() {
        return "X25519KeyShare" + (destroyed ? "(destroyed)" : "");
    }
}
