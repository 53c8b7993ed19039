package io.tlspsk.examples;

import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskHintCallback;
import io.tlspsk.handler.PskTlsContext;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** Where a client connects and how long it waits: the options {@code client} and {@code load} share. */
final class ConnectOptions {

    static final int DEFAULT_TIMEOUT_SECONDS = 15;

    @Option(names = "--connect", required = true, paramLabel = "HOST:PORT",
            description = {"The server to connect to ([::1]:PORT for IPv6)."})
    String connect;

    @Option(names = "--server-name", paramLabel = "NAME", description = {"server_name (SNI) to send."})
    String serverName;

    @Option(names = "--timeout-seconds", paramLabel = "N", defaultValue = "" + DEFAULT_TIMEOUT_SECONDS,
            description = {"How long connecting, the handshake and an echo may take, each connection "
                    + "(default ${DEFAULT-VALUE})."})
    int timeoutSeconds;

    String host;
    int port;

    /** Splits {@code --connect} and checks the numbers. */
    void validate() throws UsageException {
        int colon = connect.lastIndexOf(':');
        if (colon <= 0 || colon == connect.length() - 1) {
            throw new UsageException("--connect needs HOST:PORT");
        }
        String h = connect.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.isBlank()) {
            throw new UsageException("--connect needs HOST:PORT");
        }
        host = h.trim();
        try {
            port = Integer.parseInt(connect.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--connect needs a port number after the last ':'");
        }
        ToolCommand.checkRange("--connect port", port, 1, 65535);
        ToolCommand.checkRange("--timeout-seconds", timeoutSeconds, 1, ToolCommand.MAX_SECONDS);
        if (serverName != null && serverName.isBlank()) {
            throw new UsageException("--server-name needs a non-empty value");
        }
    }

    /**
     * A client context offering {@code offered} in that order, with {@code tls}'s settings and this group's; its
     * handshake timeout is {@code --timeout-seconds}. {@code hintSeen} is told the TLS 1.2 identity hint of each
     * handshake (null when the server sent none); the first key not yet destroyed is used whatever the hint.
     */
    PskTlsContext clientContext(List<ExternalPsk> offered, TlsOptions tls, Consumer<String> hintSeen)
            throws UsageException {
        PskTlsContext.Builder b = PskTlsContext.forClient();
        offered.forEach(b::addPsk);
        if (serverName != null) {
            b.serverName(serverName.trim());
        }
        b.pskForHint(firstPskAfter(List.copyOf(offered), hintSeen));
        b.handshakeTimeout(Duration.ofSeconds(timeoutSeconds));
        tls.applyTo(b);
        return TlsOptions.build(b);
    }

    private static PskHintCallback firstPskAfter(List<ExternalPsk> keys, Consumer<String> hintSeen) {
        return received -> {
            hintSeen.accept(received);
            for (ExternalPsk psk : keys) {
                if (!psk.isDestroyed()) {
                    return psk;
                }
            }
            return null;
        };
    }
}
