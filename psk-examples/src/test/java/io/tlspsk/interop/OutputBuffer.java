package io.tlspsk.interop;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Collected output of a peer process or an in-process tool run: written from one thread, read and waited on by
 * tests in another.
 */
public final class OutputBuffer extends OutputStream {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean ended;

    @Override
    public synchronized void write(int b) {
        bytes.write(b);
        notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        bytes.write(b, off, len);
        notifyAll();
    }

    /** No more output will come (the writer is gone); wakes waiters so they fail fast. */
    public synchronized void end() {
        ended = true;
        notifyAll();
    }

    /** Everything written so far, as UTF-8. */
    public synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Waits until the text contains a match of {@code regex} (MULTILINE: {@code ^} and {@code $} match at lines).
     *
     * @param alive   false once the writer can no longer produce output (then waiting stops early)
     * @param subject names the writer in the failure message
     * @throws AssertionError with the text so far when no match appears in time
     */
    public Matcher await(String regex, Duration timeout, BooleanSupplier alive, String subject)
            throws InterruptedException {
        Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                Matcher m = pattern.matcher(text());
                if (m.find()) {
                    return m;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || (ended && !alive.getAsBoolean())) {
                    throw new AssertionError(subject + ": no output matching /" + regex + "/ "
                            + (left <= 0 ? "within " + timeout : "before it ended") + "; output:\n" + text());
                }
                wait(Math.min(left, 100));
            }
        }
    }
}
