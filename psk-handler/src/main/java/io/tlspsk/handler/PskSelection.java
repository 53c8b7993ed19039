package io.tlspsk.handler;

import java.util.List;
import java.util.Objects;

/**
 * A {@link PskSelector}'s answer: one offered identity with one or more candidate keys for it, or none.
 *
 * <p>Several candidates serve key rotation: a device's main and backup key share one identity, and the server
 * cannot know which one the device holds. The handler verifies the client's binder against each candidate, in
 * order, and uses the one that verifies; when none does, the handshake fails with {@code decrypt_error}.
 */
public final class PskSelection {

    private static final PskSelection NONE = new PskSelection(null, List.of());

    private final OfferedPsk offered;
    private final List<ExternalPsk> candidates;

    private PskSelection(OfferedPsk offered, List<ExternalPsk> candidates) {
        this.offered = offered;
        this.candidates = candidates;
    }

    /**
     * No acceptable PSK: every offered identity is unknown, and the handshake fails. By default the client cannot
     * tell this from a wrong key (TLS 1.3: {@code decrypt_error} after a decoy binder check; TLS 1.2:
     * {@code bad_record_mac} at its Finished); with {@link PskTlsContext.Builder#rejectUnknownIdentity} it is told at
     * once ({@code handshake_failure} in TLS 1.3, {@code unknown_psk_identity} in TLS 1.2). No
     * {@link PskAuthenticationFailedEvent} fires. A selection whose candidate keys have all been destroyed since is
     * treated the same way.
     */
    public static PskSelection none() {
        return NONE;
    }

    /**
     * Chooses {@code offered} with these candidate keys, tried in order.
     *
     * @throws IllegalArgumentException when there is no candidate, or a candidate's identity differs from the
     *         offered one
     */
    public static PskSelection of(OfferedPsk offered, List<ExternalPsk> candidates) {
        Objects.requireNonNull(offered, "offered");
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("at least one candidate key is needed");
        }
        for (ExternalPsk k : candidates) {
            if (!k.hasIdentity(offered.identityBytes())) {
                throw new IllegalArgumentException("candidate " + k + " does not have the offered identity");
            }
        }
        return new PskSelection(offered, List.copyOf(candidates));
    }

    /** Chooses {@code offered} with these candidate keys, tried in order. */
    public static PskSelection of(OfferedPsk offered, ExternalPsk... candidates) {
        return of(offered, List.of(candidates));
    }

    public boolean isNone() {
        return offered == null;
    }

    /** The chosen offered identity, or {@code null} for {@link #none()}. */
    public OfferedPsk offered() {
        return offered;
    }

    public List<ExternalPsk> candidates() {
        return candidates;
    }
}
