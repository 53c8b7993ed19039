package io.tlspsk.codec.crypto;

import static io.tlspsk.codec.crypto.TestVectors.hex;
import static io.tlspsk.codec.crypto.TestVectors.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Method;
import java.util.Arrays;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.CryptoHashAlgorithm;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.TlsCryptoUtils;
import org.bouncycastle.tls.crypto.TlsSecret;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;

/**
 * Known answers from RFC 8448 (hex values copied from the RFC; the same values appear in BouncyCastle's own
 * TlsCryptoTest), and cross-checks against BouncyCastle's TLS key schedule for what RFC 8448 does not cover.
 */
class Tls13KeyScheduleTest {

    // RFC 8448 section 3, Simple 1-RTT Handshake (TLS_AES_128_GCM_SHA256, x25519, no PSK)
    private static final byte[] S3_CLIENT_PUBLIC = hex("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c");
    private static final byte[] S3_SERVER_PRIVATE = hex("b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e");
    private static final byte[] S3_ECDHE = hex("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d");
    private static final byte[] S3_EARLY = hex("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a");
    private static final byte[] S3_HANDSHAKE = hex("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac");
    private static final byte[] S3_HELLO_HASH = hex("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8");
    private static final byte[] S3_C_HS = hex("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21");
    private static final byte[] S3_S_HS = hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
    private static final byte[] S3_MASTER = hex("18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919");
    private static final byte[] S3_SERVER_FINISHED_HASH =
            hex("edb7725fa7a3473b031ec8ef65a2485493900138a2b91291407d7951a06110ed");
    private static final byte[] S3_SERVER_VERIFY_DATA =
            hex("9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718");
    private static final byte[] S3_APP_HASH = hex("9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13");
    private static final byte[] S3_C_AP = hex("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
    private static final byte[] S3_S_AP = hex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
    private static final byte[] S3_EXP_MASTER = hex("fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50");

    // RFC 8448 section 4, Resumed 0-RTT Handshake: the PSK is the resumption secret of section 3
    private static final byte[] S4_PSK = hex("4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");
    private static final byte[] S4_EARLY = hex("9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c");
    private static final byte[] S4_RES_BINDER_KEY = hex("69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256");
    private static final byte[] S4_BINDER_FINISHED_KEY =
            hex("5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa");
    private static final byte[] S4_TRUNCATED_HELLO_HASH =
            hex("63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14");
    private static final byte[] S4_BINDER = hex("3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d");

    @Test
    void simpleOneRttScheduleMatchesRfc8448Section3() throws Exception {
        Tls13KeySchedule ks = new Tls13KeySchedule(HashAlgorithm.SHA256, null);
        assertArrayEquals(S3_EARLY, ks.earlySecret());

        byte[] shared = new X25519KeyShare(S3_SERVER_PRIVATE).agree(S3_CLIENT_PUBLIC);
        assertArrayEquals(S3_ECDHE, shared);
        ks.deriveHandshakeSecret(shared);
        assertArrayEquals(S3_HANDSHAKE, ks.handshakeSecret());
        assertArrayEquals(S3_C_HS, ks.clientHandshakeTrafficSecret(S3_HELLO_HASH));
        byte[] serverHs = ks.serverHandshakeTrafficSecret(S3_HELLO_HASH);
        assertArrayEquals(S3_S_HS, serverHs);

        TrafficKeys serverHsKeys = Tls13KeySchedule.trafficKeys(ks.hkdf(), AeadAlgorithm.AES_128_GCM, serverHs);
        assertArrayEquals(hex("3fce516009c21727d0f2e4e86ee403bc"), serverHsKeys.key());
        assertArrayEquals(hex("5d313eb2671276ee13000b30"), serverHsKeys.iv());
        assertArrayEquals(hex("008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8"), ks.finishedKey(serverHs));
        assertArrayEquals(S3_SERVER_VERIFY_DATA, ks.verifyData(serverHs, S3_SERVER_FINISHED_HASH));

        ks.deriveMasterSecret();
        assertArrayEquals(S3_MASTER, ks.masterSecret());
        assertArrayEquals(S3_C_AP, ks.clientApplicationTrafficSecret(S3_APP_HASH));
        assertArrayEquals(S3_S_AP, ks.serverApplicationTrafficSecret(S3_APP_HASH));
        assertArrayEquals(S3_EXP_MASTER, ks.exporterMasterSecret(S3_APP_HASH));

        TrafficKeys serverAppKeys = Tls13KeySchedule.trafficKeys(ks.hkdf(), AeadAlgorithm.AES_128_GCM, S3_S_AP);
        assertArrayEquals(hex("9f02283b6c9c07efc26bb9f2ac92e356"), serverAppKeys.key());
        assertArrayEquals(hex("cf782b88dd83549aadf1e984"), serverAppKeys.iv());
    }

    @Test
    void binderMatchesRfc8448ResumptionVector() {
        Tls13KeySchedule ks = new Tls13KeySchedule(HashAlgorithm.SHA256, S4_PSK);
        assertArrayEquals(S4_EARLY, ks.earlySecret());
        byte[] binderKey = ks.binderKey("res binder");
        assertArrayEquals(S4_RES_BINDER_KEY, binderKey);
        assertArrayEquals(S4_BINDER_FINISHED_KEY, ks.finishedKey(binderKey));
        assertArrayEquals(S4_BINDER, ks.verifyData(binderKey, S4_TRUNCATED_HELLO_HASH));
    }

    @Test
    void externalBinderKeyAndBinderMatchBouncyCastle() throws Exception {
        byte[] psk = random(32);
        byte[] truncatedHelloHash = random(32);
        TlsCrypto bc = new BcTlsCrypto(TestVectors.RANDOM);
        int sha256 = CryptoHashAlgorithm.sha256;
        byte[] emptyHash = new Hkdf(HashAlgorithm.SHA256).emptyHash();

        Tls13KeySchedule ks = new Tls13KeySchedule(HashAlgorithm.SHA256, psk);
        byte[] binderKey = ks.binderKey();

        TlsSecret bcEarly = bc.hkdfInit(sha256).hkdfExtract(sha256, bc.createSecret(psk));
        byte[] bcBinderKey = TlsCryptoUtils.hkdfExpandLabel(bcEarly, sha256, "ext binder", emptyHash, 32).extract();
        assertArrayEquals(bcBinderKey, binderKey);

        // BouncyCastle's own binder computation, which picks "ext binder" itself when told the PSK is external
        Method calculatePskBinder = TlsUtils.class.getDeclaredMethod("calculatePSKBinder", TlsCrypto.class,
                boolean.class, int.class, TlsSecret.class, byte[].class);
        calculatePskBinder.setAccessible(true);
        TlsSecret bcEarly2 = bc.hkdfInit(sha256).hkdfExtract(sha256, bc.createSecret(psk));
        byte[] bcBinder = (byte[]) calculatePskBinder.invoke(null, bc, true, sha256, bcEarly2, truncatedHelloHash);
        assertArrayEquals(bcBinder, ks.verifyData(binderKey, truncatedHelloHash));
    }

    @Test
    void sha384ScheduleMatchesBouncyCastle() throws Exception {
        byte[] psk = random(48);
        byte[] shared = random(48);
        byte[] helloHash = random(48);
        byte[] finishedHash = random(48);
        TlsCrypto bc = new BcTlsCrypto(TestVectors.RANDOM);
        int h = CryptoHashAlgorithm.sha384;
        byte[] emptyHash = new Hkdf(HashAlgorithm.SHA384).emptyHash();

        TlsSecret early = bc.hkdfInit(h).hkdfExtract(h, bc.createSecret(psk));
        TlsSecret hs = TlsCryptoUtils.hkdfExpandLabel(early, h, "derived", emptyHash, 48)
                .hkdfExtract(h, bc.createSecret(shared));
        byte[] hsBytes = hs.extract();
        TlsSecret master = TlsCryptoUtils.hkdfExpandLabel(bc.createSecret(hsBytes), h, "derived", emptyHash, 48)
                .hkdfExtract(h, bc.hkdfInit(h));
        byte[] masterBytes = master.extract();

        Tls13KeySchedule ks = new Tls13KeySchedule(HashAlgorithm.SHA384, psk);
        ks.deriveHandshakeSecret(shared);
        assertArrayEquals(hsBytes, ks.handshakeSecret());
        assertArrayEquals(expandLabel(bc, hsBytes, "s hs traffic", helloHash), ks.serverHandshakeTrafficSecret(helloHash));
        ks.deriveMasterSecret();
        assertArrayEquals(masterBytes, ks.masterSecret());
        byte[] clientAp = ks.clientApplicationTrafficSecret(finishedHash);
        assertArrayEquals(expandLabel(bc, masterBytes, "c ap traffic", finishedHash), clientAp);
        assertArrayEquals(expandLabel(bc, clientAp, "traffic upd", new byte[0]),
                Tls13KeySchedule.nextApplicationTrafficSecret(ks.hkdf(), clientAp));
    }

    @Test
    void pskKeModeUsesZerosForTheMissingSharedSecret() {
        byte[] psk = random(32);
        Tls13KeySchedule pskKe = new Tls13KeySchedule(HashAlgorithm.SHA256, psk);
        Tls13KeySchedule zeros = new Tls13KeySchedule(HashAlgorithm.SHA256, psk);
        pskKe.deriveHandshakeSecret(null);
        zeros.deriveHandshakeSecret(new byte[32]);
        assertArrayEquals(zeros.handshakeSecret(), pskKe.handshakeSecret());
    }

    @Test
    void constructorNeitherKeepsNorModifiesThePsk() {
        byte[] psk = random(32);
        byte[] copy = psk.clone();
        Tls13KeySchedule ks = new Tls13KeySchedule(HashAlgorithm.SHA256, psk);
        byte[] early = ks.earlySecret();
        assertArrayEquals(copy, psk);
        Arrays.fill(psk, (byte) 0);
        assertArrayEquals(early, ks.earlySecret());
    }

    @Test
    void stagesCalledOutOfOrderThrow() {
        Tls13KeySchedule ks = new Tls13KeySchedule(HashAlgorithm.SHA256, random(32));
        byte[] th = random(32);
        assertThrows(IllegalStateException.class, () -> ks.clientHandshakeTrafficSecret(th));
        assertThrows(IllegalStateException.class, ks::deriveMasterSecret);
        assertThrows(IllegalStateException.class, () -> ks.serverApplicationTrafficSecret(th));

        ks.deriveHandshakeSecret(null);
        assertThrows(IllegalStateException.class, ks::binderKey);
        assertThrows(IllegalStateException.class, () -> ks.deriveHandshakeSecret(null));
        assertThrows(IllegalStateException.class, () -> ks.exporterMasterSecret(th));

        ks.deriveMasterSecret();
        assertThrows(IllegalStateException.class, () -> ks.serverHandshakeTrafficSecret(th));
        ks.clientApplicationTrafficSecret(th);

        ks.destroy();
        assertThrows(IllegalStateException.class, () -> ks.clientApplicationTrafficSecret(th));
        assertFalse(ks.toString().contains("master"));
    }

    @Test
    void trafficKeysDestroyZeroesKeyAndIv() {
        TrafficKeys keys = Tls13KeySchedule.trafficKeys(new Hkdf(HashAlgorithm.SHA256), AeadAlgorithm.CHACHA20_POLY1305,
                random(32));
        byte[] key = keys.key();
        byte[] iv = keys.iv();
        keys.destroy();
        assertArrayEquals(new byte[32], key);
        assertArrayEquals(new byte[12], iv);
    }

    private static byte[] expandLabel(TlsCrypto bc, byte[] secret, String label, byte[] context) throws Exception {
        return TlsCryptoUtils.hkdfExpandLabel(bc.createSecret(secret), CryptoHashAlgorithm.sha384, label, context, 48)
                .extract();
    }
}
