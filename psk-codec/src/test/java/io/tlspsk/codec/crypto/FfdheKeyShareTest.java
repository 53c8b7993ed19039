package io.tlspsk.codec.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.bouncycastle.crypto.agreement.DHBasicAgreement;
import org.bouncycastle.crypto.agreement.DHStandardGroups;
import org.bouncycastle.crypto.params.DHParameters;
import org.bouncycastle.crypto.params.DHPrivateKeyParameters;
import org.bouncycastle.crypto.params.DHPublicKeyParameters;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.Test;

/** {@link FfdheKeyShare}: the RFC 7919 group, agreement both ways and with BouncyCastle, and peer validation. */
class FfdheKeyShareTest {

    private static final BigInteger P = new BigInteger(1, FfdheKeyShare.prime());

    @Test
    void primeIsTheRfc7919Ffdhe2048Prime() {
        // RFC 7919 appendix A.1: p = 2^2048 - 2^1984 + {[2^1918 * e] + 560316} * 2^64 - 1, computed independently here
        MathContext mc = new MathContext(800);
        BigDecimal e = BigDecimal.ZERO;
        BigDecimal term = BigDecimal.ONE;
        for (int k = 1; k < 400; k++) {
            e = e.add(term);
            term = term.divide(BigDecimal.valueOf(k), mc);
        }
        BigInteger floor = new BigDecimal(BigInteger.ONE.shiftLeft(1918)).multiply(e, mc).toBigInteger();
        BigInteger expected = BigInteger.ONE.shiftLeft(2048).subtract(BigInteger.ONE.shiftLeft(1984))
                .add(floor.add(BigInteger.valueOf(560316)).shiftLeft(64)).subtract(BigInteger.ONE);
        assertEquals(expected, P);
        assertEquals(DHStandardGroups.rfc7919_ffdhe2048.getP(), P);
        assertEquals(256, FfdheKeyShare.prime().length);
        assertArrayEquals(new byte[] {2}, FfdheKeyShare.generator());
        assertTrue(FfdheKeyShare.isFfdhe2048(FfdheKeyShare.prime(), FfdheKeyShare.generator()));
        byte[] padded = new byte[257];
        System.arraycopy(FfdheKeyShare.prime(), 0, padded, 1, 256);
        assertTrue(FfdheKeyShare.isFfdhe2048(padded, new byte[] {0, 2}));
        assertFalse(FfdheKeyShare.isFfdhe2048(FfdheKeyShare.prime(), new byte[] {5}));
        assertFalse(FfdheKeyShare.isFfdhe2048(DHStandardGroups.rfc7919_ffdhe3072.getP().toByteArray(),
                new byte[] {2}));
    }

    @Test
    void bothSidesAgree() throws Exception {
        for (int i = 0; i < 4; i++) {
            FfdheKeyShare a = new FfdheKeyShare();
            FfdheKeyShare b = (FfdheKeyShare) CryptoBackend.generateKeyShare(NamedGroup.FFDHE2048);
            assertSame(NamedGroup.FFDHE2048, a.group());
            assertEquals(256, a.publicKey().length);
            byte[] za = a.agree(b.publicKey());
            byte[] zb = b.agree(a.publicKey());
            assertArrayEquals(za, zb);
            assertNotEquals(0, za[0], "leading zero bytes are stripped (RFC 5246 section 8.1.2)");
            byte[] padded = a.agreePadded(b.publicKey());
            assertEquals(256, padded.length);
            assertEquals(new BigInteger(1, za), new BigInteger(1, padded));
            a.destroy();
            b.destroy();
            assertThrows(IllegalStateException.class, () -> a.agree(b.publicKey()));
        }
    }

    @Test
    void agreesWithBouncyCastle() throws Exception {
        DHParameters params = DHStandardGroups.rfc7919_ffdhe2048;
        BigInteger y = new BigInteger(300, TestVectors.RANDOM);
        DHPrivateKeyParameters bcPrivate = new DHPrivateKeyParameters(y, params);
        BigInteger bcPublic = params.getG().modPow(y, params.getP());
        FfdheKeyShare ours = new FfdheKeyShare();
        DHBasicAgreement agreement = new DHBasicAgreement();
        agreement.init(bcPrivate);
        BigInteger expected = agreement.calculateAgreement(
                new DHPublicKeyParameters(new BigInteger(1, ours.publicKey()), params));
        assertArrayEquals(BigIntegers.asUnsignedByteArray(expected),
                ours.agree(BigIntegers.asUnsignedByteArray(bcPublic)));
        // a peer that strips leading zeros from its public value is accepted (TLS 1.2 does not require padding)
        assertArrayEquals(BigIntegers.asUnsignedByteArray(expected),
                ours.agree(BigIntegers.asUnsignedByteArray(256, bcPublic)));
    }

    @Test
    void sharedSecretsWithALeadingZeroAreStripped() throws Exception {
        // Find, by trial, an agreement whose 256-byte form starts with a zero byte (about 1 in 256).
        for (int i = 0; i < 2000; i++) {
            FfdheKeyShare a = new FfdheKeyShare();
            FfdheKeyShare b = new FfdheKeyShare();
            byte[] padded = a.agreePadded(b.publicKey());
            if (padded[0] == 0) {
                byte[] stripped = a.agree(b.publicKey());
                int zeros = 0;
                while (padded[zeros] == 0) {
                    zeros++;
                }
                assertArrayEquals(Arrays.copyOfRange(padded, zeros, 256), stripped);
                return;
            }
        }
        throw new AssertionError("no shared secret with a leading zero byte in 2000 tries");
    }

    @Test
    void invalidPeerValuesAreRejected() {
        FfdheKeyShare share = new FfdheKeyShare();
        byte[][] bad = {
            new byte[0],
            new byte[] {0},
            new byte[] {1},
            new byte[256],
            BigIntegers.asUnsignedByteArray(256, BigInteger.ONE),
            BigIntegers.asUnsignedByteArray(256, P.subtract(BigInteger.ONE)),
            BigIntegers.asUnsignedByteArray(256, P),
            BigIntegers.asUnsignedByteArray(256, P.add(BigInteger.TWO)),
            new byte[257],
        };
        for (byte[] y : bad) {
            assertThrows(GeneralSecurityException.class, () -> share.agree(y), () -> "accepted " + y.length);
        }
        // 2 and p-2 are the extremes still allowed
        assertDoesNotThrow(() -> share.agree(new byte[] {2}));
        assertDoesNotThrow(() -> share.agree(BigIntegers.asUnsignedByteArray(P.subtract(BigInteger.TWO))));
        // TLS 1.3's padded form insists on 256 bytes (RFC 8446 section 4.2.8.1)
        assertThrows(GeneralSecurityException.class, () -> share.agreePadded(new byte[] {2}));
    }

    @Test
    void namedGroupKnowsFfdhe2048() {
        assertSame(NamedGroup.FFDHE2048, NamedGroup.byId(0x0100));
        assertSame(NamedGroup.FFDHE2048, NamedGroup.byName("FFDHE2048"));
        assertEquals(256, NamedGroup.FFDHE2048.publicKeyLength());
        assertFalse(new FfdheKeyShare().toString().matches(".*[0-9a-f]{16}.*"));
    }

    private static void assertDoesNotThrow(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(e);
    }
}
