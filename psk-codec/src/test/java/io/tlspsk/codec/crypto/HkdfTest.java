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

    /**
     * HKDF-Expand-Label known answers from RFC 8448 section 3 (Simple 1-RTT Handshake, SHA-256): the RFC prints each
     * traffic secret and the key, IV and finished key expanded from it, so these are independent of our code and of
     * BouncyCastle's.
     */
    @Test
    void expandLabelMatchesRfc8448TrafficKeysIvsAndFinishedKey() {
        Hkdf hkdf = new Hkdf(HashAlgorithm.SHA256);
        byte[] clientHs = hex("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21");
        byte[] serverHs = hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
        byte[] clientAp = hex("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
        byte[] serverAp = hex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
        assertArrayEquals(hex("dbfaa693d1762c5b666af5d950258d01"), hkdf.expandLabel(clientHs, "key", null, 16));
        assertArrayEquals(hex("5bd3c71b836e0b76bb73265f"), hkdf.expandLabel(clientHs, "iv", null, 12));
        assertArrayEquals(hex("3fce516009c21727d0f2e4e86ee403bc"), hkdf.expandLabel(serverHs, "key", null, 16));
        assertArrayEquals(hex("5d313eb2671276ee13000b30"), hkdf.expandLabel(serverHs, "iv", new byte[0], 12));
        assertArrayEquals(hex("008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8"),
                hkdf.expandLabel(serverHs, "finished", null, 32));
        assertArrayEquals(hex("17422dda596ed5d9acd890e3c63f5051"), hkdf.expandLabel(clientAp, "key", null, 16));
        assertArrayEquals(hex("5b78923dee08579033e523d9"), hkdf.expandLabel(clientAp, "iv", null, 12));
        assertArrayEquals(hex("9f02283b6c9c07efc26bb9f2ac92e356"), hkdf.expandLabel(serverAp, "key", null, 16));
        assertArrayEquals(hex("cf782b88dd83549aadf1e984"), hkdf.expandLabel(serverAp, "iv", null, 12));
    }

    /** Derive-Secret(secret, "derived", "") at both steps of RFC 8448 section 3's schedule (a transcript-hash context). */
    @Test
    void deriveSecretMatchesRfc8448DerivedSecrets() {
        Hkdf hkdf = new Hkdf(HashAlgorithm.SHA256);
        byte[] emptyHash = hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertArrayEquals(hex("6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"),
                hkdf.deriveSecret(hex("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"), "derived",
                        emptyHash));
        assertArrayEquals(hex("43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4"),
                hkdf.deriveSecret(hex("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac"), "derived",
                        emptyHash));
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
}
