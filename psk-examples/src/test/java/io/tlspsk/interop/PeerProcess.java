package io.tlspsk.interop;

import io.tlspsk.testing.InteropPeer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

/**
 * An external peer program (openssl, gnutls-cli, ...) started without a shell. Its stdin stays open through a
 * pipe this object holds (OpenSSL's s_server exits when stdin closes); stdout and stderr are merged and collected
 * into a buffer tests can read and wait on. {@link #close()} stops the process it started, and that process's
 * descendants, by process id: destroy, a bounded wait, then destroyForcibly.
 */
public final class PeerProcess implements AutoCloseable {

    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final Process process;
    private final OutputStream stdin;
    private final Thread reader;
    private final OutputBuffer output = new OutputBuffer();
    private boolean stdinClosed;

    private PeerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.reader = new Thread(this::pump, "peer-output-" + name + "-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts {@code command} (program and arguments, no shell). */
    public static PeerProcess start(String... command) throws IOException {
        return start(List.of(command));
    }

    /**
     * Starts {@code command}; a bare program name is resolved where {@link InteropPeer} looks, so that
     * {@code -Dinterop.path} decides which programs the tests run, not only which they find.
     */
    public static PeerProcess start(List<String> command) throws IOException {
        List<String> argv = new ArrayList<>(command);
        if (!argv.get(0).contains(File.separator)) {
            argv.set(0, InteropPeer.locate(argv.get(0)).map(Path::toString).orElse(argv.get(0)));
        }
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        String name = new File(command.get(0)).getName();
        return new PeerProcess(name, pb.start());
    }

    /**
     * True when {@code program} is an executable file where {@link InteropPeer} looks for peers. Tests say which peer
     * they need with {@link io.tlspsk.testing.RequiresPeer} rather than asking this.
     */
    public static boolean onPath(String program) {
        return InteropPeer.locate(program).isPresent();
    }

    public long pid() {
        return process.pid();
    }

    /** Everything the process wrote so far, stdout and stderr merged. */
    public String output() {
        return output.text();
    }

    /** Writes {@code line} and a newline to the process's stdin and flushes. */
    public void writeLine(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Closes the process's stdin (end of input). */
    public void closeStdin() {
        if (!stdinClosed) {
            stdinClosed = true;
            try {
                stdin.close();
            } catch (IOException ignored) {
                // the process is gone already
            }
        }
    }

    /**
     * Waits until the output contains a match of {@code regex} (searched across lines, MULTILINE) and returns
     * the match.
     *
     * @throws AssertionError with the output so far when it does not appear in time or the process ends first
     */
    public Matcher awaitOutput(String regex, Duration timeout) throws InterruptedException {
        return output.await(regex, timeout, () -> process.isAlive() || reader.isAlive(),
                this + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")"));
    }

    /** Waits until a TCP connection to 127.0.0.1:{@code port} is accepted (each probe is one short connection). */
    public void awaitPort(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new AssertionError(name + ": port " + port + " not accepting within " + timeout
                            + "; output:\n" + output());
                }
                Thread.sleep(50);
            }
        }
    }

    /** Waits, bounded, for the process to exit and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still running after " + timeout + "; output:\n" + output());
        }
        reader.join(1_000); // let the last output arrive
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the process this object started and its descendants: destroy, wait, destroyForcibly. */
    @Override
    public void close() {
        closeStdin();
        ProcessHandle handle = process.toHandle();
        List<ProcessHandle> descendants = handle.descendants().toList();
        for (ProcessHandle d : descendants) {
            d.destroy();
        }
        handle.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                handle.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            for (ProcessHandle d : descendants) {
                if (d.isAlive()) {
                    d.destroyForcibly();
                }
            }
            reader.join(1_000);
        } catch (InterruptedException e) {
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void pump() {
        byte[] buf = new byte[4096];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                output.write(buf, 0, n);
            }
        } catch (IOException ignored) {
            // the stream closes when the process ends
        } finally {
            output.end();
        }
    }

    @Override
    public String toString() {
        return name + "[" + process.pid() + "]";
    }
}
