package io.tlspsk.codec.crypto;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import javax.crypto.KeyAgreement;
import javax.security.auth.DestroyFailedException;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.util.BigIntegers;

/**
 * An ephemeral ECDHE key pair on secp256r1 or secp384r1 for the key_share extension.
 *
 * <p>Two engines: a JCA provider ({@code KeyPairGenerator("EC")} + {@code KeyAgreement("ECDH")}), which
 * {@link CryptoBackend} uses with ACCP (26.2 k/s for P-256 in PERFORMANCE.md), or, without a provider,
 * BouncyCastle's low-level EC ({@link CustomNamedCurves}, {@link ECDHBasicAgreement}). BouncyCastle is the default
 * because it beat SunEC on this machine (JDK 17.0.15, rough manual timing, one key generation + one agreement with
 * point decoding, after warm-up): P-256 about 200 us vs 1,070 us (about 5x), P-384 about 700-900 us vs 2,300-2,700 us
 * (about 3x).
 *
 * <p>Public keys are uncompressed points {@code 0x04 || X || Y} with fixed-length coordinates and the shared secret is
 * the fixed-length X coordinate (RFC 8446 sections 4.2.8.2 and 7.4.2). A peer's point is checked for length, prefix,
 * coordinate range and the curve equation here, before either engine sees it; both curves have cofactor 1, so a point
 * on the curve is in the prime-order group.
 *
 * <p>The private key lives in a BigInteger or a provider key object, neither of which can be zeroed; {@link #destroy()}
 * drops the reference (and asks the provider's key to destroy itself where it supports that).
 */
public final class EcdhKeyShare implements KeyShare {

    private static final Map<NamedGroup, Curve> CURVES = new EnumMap<>(NamedGroup.class);

    static {
        CURVES.put(NamedGroup.SECP256R1, new Curve(NamedGroup.SECP256R1));
        CURVES.put(NamedGroup.SECP384R1, new Curve(NamedGroup.SECP384R1));
    }

    private final NamedGroup group;
    private final Curve curve;
    private final Provider provider;
    private final byte[] publicKey;
    private ECPrivateKeyParameters bcPrivateKey;
    private PrivateKey jcaPrivateKey;

    /** Generates a key pair with BouncyCastle and {@link CryptoBackend#secureRandom()}. */
    public EcdhKeyShare(NamedGroup group) {
        this(group, null, CryptoBackend.secureRandom());
    }

    /**
     * Generates a key pair.
     *
     * @param jcaProvider the JCA provider to use (ACCP, SunEC, ...); {@code null} means BouncyCastle's low-level EC
     */
    public EcdhKeyShare(NamedGroup group, Provider jcaProvider, SecureRandom random) {
        this.group = group;
        this.curve = CURVES.get(group);
        if (curve == null) {
            throw new IllegalArgumentException("not a NIST curve: " + group);
        }
        this.provider = jcaProvider;
        if (jcaProvider == null) {
            ECKeyPairGenerator generator = new ECKeyPairGenerator();
            generator.init(new ECKeyGenerationParameters(curve.bc, random));
            AsymmetricCipherKeyPair pair = generator.generateKeyPair();
            bcPrivateKey = (ECPrivateKeyParameters) pair.getPrivate();
            publicKey = ((ECPublicKeyParameters) pair.getPublic()).getQ().getEncoded(false);
        } else {
            KeyPair pair;
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", jcaProvider);
                generator.initialize(new ECGenParameterSpec(group.tlsName()), random);
                pair = generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(group.tlsName() + " key generation is not available", e);
            }
            jcaPrivateKey = pair.getPrivate();
            ECPoint w = ((ECPublicKey) pair.getPublic()).getW();
            publicKey = new byte[group.publicKeyLength()];
            publicKey[0] = 0x04;
            BigIntegers.asUnsignedByteArray(w.getAffineX(), publicKey, 1, curve.coordinateLength);
            BigIntegers.asUnsignedByteArray(w.getAffineY(), publicKey, 1 + curve.coordinateLength,
                    curve.coordinateLength);
        }
    }

    /**
     * A fixed private key, for known-answer tests: {@code fixedPrivateKey} is the big-endian scalar, copied. The
     * public key is computed with BouncyCastle; agreement runs on the engine chosen as in the public constructor.
     */
    EcdhKeyShare(NamedGroup group, Provider jcaProvider, byte[] fixedPrivateKey) throws GeneralSecurityException {
        this.group = group;
        this.curve = CURVES.get(group);
        if (curve == null) {
            throw new IllegalArgumentException("not a NIST curve: " + group);
        }
        this.provider = jcaProvider;
        BigInteger d = new BigInteger(1, fixedPrivateKey);
        if (d.signum() == 0 || d.compareTo(curve.bc.getN()) >= 0) {
            throw new IllegalArgumentException(group.tlsName() + " private key out of range");
        }
        publicKey = curve.bc.getG().multiply(d).normalize().getEncoded(false);
        if (jcaProvider == null) {
            bcPrivateKey = new ECPrivateKeyParameters(d, curve.bc);
        } else {
            jcaPrivateKey = KeyFactory.getInstance("EC", jcaProvider)
                    .generatePrivate(new ECPrivateKeySpec(d, curve.jca));
        }
    }

    @Override
    public NamedGroup group() {
        return group;
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] agree(byte[] peerPublicKey) throws GeneralSecurityException {
        if (bcPrivateKey == null && jcaPrivateKey == null) {
            throw new IllegalStateException("key share destroyed");
        }
        BigInteger[] xy = curve.decode(peerPublicKey);
        if (bcPrivateKey != null) {
            try {
                ECPublicKeyParameters peer = new ECPublicKeyParameters(curve.bc.getCurve().createPoint(xy[0], xy[1]),
                        curve.bc);
                ECDHBasicAgreement agreement = new ECDHBasicAgreement();
                agreement.init(bcPrivateKey);
                return BigIntegers.asUnsignedByteArray(curve.coordinateLength, agreement.calculateAgreement(peer));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new GeneralSecurityException("invalid " + group.tlsName() + " public key", e);
            }
        }
        KeyFactory factory = KeyFactory.getInstance("EC", provider);
        KeyAgreement agreement = KeyAgreement.getInstance("ECDH", provider);
        agreement.init(jcaPrivateKey);
        agreement.doPhase(factory.generatePublic(new ECPublicKeySpec(new ECPoint(xy[0], xy[1]), curve.jca)), true);
        return agreement.generateSecret();
    }

    @Override
    public void destroy() {
        bcPrivateKey = null;
        if (jcaPrivateKey != null) {
            try {
                jcaPrivateKey.destroy();
            } catch (DestroyFailedException e) {
                // SunEC keys do not implement destroy(); dropping the reference is all we can do
            }
            jcaPrivateKey = null;
        }
    }

    @Override
    public String toString() {
        return "EcdhKeyShare(" + group.tlsName() + ", " + (provider == null ? "BouncyCastle" : provider.getName())
                + (bcPrivateKey == null && jcaPrivateKey == null ? ", destroyed)" : ")");
    }

    /** One curve's parameters, both as the JDK's spec (for the JCA engine and the explicit check) and for BC. */
    private static final class Curve {
        final NamedGroup group;
        final ECParameterSpec jca;
        final ECDomainParameters bc;
        final BigInteger p;
        final BigInteger a;
        final BigInteger b;
        final int coordinateLength;

        Curve(NamedGroup group) {
            this.group = group;
            try {
                AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
                params.init(new ECGenParameterSpec(group.tlsName()));
                jca = params.getParameterSpec(ECParameterSpec.class);
            } catch (GeneralSecurityException e) {
                throw new ExceptionInInitializerError(e); // both curves are in every JDK 17
            }
            bc = new ECDomainParameters(CustomNamedCurves.getByName(group.tlsName()));
            p = ((ECFieldFp) jca.getCurve().getField()).getP();
            a = jca.getCurve().getA();
            b = jca.getCurve().getB();
            coordinateLength = (group.publicKeyLength() - 1) / 2;
        }

        /**
         * Decodes {@code 0x04 || X || Y} and checks that it is a point of the curve: exact length, uncompressed
         * prefix (RFC 8446 section 4.2.8.2), {@code 0 <= X, Y < p} and {@code Y^2 = X^3 + aX + b (mod p)}.
         */
        BigInteger[] decode(byte[] encoded) throws GeneralSecurityException {
            if (encoded.length != group.publicKeyLength()) {
                throw new GeneralSecurityException(group.tlsName() + " public key must be " + group.publicKeyLength()
                        + " bytes, got " + encoded.length);
            }
            if (encoded[0] != 0x04) {
                throw new GeneralSecurityException(group.tlsName() + " public key is not an uncompressed point");
            }
            BigInteger x = new BigInteger(1, Arrays.copyOfRange(encoded, 1, 1 + coordinateLength));
            BigInteger y = new BigInteger(1, Arrays.copyOfRange(encoded, 1 + coordinateLength, encoded.length));
            if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
                throw new GeneralSecurityException(group.tlsName() + " public key coordinate is not below p");
            }
            BigInteger lhs = y.multiply(y).mod(p);
            BigInteger rhs = x.multiply(x).add(a).multiply(x).add(b).mod(p);
            if (!lhs.equals(rhs)) {
                throw new GeneralSecurityException(group.tlsName() + " public key is not on the curve");
            }
            return new BigInteger[] {x, y};
        }
    }
}
