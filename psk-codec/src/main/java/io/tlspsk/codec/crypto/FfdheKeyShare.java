package io.tlspsk.codec.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * An ephemeral finite-field Diffie-Hellman key pair in the ffdhe2048 group (RFC 7919 appendix A.1: the 2048-bit safe
 * prime p derived from e, generator g = 2), for TLS 1.2 DHE_PSK (RFC 4279 section 3).
 *
 * <ul>
 *   <li>The private exponent x has 256 random bits: RFC 7919 section 5.2 allows short exponents of at least twice the
 *       group's security strength (about 103 bits for ffdhe2048), and 256 leaves a wide margin while keeping
 *       {@code g^x mod p} fast.</li>
 *   <li>The public value {@code g^x mod p} is encoded big-endian, left-padded to the 256 bytes of p (the length TLS 1.3
 *       requires, RFC 8446 section 4.2.8.1, and a valid dh_Ys/dh_Yc in TLS 1.2).</li>
 *   <li>{@link #agree} checks the peer's value: 1 &lt; Y &lt; p-1 (RFC 7919 section 5.1). p is a safe prime, so
 *       with 1 and p-1 excluded every Y lies in a subgroup of order q = (p-1)/2 or 2q, and no small-subgroup value is
 *       left to force the shared secret.</li>
 *   <li>{@link #agree} returns Z with its leading zero bytes stripped, the TLS 1.2 DH premaster form (RFC 5246 section
 *       8.1.2, RFC 4279 section 3). TLS 1.3 wants Z left-padded to the length of p instead (RFC 8446 section 7.4.1):
 *       use {@link #agreePadded} there.</li>
 * </ul>
 *
 * <p>The exponent lives in a {@link BigInteger}, which cannot be zeroed; {@link #destroy()} drops the reference.
 * {@code BigInteger.modPow} is not constant-time. Each key pair is used for one agreement only, which limits what a
 * timing observer can learn about it, but it is not a hardened implementation.
 */
public final class FfdheKeyShare implements KeyShare {

    /** The ffdhe2048 prime, RFC 7919 appendix A.1. */
    private static final BigInteger P = new BigInteger(
            "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695"
            + "A9E13641146433FBCC939DCE249B3EF97D2FE363630C75D8F681B202AEC4617A"
            + "D3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935"
            + "984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797A"
            + "BC0AB182B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4"
            + "AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61"
            + "9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005"
            + "C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF", 16);
    private static final BigInteger P_MINUS_1 = P.subtract(BigInteger.ONE);
    private static final BigInteger G = BigInteger.valueOf(2);
    /** Length of p and of an encoded public value. */
    private static final int LENGTH = 256;
    private static final int EXPONENT_BITS = 256;

    private final byte[] publicKey;
    private BigInteger x;

    /** Generates a key pair with {@link CryptoBackend#secureRandom()}. */
    public FfdheKeyShare() {
        this(CryptoBackend.secureRandom());
    }

    /** Generates a key pair with {@code random}. */
    public FfdheKeyShare(SecureRandom random) {
        BigInteger e;
        do {
            e = new BigInteger(EXPONENT_BITS, random);
        } while (e.bitLength() < 2); // 0 and 1 would give a public value outside 1 < Y < p-1
        x = e;
        publicKey = toFixed(G.modPow(x, P));
    }

    @Override
    public NamedGroup group() {
        return NamedGroup.FFDHE2048;
    }

    /** g^x mod p, big-endian, 256 bytes (a fresh copy). */
    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * Z = Y^x mod p with leading zero bytes stripped (RFC 5246 section 8.1.2), the TLS 1.2 DHE premaster input.
     *
     * @param peerPublicKey Y big-endian, 1 to 256 bytes (TLS 1.2 does not require the padded form)
     * @throws GeneralSecurityException when Y is not in 1 &lt; Y &lt; p-1 (RFC 7919 section 5.1); the caller
     *         answers illegal_parameter
     */
    @Override
    public byte[] agree(byte[] peerPublicKey) throws GeneralSecurityException {
        BigInteger z = compute(peerPublicKey);
        byte[] out = z.toByteArray();
        if (out[0] == 0) {
            // BigInteger's sign byte; the value itself has no leading zero bytes.
            byte[] stripped = Arrays.copyOfRange(out, 1, out.length);
            Arrays.fill(out, (byte) 0);
            return stripped;
        }
        return out;
    }

    /**
     * Z = Y^x mod p left-padded to 256 bytes, the form TLS 1.3 uses as the (EC)DHE input (RFC 8446 section 7.4.1).
     *
     * @param peerPublicKey Y big-endian, exactly 256 bytes (RFC 8446 section 4.2.8.1)
     */
    public byte[] agreePadded(byte[] peerPublicKey) throws GeneralSecurityException {
        if (peerPublicKey.length != LENGTH) {
            throw new GeneralSecurityException("ffdhe2048 public value must be 256 bytes, got " + peerPublicKey.length);
        }
        return toFixed(compute(peerPublicKey));
    }

    private BigInteger compute(byte[] peerPublicKey) throws GeneralSecurityException {
        if (x == null) {
            throw new IllegalStateException("key share destroyed");
        }
        if (peerPublicKey.length == 0 || peerPublicKey.length > LENGTH) {
            throw new GeneralSecurityException("ffdhe2048 public value must be 1 to 256 bytes, got "
                    + peerPublicKey.length);
        }
        BigInteger y = new BigInteger(1, peerPublicKey);
        if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(P_MINUS_1) >= 0) {
            throw new GeneralSecurityException("ffdhe2048 public value outside 1 < Y < p-1");
        }
        BigInteger z = y.modPow(x, P);
        if (z.compareTo(BigInteger.ONE) <= 0 || z.equals(P_MINUS_1)) {
            // Not reachable with a valid Y and our exponent range, but a degenerate secret must never be used.
            throw new GeneralSecurityException("ffdhe2048 shared secret is degenerate");
        }
        return z;
    }

    /** The ffdhe2048 prime p, big-endian, 256 bytes (for dh_p in a DHE_PSK ServerKeyExchange). */
    public static byte[] prime() {
        return toFixed(P);
    }

    /** The generator g = 2 as one byte (for dh_g). */
    public static byte[] generator() {
        return new byte[] {2};
    }

    /**
     * True when big-endian {@code p} and {@code g} (as a DHE_PSK ServerKeyExchange carries them, leading zero bytes
     * allowed) are the ffdhe2048 group, the only finite-field group this class implements (RFC 7919 section 4 lets a
     * client recognise a named group by its parameters).
     */
    public static boolean isFfdhe2048(byte[] p, byte[] g) {
        return p.length > 0 && g.length > 0 && new BigInteger(1, p).equals(P) && new BigInteger(1, g).equals(G);
    }

    @Override
    public void destroy() {
        x = null;
    }

    @Override
    public String toString() {
        return "FfdheKeyShare(ffdhe2048" + (x == null ? ", destroyed)" : ")");
    }

    private static byte[] toFixed(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[LENGTH];
        int n = Math.min(raw.length, LENGTH); // drops BigInteger's sign byte when present
        System.arraycopy(raw, raw.length - n, out, LENGTH - n, n);
        Arrays.fill(raw, (byte) 0);
        return out;
    }
}
