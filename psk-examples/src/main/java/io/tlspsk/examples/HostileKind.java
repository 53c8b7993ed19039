package io.tlspsk.examples;

import io.tlspsk.codec.alert.AlertDescription;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The kinds of hostile connection {@code psk-tool load --hostile-percent} mixes among the honest ones, and the
 * outcomes a sound server gives each: for a refusal by alert, which alerts. None of them may ever complete a
 * handshake, and an alert not named here (internal_error above all) is not a sound refusal.
 */
enum HostileKind {
    /**
     * A real handshake offering a known identity (the first {@code --psk}) with a random key. Refused with
     * decrypt_error, the binder not verifying (RFC 8446 sections 4.2.11 and 6.2), or in TLS 1.2 with bad_record_mac,
     * the client's Finished not decrypting under the server's key (RFC 5246 section 7.2.2).
     */
    WRONG_KEY("wrong-key", EnumSet.noneOf(HostileOutcome.class),
            EnumSet.of(AlertDescription.DECRYPT_ERROR, AlertDescription.BAD_RECORD_MAC)),
    /**
     * A real handshake offering an identity the server does not know, with a random key. Refused in TLS 1.3 with
     * handshake_failure (no acceptable PSK) or decrypt_error (a server that answers as for a wrong key, so as not to
     * tell which identities exist); in TLS 1.2 with unknown_psk_identity (RFC 4279 section 2) or, hiding it the same
     * way, bad_record_mac at the Finished.
     */
    UNKNOWN_IDENTITY("unknown-identity", EnumSet.noneOf(HostileOutcome.class),
            EnumSet.of(AlertDescription.HANDSHAKE_FAILURE, AlertDescription.DECRYPT_ERROR,
                    AlertDescription.UNKNOWN_PSK_IDENTITY, AlertDescription.BAD_RECORD_MAC)),
    /**
     * Random bytes instead of a ClientHello: either not TLS at all (the first byte is no TLS content type) or a
     * well-framed handshake record holding a ClientHello of random bytes. Either way the server can tell at once:
     * unexpected_message for a record type or message it does not expect (RFC 8446 section 5), decode_error for
     * what does not parse, illegal_parameter or protocol_version for fields that parse to values it refuses,
     * handshake_failure when nothing offered is acceptable, record_overflow for an oversized record; or it just
     * closes.
     */
    GARBAGE("garbage", EnumSet.of(HostileOutcome.CLOSED_BY_SERVER),
            EnumSet.of(AlertDescription.UNEXPECTED_MESSAGE, AlertDescription.DECODE_ERROR,
                    AlertDescription.ILLEGAL_PARAMETER, AlertDescription.PROTOCOL_VERSION,
                    AlertDescription.HANDSHAKE_FAILURE, AlertDescription.RECORD_OVERFLOW)),
    /** A valid ClientHello, then an abrupt close (TCP RST) as soon as the server answers: mid-handshake. */
    ABORT("abort", EnumSet.of(HostileOutcome.ANSWERED_THEN_RESET), EnumSet.noneOf(AlertDescription.class)),
    /**
     * The first half of a valid ClientHello record, then silence: only the server's handshake timeout ends it,
     * so {@code --timeout-seconds} must be longer than the server's handshake timeout (10 s by default). The server
     * cancels with user_canceled (RFC 8446 section 6.1: the handshake cancelled for a reason unrelated to a protocol
     * failure, followed by close_notify), or just closes.
     */
    SLOWLORIS("slowloris", EnumSet.of(HostileOutcome.CLOSED_BY_SERVER), EnumSet.of(AlertDescription.USER_CANCELED));

    private final String cliName;
    /** Expected outcomes other than {@link HostileOutcome#REFUSED_WITH_ALERT}. */
    private final Set<HostileOutcome> expected;
    /** The alerts of a sound refusal; any other alert is unexpected. */
    private final Set<AlertDescription> soundAlerts;

    HostileKind(String cliName, Set<HostileOutcome> expected, Set<AlertDescription> soundAlerts) {
        this.cliName = cliName;
        this.expected = expected;
        this.soundAlerts = soundAlerts;
    }

    /** The name on the command line ({@code --hostile-kinds}) and in the report. */
    String cliName() {
        return cliName;
    }

    /**
     * True when a sound server ends a connection of this kind with {@code outcome}; for
     * {@link HostileOutcome#REFUSED_WITH_ALERT}, {@code alert} (the alert's RFC name, as the report shows it) must be
     * one of {@link #soundAlerts()}.
     */
    boolean isExpected(HostileOutcome outcome, String alert) {
        if (outcome == HostileOutcome.REFUSED_WITH_ALERT) {
            for (AlertDescription a : soundAlerts) {
                if (a.rfcName().equals(alert)) {
                    return true;
                }
            }
            return false;
        }
        return expected.contains(outcome);
    }

    /** The alerts a sound server refuses a connection of this kind with. */
    Set<AlertDescription> soundAlerts() {
        return Collections.unmodifiableSet(soundAlerts);
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
