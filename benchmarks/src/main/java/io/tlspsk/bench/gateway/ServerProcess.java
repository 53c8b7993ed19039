package io.tlspsk.bench.gateway;

import io.tlspsk.bench.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link GatewayServer} JVM started by the orchestrator: its command line (optionally under {@code taskset}),
 * its answers read from stdout with a bound on every wait, its stderr and other output in a log file, and its
 * end: QUIT, then the process by its pid if it does not exit in time.
 */
final class ServerProcess implements AutoCloseable {

    static final long START_TIMEOUT_MILLIS = 60_000;
    static final long EXIT_TIMEOUT_MILLIS = 10_000;

    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final Path log;
    private final int port;

    private ServerProcess(List<String> command, Path log) throws Exception {
        this.log = log;
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = pb.start();
        commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.US_ASCII);
        Thread reader = new Thread(this::readAnswers, "server-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            String ready = answer(START_TIMEOUT_MILLIS, "READY");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Json.parse(ready.substring("READY ".length()));
            port = ((Double) m.get("port")).intValue();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /**
     * Starts the server for {@code stack}: {@code java} with {@code jvmArgs}, under {@code taskset -c cpus} when
     * {@code cpus} is not null.
     */
    static ServerProcess start(GatewayStack stack, String java, List<String> jvmArgs, String classPath,
            CertificateFiles cert, String cpus, Path log) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (cpus != null) {
            cmd.addAll(List.of("taskset", "-c", cpus));
        }
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", classPath, GatewayServer.class.getName(), "--stack", stack.id(),
                "--cert", cert.certificate().toString(), "--key", cert.privateKey().toString()));
        Files.writeString(log, "# " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new ServerProcess(cmd, log);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    private void readAnswers() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.US_ASCII));
                Writer other = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("READY ") || line.startsWith("OK ") || line.startsWith("ERR ")) {
                    answers.add(line);
                } else {
                    other.write(line + "\n");
                    other.flush();
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private String answer(long millis, String command) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            String a = answers.poll(100, TimeUnit.MILLISECONDS);
            if (a != null) {
                if (a.startsWith("ERR ")) {
                    throw new IllegalStateException("server " + pid() + " answered " + command + " with " + a);
                }
                return a;
            }
            if (!process.isAlive() && answers.isEmpty()) {
                throw new IllegalStateException("server " + pid() + " exited (" + process.exitValue() + ") before "
                        + "answering " + command + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("server " + pid() + " did not answer " + command + " within "
                        + millis + " ms; see " + log);
            }
        }
    }

    /** Sends {@code command} and returns its answer's JSON object. */
    @SuppressWarnings("unchecked")
    Map<String, Object> command(String command, long timeoutMillis) throws Exception {
        commands.println(command);
        String a = answer(timeoutMillis, command);
        if (!a.startsWith("OK ")) {
            throw new IllegalStateException("server " + pid() + " answered " + command + " with " + a);
        }
        return (Map<String, Object>) Json.parse(a.substring(3));
    }

    /** QUIT, and if the JVM has not exited in time, its process by pid: first politely, then forcibly. */
    @Override
    public void close() {
        try {
            commands.println("QUIT");
            commands.close();
            if (process.waitFor(EXIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                return;
            }
            process.destroy();
            if (process.waitFor(EXIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
