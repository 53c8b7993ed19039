package io.tlspsk.codec.crypto;

import static io.tlspsk.codec.crypto.TestVectors.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CryptoBackendTest {

    @Test
    void describeNamesEveryPrimitive() {
        String d = CryptoBackend.describe();
        for (String primitive : new String[] {"AES-GCM: ", "ChaCha20-Poly1305: ", "AES-CCM: BouncyCastle",
                "X25519: BouncyCastle", "secp256r1: ", "secp384r1: ", "HKDF: "}) {
            assertTrue(d.contains(primitive), () -> primitive + " missing from " + d);
        }
    }

    @Test
    void newAeadPicksTheImplementationPerAlgorithm() {
        assertInstanceOf(JdkAesGcm.class, CryptoBackend.newAead(AeadAlgorithm.AES_128_GCM, new byte[16]));
        assertInstanceOf(JdkAesGcm.class, CryptoBackend.newAead(AeadAlgorithm.AES_256_GCM, new byte[32]));
        assertInstanceOf(JdkChaCha20Poly1305.class, CryptoBackend.newAead(AeadAlgorithm.CHACHA20_POLY1305, new byte[32]));
        assertInstanceOf(BcAesCcm.class, CryptoBackend.newAead(AeadAlgorithm.AES_128_CCM, new byte[16]));
        assertInstanceOf(BcAesCcm.class, CryptoBackend.newAead(AeadAlgorithm.AES_128_CCM_8, new byte[16]));
    }

    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void newAeadCopiesTheKey(AeadAlgorithm alg) throws Exception {
        byte[] key = random(alg.keyLength());
        byte[] keyCopy = key.clone();
        Aead aead = CryptoBackend.newAead(alg, key);
        Arrays.fill(key, (byte) 0); // the caller zeroes its own copy
        byte[] nonce = random(12);
        byte[] plaintext = random(40);
        byte[] sealed = new byte[40 + alg.tagLength()];
        aead.seal(nonce, null, plaintext, 0, 40, sealed, 0);
        assertArrayEquals(AeadTest.reference(alg, keyCopy, nonce, null, plaintext), sealed);
    }

    @ParameterizedTest
    @EnumSource(NamedGroup.class)
    void generateKeyShareGivesAShareOfTheGroup(NamedGroup group) throws Exception {
        KeyShare a = CryptoBackend.generateKeyShare(group);
        KeyShare b = CryptoBackend.generateKeyShare(group);
        assertEquals(group, a.group());
        assertEquals(group.publicKeyLength(), a.publicKey().length);
        assertArrayEquals(a.agree(b.publicKey()), b.agree(a.publicKey()));
    }

    @Test
    void secureRandomIsSharedAndNotTheBlockingStrongInstance() throws Exception {
        assertSame(CryptoBackend.secureRandom(), CryptoBackend.secureRandom());
        assertNotEquals(SecureRandom.getInstanceStrong().getAlgorithm(), CryptoBackend.secureRandom().getAlgorithm());
    }
}
