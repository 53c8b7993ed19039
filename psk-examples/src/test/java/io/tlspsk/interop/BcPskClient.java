package io.tlspsk.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Vector;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSK;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A BouncyCastle TLS 1.3 external-PSK client on a blocking socket: connects to 127.0.0.1, handshakes, sends one
 * message, reads until the same number of bytes came back, closes.
 */
final class BcPskClient {

    /** What the exchange ended with. */
    static final class Outcome {
        final int cipherSuite;
        final String echo;
        final String alerts;

        Outcome(int cipherSuite, String echo, String alerts) {
            this.cipherSuite = cipherSuite;
            this.echo = echo;
            this.alerts = alerts;
        }
    }

    private BcPskClient() {
    }

    /**
     * Runs one exchange; every socket operation times out after 10 seconds.
     *
     * @param prfAlgorithm {@code PRFAlgorithm.tls13_hkdf_sha256} or {@code tls13_hkdf_sha384}
     */
    static Outcome exchange(int port, byte[] identity, byte[] secret, int prfAlgorithm, int[] suites, String message)
            throws IOException {
        Peer peer = new Peer(identity, secret, prfAlgorithm, suites);
        byte[] data = message.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            TlsClientProtocol protocol = new TlsClientProtocol(s.getInputStream(), s.getOutputStream());
            try {
                protocol.connect(peer);
            } catch (IOException e) {
                throw new IOException("BC client handshake failed; alerts: " + peer.alerts, e);
            }
            OutputStream out = protocol.getOutputStream();
            out.write(data);
            out.flush();
            InputStream in = protocol.getInputStream();
            ByteArrayOutputStream echo = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while (echo.size() < data.length && (n = in.read(buf)) > 0) {
                echo.write(buf, 0, n);
            }
            protocol.close();
            return new Outcome(peer.suite, echo.toString(StandardCharsets.UTF_8), peer.alerts.toString());
        }
    }

    private static final class Peer extends AbstractTlsClient {
        private final byte[] identity;
        private final byte[] secret;
        private final int prfAlgorithm;
        private final int[] suites;
        final StringBuffer alerts = new StringBuffer();
        volatile int suite = -1;

        Peer(byte[] identity, byte[] secret, int prfAlgorithm, int[] suites) {
            super(new BcTlsCrypto(new SecureRandom()));
            this.identity = identity.clone();
            this.secret = secret.clone();
            this.prfAlgorithm = prfAlgorithm;
            this.suites = suites.clone();
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.TLSv13.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), suites);
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public Vector getExternalPSKs() {
            return TlsUtils.vectorOfOne(
                    new BasicTlsPSKExternal(identity, getCrypto().createSecret(secret), prfAlgorithm));
        }

        @Override
        public void notifySelectedPSK(TlsPSK selectedPSK) throws IOException {
            if (selectedPSK == null) {
                throw new TlsFatalAlert(AlertDescription.handshake_failure); // the server ignored our PSK
            }
        }

        @Override
        public TlsAuthentication getAuthentication() throws IOException {
            throw new TlsFatalAlert(AlertDescription.internal_error); // PSK only: no certificate expected
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            suite = context.getSecurityParametersConnection().getCipherSuite();
        }

        @Override
        public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
            alerts.append("raised ").append(AlertLevel.getText(level)).append(' ')
                    .append(AlertDescription.getText(description)).append(message != null ? ": " + message : "")
                    .append("; ");
        }

        @Override
        public void notifyAlertReceived(short level, short description) {
            alerts.append("received ").append(AlertLevel.getText(level)).append(' ')
                    .append(AlertDescription.getText(description)).append("; ");
        }
    }
}
