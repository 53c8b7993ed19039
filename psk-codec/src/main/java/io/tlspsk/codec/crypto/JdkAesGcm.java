package io.tlspsk.codec.crypto;

import java.security.Provider;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-128-GCM / AES-256-GCM (RFC 5116, as used by RFC 8446 section 5.2) over the JCA Cipher
 * {@code AES/GCM/NoPadding}, 128-bit tag. The JDK is 30-100x BouncyCastle here and ACCP faster still on JDK 17
 * (PERFORMANCE.md); {@link CryptoBackend} passes ACCP when it is on the class path.
 */
public final class JdkAesGcm extends JdkAead {

    /** With the default JCA provider. The key is copied. */
    public JdkAesGcm(AeadAlgorithm algorithm, byte[] key) {
        this(algorithm, key, null);
    }

    /**
     * With a given JCA provider (for example ACCP). The key is copied.
     *
     * @param provider {@code null} means the default provider
     */
    public JdkAesGcm(AeadAlgorithm algorithm, byte[] key, Provider provider) {
        super(checked(algorithm), key, "AES/GCM/NoPadding", "AES", provider);
    }

    @Override
    AlgorithmParameterSpec parameters(byte[] nonce) {
        return new GCMParameterSpec(128, nonce);
    }

    private static AeadAlgorithm checked(AeadAlgorithm algorithm) {
        if (algorithm != AeadAlgorithm.AES_128_GCM && algorithm != AeadAlgorithm.AES_256_GCM) {
            throw new IllegalArgumentException("not an AES-GCM algorithm: " + algorithm);
        }
        return algorithm;
    }
}
