package io.tlspsk.examples;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The hostile side of a {@code psk-tool load} report: per kind, how many started and how each ended (outcome and,
 * for alerts, which alert). Thread-safe: connections on every event loop report here.
 */
final class HostileTally {

    /** One line of the report. */
    record Key(HostileKind kind, HostileOutcome outcome, String detail) {
        private static final Comparator<Key> ORDER = Comparator.comparing(Key::kind)
                .thenComparing(Key::outcome)
                .thenComparing(Key::detail, Comparator.nullsFirst(Comparator.naturalOrder()));
    }

    private final Map<HostileKind, Integer> started = new EnumMap<>(HostileKind.class);
    private final Map<Key, Integer> ended = new TreeMap<>(Key.ORDER);

    /** Counts a connection of {@code kind} as started. */
    synchronized void starting(HostileKind kind) {
        started.merge(kind, 1, Integer::sum);
    }

    /** Counts a connection of {@code kind} as ended with {@code outcome}; {@code detail} may be null. */
    synchronized void ended(HostileKind kind, HostileOutcome outcome, String detail) {
        ended.merge(new Key(kind, outcome, detail), 1, Integer::sum);
    }

    /** Counts the connections that started but never reported as {@link HostileOutcome#UNFINISHED}. */
    synchronized void endUnfinished() {
        for (Map.Entry<HostileKind, Integer> e : started.entrySet()) {
            int left = e.getValue() - endedOf(e.getKey());
            if (left > 0) {
                ended.merge(new Key(e.getKey(), HostileOutcome.UNFINISHED, null), left, Integer::sum);
            }
        }
    }

    /** Hostile connections started, all kinds. */
    synchronized int started() {
        return started.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Hostile connections ended so far, all kinds. */
    synchronized int endedCount() {
        return ended.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Connections of {@code kind} started. */
    synchronized int started(HostileKind kind) {
        return started.getOrDefault(kind, 0);
    }

    /** How many connections of {@code kind} ended with {@code outcome}, whatever the detail. */
    synchronized int count(HostileKind kind, HostileOutcome outcome) {
        int n = 0;
        for (Map.Entry<Key, Integer> e : ended.entrySet()) {
            if (e.getKey().kind() == kind && e.getKey().outcome() == outcome) {
                n += e.getValue();
            }
        }
        return n;
    }

    /** How many connections ended with an outcome a sound server does not give their kind. */
    synchronized int unexpected() {
        int n = 0;
        for (Map.Entry<Key, Integer> e : ended.entrySet()) {
            if (!e.getKey().kind().isExpected(e.getKey().outcome(), e.getKey().detail())) {
                n += e.getValue();
            }
        }
        return n;
    }

    /** A copy of how many started of each kind, in kind order. */
    synchronized Map<HostileKind, Integer> startedByKind() {
        return new EnumMap<>(started);
    }

    /** A copy of every line's count, in report order. */
    synchronized Map<Key, Integer> lines() {
        Map<Key, Integer> copy = new TreeMap<>(Key.ORDER);
        copy.putAll(ended);
        return copy;
    }

    /** Prints a summary line and one line per kind, outcome and alert; unexpected outcomes say so. */
    synchronized void print(Consumer<String> out) {
        List<String> perKind = new ArrayList<>();
        for (Map.Entry<HostileKind, Integer> e : started.entrySet()) {
            perKind.add(e.getKey().cliName() + " " + e.getValue());
        }
        out.accept(String.format(Locale.ROOT, "hostile: %d started (%s), %d unexpected outcomes", started(),
                String.join(", ", perKind), unexpected()));
        for (Map.Entry<Key, Integer> e : ended.entrySet()) {
            Key k = e.getKey();
            out.accept(String.format(Locale.ROOT, "  %6d  %s: %s%s%s", e.getValue(), k.kind().cliName(),
                    k.outcome().label(), k.detail() == null ? "" : " " + k.detail(),
                    k.kind().isExpected(k.outcome(), k.detail()) ? "" : "  UNEXPECTED"));
        }
    }

    private int endedOf(HostileKind kind) {
        int n = 0;
        for (Map.Entry<Key, Integer> e : ended.entrySet()) {
            if (e.getKey().kind() == kind) {
                n += e.getValue();
            }
        }
        return n;
    }
}
