package io.tlspsk.codec.tls12;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import org.bouncycastle.tls.ConnectionEnd;
import org.bouncycastle.tls.EncryptionAlgorithm;
import org.bouncycastle.tls.MACAlgorithm;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.CryptoHashAlgorithm;
import org.bouncycastle.tls.crypto.TlsCipher;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.TlsNonceGenerator;
import org.bouncycastle.tls.crypto.TlsSecret;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * BouncyCastle's TLS 1.2 PRF and record ciphers, as an independent implementation to check ours against.
 *
 * <p>bctls builds its record ciphers from a TlsContext whose SecurityParameters are package-private; outside a real
 * handshake the context is a dynamic proxy and the parameters are set by reflection (the BC jars are signed, so a
 * helper in BC's own package is not an option).
 */
final class BcTls12 {

    static final SecureRandom RANDOM = new SecureRandom();
    static final BcTlsCrypto CRYPTO = new BcTlsCrypto(RANDOM);

    private BcTls12() {
    }

    static int prfAlgorithm(HashAlgorithm hash) {
        return hash == HashAlgorithm.SHA384 ? PRFAlgorithm.tls_prf_sha384 : PRFAlgorithm.tls_prf_sha256;
    }

    /** PRF(secret, label, seed)[0..length) computed by BouncyCastle. */
    static byte[] prf(HashAlgorithm hash, byte[] secret, String label, byte[] seed, int length) {
        TlsSecret s = CRYPTO.createSecret(secret.clone());
        return s.deriveUsingPRF(prfAlgorithm(hash), label, seed, length).extract();
    }

    /**
     * BC's record cipher for {@code suite}, keyed from {@code master} and the randoms exactly as a BC endpoint would
     * (its own key block derivation). Encodes as {@code server} or client and decodes the other side's records.
     */
    static TlsCipher cipher(CipherSuite suite, byte[] master, byte[] clientRandom, byte[] serverRandom, boolean server,
                            boolean encryptThenMac) throws Exception {
        SecurityParameters sp = securityParameters(suite.hash(), clientRandom, serverRandom, server);
        set(sp, "cipherSuite", suite.id());
        set(sp, "verifyDataLength", 12);
        set(sp, "masterSecret", CRYPTO.createSecret(master.clone()));
        set(sp, "encryptThenMAC", encryptThenMac);
        TlsContext context = context(sp, server);
        return CRYPTO.createCipher(new TlsCryptoParameters(context), encryptionAlgorithm(suite),
                suite.isCbc() ? MACAlgorithm.hmac_sha256 : MACAlgorithm._null);
    }

    /**
     * The master secret as BouncyCastle's own handshake computes it ({@code TlsUtils.calculateMasterSecret}, package
     * private, called by reflection): with {@code extendedMasterSecret} it is RFC 7627's derivation from the session
     * hash, else RFC 5246's from the randoms. BouncyCastle picks the label and the seed itself.
     */
    static byte[] masterSecret(HashAlgorithm hash, byte[] premaster, byte[] clientRandom, byte[] serverRandom,
                               byte[] sessionHash, boolean extendedMasterSecret) throws Exception {
        SecurityParameters sp = securityParameters(hash, clientRandom, serverRandom, true);
        set(sp, "sessionHash", sessionHash.clone());
        set(sp, "extendedMasterSecret", extendedMasterSecret);
        Method calculate = TlsUtils.class.getDeclaredMethod("calculateMasterSecret", TlsContext.class,
                TlsSecret.class);
        calculate.setAccessible(true);
        TlsSecret master = (TlsSecret) calculate.invoke(null, context(sp, true), CRYPTO.createSecret(premaster.clone()));
        return master.extract();
    }

    /** TLS 1.2 parameters with the PRF of {@code hash} and the randoms, for one end. */
    private static SecurityParameters securityParameters(HashAlgorithm hash, byte[] clientRandom, byte[] serverRandom,
                                                         boolean server) throws ReflectiveOperationException {
        SecurityParameters sp = new SecurityParameters();
        set(sp, "entity", server ? ConnectionEnd.server : ConnectionEnd.client);
        set(sp, "prfAlgorithm", prfAlgorithm(hash));
        set(sp, "prfCryptoHashAlgorithm",
                hash == HashAlgorithm.SHA384 ? CryptoHashAlgorithm.sha384 : CryptoHashAlgorithm.sha256);
        set(sp, "prfHashLength", hash.length());
        set(sp, "clientRandom", clientRandom.clone());
        set(sp, "serverRandom", serverRandom.clone());
        set(sp, "negotiatedVersion", ProtocolVersion.TLSv12);
        return sp;
    }

    /** A TlsContext outside a real handshake: a dynamic proxy answering with {@code sp} (see the class comment). */
    private static TlsContext context(SecurityParameters sp, boolean server) {
        TlsNonceGenerator nonces = size -> {
            byte[] b = new byte[size];
            RANDOM.nextBytes(b);
            return b;
        };
        return (TlsContext) Proxy.newProxyInstance(BcTls12.class.getClassLoader(),
                new Class<?>[] {TlsContext.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getCrypto": return CRYPTO;
                        case "getNonceGenerator": return nonces;
                        case "getSecurityParameters":
                        case "getSecurityParametersConnection":
                        case "getSecurityParametersHandshake": return sp;
                        case "isServer": return server;
                        case "getClientVersion":
                        case "getServerVersion":
                        case "getRSAPreMasterSecretVersion": return ProtocolVersion.TLSv12;
                        case "getClientSupportedVersions": return new ProtocolVersion[] {ProtocolVersion.TLSv12};
                        case "hashCode": return System.identityHashCode(proxy);
                        case "equals": return proxy == args[0];
                        case "toString": return "TlsContext proxy";
                        default: return null;
                    }
                });
    }

    static int encryptionAlgorithm(CipherSuite suite) {
        if (suite.isCbc()) {
            return EncryptionAlgorithm.AES_128_CBC;
        }
        switch (suite.aead()) {
            case AES_128_GCM: return EncryptionAlgorithm.AES_128_GCM;
            case AES_256_GCM: return EncryptionAlgorithm.AES_256_GCM;
            case AES_128_CCM: return EncryptionAlgorithm.AES_128_CCM;
            case AES_128_CCM_8: return EncryptionAlgorithm.AES_128_CCM_8;
            case CHACHA20_POLY1305: return EncryptionAlgorithm.CHACHA20_POLY1305;
            default: throw new IllegalArgumentException(suite.toString());
        }
    }

    private static void set(Object target, String name, Object value) throws ReflectiveOperationException {
        Field f = SecurityParameters.class.getDeclaredField(name);
        f.setAccessible(true);
        f.set(target, value);
    }
}
