package io.tlspsk.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskHandshakeCompletionEvent;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * The exchanges the OpenSSL interop tests run, for TLS 1.3 and TLS 1.2 alike: {@code s_client} against our server
 * and our client against {@code s_server}, with data both ways, or a handshake that must fail.
 */
final class OpenSslRuns {

    static final Duration WAIT = Duration.ofSeconds(10);

    private OpenSslRuns() {
    }

    /** What s_client against our server ended with. */
    static final class SClientRun {
        /** What our server negotiated (on success) or why it failed. */
        final PskHandshakeCompletionEvent event;
        /** Everything s_client printed. */
        final String output;

        SClientRun(PskHandshakeCompletionEvent event, String output) {
            this.event = event;
            this.output = output;
        }

        PskTlsSession session() {
            return event.session();
        }

        /** The alert of the failed handshake as our server saw it (sent or received). */
        PskAlertException alert() {
            assertFalse(event.isSuccess(), "expected a failed handshake, got " + event);
            return assertInstanceOf(PskAlertException.class, event.cause(),
                    "completion event cause: " + event.cause() + "; s_client output:\n" + output);
        }
    }

    /**
     * {@code sClient} (an {@code openssl s_client} command line) handshakes with our echo server, sends a line, must
     * get it back, then ends with stdin EOF (it sends close_notify and exits).
     *
     * @param protocol {@code TLSv1.3} or {@code TLSv1.2}: what s_client and our server must both report
     */
    static SClientRun echoWithSClient(OurServer server, List<String> sClient, String protocol, String id)
            throws Exception {
        try (PeerProcess client = PeerProcess.start(sClient)) {
            PskHandshakeCompletionEvent event = server.awaitEvent(WAIT, client);
            if (!event.isSuccess()) {
                throw new AssertionError("our server's handshake failed; s_client output:\n" + client.output(),
                        event.cause());
            }
            // "New, X, Cipher is" names the suite's minimum version (TLSv1.0 for the CBC suites), so the protocol is
            // in that line or in the session's "Protocol  :" line (printed for TLS 1.3 only once a ticket came).
            client.awaitOutput("^(New|Reused), \\S+, Cipher is ", WAIT);
            String p = Pattern.quote(protocol);
            client.awaitOutput("^(?:(?:New|Reused), " + p + ", Cipher is |\\s*Protocol\\s*: " + p + "$)", WAIT);
            String line = "hello-from-openssl-" + System.nanoTime();
            client.writeLine(line);
            client.awaitOutput("^" + line + "$", WAIT); // s_client prints what it receives: our echo
            assertTrue(server.received().contains(line + "\n"), server.received());
            client.closeStdin();
            client.awaitExit(WAIT);
            PskTlsSession s = event.session();
            assertEquals(id, s.identityAsString());
            assertEquals(protocol, s.protocol());
            return new SClientRun(event, client.output());
        }
    }

    /**
     * {@code sClient}'s handshake with our server must fail; returns our server's completion event and what s_client
     * printed (it must mention an alert).
     */
    static SClientRun failWithSClient(OurServer server, List<String> sClient) throws Exception {
        return failWithSClient(server, sClient, "alert");
    }

    /** As above, with a regex that s_client's output must match. */
    static SClientRun failWithSClient(OurServer server, List<String> sClient, String expectedOutput)
            throws Exception {
        try (PeerProcess client = PeerProcess.start(sClient)) {
            PskHandshakeCompletionEvent event = server.awaitEvent(WAIT, client);
            assertFalse(event.isSuccess(), "expected a failed handshake, got " + event + "; s_client output:\n"
                    + client.output());
            client.awaitExit(WAIT);
            client.awaitOutput(expectedOutput, WAIT);
            return new SClientRun(event, client.output());
        }
    }

    /**
     * Starts {@code openssl s_server} ({@code sServer} builds its command line for a free port), connects our client
     * with {@code tls}, and checks data both ways: s_server does not echo, so our client's line must show up in its
     * output, then a line written to its stdin must reach our client.
     */
    static PskTlsSession talkWithSServer(PskTlsContext tls, IntFunction<List<String>> sServer, String protocol,
                                         String id) throws Exception {
        int port = FreePorts.pick();
        try (PeerProcess server = PeerProcess.start(sServer.apply(port))) {
            server.awaitOutput("^ACCEPT$", WAIT);
            try (OurClient client = OurClient.connect(tls, port)) {
                PskTlsSession s = client.awaitHandshake(WAIT, server);
                assertEquals(id, s.identityAsString());
                assertEquals(protocol, s.protocol());
                String up = "hello-from-netty-" + System.nanoTime();
                client.send(up + "\n");
                server.awaitOutput("^" + up + "$", WAIT);
                String down = "hello-from-openssl-" + System.nanoTime();
                server.writeLine(down);
                client.awaitReceived(down + "\n", WAIT, server);
                return s;
            }
        }
    }

    /**
     * Our client's handshake with {@code openssl s_server} must fail with an alert, sent or received; returns it.
     */
    static PskAlertException failWithSServer(PskTlsContext tls, IntFunction<List<String>> sServer) throws Exception {
        int port = FreePorts.pick();
        try (PeerProcess server = PeerProcess.start(sServer.apply(port))) {
            server.awaitOutput("^ACCEPT$", WAIT);
            try (OurClient client = OurClient.connect(tls, port)) {
                Throwable cause = client.awaitHandshakeFailure(WAIT, server);
                PskAlertException alert = assertInstanceOf(PskAlertException.class, cause,
                        "handshake failure cause: " + cause + "; s_server output:\n" + server.output());
                return alert;
            }
        }
    }
}
