package io.tlspsk.examples;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskHintCallback;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.TlsVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The parsed command line of {@code psk-tool}: a subcommand and its options, checked for that subcommand.
 * Options take {@code --name value} or {@code --name=value}; list options take comma-separated values; flags
 * ({@link #FLAGS}) take no value.
 * {@link #toString()} never shows key material.
 */
final class ToolOptions {

    static final String DEFAULT_BIND = "127.0.0.1";
    static final String DEFAULT_MESSAGE = "hello";
    static final int DEFAULT_TIMEOUT_SECONDS = 15;
    static final int DEFAULT_KEY_BYTES = 32;
    static final int MIN_KEY_BYTES = 16;
    static final int MAX_KEY_BYTES = 1024;
    static final int MAX_TIMEOUT_SECONDS = 3600;

    /** Options that take no value: present means on. */
    static final Set<String> FLAGS = Set.of("--reject-unknown-identity", "--require-ems", "--allow-short-key");

    private static final Set<String> SERVER_OPTIONS = Set.of("--port", "--bind", "--psk", "--tls", "--modes",
            "--groups", "--ciphers", "--alpn", "--hint", "--reject-unknown-identity", "--require-ems",
            "--allow-short-key", "--handshake-timeout-seconds");
    private static final Set<String> CLIENT_OPTIONS = Set.of("--connect", "--psk", "--tls", "--modes", "--groups",
            "--ciphers", "--alpn", "--server-name", "--message", "--timeout-seconds", "--require-ems",
            "--allow-short-key");
    private static final Set<String> GENKEY_OPTIONS = Set.of("--bytes");

    final String command;
    int port = -1;
    String bind = DEFAULT_BIND;
    String connectHost;
    int connectPort = -1;
    final List<ExternalPsk> psks = new ArrayList<>();
    /** {@code --tls}: null means the library default (every version the configured suites allow). */
    List<TlsVersion> protocols;
    List<PskKeyExchangeMode> modes;
    List<NamedGroup> groups;
    List<CipherSuite> ciphers;
    List<String> alpn;
    String serverName;
    String hint;
    boolean rejectUnknownIdentity;
    boolean requireEms;
    /** {@code --allow-short-key}: accept keys under 16 bytes (legacy devices); applies to every --psk given. */
    boolean allowShortKey;
    String message = DEFAULT_MESSAGE;
    int timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
    /**
     * Server {@code --handshake-timeout-seconds}: how long a connection may take to complete its handshake before the
     * server closes it; 0 means the library default ({@link PskTlsContext#DEFAULT_HANDSHAKE_TIMEOUT}).
     */
    int handshakeTimeoutSeconds;
    int keyBytes = DEFAULT_KEY_BYTES;

    private ToolOptions(String command) {
        this.command = command;
    }

    /** Parses and checks a whole command line, subcommand first. */
    static ToolOptions parse(String... args) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("no command given");
        }
        String command = args[0];
        Set<String> allowed;
        switch (command) {
            case "server": allowed = SERVER_OPTIONS; break;
            case "client": allowed = CLIENT_OPTIONS; break;
            case "genkey": allowed = GENKEY_OPTIONS; break;
            case "demo": allowed = Set.of(); break;
            default: throw new UsageException("unknown command: " + command);
        }
        ToolOptions o = new ToolOptions(command);
        // --allow-short-key governs every --psk, wherever it appears on the line, so it is read first.
        o.allowShortKey = allowed.contains("--allow-short-key") && Arrays.asList(args).contains("--allow-short-key");
        Set<String> pskSeen = new HashSet<>();
        for (int i = 1; i < args.length; i++) {
            String name = args[i];
            String value;
            int eq = name.indexOf('=');
            if (FLAGS.contains(name)) {
                if (!allowed.contains(name)) {
                    throw new UsageException("unknown option for " + command + ": " + name);
                }
                o.setFlag(name);
                continue;
            }
            if (name.startsWith("--") && eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (!allowed.contains(name)) {
                    throw new UsageException("unknown option for " + command + ": " + name);
                }
                if (i + 1 >= args.length) {
                    throw new UsageException(name + " needs a value");
                }
                value = args[++i];
            }
            if (!allowed.contains(name)) {
                throw new UsageException("unknown option for " + command + ": " + name);
            }
            if (FLAGS.contains(name)) {
                throw new UsageException(name + " takes no value");
            }
            o.set(name, value, pskSeen);
        }
        o.check();
        return o;
    }

    private void set(String name, String value, Set<String> pskSeen) throws UsageException {
        switch (name) {
            case "--port": port = parseInt(name, value, 0, 65535); break;
            case "--bind": bind = requireText(name, value); break;
            case "--connect": parseConnect(value); break;
            case "--psk": addPsk(value, pskSeen); break;
            case "--tls": protocols = parseList(name, value, TlsVersion::byName); break;
            case "--hint": hint = requireText(name, value); break;
            case "--modes": modes = parseList(name, value, PskKeyExchangeMode::byName); break;
            case "--groups": groups = parseList(name, value, NamedGroup::byName); break;
            case "--ciphers": ciphers = parseList(name, value, CipherSuite::byName); break;
            case "--alpn": alpn = parseList(name, value, Function.identity()); break;
            case "--server-name": serverName = requireText(name, value); break;
            case "--message": message = value; break;
            case "--timeout-seconds": timeoutSeconds = parseInt(name, value, 1, MAX_TIMEOUT_SECONDS); break;
            case "--handshake-timeout-seconds":
                handshakeTimeoutSeconds = parseInt(name, value, 1, MAX_TIMEOUT_SECONDS);
                break;
            case "--bytes": keyBytes = parseInt(name, value, MIN_KEY_BYTES, MAX_KEY_BYTES); break;
            default: throw new UsageException("unknown option: " + name);
        }
    }

    private void setFlag(String name) {
        switch (name) {
            case "--reject-unknown-identity": rejectUnknownIdentity = true; break;
            case "--allow-short-key": allowShortKey = true; break;
            default: requireEms = true; break;
        }
    }

    private void addPsk(String spec, Set<String> seen) throws UsageException {
        ExternalPsk psk = PskSpec.parse(spec, allowShortKey);
        String id = psk.identityAsString();
        boolean client = "client".equals(command);
        // A client offers each identity once. A server may hold two keys for one identity (main and backup),
        // but the very same spec twice is a mistake. The normalized spec is only compared, never printed.
        String hex = spec.substring(id.length() + 1).split(":", -1)[0].toLowerCase(Locale.ROOT);
        String key = client ? id : id + '\0' + psk.hash() + '\0' + hex;
        if (!seen.add(key)) {
            psk.destroy();
            throw new UsageException(client ? "--psk " + id + " is given twice; a client offers each identity once"
                    : "--psk " + id + ": the same key is given twice");
        }
        psks.add(psk);
    }

    private void parseConnect(String value) throws UsageException {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new UsageException("--connect needs HOST:PORT");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        connectHost = requireText("--connect", host);
        connectPort = parseInt("--connect", value.substring(colon + 1), 1, 65535);
    }

    private void check() throws UsageException {
        switch (command) {
            case "server":
                if (port < 0) {
                    throw new UsageException("server needs --port N (0 picks a free port)");
                }
                if (psks.isEmpty()) {
                    throw new UsageException("server needs at least one --psk ID:HEXKEY[:hash]");
                }
                break;
            case "client":
                if (connectHost == null) {
                    throw new UsageException("client needs --connect HOST:PORT");
                }
                if (psks.isEmpty()) {
                    throw new UsageException("client needs at least one --psk ID:HEXKEY[:hash]");
                }
                break;
            default:
                break;
        }
    }

    /** The server context these options describe; library defaults where an option is absent. */
    PskTlsContext serverContext() throws UsageException {
        PskTlsContext.Builder b = PskTlsContext.forServer(psks.toArray(new ExternalPsk[0]));
        if (hint != null) {
            b.identityHint(hint);
        }
        b.rejectUnknownIdentity(rejectUnknownIdentity);
        if (handshakeTimeoutSeconds > 0) {
            b.handshakeTimeout(Duration.ofSeconds(handshakeTimeoutSeconds));
        }
        return build(b);
    }

    /** The client context these options describe; the handshake timeout is the overall client timeout. */
    PskTlsContext clientContext() throws UsageException {
        return clientContext(received -> { });
    }

    /**
     * As {@link #clientContext()}, and tells {@code hintSeen} the TLS 1.2 identity hint of each handshake (null when
     * the server sent none) before the PSK is chosen. The first PSK given is used whatever the hint, as by default.
     */
    PskTlsContext clientContext(Consumer<String> hintSeen) throws UsageException {
        return clientContext(psks, hintSeen);
    }

    /**
     * A client context with every option of this command line but offering only {@code psk} instead of the
     * {@code --psk} keys: {@code psk-tool load}'s hostile connections use it to offer a wrong key or an unknown
     * identity in otherwise ordinary handshakes. The caller owns {@code psk} and destroys it.
     */
    PskTlsContext clientContextOffering(ExternalPsk psk) throws UsageException {
        return clientContext(List.of(psk), received -> { });
    }

    private PskTlsContext clientContext(List<ExternalPsk> offered, Consumer<String> hintSeen) throws UsageException {
        PskTlsContext.Builder b = PskTlsContext.forClient();
        for (ExternalPsk psk : offered) {
            b.addPsk(psk);
        }
        if (serverName != null) {
            b.serverName(serverName);
        }
        b.pskForHint(firstPskAfter(offered, hintSeen));
        b.handshakeTimeout(Duration.ofSeconds(timeoutSeconds));
        return build(b);
    }

    private static PskHintCallback firstPskAfter(List<ExternalPsk> offered, Consumer<String> hintSeen) {
        List<ExternalPsk> keys = List.copyOf(offered);
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

    private PskTlsContext build(PskTlsContext.Builder b) throws UsageException {
        if (protocols != null) {
            b.protocols(protocols.toArray(new TlsVersion[0]));
        }
        b.requireExtendedMasterSecret(requireEms);
        if (ciphers != null) {
            b.cipherSuites(ciphers.toArray(new CipherSuite[0]));
        }
        if (modes != null) {
            b.keyExchangeModes(modes.toArray(new PskKeyExchangeMode[0]));
        }
        if (groups != null) {
            b.groups(groups.toArray(new NamedGroup[0]));
        }
        if (alpn != null) {
            b.applicationProtocols(alpn.toArray(new String[0]));
        }
        try {
            return b.build();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Zeroes the secrets these options hold (the contexts built from them keep working only until then). */
    void destroyKeys() {
        for (ExternalPsk psk : psks) {
            psk.destroy();
        }
    }

    private static <T> List<T> parseList(String name, String value, Function<String, T> parser)
            throws UsageException {
        List<T> out = new ArrayList<>();
        for (String item : value.split(",", -1)) {
            String s = item.trim();
            if (s.isEmpty()) {
                throw new UsageException(name + " has an empty item: '" + value + "'");
            }
            T parsed;
            try {
                parsed = parser.apply(s);
            } catch (IllegalArgumentException e) {
                throw new UsageException(name + ": " + e.getMessage());
            }
            if (out.contains(parsed)) {
                throw new UsageException(name + " lists " + s + " twice");
            }
            out.add(parsed);
        }
        return out;
    }

    private static int parseInt(String name, String value, int min, int max) throws UsageException {
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a number: '" + value + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(name + " must be between " + min + " and " + max + ": " + n);
        }
        return n;
    }

    private static String requireText(String name, String value) throws UsageException {
        if (value.isBlank()) {
            throw new UsageException(name + " needs a non-empty value");
        }
        return value.trim();
    }

    @Override
    public String toString() {
        return "ToolOptions(" + command + ", psks=" + psks + ", tls=" + protocols + ", modes=" + modes
                + ", groups=" + groups + ", ciphers=" + ciphers + ", alpn=" + alpn + ")";
    }
}
