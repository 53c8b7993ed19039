package io.tlspsk.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.handler.PskHandshakeCompletionEvent;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The exchanges the GnuTLS interop tests run, for TLS 1.3 and TLS 1.2 alike: our client against
 * {@code gnutls-serv --echo} and {@code gnutls-cli} against our server, with data both ways.
 */
final class GnuTlsRuns {

    static final Duration WAIT = Duration.ofSeconds(10);

    private GnuTlsRuns() {
    }

    /** What an exchange ended with: the session of our side and everything the GnuTLS program printed. */
    static final class Run {
        final PskTlsSession session;
        final String output;

        Run(PskTlsSession session, String output) {
            this.session = session;
            this.output = output;
        }
    }

    /**
     * Starts {@code gnutls-serv --echo} on a free port with {@link Peers#ID}/{@link Peers#KEY} in its PSK file and
     * {@code priority} (plus {@code extra} arguments), connects our client with {@code tls}, sends a line that must
     * come back, and checks that gnutls-serv reports the PSK identity.
     *
     * @param protocol {@code TLSv1.3} or {@code TLSv1.2}, as our client must report it
     */
    static Run echoWithGnutlsServ(Path dir, PskTlsContext tls, String priority, String protocol, String... extra)
            throws Exception {
        int port = FreePorts.pick();
        Path keys = Peers.gnutlsPskFile(dir, Peers.ID, Peers.KEY);
        List<String> command = new ArrayList<>(Peers.gnutlsServer(port, keys, priority));
        command.addAll(Arrays.asList(extra));
        try (PeerProcess server = PeerProcess.start(command)) {
            awaitListening(server, port);
            try (OurClient client = OurClient.connect(tls, port)) {
                PskTlsSession s = client.awaitHandshake(WAIT, server);
                assertEquals(Peers.ID, s.identityAsString());
                assertEquals(protocol, s.protocol());
                String line = "hello-gnutls-" + System.nanoTime() + "\n";
                client.send(line);
                client.awaitReceived(line, WAIT, server);
                server.awaitOutput("PSK authentication. Connected as '" + Peers.ID + "'", WAIT);
                server.awaitOutput("^- Options:", WAIT);
                return new Run(s, server.output());
            }
        }
    }

    static void awaitListening(PeerProcess server, int port) throws InterruptedException {
        server.awaitOutput("listening on IPv4 .* port " + port + "\\.\\.\\.done", WAIT);
    }

    /**
     * {@code gnutls-cli} with {@code priority} handshakes with our server, sends a stdin line, prints our echo;
     * stdin EOF then makes it send close_notify, wait for ours, and exit 0.
     *
     * @param protocol {@code TLSv1.3} or {@code TLSv1.2}, as our server must report it
     */
    static Run echoWithGnutlsCli(OurServer server, String priority, String protocol) throws Exception {
        try (PeerProcess client = PeerProcess.start(
                Peers.gnutlsClient(server.port(), Peers.ID, Peers.KEY, priority))) {
            PskHandshakeCompletionEvent event = server.awaitEvent(WAIT, client);
            if (!event.isSuccess()) {
                throw new AssertionError("our server's handshake failed; gnutls-cli output:\n" + client.output(),
                        event.cause());
            }
            client.awaitOutput("^- Handshake was completed", WAIT);
            String line = "hello-from-gnutls-" + System.nanoTime();
            client.writeLine(line);
            client.awaitOutput("^" + line + "$", WAIT);
            assertTrue(server.received().contains(line + "\n"), server.received());
            client.closeStdin();
            assertEquals(0, client.awaitExit(WAIT), client.output());
            PskTlsSession s = event.session();
            assertEquals(Peers.ID, s.identityAsString());
            assertEquals(protocol, s.protocol());
            return new Run(s, client.output());
        }
    }
}
