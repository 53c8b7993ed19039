package io.tlspsk.codec.crypto;

import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) over the JCA Cipher {@code ChaCha20-Poly1305} (SunJCE, JDK 11+). The JDK matches
 * BouncyCastle on JDK 17 and is 8.7x faster on JDK 25 (PERFORMANCE.md); ACCP has no ChaCha20.
 */
public final class JdkChaCha20Poly1305 extends JdkAead {

    /** With the default JCA provider. The key (32 bytes) is copied. */
    public JdkChaCha20Poly1305(byte[] key) {
        super(AeadAlgorithm.CHACHA20_POLY1305, key, "ChaCha20-Poly1305", "ChaCha20", null);
    }

    @Override
    AlgorithmParameterSpec parameters(byte[] nonce) {
        return new IvParameterSpec(nonce);
    }
}
