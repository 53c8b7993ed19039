package io.tlspsk.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Vector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.AbstractTlsServer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A BouncyCastle TLS 1.3 external-PSK echo server on a blocking socket: accepts one connection on 127.0.0.1 in
 * its own thread, handshakes (psk_dhe_ke, the only mode BouncyCastle's TLS 1.3 server takes), echoes until the
 * client closes, and reports the negotiated suite, what it received, and any failure.
 */
final class BcPskServer implements AutoCloseable {

    /** What the one connection ended with. */
    static final class Outcome {
        final int cipherSuite;
        final String received;
        final String alerts;
        final Throwable failure;

        Outcome(int cipherSuite, String received, String alerts, Throwable failure) {
            this.cipherSuite = cipherSuite;
            this.received = received;
            this.alerts = alerts;
            this.failure = failure;
        }

        @Override
        public String toString() {
            return "BC server: suite=0x" + Integer.toHexString(cipherSuite) + " received='" + received
                    + "' alerts=[" + alerts + "] failure=" + failure;
        }
    }

    private final ServerSocket listener;
    private final Thread thread;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private volatile Socket socket;

    private BcPskServer(byte[] identity, byte[] secret, int prfAlgorithm, int[] suites) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        listener.setSoTimeout(20_000);
        thread = new Thread(() -> serve(identity, secret, prfAlgorithm, suites), "bc-psk-server");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @param prfAlgorithm {@code PRFAlgorithm.tls13_hkdf_sha256} or {@code tls13_hkdf_sha384}
     * @param suites       BouncyCastle cipher suite codes to accept
     */
    static BcPskServer start(byte[] identity, byte[] secret, int prfAlgorithm, int... suites) throws IOException {
        return new BcPskServer(identity, secret, prfAlgorithm, suites);
    }

    int port() {
        return listener.getLocalPort();
    }

    Outcome awaitOutcome(Duration timeout) throws Exception {
        return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void serve(byte[] identity, byte[] secret, int prfAlgorithm, int[] suites) {
        Peer peer = new Peer(identity, secret, prfAlgorithm, suites);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (Socket s = listener.accept()) {
            socket = s;
            s.setSoTimeout(20_000);
            TlsServerProtocol protocol = new TlsServerProtocol(s.getInputStream(), s.getOutputStream());
            protocol.accept(peer);
            InputStream in = protocol.getInputStream();
            OutputStream out = protocol.getOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                received.write(buf, 0, n);
                out.write(buf, 0, n);
                out.flush();
            }
            protocol.close();
            outcome.complete(new Outcome(peer.suite, received.toString("UTF-8"), peer.alerts.toString(), null));
        } catch (Throwable t) {
            outcome.complete(new Outcome(peer.suite, received.toString(), peer.alerts.toString(), t));
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        Socket s = socket;
        if (s != null) {
            s.close();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Peer extends AbstractTlsServer {
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
        public TlsCredentials getCredentials() {
            return null; // PSK only: no certificate
        }

        @Override
        public TlsPSKExternal getExternalPSK(@SuppressWarnings("rawtypes") Vector identities) {
            for (Object o : identities) {
                if (Arrays.equals(((PskIdentity) o).getIdentity(), identity)) {
                    return new BasicTlsPSKExternal(identity, getCrypto().createSecret(secret), prfAlgorithm);
                }
            }
            return null;
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
