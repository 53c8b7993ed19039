package io.tlspsk.examples;

import java.util.Arrays;
import java.util.Locale;

/**
 * Latencies of one kind (handshake, echo round trip) from a load run, in nanoseconds, for percentiles. Grows as
 * samples come, up to {@link #MAX_SAMPLES}; later samples are counted but not kept. Not thread-safe: the load run
 * adds under its own lock.
 */
final class LatencySamples {

    /** 8 bytes each: 40 MB at most per kind. */
    static final int MAX_SAMPLES = 5_000_000;

    private long[] nanos = new long[1024];
    private int size;
    private long dropped;

    void add(long sample) {
        if (size == MAX_SAMPLES) {
            dropped++;
            return;
        }
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, Math.min(MAX_SAMPLES, nanos.length * 2));
        }
        nanos[size++] = sample;
    }

    int size() {
        return size;
    }

    /** Samples beyond {@link #MAX_SAMPLES}, not kept. */
    long dropped() {
        return dropped;
    }

    /** The kept samples, sorted: what {@link #rank} reads. */
    long[] sorted() {
        long[] copy = Arrays.copyOf(nanos, size);
        Arrays.sort(copy);
        return copy;
    }

    /** {@code p50=.. p90=.. p99=.. max=.. (n=N)} in milliseconds, or {@code none}. */
    static String describe(long[] sorted) {
        if (sorted.length == 0) {
            return "none";
        }
        return String.format(Locale.ROOT, "p50=%.2f p90=%.2f p99=%.2f max=%.2f (n=%d)", millis(rank(sorted, 0.50)),
                millis(rank(sorted, 0.90)), millis(rank(sorted, 0.99)), millis(sorted[sorted.length - 1]),
                sorted.length);
    }

    /** Nearest-rank percentile of sorted values. */
    static long rank(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static double millis(long nanos) {
        return nanos / 1e6;
    }
}
