package io.tlspsk.codec.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * An ephemeral finite-field Diffie-Hellman key pair in one of the safe-prime groups of {@link FfdheGroup}: the RFC
 * 7919 groups for TLS 1.3 psk_dhe_ke and TLS 1.2 DHE_PSK (RFC 4279 section 3), and the RFC 3526 MODP groups a TLS 1.2
 * server may send.
 *
 * <ul>
 *   <li>The private exponent x is short (256 to 384 random bits by group size, see {@link FfdheGroup#exponentBits}):
 *       RFC 7919 section 5.2 allows that for safe-prime groups and it keeps {@code g^x mod p} fast.</li>
 *   <li>The public value {@code g^x mod p} is encoded big-endian, left-padded to the length of p (the form TLS 1.3
 *       requires, RFC 8446 section 4.2.8.1, and a valid dh_Ys/dh_Yc in TLS 1.2).</li>
 *   <li>{@link #agree} checks the peer's value: 1 &lt; Y &lt; p-1 (RFC 7919 section 5.1). p is a safe prime, so
 *       with 1 and p-1 excluded every Y lies in a subgroup of order q = (p-1)/2 or 2q, and no small-subgroup value is
 *       left to force the shared secret. This is why only groups known to be safe primes are accepted: for any other p
 *       the same check proves nothing.</li>
 *   <li>{@link #agree} returns Z left-padded to the length of p, the TLS 1.3 form (RFC 8446 section 7.4.1). TLS 1.2
 *       strips the leading zero bytes instead (RFC 5246 section 8.1.2): see
 *       {@link io.tlspsk.codec.tls12.PskPremaster#dhOtherSecret}.</li>
 * </ul>
 *
 * <p>The exponent lives in a {@link BigInteger}, which cannot be zeroed; {@link #destroy()} drops the reference.
 * {@code BigInteger.modPow} is not constant-time. Each key pair is used for one agreement only, which limits what a
 * timing observer can learn about it (and defeats the Raccoon attack on TLS 1.2's zero stripping, which needs a
 * reused exponent), but it is not a hardened implementation.
 */
public final class FfdheKeyShare implements KeyShare {

    private final FfdheGroup params;
    private final byte[] publicKey;
    private BigInteger x;

    /** Generates a key pair of {@code group} (a finite-field group) with {@code random}. */
    public FfdheKeyShare(NamedGroup group, SecureRandom random) {
        params = FfdheGroup.of(group);
        BigInteger e;
        do {
            e = new BigInteger(params.exponentBits, random);
        } while (e.bitLength() < 2); // 0 and 1 would give a public value outside 1 < Y < p-1
        x = e;
        publicKey = toFixed(FfdheGroup.generator().modPow(x, params.p), params.length);
    }

    @Override
    public NamedGroup group() {
        return params.group;
    }

    /** g^x mod p, big-endian, as long as p (a fresh copy). */
    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * Z = Y^x mod p, left-padded to the length of p (RFC 8446 section 7.4.1).
     *
     * @param peerPublicKey Y big-endian, 1 byte up to the length of p. TLS 1.2 does not require the padded form;
     *        TLS 1.3 does (RFC 8446 section 4.2.8.1), which the handshake checks against
     *        {@link NamedGroup#publicKeyLength()} before calling this.
     * @throws GeneralSecurityException when Y is not in 1 &lt; Y &lt; p-1 (RFC 7919 section 5.1)
     */
    @Override
    public byte[] agree(byte[] peerPublicKey) throws GeneralSecurityException {
        if (x == null) {
            throw new IllegalStateException("key share destroyed");
        }
        String name = params.group.tlsName();
        if (peerPublicKey.length == 0 || peerPublicKey.length > params.length) {
            throw new GeneralSecurityException(name + " public value must be 1 to " + params.length + " bytes, got "
                    + peerPublicKey.length);
        }
        BigInteger y = new BigInteger(1, peerPublicKey);
        if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(params.pMinusOne) >= 0) {
            throw new GeneralSecurityException(name + " public value outside 1 < Y < p-1");
        }
        BigInteger z = y.modPow(x, params.p);
        if (z.compareTo(BigInteger.ONE) <= 0 || z.equals(params.pMinusOne)) {
            // Not reachable with a valid Y and our exponent range, but a degenerate secret must never be used.
            throw new GeneralSecurityException(name + " shared secret is degenerate");
        }
        return toFixed(z, params.length);
    }

    /** The prime p of {@code group} (a finite-field group), big-endian, as long as p (for dh_p). */
    public static byte[] prime(NamedGroup group) {
        FfdheGroup g = FfdheGroup.of(group);
        return toFixed(g.p, g.length);
    }

    /** The generator g = 2 of every group here, as one byte (for dh_g). */
    public static byte[] generator() {
        return new byte[] {2};
    }

    /**
     * The group whose parameters are exactly {@code p} and {@code g} (big-endian as a DHE_PSK ServerKeyExchange carries
     * them, leading zero bytes allowed): one of the RFC 7919 and RFC 3526 groups of 2048, 3072 or 4096 bits, or
     * {@code null} for any other prime or generator.
     *
     * <p>Unknown groups are not validated, only refused (RFC 7919 section 3.1 calls that the safest policy). Checking
     * that an arbitrary 2048-bit p and (p-1)/2 are prime, with the 64 Miller-Rabin rounds an adversarial input needs
     * for a 2^-128 error bound, took 1.0 to 1.6 s of CPU on our 2-core test VM (the JDK's isProbablePrime, 2 rounds
     * plus a Lucas test, 0.3 to 0.9 s), on the event loop that serves every other channel of that thread. A cache of
     * validated groups does not help against a server that changes its prime (stunnel generates a new one every day,
     * a hostile server can send one per connection), and without that proof the 1 &lt; Y &lt; p-1 check says nothing
     * (RFC 7919 section 5.1).
     */
    public static NamedGroup groupOf(byte[] p, byte[] g) {
        if (p.length == 0 || g.length == 0 || p.length > 4096 / 8 + 1 || g.length > 4096 / 8 + 1) {
            return null; // (a length check first: a hostile 64 KiB prime is not even parsed)
        }
        return FfdheGroup.recognise(new BigInteger(1, p), new BigInteger(1, g));
    }

    @Override
    public void destroy() {
        x = null;
    }

    @Override
    public String toString() {
        return "FfdheKeyShare(" + params.group.tlsName() + (x == null ? ", destroyed)" : ")");
    }

    private static byte[] toFixed(BigInteger v, int length) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[length];
        int n = Math.min(raw.length, length); // drops BigInteger's sign byte when present
        System.arraycopy(raw, raw.length - n, out, length - n, n);
        Arrays.fill(raw, (byte) 0);
        return out;
    }
}
