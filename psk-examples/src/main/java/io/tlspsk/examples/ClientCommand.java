package io.tlspsk.examples;

import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskTlsContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code psk-tool client}: interactive like {@code openssl s_client}, or one echo exchange with --message. */
@Command(name = "client", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"TLS-PSK client. Without --message it is interactive, like openssl s_client: after the "
                + "handshake, standard input goes to the server and what the server sends goes to standard "
                + "output, byte for byte; the handshake line and other reports go to standard error. When "
                + "standard input ends, the client waits --wait-after-eof for the server's last data, then "
                + "closes with close_notify. With --message it sends TEXT and a newline, waits for the same "
                + "bytes back (an echo server's answer), prints the handshake line and 'echo: TEXT' to standard "
                + "output, and closes. The keys are offered in the order given (TLS 1.3); TLS 1.2 uses the "
                + "first and prints the server's identity hint as hint=TEXT."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {" 0:handshake done, and the echo came back (--message) or the session ended by the end "
                + "of standard input or the server's close_notify",
            " 1:the connection failed after the handshake (an alert, a reset, a close without close_notify), or "
                    + "the echo differed",
            " 2:the handshake failed (the alert is printed)",
            " 3:no connection (refused, unknown host) or no handshake or echo within --timeout-seconds",
            ExitCodes.USAGE_ENTRY})
final class ClientCommand extends ToolCommand {

    /** The longest --wait-after-eof. */
    static final double MAX_WAIT_AFTER_EOF_SECONDS = 3600;

    @Mixin
    ConnectOptions connect;

    @Mixin
    KeyOptions keys;

    @Mixin
    TlsOptions tls;

    @Option(names = "--message", paramLabel = "TEXT",
            description = {"Send TEXT and a newline, wait for the echo, close (not interactive)."})
    String message;

    @Option(names = "--wait-after-eof", paramLabel = "SECONDS", defaultValue = "0.5",
            description = {"Interactive: after standard input ends, print what the server sends for this long "
                    + "(default ${DEFAULT-VALUE}; less if the server closes), then close."})
    double waitAfterEofSeconds;

    @Override
    void validate() throws UsageException {
        connect.validate();
        tls.validate();
        if (!(waitAfterEofSeconds >= 0 && waitAfterEofSeconds <= MAX_WAIT_AFTER_EOF_SECONDS)) {
            throw new UsageException("--wait-after-eof must be between 0 and " + (int) MAX_WAIT_AFTER_EOF_SECONDS
                    + " seconds");
        }
    }

    /** Reads the keys; the caller destroys them. */
    List<ExternalPsk> loadKeys(Consumer<String> warn) throws UsageException {
        return keys.load(name(), KeyOptions.Repeats.ONE_KEY_PER_IDENTITY, warn);
    }

    /** A context offering {@code psks}, with these options; {@code hint} gets the TLS 1.2 hint. */
    PskTlsContext clientContext(List<ExternalPsk> psks, Consumer<String> hint)
            throws UsageException {
        return connect.clientContext(psks, tls, hint);
    }

    @Override
    int run(ToolIo io) throws Exception {
        List<ExternalPsk> psks = loadKeys(io.err());
        try {
            AtomicReference<String> hint = new AtomicReference<>(); // one connection: the hint of its handshake
            PskTlsContext context = clientContext(psks, hint::set);
            Duration timeout = Duration.ofSeconds(connect.timeoutSeconds);
            if (message != null) {
                return EchoClient.run(Transports.best(), context, connect.host, connect.port, message, timeout,
                        hint::get, io.out(), io.err()).exitCode;
            }
            return InteractiveClient.run(Transports.best(), context, connect.host, connect.port, timeout,
                    Duration.ofMillis(Math.round(waitAfterEofSeconds * 1000)), hint::get, io.in(), io.outStream(),
                    io.err());
        } finally {
            psks.forEach(ExternalPsk::destroy);
        }
    }
}
