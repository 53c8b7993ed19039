package io.tlspsk.handler.store;

import io.tlspsk.codec.crypto.HashAlgorithm;
import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link RotatingPskStore} holds for one identity, without the keys: the hash its keys are bound to, the main
 * key's label and, if there is one, the backup key's, each with its creation time where the store records it.
 */
public final class PskKeyInfo {

    private final PskIdentity identity;
    private final HashAlgorithm hash;
    private final KeyLabel main;
    private final Instant mainCreated;
    private final KeyLabel backup;
    private final Instant backupCreated;

    /**
     * @param mainCreated {@code null} when the store does not know
     * @param backup {@code null} when the identity has no backup key
     */
    public PskKeyInfo(PskIdentity identity, HashAlgorithm hash, KeyLabel main, Instant mainCreated, KeyLabel backup,
                      Instant backupCreated) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.hash = Objects.requireNonNull(hash, "hash");
        this.main = Objects.requireNonNull(main, "main");
        this.mainCreated = mainCreated;
        this.backup = backup;
        this.backupCreated = backup == null ? null : backupCreated;
    }

    public PskIdentity identity() {
        return identity;
    }

    public HashAlgorithm hash() {
        return hash;
    }

    /** The main key's label ({@code main-N}). */
    public KeyLabel main() {
        return main;
    }

    /** When the main key was created (staged or added), or {@code null} when the store does not record it. */
    public Instant mainCreated() {
        return mainCreated;
    }

    /** The backup key's label ({@code backup-N}), or {@code null}. */
    public KeyLabel backup() {
        return backup;
    }

    /** When the backup key was created, or {@code null}. */
    public Instant backupCreated() {
        return backupCreated;
    }

    /** {@code dev1 sha256 main-3 backup-4}: the identity and labels, never a key. */
    @Override
    public String toString() {
        return identity.asString() + " " + hash.name().toLowerCase(java.util.Locale.ROOT) + " " + main
                + (backup != null ? " " + backup : "");
    }
}
