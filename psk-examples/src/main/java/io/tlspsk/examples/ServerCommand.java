package io.tlspsk.examples;

import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskTlsContext;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code psk-tool server}: a TLS-PSK echo server. */
@Command(name = "server", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"TLS-PSK echo server: writes back the application data each connection sends. Prints "
                + "one line per handshake; closes a connection whose handshake is not done within "
                + "--handshake-timeout-seconds. The first key (in the order given) whose identity the client "
                + "offers is chosen; one identity may have two keys (main and backup), and the one the client "
                + "proves is used. Warns at start when some keys fit no enabled cipher suite. Runs until stopped "
                + "(Ctrl-C), then prints a stats line."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {" 0:stopped", " 1:could not listen (address in use, no such address, ...)",
            ExitCodes.USAGE_ENTRY})
final class ServerCommand extends ToolCommand {

    static final String DEFAULT_BIND = "127.0.0.1";

    @Option(names = "--port", required = true, paramLabel = "N",
            description = {"Port to listen on; 0 picks a free one (the 'listening on' line tells which)."})
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = DEFAULT_BIND,
            description = {"Address to listen on (default ${DEFAULT-VALUE}: only this machine can connect). "
                    + "0.0.0.0 or :: listens on every interface, so that devices on the network can connect."})
    String bind;

    @Mixin
    KeyOptions keys;

    @Mixin
    TlsOptions tls;

    @Option(names = "--hint", paramLabel = "TEXT", description = {"TLS 1.2: send this PSK identity hint."})
    String hint;

    @Option(names = "--reject-unknown-identity",
            description = {"Tell a client at once that its identity is unknown (TLS 1.3 handshake_failure, TLS 1.2 "
                    + "unknown_psk_identity). By default it is answered like a wrong key (TLS 1.3 decrypt_error; "
                    + "TLS 1.2 bad_record_mac at Finished), so identities cannot be probed."})
    boolean rejectUnknownIdentity;

    @Option(names = "--handshake-timeout-seconds", paramLabel = "N",
            defaultValue = "10",
            description = {"Close a connection whose handshake is not done in this time (default ${DEFAULT-VALUE})."})
    int handshakeTimeoutSeconds;

    @Option(names = "--stats-port", paramLabel = "N",
            description = {"Serve the server's counters and CPU time at http://127.0.0.1:N/stats (loopback only; "
                    + "0 picks a free port), for psk-tool load --stats-port. Off by default."})
    Integer statsPort;

    @Option(names = "--quiet", description = {"No line per handshake (printing costs CPU under load)."})
    boolean quiet;

    @Override
    void validate() throws UsageException {
        checkRange("--port", port, 0, 65535);
        if (bind.isBlank()) {
            throw new UsageException("--bind needs a non-empty value");
        }
        if (hint != null && hint.isBlank()) {
            throw new UsageException("--hint needs a non-empty value");
        }
        checkRange("--handshake-timeout-seconds", handshakeTimeoutSeconds, 1, MAX_SECONDS);
        if (statsPort != null) {
            checkRange("--stats-port", statsPort, 0, 65535);
        }
        tls.validate();
    }

    /** Reads the keys; the caller destroys them. */
    List<ExternalPsk> loadKeys(Consumer<String> warn) throws UsageException {
        return keys.load(name(), KeyOptions.Repeats.SEVERAL_KEYS_PER_IDENTITY, warn);
    }

    /** The server context these options describe, choosing among {@code psks}. */
    PskTlsContext serverContext(List<ExternalPsk> psks) throws UsageException {
        PskTlsContext.Builder b = PskTlsContext.forServer(psks.toArray(new ExternalPsk[0]));
        if (hint != null) {
            b.identityHint(hint.trim());
        }
        b.rejectUnknownIdentity(rejectUnknownIdentity);
        b.handshakeTimeout(Duration.ofSeconds(handshakeTimeoutSeconds));
        tls.applyTo(b);
        return TlsOptions.build(b);
    }

    @Override
    int run(ToolIo io) throws Exception {
        List<ExternalPsk> psks = loadKeys(io.err());
        try {
            PskTlsContext context = serverContext(psks);
            KeySuiteFit.warnings(psks, context).forEach(io.err());
            Consumer<String> handshakes = quiet ? line -> { } : io.out();
            try (EchoServer server = EchoServer.start(Transports.best(), context, bind.trim(), port, handshakes);
                 StatsEndpoint endpoint = statsPort == null ? null
                         : StatsEndpoint.start(statsPort, () -> server.stats().sample())) {
                io.out().accept("listening on " + HandshakeLines.address(server.localAddress()));
                if (endpoint != null) {
                    io.out().accept("stats on " + endpoint.url());
                }
                serveUntilStopped(server, io.out());
                return ExitCodes.OK;
            }
        } finally {
            psks.forEach(ExternalPsk::destroy);
        }
    }

    /**
     * Waits until the listening channel closes or this thread is interrupted, then prints the stats line. When
     * the process is stopped by a signal instead (Ctrl-C, kill), a shutdown hook prints it.
     */
    private static void serveUntilStopped(EchoServer server, Consumer<String> out) {
        Thread atExit = new Thread(() -> out.accept(server.stats().sample().line()), "psk-tool-server-stats");
        Runtime.getRuntime().addShutdownHook(atExit);
        try {
            server.closeFuture().await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // asked to stop: the caller's close() shuts down
        }
        try {
            if (Runtime.getRuntime().removeShutdownHook(atExit)) {
                out.accept(server.stats().sample().line());
            }
        } catch (IllegalStateException shuttingDown) {
            // the hook prints it
        }
    }
}
