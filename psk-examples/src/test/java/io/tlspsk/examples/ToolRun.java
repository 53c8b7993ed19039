package io.tlspsk.examples;

import io.tlspsk.interop.OutputBuffer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;

/**
 * {@code psk-tool} run in this JVM on its own thread ({@link PskTool#run}), its stdout and stderr captured. A
 * {@code server} run stops when the thread is interrupted, which {@link #close()} does.
 */
final class ToolRun implements AutoCloseable {

    private final String[] args;
    private final OutputBuffer out = new OutputBuffer();
    private final OutputBuffer err = new OutputBuffer();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Thread thread;

    private final TestInput in;

    private ToolRun(TestInput in, String... args) {
        this.in = in;
        this.args = args.clone();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        thread = new Thread(() -> {
            try {
                exit.complete(PskTool.run(this.args, in, o, e));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            } finally {
                out.end();
                err.end();
            }
        }, "psk-tool-" + args[0]);
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts a run whose standard input is empty. */
    static ToolRun start(String... args) {
        TestInput in = new TestInput();
        in.close();
        return new ToolRun(in, args);
    }

    /** Starts a run whose standard input the test feeds through {@link #input()}. */
    static ToolRun withInput(String... args) {
        return new ToolRun(new TestInput(), args);
    }

    /** The run's standard input. */
    TestInput input() {
        return in;
    }

    /** Waits until standard error has a match of {@code regex}. */
    Matcher awaitError(String regex, Duration timeout) throws InterruptedException {
        return err.await(regex, timeout, thread::isAlive, describe());
    }

    Matcher awaitOutput(String regex, Duration timeout) throws InterruptedException {
        return out.await(regex, timeout, thread::isAlive, describe());
    }

    /** Waits, bounded, for the run to end and returns its exit code. */
    int awaitExit(Duration timeout) throws Exception {
        try {
            return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(describe() + " did not end within " + timeout + "; stdout:\n" + out.text()
                    + "\nstderr:\n" + err.text());
        }
    }

    String out() {
        return out.text();
    }

    String err() {
        return err.text();
    }

    String describe() {
        return "psk-tool " + String.join(" ", args).replaceAll("[0-9a-fA-F]{16,}", "<key>");
    }

    /** Interrupts the run (a server stops) and waits, bounded, for its thread. */
    @Override
    public void close() {
        in.close();
        thread.interrupt();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
