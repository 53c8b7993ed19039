package io.tlspsk.codec.crypto;

import static io.tlspsk.codec.crypto.TestVectors.hex;
import static io.tlspsk.codec.crypto.TestVectors.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.MessageDigest;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.tls.crypto.CryptoHashAlgorithm;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.TlsCryptoUtils;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HkdfTest {

    @Test
    void extractAndExpandMatchRfc5869TestCase1() {
        Hkdf hkdf = new Hkdf(HashAlgorithm.SHA256);
        byte[] ikm = hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        byte[] salt = hex("000102030405060708090a0b0c");
        byte[] info = hex("f0f1f2f3f4f5f6f7f8f9");

        byte[] prk = hkdf.extract(salt, ikm);
        assertArrayEquals(hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"), prk);
        assertArrayEquals(hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
                hkdf.expand(prk, info, 42));
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void extractAndExpandMatchBouncyCastleHkdf(HashAlgorithm hash) {
        Hkdf hkdf = new Hkdf(hash);
        byte[] salt = random(20);
        byte[] ikm = random(hash.length());
        byte[] info = random(17);
        int length = 3 * hash.length() + 5; // several blocks and a partial one

        HKDFBytesGenerator bc = new HKDFBytesGenerator(hash == HashAlgorithm.SHA256 ? new SHA256Digest() : new SHA384Digest());
        bc.init(new HKDFParameters(ikm, salt, info));
        byte[] expected = new byte[length];
        bc.generateBytes(expected, 0, length);

        assertArrayEquals(expected, hkdf.expand(hkdf.extract(salt, ikm), info, length));
    }

    @Test
    void nullOrEmptySaltAndNullIkmMeanHashLengthZeros() {
        Hkdf hkdf = new Hkdf(HashAlgorithm.SHA384);
        byte[] zeros = new byte[48];
        byte[] ikm = random(48);
        byte[] expected = hkdf.extract(zeros, ikm);
        assertArrayEquals(expected, hkdf.extract(null, ikm));
        assertArrayEquals(expected, hkdf.extract(new byte[0], ikm));
        assertArrayEquals(hkdf.extract(zeros, zeros), hkdf.extract(null, null));
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void expandLabelMatchesBouncyCastleTls(HashAlgorithm hash) throws Exception {
        Hkdf hkdf = new Hkdf(hash);
        TlsCrypto bc = new BcTlsCrypto(TestVectors.RANDOM);
        int bcHash = hash == HashAlgorithm.SHA256 ? CryptoHashAlgorithm.sha256 : CryptoHashAlgorithm.sha384;
        byte[] secret = random(hash.length());
        byte[] context = random(hash.length());

        assertArrayEquals(
                TlsCryptoUtils.hkdfExpandLabel(bc.createSecret(secret), bcHash, "c hs traffic", context, hash.length())
                        .extract(),
                hkdf.expandLabel(secret, "c hs traffic", context, hash.length()));
        assertArrayEquals(
                TlsCryptoUtils.hkdfExpandLabel(bc.createSecret(secret), bcHash, "key", new byte[0], 16).extract(),
                hkdf.expandLabel(secret, "key", null, 16));
    }

    @Test
    void deriveSecretIsExpandLabelOfHashLength() {
        Hkdf hkdf = new Hkdf(HashAlgorithm.SHA384);
        byte[] secret = random(48);
        byte[] transcriptHash = random(48);
        assertArrayEquals(hkdf.expandLabel(secret, "derived", transcriptHash, 48),
                hkdf.deriveSecret(secret, "derived", transcriptHash));
    }

    @Test
    void expandRejectsOutputLongerThan255Blocks() {
        Hkdf hkdf = new Hkdf(HashAlgorithm.SHA256);
        assertEquals(255 * 32, hkdf.expand(new byte[32], null, 255 * 32).length);
        assertThrows(IllegalArgumentException.class, () -> hkdf.expand(new byte[32], null, 255 * 32 + 1));
    }

    @Test
    void expandLabelRejectsOversizedContext() {
        Hkdf hkdf = new Hkdf(HashAlgorithm.SHA256);
        assertThrows(IllegalArgumentException.class, () -> hkdf.expandLabel(new byte[32], "x", new byte[256], 32));
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void emptyHashIsHashOfNothingAndAFreshCopy(HashAlgorithm hash) throws Exception {
        Hkdf hkdf = new Hkdf(hash);
        byte[] first = hkdf.emptyHash();
        assertArrayEquals(MessageDigest.getInstance(hash.digestName()).digest(), first);
        Arrays.fill(first, (byte) 0);
        assertNotSame(first, hkdf.emptyHash());
        assertArrayEquals(MessageDigest.getInstance(hash.digestName()).digest(), hkdf.emptyHash());
    }

    @Test
    void hmacOfASliceEqualsHmacOfACopy() {
        Hkdf hkdf = new Hkdf(HashAlgorithm.SHA256);
        byte[] key = random(32);
        byte[] data = random(100);
        assertArrayEquals(hkdf.hmac(key, Arrays.copyOfRange(data, 10, 60)), hkdf.hmac(key, data, 10, 50));
    }

    @Test
    void hmacUsesTheJdkProvider() {
        assertEquals("SunJCE", new Hkdf(HashAlgorithm.SHA256).providerName());
    }
}
