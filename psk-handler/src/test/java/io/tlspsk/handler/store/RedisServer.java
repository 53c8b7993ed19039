package io.tlspsk.handler.store;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, without persistence ({@code --save '' --appendonly no}), started
 * and stopped by its own process id. {@link #kill()} and {@link #restart()} simulate Redis going away and coming back
 * on the same port.
 */
public final class RedisServer implements AutoCloseable {

    public static final String PROGRAM = "redis-server";

    public final int port;
    private final List<String> extraArguments;
    private Process process;

    private RedisServer(int port, List<String> extraArguments) throws IOException, InterruptedException {
        this.port = port;
        this.extraArguments = extraArguments;
        launch();
    }

    /** True when {@code program} is an executable on the PATH (the tests that need it are skipped otherwise). */
    public static boolean peerAvailable(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }

    public static RedisServer start() throws IOException, InterruptedException {
        return new RedisServer(freePort(), List.of());
    }

    /** A server with more command-line arguments (cluster mode, a working directory). */
    static RedisServer start(String... extraArguments) throws IOException, InterruptedException {
        return new RedisServer(freePort(), List.of(extraArguments));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    private void launch() throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(PROGRAM, "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
        command.addAll(extraArguments);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    process.destroyForcibly();
                    throw new IOException("redis-server did not accept on port " + port);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Kills the server at once (SIGKILL), as a crash would, and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts a new server on the same port (empty: nothing was persisted). */
    public void restart() throws IOException, InterruptedException {
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
