package io.tlspsk.codec.crypto;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.lang.reflect.Method;
import java.security.Provider;
import java.security.SecureRandom;

/**
 * Picks the fastest provider present for each primitive (PERFORMANCE.md) and creates AEADs and key shares with it:
 *
 * <ul>
 *   <li>AES-GCM: ACCP when {@code com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider} is on the class
 *       path and loaded its native library (2.6x the JDK on JDK 17), else the JDK's default provider.</li>
 *   <li>ChaCha20-Poly1305: the JDK (ACCP has none; BouncyCastle is no faster on 17 and far slower on 25).</li>
 *   <li>AES-CCM, AES-CCM_8: BouncyCastle, the only implementation (the JDK has none).</li>
 *   <li>X25519: BouncyCastle's low-level X25519, 2.5x the JDK (ACCP has none).</li>
 *   <li>secp256r1, secp384r1: ACCP when present (28x the JDK), else BouncyCastle's low-level EC
 *       (see {@link EcdhKeyShare}).</li>
 *   <li>The finite-field groups (RFC 7919 ffdhe2048/3072/4096 for TLS 1.3 and TLS 1.2 DHE_PSK, and the RFC 3526
 *       MODP groups a TLS 1.2 server may send): the JDK's BigInteger (see {@link FfdheKeyShare}).</li>
 *   <li>HKDF: the JDK's HMAC (see {@link Hkdf}).</li>
 * </ul>
 *
 * <p>The choice is made once, on first use (class-holder idiom, so thread-safe without locks), and logged once at
 * INFO. ACCP is found by reflection so that it stays an optional, run-time-only dependency. Setting the system
 * property {@value #ACCP_PROPERTY} to {@code false} before the first handshake keeps ACCP out even when it is on
 * the class path (to compare backends, or to stay on the JDK's FIPS-validated or otherwise mandated provider).
 */
public final class CryptoBackend {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(CryptoBackend.class);
    private static final String ACCP_CLASS = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";
    /** System property: {@code false} never uses ACCP; anything else (or unset) uses it when it is present. */
    public static final String ACCP_PROPERTY = "io.tlspsk.crypto.accp";

    private CryptoBackend() {
    }

    /** The choice, made when this holder class is first initialised. */
    private static final class Choice {
        static final Provider ACCP = loadAccp();
        static final String DESCRIPTION = describeChoice();

        static {
            logger.info("TLS-PSK crypto backend: {}", DESCRIPTION);
        }
    }

    /** One shared SecureRandom, lazily created; thread-safe as every SecureRandom is. */
    private static final class Random {
        // The default (NativePRNG on Linux) never blocks after boot; getInstanceStrong() could block on /dev/random.
        static final SecureRandom INSTANCE = new SecureRandom();
    }

    /**
     * A new AEAD for one direction of one connection. {@code key} is copied; the caller zeroes its own array.
     *
     * @throws IllegalArgumentException when the key length does not fit {@code alg}
     */
    public static Aead newAead(AeadAlgorithm alg, byte[] key) {
        switch (alg) {
            case AES_128_GCM:
            case AES_256_GCM:
                return new JdkAesGcm(alg, key, Choice.ACCP);
            case CHACHA20_POLY1305:
                return new JdkChaCha20Poly1305(key);
            case AES_128_CCM:
            case AES_128_CCM_8:
                return new BcAesCcm(alg, key);
            default:
                throw new IllegalArgumentException("unsupported AEAD: " + alg);
        }
    }

    /** A fresh ephemeral key pair of {@code group}. */
    public static KeyShare generateKeyShare(NamedGroup group) {
        switch (group) {
            case X25519:
                return new X25519KeyShare(secureRandom());
            case SECP256R1:
            case SECP384R1:
                return new EcdhKeyShare(group, Choice.ACCP, secureRandom());
            case FFDHE2048:
            case FFDHE3072:
            case FFDHE4096:
            case MODP2048:
            case MODP3072:
            case MODP4096:
                return new FfdheKeyShare(group, secureRandom());
            default:
                throw new IllegalArgumentException("unsupported group: " + group);
        }
    }

    /**
     * Which provider serves each primitive, e.g. {@code "AES-GCM: SunJCE, ChaCha20-Poly1305: SunJCE, AES-CCM:
     * BouncyCastle, X25519: BouncyCastle, secp256r1: BouncyCastle, secp384r1: BouncyCastle, HKDF: SunJCE"}.
     */
    public static String describe() {
        return Choice.DESCRIPTION;
    }

    /** The shared, non-blocking SecureRandom for key generation. */
    public static SecureRandom secureRandom() {
        return Random.INSTANCE;
    }

    private static String describeChoice() {
        String gcm = new JdkAesGcm(AeadAlgorithm.AES_128_GCM, new byte[16], Choice.ACCP).providerName();
        String chacha = new JdkChaCha20Poly1305(new byte[32]).providerName();
        String ec = Choice.ACCP == null ? "BouncyCastle" : Choice.ACCP.getName();
        return "AES-GCM: " + gcm
                + ", ChaCha20-Poly1305: " + chacha
                + ", AES-CCM: BouncyCastle"
                + ", X25519: BouncyCastle"
                + ", secp256r1: " + ec
                + ", secp384r1: " + ec
                + ", HKDF: " + new Hkdf(HashAlgorithm.SHA256).providerName();
    }

    /** ACCP's {@code getLoadingError()}: why its native library failed to load, or {@code null}. */
    private static Object loadingError(Class<?> accpClass, Provider accp) throws ReflectiveOperationException {
        Method m;
        try {
            m = accpClass.getMethod("getLoadingError");
        } catch (NoSuchMethodException e) {
            return null; // a version without the method: trust it
        }
        return m.invoke(accp);
    }

    /** ACCP's provider instance, or {@code null} when it is absent or its native library did not load. */
    private static Provider loadAccp() {
        if ("false".equalsIgnoreCase(System.getProperty(ACCP_PROPERTY))) {
            logger.debug("ACCP not used: {}=false", ACCP_PROPERTY);
            return null;
        }
        try {
            Class<?> c = Class.forName(ACCP_CLASS, true, CryptoBackend.class.getClassLoader());
            Provider accp = (Provider) c.getField("INSTANCE").get(null);
            Object error = loadingError(c, accp);
            if (error != null) {
                logger.info("ACCP is on the class path but unusable, not using it: {}", error);
                return null;
            }
            return accp;
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            logger.info("ACCP is on the class path but could not be loaded, not using it: {}", e.toString());
            return null;
        }
    }
}
