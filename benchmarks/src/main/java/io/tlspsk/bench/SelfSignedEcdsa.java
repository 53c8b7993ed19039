package io.tlspsk.bench;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** An ECDSA P-256 key and a self-signed certificate for it, made in-process once (with the JDK's provider). */
public final class SelfSignedEcdsa {

    public final PrivateKey privateKey;
    public final X509Certificate certificate;

    private SelfSignedEcdsa(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
    }

    private static SelfSignedEcdsa instance;

    public static synchronized SelfSignedEcdsa get() {
        if (instance == null) {
            instance = generate();
        }
        return instance;
    }

    private static SelfSignedEcdsa generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            X500Name name = new X500Name("CN=localhost");
            long now = System.currentTimeMillis();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now),
                    new Date(now - 86_400_000L), new Date(now + 365L * 86_400_000L), name, kp.getPublic());
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer));
            return new SelfSignedEcdsa(kp.getPrivate(), cert);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the ECDSA P-256 test certificate", e);
        }
    }
}
