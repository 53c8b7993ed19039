package io.tlspsk.examples;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code psk-tool}: a TLS-PSK echo server and client (TLS 1.3 external PSKs and the TLS 1.2 PSK suites) for trying
 * the library against real peers and devices, a key generator and a self-contained demo. Run without arguments for
 * the usage text.
 */
public final class PskTool {

    static final int EXIT_OK = 0;
    static final int EXIT_ERROR = 1;
    static final int EXIT_HANDSHAKE = 2;
    static final int EXIT_TIMEOUT = 3;
    static final int EXIT_USAGE = 64;

    static final String USAGE = String.join("\n",
            "usage: psk-tool <command> [options]",
            "",
            "  server --port N [--bind ADDR] --psk ID:HEXKEY[:sha256|sha384]... [--tls 1.2,1.3]",
            "         [--modes psk_dhe_ke,psk_ke] [--groups x25519,secp256r1,secp384r1] [--ciphers SUITE,...]",
            "         [--alpn p1,p2] [--hint TEXT] [--reject-unknown-identity] [--require-ems] [--allow-short-key]",
            "         [--handshake-timeout-seconds 10]",
            "      TLS-PSK echo server (bind defaults to 127.0.0.1; port 0 picks a free port). --psk may",
            "      repeat; one identity may have two keys (main and backup). Prints one line per handshake.",
            "      A connection whose handshake is not done within --handshake-timeout-seconds is closed.",
            "      --tls: versions to speak (default both, or those --ciphers has suites for; TLS 1.3 wins when",
            "      the client offers it). --reject-unknown-identity tells a client at once that its identity is",
            "      unknown (TLS 1.3 handshake_failure, TLS 1.2 unknown_psk_identity); by default it is answered",
            "      like a wrong key (decrypt_error; TLS 1.2: bad_record_mac at Finished). TLS 1.2 only: --hint",
            "      sends a PSK identity hint; --require-ems refuses peers without extended_master_secret.",
            "      Keys shorter than 16 bytes are refused (guessable offline from one recorded handshake, RFC 9257);",
            "      --allow-short-key accepts them for legacy devices (server and client).",
            "  client --connect HOST:PORT --psk ID:HEXKEY[:hash]... [--tls ...] [--modes ...] [--groups ...]",
            "         [--ciphers ...] [--alpn ...] [--server-name NAME] [--message TEXT] [--timeout-seconds N]",
            "         [--require-ems] [--allow-short-key]",
            "      Handshakes, sends TEXT and a newline (default \"hello\"), waits for the echo, closes.",
            "      In TLS 1.2 the first --psk is used; the server's identity hint is printed as hint=TEXT.",
            "      Exit 0 ok, 1 other error, 2 handshake failed, 3 timeout or connection refused.",
            "  load --connect HOST:PORT --psk ID:HEXKEY[:hash] [--connections 2000] [--concurrency 200]",
            "       [--duration-seconds 60] [--timeout-seconds 15] [--message TEXT] [--modes ...] [--ciphers ...]",
            "       [--hostile-percent 0] [--hostile-kinds " + HostileKind.allNames() + "]",
            "       [--seed 1] (and every other client option)",
            "      Load test of a psk-tool server on this machine (loopback addresses only): that many connections,",
            "      at most --concurrency at once, none started after --duration-seconds; each handshakes, sends",
            "      TEXT and waits for the echo. Prints handshakes/s, latency percentiles and failures by cause.",
            "      --hostile-percent P makes P % of them hostile, spread by --seed, the kinds taking turns:",
            "      wrong-key (known identity, random key), unknown-identity, garbage (random bytes, no ClientHello),",
            "      abort (valid ClientHello, reset once the server answers), slowloris (half a ClientHello, then",
            "      silence until the server's handshake timeout, which must be shorter than --timeout-seconds).",
            "      Honest and hostile outcomes are reported apart. Exit 0 when every honest connection succeeded",
            "      and every hostile one was refused as a sound server does, 1 otherwise.",
            "  genkey [--bytes N]",
            "      Prints a random key in lowercase hex (default 32 bytes).",
            "  demo",
            "      Server and client in one process: a psk_dhe_ke and a psk_ke handshake with echo.",
            "",
            "TLS 1.3 suites: TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256",
            "        TLS_AES_128_CCM_SHA256 TLS_AES_128_CCM_8_SHA256 (a sha384 key needs TLS_AES_256_GCM_SHA384).",
            "TLS 1.2 suites: TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
            "        TLS_PSK_WITH_AES_128_GCM_SHA256 TLS_PSK_WITH_AES_256_GCM_SHA384",
            "        TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 TLS_PSK_WITH_AES_128_CCM TLS_PSK_WITH_AES_128_CCM_8",
            "        TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256 TLS_PSK_WITH_AES_128_CBC_SHA256",
            "        TLS_DHE_PSK_WITH_AES_128_GCM_SHA256 TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
            "        TLS_DHE_PSK_WITH_AES_128_CCM.",
            "Groups: x25519 secp256r1 secp384r1 ffdhe2048 ffdhe3072 ffdhe4096; default --groups: the first five.",
            "        A DHE_PSK client also accepts a server's RFC 3526 MODP 2048/3072/4096 group, no other.",
            "Default --ciphers: every suite above, TLS 1.3 first, each list in the order shown.",
            "Bad arguments exit with 64.");

    private PskTool() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /**
     * Runs one command and returns its exit code. {@code server} returns only when its listening channel closes
     * or the calling thread is interrupted (which stops it).
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            out.println(USAGE);
            out.flush();
            return EXIT_OK;
        }
        if (args.length > 0 && args[0].equals("load")) {
            return LoadTest.run(args, out, err); // the client's options plus its own; see LoadTest.parse
        }
        ToolOptions o;
        try {
            o = ToolOptions.parse(args);
        } catch (UsageException e) {
            err.println("psk-tool: " + e.getMessage());
            err.println(USAGE);
            err.flush();
            return EXIT_USAGE;
        }
        Consumer<String> stdout = lines(out);
        Consumer<String> stderr = lines(err);
        try {
            switch (o.command) {
                case "genkey": return genkey(o, stdout);
                case "demo": return Demo.run(Transports.best(), stdout, stderr);
                case "server": return server(o, stdout);
                case "client": return client(o, stdout, stderr);
                default: throw new UsageException("unknown command: " + o.command);
            }
        } catch (UsageException e) {
            stderr.accept("psk-tool: " + e.getMessage());
            stderr.accept(USAGE);
            return EXIT_USAGE;
        } catch (Exception e) {
            stderr.accept("psk-tool " + o.command + ": " + HandshakeLines.message(e));
            return EXIT_ERROR;
        } finally {
            o.destroyKeys();
        }
    }

    private static int genkey(ToolOptions o, Consumer<String> out) {
        byte[] key = new byte[o.keyBytes];
        new SecureRandom().nextBytes(key);
        out.accept(Hex.encode(key));
        Arrays.fill(key, (byte) 0);
        return EXIT_OK;
    }

    private static int server(ToolOptions o, Consumer<String> out) throws Exception {
        Transports transports = Transports.best();
        try (EchoServer server = EchoServer.start(transports, o.serverContext(), o.bind, o.port, out)) {
            out.accept("listening on " + HandshakeLines.address(server.localAddress()));
            try {
                server.closeFuture().await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // asked to stop: close() below shuts down
            }
            return EXIT_OK;
        }
    }

    private static int client(ToolOptions o, Consumer<String> out, Consumer<String> err) throws UsageException {
        AtomicReference<String> hint = new AtomicReference<>(); // one connection: the hint of its handshake
        EchoClient.Result r = EchoClient.run(Transports.best(), o.clientContext(hint::set), o.connectHost,
                o.connectPort, o.message, Duration.ofSeconds(o.timeoutSeconds), hint::get, out, err);
        return r.exitCode;
    }

    /** Prints whole lines and flushes each, so that a reader of a pipe sees every line at once. */
    private static Consumer<String> lines(PrintStream stream) {
        return line -> {
            synchronized (stream) {
                stream.println(line);
                stream.flush();
            }
        };
    }
}
