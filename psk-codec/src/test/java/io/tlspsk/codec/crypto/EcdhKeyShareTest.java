package io.tlspsk.codec.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class EcdhKeyShareTest {

    private static final Provider SUN_EC = Security.getProvider("SunEC");

    /** Every curve with both engines: BouncyCastle (provider null) and the JDK's SunEC. */
    static Stream<Arguments> curvesAndEngines() {
        return Stream.of(NamedGroup.SECP256R1, NamedGroup.SECP384R1)
                .flatMap(g -> Stream.of(Arguments.of(g, null), Arguments.of(g, SUN_EC)));
    }

    /**
     * Published ECDH known answers: a fixed private key, its public key, the peer's public key and the shared secret
     * (the X coordinate). Copied from NIST CAVP's "ECC CDH Primitive" test vectors (SP 800-56A, CAVS 14.1,
     * KAS_ECC_CDH_PrimitiveTest.txt: dIUT, QIUTx/QIUTy, QCAVSx/QCAVSy, ZIUT) and from RFC 5903 sections 8.1 and 8.2
     * (the initiator's i, g^i, the responder's g^r, and the x of g^ir).
     */
    static Stream<Arguments> knownAnswers() {
        return Stream.of(
                Arguments.of("CAVP P-256 COUNT=0", NamedGroup.SECP256R1,
                        "7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534",
                        "ead218590119e8876b29146ff89ca61770c4edbbf97d38ce385ed281d8a6b230"
                                + "28af61281fd35e2fa7002523acc85a429cb06ee6648325389f59edfce1405141",
                        "700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287"
                                + "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac",
                        "46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b"),
                Arguments.of("CAVP P-384 COUNT=0", NamedGroup.SECP384R1,
                        "3cc3122a68f0d95027ad38c067916ba0eb8c38894d22e1b15618b6818a661774ad463b205da88cf699ab4d43c9cf98a1",
                        "9803807f2f6d2fd966cdd0290bd410c0190352fbec7ff6247de1302df86f25d34fe4a97bef60cff548355c015dbb3e5f"
                                + "ba26ca69ec2f5b5d9dad20cc9da711383a9dbe34ea3fa5a2af75b46502629ad54dd8b7d73a8abb06a3a3be47d650cc99",
                        "a7c76b970c3b5fe8b05d2838ae04ab47697b9eaf52e764592efda27fe7513272734466b400091adbf2d68c58e0c50066"
                                + "ac68f19f2e1cb879aed43a9969b91a0839c4c38a49749b661efedf243451915ed0905a32b060992b468c64766fc8437a",
                        "5f9d29dc5e31a163060356213669c8ce132e22f57c9a04f40ba7fcead493b457e5621e766c40a2e3d4d6a04b25e533f1"),
                Arguments.of("RFC 5903 8.1", NamedGroup.SECP256R1,
                        "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
                        "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
                                + "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
                        "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
                                + "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
                        "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"),
                Arguments.of("RFC 5903 8.2", NamedGroup.SECP384R1,
                        "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB194",
                        "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6DE3AC808ACB4BDB4C88732AEE95F41AA"
                                + "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
                        "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D0D1AC43A0336DEF96FDA41D0774A3571"
                                + "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
                        "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4D603135569B9E9D09CF5D4A270F59746"));
    }

    /** Every known answer with both engines. */
    static Stream<Arguments> knownAnswersAndEngines() {
        return knownAnswers().flatMap(a -> Stream.of(null, SUN_EC).map(engine -> {
            Object[] v = Arrays.copyOf(a.get(), a.get().length + 1);
            v[v.length - 1] = engine;
            return Arguments.of(v);
        }));
    }

    @ParameterizedTest(name = "{0} {6}")
    @MethodSource("knownAnswersAndEngines")
    void agreementMatchesPublishedVectors(String source, NamedGroup group, String privateKey, String publicXy,
                                          String peerXy, String shared, Provider engine) throws Exception {
        EcdhKeyShare share = new EcdhKeyShare(group, engine, TestVectors.hex(privateKey));
        assertArrayEquals(TestVectors.hex("04" + publicXy), share.publicKey(), source + " public key");
        assertArrayEquals(TestVectors.hex(shared), share.agree(TestVectors.hex("04" + peerXy)), source);
    }

    @ParameterizedTest
    @MethodSource("curvesAndEngines")
    void twoSharesAgreeOnTheSameSecret(NamedGroup group, Provider provider) throws Exception {
        KeyShare a = new EcdhKeyShare(group, provider, TestVectors.RANDOM);
        KeyShare b = new EcdhKeyShare(group, provider, TestVectors.RANDOM);
        byte[] secret = a.agree(b.publicKey());
        assertEquals((group.publicKeyLength() - 1) / 2, secret.length);
        assertArrayEquals(secret, b.agree(a.publicKey()));
    }

    @ParameterizedTest
    @EnumSource(value = NamedGroup.class, names = {"SECP256R1", "SECP384R1"})
    void bouncyCastleAndJdkEnginesInteroperate(NamedGroup group) throws Exception {
        KeyShare bc = new EcdhKeyShare(group, null, TestVectors.RANDOM);
        KeyShare jdk = new EcdhKeyShare(group, SUN_EC, TestVectors.RANDOM);
        assertArrayEquals(bc.agree(jdk.publicKey()), jdk.agree(bc.publicKey()));
    }

    @ParameterizedTest
    @MethodSource("curvesAndEngines")
    void publicKeyIsAFixedLengthUncompressedPoint(NamedGroup group, Provider provider) {
        for (int i = 0; i < 20; i++) { // enough keys that some have a coordinate with a leading zero byte
            byte[] pub = new EcdhKeyShare(group, provider, TestVectors.RANDOM).publicKey();
            assertEquals(group.publicKeyLength(), pub.length);
            assertEquals(0x04, pub[0]);
        }
    }

    @ParameterizedTest
    @MethodSource("curvesAndEngines")
    void pointOffTheCurveIsRejected(NamedGroup group, Provider provider) {
        KeyShare share = new EcdhKeyShare(group, provider, TestVectors.RANDOM);
        byte[] peer = new EcdhKeyShare(group, provider, TestVectors.RANDOM).publicKey();
        peer[peer.length - 1] ^= 1; // y changed: no longer on the curve
        assertRejected(share, peer, "not on the curve");
    }

    @ParameterizedTest
    @MethodSource("curvesAndEngines")
    void coordinateNotBelowPIsRejected(NamedGroup group, Provider provider) {
        KeyShare share = new EcdhKeyShare(group, provider, TestVectors.RANDOM);
        byte[] peer = share.publicKey();
        Arrays.fill(peer, 1, 1 + (peer.length - 1) / 2, (byte) 0xFF); // x = 2^n - 1 > p
        assertRejected(share, peer, "not below p");
    }

    @ParameterizedTest
    @MethodSource("curvesAndEngines")
    void compressedOrWrongPrefixIsRejected(NamedGroup group, Provider provider) {
        KeyShare share = new EcdhKeyShare(group, provider, TestVectors.RANDOM);
        byte[] peer = new EcdhKeyShare(group, provider, TestVectors.RANDOM).publicKey();
        for (byte prefix : new byte[] {0x00, 0x02, 0x03, 0x05}) {
            peer[0] = prefix;
            assertRejected(share, peer, "not an uncompressed point");
        }
        byte[] compressed = Arrays.copyOf(peer, 1 + (peer.length - 1) / 2);
        compressed[0] = 0x02;
        assertRejected(share, compressed, "must be");
    }

    @ParameterizedTest
    @MethodSource("curvesAndEngines")
    void wrongLengthIsRejected(NamedGroup group, Provider provider) {
        KeyShare share = new EcdhKeyShare(group, provider, TestVectors.RANDOM);
        byte[] peer = new EcdhKeyShare(group, provider, TestVectors.RANDOM).publicKey();
        assertRejected(share, Arrays.copyOf(peer, peer.length + 1), "must be");
        assertRejected(share, Arrays.copyOf(peer, peer.length - 1), "must be");
        assertRejected(share, new byte[0], "must be");
    }

    @ParameterizedTest
    @MethodSource("curvesAndEngines")
    void destroyedShareRefusesToAgree(NamedGroup group, Provider provider) {
        KeyShare share = new EcdhKeyShare(group, provider, TestVectors.RANDOM);
        byte[] peer = new EcdhKeyShare(group, provider, TestVectors.RANDOM).publicKey();
        share.destroy();
        assertThrows(IllegalStateException.class, () -> share.agree(peer));
    }

    /** Rejected by EcdhKeyShare's own check (its message), before either engine sees the point. */
    private static void assertRejected(KeyShare share, byte[] peer, String reason) {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> share.agree(peer));
        assertTrue(e.getMessage().contains(reason), e::getMessage);
    }
}
