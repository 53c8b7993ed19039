package io.tlspsk.bench.gateway;

import io.tlspsk.bench.SelfSignedEcdsa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * The certificate stacks' ECDSA P-256 key and self-signed certificate as PEM files, made once per run by the
 * orchestrator, read by the server JVM (key and certificate) and the load generator (the certificate as its
 * trust anchor).
 */
final class CertificateFiles {

    private final Path certificate;
    private final Path privateKey;

    CertificateFiles(Path certificate, Path privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    /** Makes a fresh key and certificate and writes them into {@code dir}. */
    static CertificateFiles create(Path dir) throws IOException, GeneralSecurityException {
        SelfSignedEcdsa c = SelfSignedEcdsa.get();
        CertificateFiles files = new CertificateFiles(dir.resolve("gateway-cert.pem"), dir.resolve("gateway-key.pem"));
        Files.writeString(files.certificate, pem("CERTIFICATE", c.certificate.getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(files.privateKey, pem("PRIVATE KEY", c.privateKey.getEncoded()), StandardCharsets.US_ASCII);
        return files;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    Path certificate() {
        return certificate;
    }

    Path privateKey() {
        return privateKey;
    }
}
