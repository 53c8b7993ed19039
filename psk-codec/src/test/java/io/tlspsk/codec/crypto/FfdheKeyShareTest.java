package io.tlspsk.codec.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.tlspsk.codec.tls12.PskPremaster;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.stream.Stream;
import org.bouncycastle.crypto.agreement.DHBasicAgreement;
import org.bouncycastle.crypto.agreement.DHStandardGroups;
import org.bouncycastle.crypto.params.DHParameters;
import org.bouncycastle.crypto.params.DHPrivateKeyParameters;
import org.bouncycastle.crypto.params.DHPublicKeyParameters;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FfdheKeyShare} and {@link FfdheGroup}: the RFC 7919 and RFC 3526 groups checked against BouncyCastle's copy
 * and (RFC 7919) against the RFC's formula, recognition by exact parameters only, agreement both ways and with
 * BouncyCastle, and the checks on the peer's public value.
 */
class FfdheKeyShareTest {

    /** Each finite-field group of ours with BouncyCastle's parameters for it (an independent transcription). */
    static Stream<Arguments> groups() {
        return Stream.of(
                arguments(NamedGroup.FFDHE2048, DHStandardGroups.rfc7919_ffdhe2048),
                arguments(NamedGroup.FFDHE3072, DHStandardGroups.rfc7919_ffdhe3072),
                arguments(NamedGroup.FFDHE4096, DHStandardGroups.rfc7919_ffdhe4096),
                arguments(NamedGroup.MODP2048, DHStandardGroups.rfc3526_2048),
                arguments(NamedGroup.MODP3072, DHStandardGroups.rfc3526_3072),
                arguments(NamedGroup.MODP4096, DHStandardGroups.rfc3526_4096));
    }

    private static BigInteger p(NamedGroup group) {
        return new BigInteger(1, FfdheKeyShare.prime(group));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void primeAndGeneratorAreBouncyCastlesCopyOfTheRfcGroup(NamedGroup group, DHParameters bc) {
        byte[] prime = FfdheKeyShare.prime(group);
        assertEquals(group.publicKeyLength(), prime.length);
        assertEquals(bc.getP(), new BigInteger(1, prime));
        assertEquals(bc.getG(), new BigInteger(1, FfdheKeyShare.generator()));
        assertTrue(group.isFiniteField());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void everyGroupIsASafePrime(NamedGroup group, DHParameters bc) {
        // What the 1 < Y < p-1 check relies on (RFC 7919 section 5.1): p and q = (p-1)/2 both prime.
        BigInteger p = p(group);
        BigInteger q = p.shiftRight(1);
        assertTrue(q.isProbablePrime(64), "q");
        assertTrue(p.isProbablePrime(64), "p");
        if (bc.getQ() != null) {
            assertEquals(bc.getQ(), q);
        }
    }

    @Test
    void ffdhePrimesFollowTheRfc7919Formula() {
        // RFC 7919 appendix A: p = 2^b - 2^{b-64} + {[2^{b-130} * e] + X} * 2^64 - 1, e computed here from its series.
        MathContext mc = new MathContext(1400);
        BigDecimal e = BigDecimal.ZERO;
        BigDecimal term = BigDecimal.ONE;
        for (int k = 1; k < 700; k++) {
            e = e.add(term);
            term = term.divide(BigDecimal.valueOf(k), mc);
        }
        assertEquals(ffdhe(e, mc, 2048, 560316), p(NamedGroup.FFDHE2048));
        assertEquals(ffdhe(e, mc, 3072, 2625351), p(NamedGroup.FFDHE3072));
        assertEquals(ffdhe(e, mc, 4096, 5736041), p(NamedGroup.FFDHE4096));
    }

    private static BigInteger ffdhe(BigDecimal e, MathContext mc, int bits, long x) {
        BigInteger floor = new BigDecimal(BigInteger.ONE.shiftLeft(bits - 130)).multiply(e, mc).toBigInteger();
        return BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE.shiftLeft(bits - 64))
                .add(floor.add(BigInteger.valueOf(x)).shiftLeft(64)).subtract(BigInteger.ONE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void groupIsRecognisedByItsExactParameters(NamedGroup group, DHParameters bc) {
        byte[] p = FfdheKeyShare.prime(group);
        assertSame(group, FfdheKeyShare.groupOf(p, FfdheKeyShare.generator()));
        byte[] padded = new byte[p.length + 1];
        System.arraycopy(p, 0, padded, 1, p.length);
        assertSame(group, FfdheKeyShare.groupOf(padded, new byte[] {0, 2}), "leading zero bytes are allowed");
        BigInteger pMinusOne = bc.getP().subtract(BigInteger.ONE);
        for (BigInteger g : new BigInteger[] {BigInteger.ZERO, BigInteger.ONE, BigInteger.valueOf(3),
                BigInteger.valueOf(5), pMinusOne, bc.getP()}) {
            byte[] encoded = g.signum() == 0 ? new byte[] {0} : BigIntegers.asUnsignedByteArray(g);
            assertNull(FfdheKeyShare.groupOf(p, encoded), "generator " + g);
        }
        byte[] tampered = p.clone();
        tampered[p.length / 2] ^= 0x10;
        assertNull(FfdheKeyShare.groupOf(tampered, FfdheKeyShare.generator()));
    }

    @Test
    void otherWellKnownGroupsAreNotRecognised() {
        // Too small (RFC 2409 groups 1 and 2, RFC 3526 group 5) or larger than we compute in.
        DHParameters[] others = {DHStandardGroups.rfc2409_768, DHStandardGroups.rfc2409_1024,
            DHStandardGroups.rfc3526_1536, DHStandardGroups.rfc3526_6144, DHStandardGroups.rfc3526_8192,
            DHStandardGroups.rfc7919_ffdhe6144, DHStandardGroups.rfc7919_ffdhe8192};
        for (DHParameters other : others) {
            assertNull(FfdheKeyShare.groupOf(BigIntegers.asUnsignedByteArray(other.getP()),
                    BigIntegers.asUnsignedByteArray(other.getG())), other.getP().bitLength() + "-bit group");
        }
        // A 2048-bit prime of no standard: unknown, whatever its structure.
        BigInteger random = BigInteger.probablePrime(2048, TestVectors.RANDOM);
        assertNull(FfdheKeyShare.groupOf(BigIntegers.asUnsignedByteArray(random), new byte[] {2}));
        assertNull(FfdheKeyShare.groupOf(new byte[0], new byte[] {2}));
        assertNull(FfdheKeyShare.groupOf(FfdheKeyShare.prime(NamedGroup.FFDHE2048), new byte[0]));
        assertNull(FfdheKeyShare.groupOf(new byte[0xffff], new byte[] {2}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void bothSidesAgreeOnAPaddedSecret(NamedGroup group, DHParameters bc) throws Exception {
        for (int i = 0; i < 2; i++) {
            FfdheKeyShare a = new FfdheKeyShare(group, TestVectors.RANDOM);
            FfdheKeyShare b = (FfdheKeyShare) CryptoBackend.generateKeyShare(group);
            assertSame(group, a.group());
            assertEquals(group.publicKeyLength(), a.publicKey().length);
            byte[] za = a.agree(b.publicKey());
            assertArrayEquals(za, b.agree(a.publicKey()));
            assertEquals(group.publicKeyLength(), za.length, "padded to the length of p (RFC 8446 section 7.4.1)");
            a.destroy();
            b.destroy();
            assertThrows(IllegalStateException.class, () -> a.agree(b.publicKey()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void agreesWithBouncyCastle(NamedGroup group, DHParameters params) throws Exception {
        BigInteger y = new BigInteger(300, TestVectors.RANDOM);
        DHPrivateKeyParameters bcPrivate = new DHPrivateKeyParameters(y, params);
        BigInteger bcPublic = params.getG().modPow(y, params.getP());
        FfdheKeyShare ours = new FfdheKeyShare(group, TestVectors.RANDOM);
        DHBasicAgreement agreement = new DHBasicAgreement();
        agreement.init(bcPrivate);
        BigInteger expected = agreement.calculateAgreement(
                new DHPublicKeyParameters(new BigInteger(1, ours.publicKey()), params));
        int length = group.publicKeyLength();
        assertArrayEquals(BigIntegers.asUnsignedByteArray(length, expected),
                ours.agree(BigIntegers.asUnsignedByteArray(length, bcPublic)));
        // TLS 1.2 peers may strip leading zeros from their public value: the unpadded form agrees the same.
        FfdheKeyShare again = new FfdheKeyShare(group, TestVectors.RANDOM);
        BigInteger expectedAgain = agreement.calculateAgreement(
                new DHPublicKeyParameters(new BigInteger(1, again.publicKey()), params));
        assertArrayEquals(BigIntegers.asUnsignedByteArray(length, expectedAgain),
                again.agree(BigIntegers.asUnsignedByteArray(bcPublic)));
    }

    @Test
    void tls12StripsTheLeadingZerosOfASharedSecret() throws Exception {
        // Find, by trial, an agreement whose padded form starts with a zero byte (about 1 in 256).
        for (int i = 0; i < 3000; i++) {
            FfdheKeyShare a = new FfdheKeyShare(NamedGroup.FFDHE2048, TestVectors.RANDOM);
            FfdheKeyShare b = new FfdheKeyShare(NamedGroup.FFDHE2048, TestVectors.RANDOM);
            byte[] padded = a.agree(b.publicKey());
            if (padded[0] == 0) {
                byte[] copy = padded.clone();
                byte[] stripped = PskPremaster.dhOtherSecret(copy);
                int zeros = 0;
                while (padded[zeros] == 0) {
                    zeros++;
                }
                assertArrayEquals(Arrays.copyOfRange(padded, zeros, 256), stripped);
                assertArrayEquals(new byte[256], copy, "the padded input is zeroed");
                return;
            }
        }
        throw new AssertionError("no shared secret with a leading zero byte in 3000 tries");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void publicValuesOutsideTheRangeAreRejected(NamedGroup group, DHParameters bc) {
        // RFC 7919 section 5.1: 1 < Y < p-1, in every group.
        FfdheKeyShare share = new FfdheKeyShare(group, TestVectors.RANDOM);
        BigInteger p = bc.getP();
        int length = group.publicKeyLength();
        byte[][] bad = {
            new byte[0],
            new byte[] {0},
            new byte[] {1},
            new byte[length],
            BigIntegers.asUnsignedByteArray(length, BigInteger.ONE),
            BigIntegers.asUnsignedByteArray(length, p.subtract(BigInteger.ONE)),
            BigIntegers.asUnsignedByteArray(length, p),
            BigIntegers.asUnsignedByteArray(length, p.add(BigInteger.TWO)),
            new byte[length + 1],
        };
        for (byte[] y : bad) {
            assertThrows(GeneralSecurityException.class, () -> share.agree(y), () -> "accepted " + y.length + " bytes");
        }
        // 2 and p-2 are the extremes still allowed
        assertDoesNotThrow(() -> share.agree(new byte[] {2}));
        assertDoesNotThrow(() -> share.agree(BigIntegers.asUnsignedByteArray(p.subtract(BigInteger.TWO))));
    }

    @Test
    void onlyTheRfc7919GroupsHaveCodepoints() {
        assertSame(NamedGroup.FFDHE2048, NamedGroup.byId(0x0100));
        assertSame(NamedGroup.FFDHE3072, NamedGroup.byId(0x0101));
        assertSame(NamedGroup.FFDHE4096, NamedGroup.byId(0x0102));
        assertSame(NamedGroup.FFDHE3072, NamedGroup.byName("FFDHE3072"));
        assertNull(NamedGroup.byId(-1), "the MODP groups' placeholder is no codepoint");
        for (NamedGroup modp : new NamedGroup[] {NamedGroup.MODP2048, NamedGroup.MODP3072, NamedGroup.MODP4096}) {
            assertFalse(modp.hasCodepoint());
            assertTrue(modp.isFiniteField());
        }
        assertFalse(NamedGroup.X25519.isFiniteField());
        assertFalse(NamedGroup.SECP384R1.isFiniteField());
        assertEquals(384, NamedGroup.FFDHE3072.publicKeyLength());
    }

    @ParameterizedTest
    @EnumSource(value = NamedGroup.class, names = {"X25519", "SECP256R1"})
    void curvesHaveNoFiniteFieldParameters(NamedGroup curve) {
        assertThrows(IllegalArgumentException.class, () -> FfdheKeyShare.prime(curve));
        assertThrows(IllegalArgumentException.class, () -> new FfdheKeyShare(curve, TestVectors.RANDOM));
    }

    @Test
    void toStringShowsNoKeyMaterial() {
        FfdheKeyShare share = new FfdheKeyShare(NamedGroup.MODP2048, TestVectors.RANDOM);
        assertEquals("FfdheKeyShare(modp2048)", share.toString());
        share.destroy();
        assertEquals("FfdheKeyShare(modp2048, destroyed)", share.toString());
    }

    private static void assertDoesNotThrow(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(e);
    }
}
