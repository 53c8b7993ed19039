package io.tlspsk.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A ratio between two stacks measured side by side in several rounds (each round runs every stack once, in
 * alternating order): the ratio of each round, their median, and their spread (min..max). On a shared machine a
 * single ratio can be off by 30 % or more; the spread says how far one run can be trusted, and a target is only
 * called met (or missed) when the whole spread is on one side of it.
 */
public final class RoundRatio {

    /** Fewer rounds than this decide nothing: one pair of numbers has no spread to judge it by. */
    public static final int MIN_ROUNDS_TO_DECIDE = 2;

    /** Where a ratio stands against its target. */
    public enum Verdict {
        MET("**met**"),
        NOT_MET("not met"),
        NOT_DECIDED("not decided");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        /** How the reports print it: met in bold, the others plain. */
        public String text() {
            return text;
        }
    }

    private final List<Double> perRound;
    private final double median;

    private RoundRatio(List<Double> perRound) {
        this.perRound = List.copyOf(perRound);
        this.median = median(perRound);
    }

    /**
     * The ratio {@code numerator / denominator} per round, for the rounds both were measured in (a round that
     * lacks either value, or has a non-positive or NaN one, is left out). Null when no round has both.
     */
    public static RoundRatio of(Map<Integer, Double> numerator, Map<Integer, Double> denominator) {
        List<Double> ratios = new ArrayList<>();
        for (Map.Entry<Integer, Double> e : new TreeMap<>(numerator).entrySet()) {
            Double n = e.getValue();
            Double d = denominator.get(e.getKey());
            if (n != null && d != null && n > 0 && d > 0 && !n.isNaN() && !d.isNaN()) {
                ratios.add(n / d);
            }
        }
        return ratios.isEmpty() ? null : new RoundRatio(ratios);
    }

    /** A ratio from per-round values already divided. */
    public static RoundRatio ofRatios(List<Double> perRound) {
        if (perRound.isEmpty()) {
            throw new IllegalArgumentException("no rounds");
        }
        return new RoundRatio(perRound);
    }

    /** The median of {@code values} (the mean of the middle two for an even count); NaN when empty. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    public double median() {
        return median;
    }

    public double min() {
        return Collections.min(perRound);
    }

    public double max() {
        return Collections.max(perRound);
    }

    public int rounds() {
        return perRound.size();
    }

    public List<Double> perRound() {
        return perRound;
    }

    /** Target "at least {@code target}": met only when every round reached it, not met when none did. */
    public Verdict atLeast(double target) {
        if (rounds() < MIN_ROUNDS_TO_DECIDE) {
            return Verdict.NOT_DECIDED;
        }
        if (min() >= target) {
            return Verdict.MET;
        }
        return max() < target ? Verdict.NOT_MET : Verdict.NOT_DECIDED;
    }

    /** Target "at most {@code target}": met only when every round stayed within it, not met when none did. */
    public Verdict atMost(double target) {
        if (rounds() < MIN_ROUNDS_TO_DECIDE) {
            return Verdict.NOT_DECIDED;
        }
        if (max() <= target) {
            return Verdict.MET;
        }
        return min() > target ? Verdict.NOT_MET : Verdict.NOT_DECIDED;
    }

    /** "1.27x (1.20–1.31, 3 rounds)", or "1.27x (1 round)". */
    public String describe() {
        if (rounds() == 1) {
            return String.format(Locale.ROOT, "%.2fx (1 round)", median);
        }
        return String.format(Locale.ROOT, "%.2fx (%.2f–%.2f, %d rounds)", median, min(), max(), rounds());
    }

    /** "1.27 (1.20–1.31)" for table cells; "1.27" for one round. */
    public String cell() {
        if (rounds() == 1) {
            return String.format(Locale.ROOT, "%.2f", median);
        }
        return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", median, min(), max());
    }

    @Override
    public String toString() {
        return describe();
    }
}
