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
