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
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.BasicTlsPSKIdentity;
import org.bouncycastle.tls.PSKTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClient;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSK;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A BouncyCastle PSK client on a blocking socket: connects to 127.0.0.1, handshakes, sends one message, reads until
 * the same number of bytes came back, closes. {@link #exchange} speaks TLS 1.3 with an external PSK,
 * {@link #exchangeTls12} TLS 1.2 as a {@code PSKTlsClient}.
 */
final class BcPskClient {

    /** What the exchange ended with. */
    static final class Outcome {
        final int cipherSuite;
        final String echo;
        final String alerts;
        /** Everything the BouncyCastle client recorded, the fields above included. */
        final BcRecorder recorder;

        Outcome(BcRecorder recorder, String echo) {
            this.cipherSuite = recorder.suite;
            this.echo = echo;
            this.alerts = recorder.alerts.toString();
            this.recorder = recorder;
        }

        @Override
        public String toString() {
            return "BC client: " + recorder + " echo='" + echo + "'";
        }
    }

    private BcPskClient() {
    }

    /**
     * Runs one TLS 1.3 exchange; every socket operation times out after 10 seconds.
     *
     * @param prfAlgorithm {@code PRFAlgorithm.tls13_hkdf_sha256} or {@code tls13_hkdf_sha384}
     */
    static Outcome exchange(int port, byte[] identity, byte[] secret, int prfAlgorithm, int[] suites, String message)
            throws IOException {
        BcRecorder recorder = new BcRecorder();
        return run(port, new Tls13Peer(recorder, identity, secret, prfAlgorithm, suites), recorder, message);
    }

    /**
     * Runs one TLS 1.2 PSK exchange offering exactly {@code suites} (BouncyCastle's defaults otherwise: it offers
     * extended_master_secret, and encrypt_then_mac with CBC suites). The hint the server sent is in the outcome.
     *
     * @throws IllegalStateException when BouncyCastle's crypto does not support one of the suites
     */
    static Outcome exchangeTls12(int port, byte[] identity, byte[] secret, int[] suites, String message)
            throws IOException {
        BcRecorder recorder = new BcRecorder();
        return run(port, new Tls12Peer(recorder, identity, secret, suites), recorder, message);
    }

    private static Outcome run(int port, TlsClient peer, BcRecorder recorder, String message) throws IOException {
        byte[] data = message.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            TlsClientProtocol protocol = new TlsClientProtocol(s.getInputStream(), s.getOutputStream());
            try {
                protocol.connect(peer);
            } catch (IOException e) {
                throw new IOException("BC client handshake failed; " + recorder, e);
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
            return new Outcome(recorder, echo.toString(StandardCharsets.UTF_8));
        }
    }

    private static final class Tls13Peer extends AbstractTlsClient {
        private final BcRecorder recorder;
        private final byte[] identity;
        private final byte[] secret;
        private final int prfAlgorithm;
        private final int[] suites;

        Tls13Peer(BcRecorder recorder, byte[] identity, byte[] secret, int prfAlgorithm, int[] suites) {
            super(new BcTlsCrypto(new SecureRandom()));
            this.recorder = recorder;
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
            recorder.handshakeComplete(context);
        }

        @Override
        public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
            recorder.alertRaised(level, description, message);
        }

        @Override
        public void notifyAlertReceived(short level, short description) {
            recorder.alertReceived(level, description);
        }
    }

    /** TLS 1.2 only, as bc-java's MockPSKTlsClient, recording the identity hint it is told. */
    private static final class Tls12Peer extends PSKTlsClient {
        private final BcRecorder recorder;
        private final int[] suites;

        Tls12Peer(BcRecorder recorder, byte[] identity, byte[] secret, int[] suites) {
            super(new BcTlsCrypto(new SecureRandom()), new BasicTlsPSKIdentity(identity, secret) {
                @Override
                public void notifyIdentityHint(byte[] hint) {
                    recorder.hint = new String(hint, StandardCharsets.UTF_8);
                }
            });
            this.recorder = recorder;
            this.suites = BcPskServer.supportedOrFail(getCrypto(), suites);
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.TLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return suites.clone();
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            recorder.handshakeComplete(context);
        }

        @Override
        public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
            recorder.alertRaised(level, description, message);
        }

        @Override
        public void notifyAlertReceived(short level, short description) {
            recorder.alertReceived(level, description);
        }
    }
}
