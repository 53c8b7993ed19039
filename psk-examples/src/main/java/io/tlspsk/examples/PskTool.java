package io.tlspsk.examples;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * {@code psk-tool}: a TLS 1.3 external-PSK echo server and client for trying the library against real peers and
 * devices, a key generator and a self-contained demo. Run without arguments for the usage text.
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
            "  server --port N [--bind ADDR] --psk ID:HEXKEY[:sha256|sha384]... [--modes psk_dhe_ke,psk_ke]",
            "         [--groups x25519,secp256r1,secp384r1] [--ciphers SUITE,...] [--alpn p1,p2]",
            "      TLS 1.3 PSK echo server (bind defaults to 127.0.0.1; port 0 picks a free port). --psk may",
            "      repeat; one identity may have two keys (main and backup). Prints one line per handshake.",
            "  client --connect HOST:PORT --psk ID:HEXKEY[:hash]... [--modes ...] [--groups ...] [--ciphers ...]",
            "         [--alpn ...] [--server-name NAME] [--message TEXT] [--timeout-seconds N]",
            "      Handshakes, sends TEXT and a newline (default \"hello\"), waits for the echo, closes.",
            "      Exit 0 ok, 1 other error, 2 handshake failed, 3 timeout or connection refused.",
            "  genkey [--bytes N]",
            "      Prints a random key in lowercase hex (default 32 bytes).",
            "  demo",
            "      Server and client in one process: a psk_dhe_ke and a psk_ke handshake with echo.",
            "",
            "Suites: TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256",
            "        TLS_AES_128_CCM_SHA256 TLS_AES_128_CCM_8_SHA256 (a sha384 key needs TLS_AES_256_GCM_SHA384).",
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
        EchoClient.Result r = EchoClient.run(Transports.best(), o.clientContext(), o.connectHost, o.connectPort,
                o.message, Duration.ofSeconds(o.timeoutSeconds), out, err);
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
