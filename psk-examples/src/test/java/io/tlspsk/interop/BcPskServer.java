package io.tlspsk.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Vector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bouncycastle.tls.AbstractTlsServer;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.PSKTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.TlsPSKIdentityManager;
import org.bouncycastle.tls.TlsServer;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A BouncyCastle PSK echo server on a blocking socket: accepts one connection on 127.0.0.1 in its own thread,
 * handshakes, echoes until the client closes, and reports what was negotiated, what it received, and any failure.
 * {@link #start} makes a TLS 1.3 external-PSK server (psk_dhe_ke, the only mode BouncyCastle's TLS 1.3 server
 * takes); {@link #startTls12} a TLS 1.2 {@code PSKTlsServer}.
 */
final class BcPskServer implements AutoCloseable {

    /** What the one connection ended with. */
    static final class Outcome {
        final int cipherSuite;
        final String received;
        final String alerts;
        final Throwable failure;
        /** Everything the BouncyCastle server recorded, the fields above included. */
        final BcRecorder recorder;

        Outcome(BcRecorder recorder, String received, Throwable failure) {
            this.cipherSuite = recorder.suite;
            this.received = received;
            this.alerts = recorder.alerts.toString();
            this.failure = failure;
            this.recorder = recorder;
        }

        @Override
        public String toString() {
            return "BC server: " + recorder + " received='" + received + "' failure=" + failure;
        }
    }

    private final ServerSocket listener;
    private final Thread thread;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private volatile Socket socket;

    private BcPskServer(Function<BcRecorder, TlsServer> peer) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        listener.setSoTimeout(20_000);
        thread = new Thread(() -> serve(peer), "bc-psk-server");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A TLS 1.3 server.
     *
     * @param prfAlgorithm {@code PRFAlgorithm.tls13_hkdf_sha256} or {@code tls13_hkdf_sha384}
     * @param suites       BouncyCastle cipher suite codes to accept
     */
    static BcPskServer start(byte[] identity, byte[] secret, int prfAlgorithm, int... suites) throws IOException {
        return new BcPskServer(recorder -> new Tls13Peer(recorder, identity, secret, prfAlgorithm, suites));
    }

    /**
     * A TLS 1.2 PSK server ({@code PSKTlsServer}) that knows one identity and accepts exactly {@code suites}.
     *
     * @param hint the identity hint to send, or null for none
     * @throws IllegalStateException when BouncyCastle's crypto does not support one of the suites
     */
    static BcPskServer startTls12(byte[] identity, byte[] secret, String hint, int... suites) throws IOException {
        return new BcPskServer(recorder -> new Tls12Peer(recorder, identity, secret, hint, suites));
    }

    int port() {
        return listener.getLocalPort();
    }

    Outcome awaitOutcome(Duration timeout) throws Exception {
        return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void serve(Function<BcRecorder, TlsServer> peerFactory) {
        BcRecorder recorder = new BcRecorder();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (Socket s = listener.accept()) {
            socket = s;
            s.setSoTimeout(20_000);
            TlsServerProtocol protocol = new TlsServerProtocol(s.getInputStream(), s.getOutputStream());
            protocol.accept(peerFactory.apply(recorder));
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
            outcome.complete(new Outcome(recorder, received.toString(StandardCharsets.UTF_8), null));
        } catch (Throwable t) {
            outcome.complete(new Outcome(recorder, received.toString(StandardCharsets.UTF_8), t));
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

    /** The requested suites, checked to be all supported by {@code crypto}'s algorithms. */
    static int[] supportedOrFail(org.bouncycastle.tls.crypto.TlsCrypto crypto, int[] suites) {
        int[] supported = TlsUtils.getSupportedCipherSuites(crypto, suites);
        if (supported.length != suites.length) {
            throw new IllegalStateException("BouncyCastle's " + crypto.getClass().getSimpleName()
                    + " supports only " + Arrays.toString(supported) + " of " + Arrays.toString(suites));
        }
        return supported;
    }

    private static final class Tls13Peer extends AbstractTlsServer {
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

    /**
     * TLS 1.2 only, as bc-java's MockPSKTlsServer; encrypt_then_mac and extended_master_secret are BouncyCastle's
     * defaults (both accepted when the client offers them).
     */
    private static final class Tls12Peer extends PSKTlsServer {
        private final BcRecorder recorder;
        private final int[] suites;

        Tls12Peer(BcRecorder recorder, byte[] identity, byte[] secret, String hint, int[] suites) {
            super(new BcTlsCrypto(new SecureRandom()), new OneIdentity(identity, secret, hint));
            this.recorder = recorder;
            this.suites = supportedOrFail(getCrypto(), suites);
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

    private static final class OneIdentity implements TlsPSKIdentityManager {
        private final byte[] identity;
        private final byte[] secret;
        private final byte[] hint;

        OneIdentity(byte[] identity, byte[] secret, String hint) {
            this.identity = identity.clone();
            this.secret = secret.clone();
            this.hint = hint == null ? null : hint.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] getHint() {
            return hint == null ? null : hint.clone();
        }

        @Override
        public byte[] getPSK(byte[] offered) {
            return Arrays.equals(offered, identity) ? secret.clone() : null; // null: unknown_psk_identity
        }
    }
}
