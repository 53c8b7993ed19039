package io.tlspsk.examples;

import io.tlspsk.handler.ExternalPsk;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code psk-tool load}: a load test of a psk-tool server on this machine; see {@link LoadTest}. */
@Command(name = "load", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Load test of a psk-tool server on this machine (loopback addresses only): --connections "
                + "connections, at most --concurrency at once, none started after --duration-seconds; each "
                + "handshakes, sends TEXT and a newline --messages times, each time waiting for the echo. The "
                + "connections take the keys in turn, one identity each (a --psk-file with many entries "
                + "exercises a server's key store). Prints handshakes/s, latency percentiles and failures by "
                + "cause, progress every --progress-seconds to standard error, and with --stats-port the "
                + "server's CPU time per handshake and per message. --hostile-percent P makes P %% of the "
                + "connections hostile, spread by --seed, the --hostile-kinds taking turns: wrong-key (known "
                + "identity, random key), unknown-identity, garbage (random bytes, no ClientHello), abort (valid "
                + "ClientHello, reset once the server answers), slowloris (half a ClientHello, then silence "
                + "until the server's handshake timeout, which must be shorter than --timeout-seconds). Honest "
                + "and hostile outcomes are reported apart."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {" 0:every honest connection succeeded and every hostile one was refused as a sound "
                + "server does",
            " 1:an honest connection failed, or a hostile one ended as a sound server never lets it",
            ExitCodes.USAGE_ENTRY})
final class LoadCommand extends ToolCommand {

    @Mixin
    ConnectOptions connect;

    @Mixin
    KeyOptions keys;

    @Mixin
    TlsOptions tls;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "" + LoadTest.DEFAULT_CONNECTIONS,
            description = {"Connections to make (default ${DEFAULT-VALUE})."})
    int connections;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "" + LoadTest.DEFAULT_CONCURRENCY,
            description = {"At most this many at once (default ${DEFAULT-VALUE})."})
    int concurrency;

    @Option(names = "--duration-seconds", paramLabel = "N", defaultValue = "" + LoadTest.DEFAULT_DURATION_SECONDS,
            description = {"No new connection after this (default ${DEFAULT-VALUE})."})
    int durationSeconds;

    @Option(names = "--message", paramLabel = "TEXT", defaultValue = "hello",
            description = {"What each connection sends, with a newline (default ${DEFAULT-VALUE})."})
    String message;

    @Option(names = "--messages", paramLabel = "N", defaultValue = "1",
            description = {"Messages per connection, each waiting for its echo (default ${DEFAULT-VALUE})."})
    int messages;

    @Option(names = "--warmup", paramLabel = "N|Ns",
            description = {"First run N honest connections (within --duration-seconds), or connections for N "
                    + "seconds ('Ns'), not counted: the JIT and the caches of both sides warm up."})
    String warmup;

    @Option(names = "--progress-seconds", paramLabel = "N", defaultValue = "5",
            description = {"Print progress to standard error every N seconds (default ${DEFAULT-VALUE}; 0: never)."})
    int progressSeconds;

    @Option(names = "--json", paramLabel = "FILE",
            description = {"Also write every figure to FILE as JSON."})
    Path json;

    @Option(names = "--stats-port", paramLabel = "N",
            description = {"The server's --stats-port: read its CPU time and counters before and after the "
                    + "measured phase."})
    Integer statsPort;

    @Option(names = "--hostile-percent", paramLabel = "P", defaultValue = "0",
            description = {"Make P %% of the connections hostile (default ${DEFAULT-VALUE})."})
    int hostilePercent;

    @Option(names = "--hostile-kinds", paramLabel = "KINDS",
            description = {"Comma-separated hostile kinds (default all: wrong-key,unknown-identity,garbage,abort,"
                    + "slowloris)."})
    String hostileKinds;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "" + LoadTest.DEFAULT_SEED,
            description = {"Seeds which connections are hostile and their garbage (default ${DEFAULT-VALUE})."})
    long seed;

    private InetAddress address;
    private LoadTest.Warmup warmupBound;
    private List<HostileKind> kinds = List.of(HostileKind.values());

    @Override
    void validate() throws UsageException {
        connect.validate();
        tls.validate();
        checkRange("--connections", connections, 1, LoadTest.MAX_CONNECTIONS);
        checkRange("--concurrency", concurrency, 1, LoadTest.MAX_CONCURRENCY);
        checkRange("--duration-seconds", durationSeconds, 1, MAX_SECONDS);
        checkRange("--messages", messages, 1, LoadTest.MAX_MESSAGES);
        checkRange("--progress-seconds", progressSeconds, 0, MAX_SECONDS);
        checkRange("--hostile-percent", hostilePercent, 0, 100);
        if (statsPort != null) {
            checkRange("--stats-port", statsPort, 1, 65535);
        }
        if (warmup != null) {
            warmupBound = LoadTest.Warmup.parse(warmup);
        }
        if (hostileKinds != null) {
            kinds = HostileKind.parseList(hostileKinds);
        }
        try {
            address = InetAddress.getByName(connect.host);
        } catch (UnknownHostException e) {
            throw new UsageException("--connect: unknown host " + connect.host);
        }
        if (!address.isLoopbackAddress()) {
            throw new UsageException("load only connects to loopback addresses (127.0.0.0/8, ::1, localhost), not "
                    + connect.host);
        }
    }

    /**
     * The run's settings with its keys (read here; the caller destroys them with
     * {@code options.keys.forEach(ExternalPsk::destroy)}).
     */
    LoadTest.Options options(Consumer<String> warn) throws UsageException {
        LoadTest.Options o = new LoadTest.Options();
        o.keys = keys.load(name(), KeyOptions.Repeats.SEVERAL_KEYS_PER_IDENTITY, warn);
        o.target = new InetSocketAddress(address, connect.port);
        o.contexts = psk -> connect.clientContext(List.of(psk), tls, hint -> { });
        o.message = message;
        o.messages = messages;
        o.timeoutSeconds = connect.timeoutSeconds;
        o.connections = connections;
        o.concurrency = concurrency;
        o.durationSeconds = durationSeconds;
        o.warmup = warmupBound;
        o.progressSeconds = progressSeconds;
        o.hostilePercent = hostilePercent;
        o.hostileKinds = kinds;
        o.seed = seed;
        o.statsPort = statsPort;
        return o;
    }

    @Override
    int run(ToolIo io) throws Exception {
        if (json != null) {
            try {
                Files.writeString(json, "", StandardCharsets.UTF_8); // can it be written? find out before the run
            } catch (IOException e) {
                throw new UsageException("--json " + json + ": cannot write it (" + HandshakeLines.message(e) + ")");
            }
        }
        LoadTest.Options o = options(io.err());
        try {
            LoadReport r = new LoadTest.Run(Transports.best(), o).execute(io.out(), io.err());
            if (json != null) {
                try {
                    Files.writeString(json, r.json(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    io.err().accept("psk-tool load: cannot write --json " + json + ": " + HandshakeLines.message(e));
                    return ExitCodes.FAILED;
                }
            }
            return r.isClean() ? ExitCodes.OK : ExitCodes.FAILED;
        } finally {
            o.keys.forEach(ExternalPsk::destroy);
        }
    }
}
