package io.tlspsk.examples;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The kinds of hostile connection {@code psk-tool load --hostile-percent} mixes among the honest ones, and the
 * outcomes a sound server gives each. None of them may ever complete a handshake.
 */
enum HostileKind {
    /** A real handshake offering a known identity (the first {@code --psk}) with a random key. */
    WRONG_KEY("wrong-key", EnumSet.of(HostileOutcome.REFUSED_WITH_ALERT)),
    /** A real handshake offering an identity the server does not know, with a random key. */
    UNKNOWN_IDENTITY("unknown-identity", EnumSet.of(HostileOutcome.REFUSED_WITH_ALERT)),
    /**
     * Random bytes instead of a ClientHello: either not TLS at all (the first byte is no TLS content type) or a
     * well-framed handshake record holding a ClientHello of random bytes. Either way the server can tell at once.
     */
    GARBAGE("garbage", EnumSet.of(HostileOutcome.REFUSED_WITH_ALERT, HostileOutcome.CLOSED_BY_SERVER)),
    /** A valid ClientHello, then an abrupt close (TCP RST) as soon as the server answers: mid-handshake. */
    ABORT("abort", EnumSet.of(HostileOutcome.ANSWERED_THEN_RESET)),
    /**
     * The first half of a valid ClientHello record, then silence: only the server's handshake timeout ends it,
     * so {@code --timeout-seconds} must be longer than the server's handshake timeout (10 s by default).
     */
    SLOWLORIS("slowloris", EnumSet.of(HostileOutcome.CLOSED_BY_SERVER, HostileOutcome.REFUSED_WITH_ALERT));

    private final String cliName;
    private final Set<HostileOutcome> expected;

    HostileKind(String cliName, Set<HostileOutcome> expected) {
        this.cliName = cliName;
        this.expected = expected;
    }

    /** The name on the command line ({@code --hostile-kinds}) and in the report. */
    String cliName() {
        return cliName;
    }

    /** True when a sound server ends a connection of this kind with {@code outcome}. */
    boolean isExpected(HostileOutcome outcome) {
        return expected.contains(outcome);
    }

    /** Every kind's name, comma-separated, in declaration order. */
    static String allNames() {
        List<String> names = new ArrayList<>();
        for (HostileKind k : values()) {
            names.add(k.cliName);
        }
        return String.join(",", names);
    }

    /** Parses a comma-separated {@code --hostile-kinds} value; each kind at most once. */
    static List<HostileKind> parseList(String value) throws UsageException {
        List<HostileKind> kinds = new ArrayList<>();
        for (String item : value.split(",", -1)) {
            String name = item.trim().toLowerCase(Locale.ROOT);
            HostileKind found = null;
            for (HostileKind k : values()) {
                if (k.cliName.equals(name)) {
                    found = k;
                }
            }
            if (found == null) {
                throw new UsageException("--hostile-kinds: unknown kind '" + item.trim() + "' (known: "
                        + allNames() + ")");
            }
            if (kinds.contains(found)) {
                throw new UsageException("--hostile-kinds lists " + name + " twice");
            }
            kinds.add(found);
        }
        return kinds;
    }
}
