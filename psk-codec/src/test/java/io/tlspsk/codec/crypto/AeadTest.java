package io.tlspsk.codec.crypto;

import static io.tlspsk.codec.crypto.TestVectors.hex;
import static io.tlspsk.codec.crypto.TestVectors.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.AEADCipher;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.jcajce.spec.AEADParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every {@link Aead}: known answers, in-place use, tampering, and agreement with BouncyCastle. */
class AeadTest {

    private static final Provider BC = new BouncyCastleProvider();

    // McGrew-Viega GCM test cases 4 (AES-128) and 16 (AES-256): 60-byte plaintext, 20-byte AAD, 96-bit IV
    private static final byte[] GCM_P = hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    private static final byte[] GCM_A = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    private static final byte[] GCM_IV = hex("cafebabefacedbaddecaf888");

    @Test
    void aes128GcmMatchesMcGrewViegaTestCase4() throws Exception {
        byte[] key = hex("feffe9928665731c6d6a8f9467308308");
        byte[] expected = hex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" + "5bc94fbc3221a5db94fae95ae7121a47");
        assertKnownAnswer(new JdkAesGcm(AeadAlgorithm.AES_128_GCM, key), GCM_IV, GCM_A, GCM_P, expected);
        assertKnownAnswer(new JdkAesGcm(AeadAlgorithm.AES_128_GCM, key, Security.getProvider("SunJCE")), GCM_IV,
                GCM_A, GCM_P, expected);
    }

    @Test
    void aes256GcmMatchesMcGrewViegaTestCase16() throws Exception {
        byte[] key = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
        byte[] expected = hex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" + "76fc6ece0f4e1768cddf8853bb2d551b");
        assertKnownAnswer(new JdkAesGcm(AeadAlgorithm.AES_256_GCM, key), GCM_IV, GCM_A, GCM_P, expected);
    }

    @Test
    void chaCha20Poly1305MatchesRfc8439Section2_8_2() throws Exception {
        byte[] key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = hex("070000004041424344454647");
        byte[] aad = hex("50515253c0c1c2c3c4c5c6c7");
        byte[] plaintext = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
                + "future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
        byte[] expected = hex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                + "3ff4def08e4b7a9de576d26586cec64b6116" + "1ae10b594f09e26a7e902ecbd0600691");
        assertKnownAnswer(new JdkChaCha20Poly1305(key), nonce, aad, plaintext, expected);
    }

    @Test
    void aesCcm8MatchesSp800_38cExample3() throws Exception {
        // NIST SP 800-38C appendix C, example 3: 12-byte nonce, 8-byte tag, as in TLS_AES_128_CCM_8_SHA256
        byte[] key = hex("404142434445464748494a4b4c4d4e4f");
        byte[] nonce = hex("101112131415161718191a1b");
        byte[] aad = hex("000102030405060708090a0b0c0d0e0f10111213");
        byte[] plaintext = hex("202122232425262728292a2b2c2d2e2f3031323334353637");
        byte[] expected = hex("e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951");
        assertKnownAnswer(new BcAesCcm(AeadAlgorithm.AES_128_CCM_8, key), nonce, aad, plaintext, expected);
    }

    @Test
    void aesCcmMatchesBouncyCastleJceProvider() throws Exception {
        // No published 12-byte-nonce / 16-byte-tag vector was at hand: compare with BC's javax.crypto AES/CCM.
        byte[] key = random(16);
        byte[] nonce = random(12);
        byte[] aad = random(13);
        byte[] plaintext = random(100);
        assertKnownAnswer(new BcAesCcm(AeadAlgorithm.AES_128_CCM, key), nonce, aad, plaintext,
                reference(AeadAlgorithm.AES_128_CCM, key, nonce, aad, plaintext));
    }

    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void sealAndOpenWorkInPlace(AeadAlgorithm alg) throws Exception {
        byte[] key = random(alg.keyLength());
        Aead aead = CryptoBackend.newAead(alg, key);
        byte[] aad = random(5);
        for (int len : new int[] {0, 1, 15, 16, 17, 1000, 16384}) {
            byte[] nonce = random(12); // a fresh nonce per seal: the JDK refuses key+nonce reuse, as TLS never does
            byte[] plaintext = random(len);
            int off = 7;
            byte[] buf = new byte[off + len + alg.tagLength() + 3];
            System.arraycopy(plaintext, 0, buf, off, len);

            assertEquals(len + alg.tagLength(), aead.seal(nonce, aad, buf, off, len, buf, off));
            assertArrayEquals(reference(alg, key, nonce, aad, plaintext),
                    Arrays.copyOfRange(buf, off, off + len + alg.tagLength()));

            assertEquals(len, aead.open(nonce, aad, buf, off, len + alg.tagLength(), buf, off));
            assertArrayEquals(plaintext, Arrays.copyOfRange(buf, off, off + len));
        }
    }

    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void matchesBouncyCastleOnRandomInputs(AeadAlgorithm alg) throws Exception {
        for (int i = 0; i < 20; i++) {
            byte[] key = random(alg.keyLength());
            byte[] nonce = random(12);
            byte[] aad = random(TestVectors.RANDOM.nextInt(30));
            byte[] plaintext = random(TestVectors.RANDOM.nextInt(3000));
            Aead aead = CryptoBackend.newAead(alg, key);

            byte[] sealed = new byte[3 + plaintext.length + alg.tagLength()];
            aead.seal(nonce, aad, plaintext, 0, plaintext.length, sealed, 3);
            byte[] expected = reference(alg, key, nonce, aad, plaintext);
            assertArrayEquals(expected, Arrays.copyOfRange(sealed, 3, sealed.length));

            byte[] opened = new byte[plaintext.length];
            aead.open(nonce, aad, expected, 0, expected.length, opened, 0);
            assertArrayEquals(plaintext, opened);
        }
    }

    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void tamperedCiphertextTagAadOrNonceIsRejected(AeadAlgorithm alg) throws Exception {
        Aead aead = CryptoBackend.newAead(alg, random(alg.keyLength()));
        byte[] nonce = random(12);
        byte[] aad = random(13);
        byte[] plaintext = random(64);
        byte[] sealed = new byte[plaintext.length + alg.tagLength()];
        aead.seal(nonce, aad, plaintext, 0, plaintext.length, sealed, 0);

        assertRejected(aead, nonce, aad, flip(sealed, 10));
        assertRejected(aead, nonce, aad, flip(sealed, sealed.length - 1));
        assertRejected(aead, nonce, flip(aad, 0), sealed.clone());
        assertRejected(aead, flip(nonce, 11), aad, sealed.clone());
        assertRejected(aead, nonce, aad, Arrays.copyOf(sealed, alg.tagLength() - 1));

        byte[] opened = new byte[plaintext.length]; // the instance still works after the failures
        aead.open(nonce, aad, sealed, 0, sealed.length, opened, 0);
        assertArrayEquals(plaintext, opened);
    }

    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void openCanBeRepeatedUnderOneNonce(AeadAlgorithm alg) throws Exception {
        // Trial decryption of rejected early data retries one sequence number (RFC 8446 section 4.2.10); SunJCE's
        // ChaCha20 refuses a second init with the same key and nonce unless the Aead steps around it.
        byte[] key = random(alg.keyLength());
        byte[] nonce = random(12);
        byte[] plaintext = random(33);
        byte[] sealed = reference(alg, key, nonce, null, plaintext);
        Aead aead = CryptoBackend.newAead(alg, key);
        for (int i = 0; i < 3; i++) {
            byte[] opened = new byte[plaintext.length];
            aead.open(nonce, null, sealed, 0, sealed.length, opened, 0);
            assertArrayEquals(plaintext, opened);
        }
    }

    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void failedOpenLeavesNoPlaintextInTheOutput(AeadAlgorithm alg) throws Exception {
        byte[] key = random(alg.keyLength());
        byte[] nonce = random(12);
        byte[] plaintext = new byte[48];
        Arrays.fill(plaintext, (byte) 0x33);
        byte[] sealed = reference(alg, key, nonce, null, plaintext);
        sealed[sealed.length - 1] ^= 1;
        byte[] out = new byte[48];
        Arrays.fill(out, (byte) 0x55);
        Aead aead = CryptoBackend.newAead(alg, key);
        assertThrows(AEADBadTagException.class, () -> aead.open(nonce, null, sealed, 0, sealed.length, out, 0));
        for (byte b : out) {
            assertTrue(b != 0x33, "decrypted bytes of a forged record reached the output");
        }
    }

    /**
     * Input and output in one array at other offsets (pooled buffers are slices of one chunk): disjoint, output
     * before input and overlapping, and output after input and overlapping. Each opens to the plaintext and seals
     * to the reference ciphertext.
     */
    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void opensFromAndIntoOneArrayAtOtherOffsets(AeadAlgorithm alg) throws Exception {
        byte[] key = random(alg.keyLength());
        byte[] nonce = random(12);
        byte[] plaintext = random(1000);
        byte[] sealed = reference(alg, key, nonce, null, plaintext);
        int[][] offsets = {{100, 5000}, {5000, 100}, {300, 0}, {0, 300}, {64, 64}};
        for (int[] o : offsets) {
            byte[] chunk = new byte[8192];
            System.arraycopy(sealed, 0, chunk, o[0], sealed.length);
            int n = CryptoBackend.newAead(alg, key).open(nonce, null, chunk, o[0], sealed.length, chunk, o[1]);
            assertEquals(plaintext.length, n);
            assertArrayEquals(plaintext, Arrays.copyOfRange(chunk, o[1], o[1] + n), "in at " + o[0] + ", out at " + o[1]);
            // And sealing the same way gives the reference ciphertext.
            System.arraycopy(plaintext, 0, chunk, o[0], plaintext.length);
            byte[] freshNonce = random(12);
            n = CryptoBackend.newAead(alg, key).seal(freshNonce, null, chunk, o[0], plaintext.length, chunk, o[1]);
            assertArrayEquals(reference(alg, key, freshNonce, null, plaintext), Arrays.copyOfRange(chunk, o[1], o[1] + n),
                    "sealed from " + o[0] + " to " + o[1]);
        }
    }

    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void destroyedAeadRefusesToWork(AeadAlgorithm alg) {
        Aead aead = CryptoBackend.newAead(alg, random(alg.keyLength()));
        aead.destroy();
        byte[] buf = new byte[32];
        assertThrows(IllegalStateException.class, () -> aead.seal(random(12), null, buf, 0, 8, buf, 0));
    }

    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void wrongKeyLengthIsRejected(AeadAlgorithm alg) {
        assertThrows(IllegalArgumentException.class, () -> CryptoBackend.newAead(alg, new byte[alg.keyLength() + 1]));
    }

    /** Seals in place and into a separate buffer, then opens, checking both against {@code expected}. */
    private static void assertKnownAnswer(Aead aead, byte[] nonce, byte[] aad, byte[] plaintext, byte[] expected)
            throws GeneralSecurityException {
        byte[] out = new byte[expected.length];
        assertEquals(expected.length, aead.seal(nonce, aad, plaintext, 0, plaintext.length, out, 0));
        assertArrayEquals(expected, out);
        byte[] opened = new byte[plaintext.length];
        assertEquals(plaintext.length, aead.open(nonce, aad, expected, 0, expected.length, opened, 0));
        assertArrayEquals(plaintext, opened);
    }

    private static void assertRejected(Aead aead, byte[] nonce, byte[] aad, byte[] sealed) {
        assertThrows(AEADBadTagException.class, () -> aead.open(nonce, aad, sealed, 0, sealed.length, sealed, 0));
    }

    private static byte[] flip(byte[] b, int index) {
        byte[] copy = b.clone();
        copy[index] ^= 1;
        return copy;
    }

    /** BouncyCastle's result: its low-level GCM and ChaCha20-Poly1305, and its JCA provider for CCM. */
    static byte[] reference(AeadAlgorithm alg, byte[] key, byte[] nonce, byte[] aad, byte[] plaintext)
            throws Exception {
        int tagBits = alg.tagLength() * 8;
        if (alg == AeadAlgorithm.AES_128_CCM || alg == AeadAlgorithm.AES_128_CCM_8) {
            Cipher c = Cipher.getInstance("AES/CCM/NoPadding", BC);
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new AEADParameterSpec(nonce, tagBits, aad));
            return c.doFinal(plaintext);
        }
        AEADCipher c = alg == AeadAlgorithm.CHACHA20_POLY1305
                ? new ChaCha20Poly1305() : GCMBlockCipher.newInstance(AESEngine.newInstance());
        c.init(true, new AEADParameters(new KeyParameter(key), tagBits, nonce, aad));
        byte[] out = new byte[c.getOutputSize(plaintext.length)];
        int n = c.processBytes(plaintext, 0, plaintext.length, out, 0);
        c.doFinal(out, n);
        return out;
    }
}
