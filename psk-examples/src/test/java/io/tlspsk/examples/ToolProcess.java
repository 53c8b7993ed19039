package io.tlspsk.examples;

import io.tlspsk.interop.OutputBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

/**
 * {@code psk-tool} in a JVM of its own ({@code java -cp <the test class path> io.tlspsk.examples.PskTool ...}),
 * as a user runs it: real standard input, output and error (kept apart), {@code main}'s exit code, signals.
 * {@link #close()} stops the process by its own id.
 */
final class ToolProcess implements AutoCloseable {

    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final OutputBuffer out = new OutputBuffer();
    private final OutputBuffer err = new OutputBuffer();
    private final List<Thread> pumps = new ArrayList<>();

    private ToolProcess(Process process) {
        this.process = process;
        pumps.add(pump(process.getInputStream(), out, "stdout"));
        pumps.add(pump(process.getErrorStream(), err, "stderr"));
    }

    static ToolProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PskTool.class.getName()));
        command.addAll(List.of(args));
        return new ToolProcess(new ProcessBuilder(command).start());
    }

    private Thread pump(InputStream from, OutputBuffer to, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (from) {
                for (int n = from.read(buf); n >= 0; n = from.read(buf)) {
                    to.write(buf, 0, n);
                }
            } catch (IOException ignored) {
                // the process ended
            } finally {
                to.end();
            }
        }, "psk-tool-" + process.pid() + "-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Writes to the process's standard input. */
    void write(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Ends the process's standard input. */
    void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    Matcher awaitOutput(String regex, Duration timeout) throws InterruptedException {
        return out.await(regex, timeout, process::isAlive, "psk-tool[" + process.pid() + "] stdout");
    }

    Matcher awaitError(String regex, Duration timeout) throws InterruptedException {
        return err.await(regex, timeout, process::isAlive, "psk-tool[" + process.pid() + "] stderr");
    }

    /** Waits, bounded, for the process to exit; returns its exit code once its output is all read. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("psk-tool still running after " + timeout + "; stdout:\n" + out.text()
                    + "\nstderr:\n" + err.text());
        }
        for (Thread t : pumps) {
            t.join(2_000);
        }
        return process.exitValue();
    }

    /**
     * Asks the process to stop as kill would (SIGTERM); see {@link #awaitExit}. Through its handle: {@link
     * Process#destroy()} would also close our ends of its output pipes, losing what it prints while stopping.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    String out() {
        return out.text();
    }

    String err() {
        return err.text();
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
