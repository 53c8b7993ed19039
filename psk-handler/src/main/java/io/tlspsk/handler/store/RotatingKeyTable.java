package io.tlspsk.handler.store;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The main/backup state machine of {@link RotatingPskStore} over a {@link PackedKeyTable}, synchronous: each
 * operation is one atomic {@link PackedKeyTable#compute}. The in-memory and file stores wrap it (the file store also
 * writes the file after each change).
 */
final class RotatingKeyTable {

    final PackedKeyTable table;
    private final Clock clock;
    private final boolean allowShortSecrets;

    RotatingKeyTable(int expectedSize, Clock clock, boolean allowShortSecrets) {
        this.table = new PackedKeyTable(expectedSize);
        this.clock = clock;
        this.allowShortSecrets = allowShortSecrets;
    }

    boolean allowsShortSecrets() {
        return allowShortSecrets;
    }

    Map<PskIdentity, List<ExternalPsk>> lookup(Collection<PskIdentity> identities) {
        Map<PskIdentity, List<ExternalPsk>> found = new HashMap<>(identities.size() * 2);
        for (PskIdentity id : identities) {
            byte[] r = table.getCopy(Objects.requireNonNull(id, "identity"));
            if (r != null) {
                try {
                    found.put(id, KeyRecord.candidates(r));
                } finally {
                    Secrets.zero(r);
                }
            }
        }
        return found;
    }

    KeyLabel add(PskIdentity identity, byte[] secret, HashAlgorithm hash) {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(hash, "hash");
        Secrets.check(secret, allowShortSecrets);
        table.compute(identity, current -> {
            if (current != null) {
                throw new PskStoreException("identity " + identity + " exists already (revoke it first, or stage a "
                        + "backup key to rotate)");
            }
            return KeyRecord.create(identity, hash, secret, 1, clock.millis());
        });
        return KeyLabel.main(1);
    }

    /** Puts a whole record as loaded from elsewhere (a file), replacing any. */
    void put(PskIdentity identity, HashAlgorithm hash, byte[] main, int mainVersion, long mainCreated,
             byte[] backup, int backupVersion, long backupCreated) {
        byte[] r = KeyRecord.create(identity, hash, main, mainVersion, mainCreated);
        byte[] full = backup == null ? r : KeyRecord.withBackup(r, backup, backupVersion, backupCreated);
        if (full != r) {
            Secrets.zero(r);
        }
        table.compute(identity, current -> full);
    }

    KeyLabel stageBackup(PskIdentity identity, byte[] secret) {
        Objects.requireNonNull(identity, "identity");
        Secrets.check(secret, allowShortSecrets);
        byte[] r = table.compute(identity, current -> {
            if (current == null) {
                throw new PskStoreException("unknown identity " + identity + ": add it before staging a backup key");
            }
            int next = KeyRecord.highestVersion(current);
            if (next == KeyLabel.MAX_VERSION) {
                throw new PskStoreException("identity " + identity + " has used every key version");
            }
            return KeyRecord.withBackup(current, secret, next + 1, clock.millis());
        });
        return KeyRecord.label(r, 1);
    }

    /** The promoted record's new main label, or {@code null} when the condition failed (stale). */
    KeyLabel promote(PskIdentity identity, KeyLabel expectedBackup) {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(expectedBackup, "expectedBackup");
        KeyLabel[] promoted = new KeyLabel[1];
        table.compute(identity, current -> {
            if (current == null || KeyRecord.keyCount(current) < 2
                    || !KeyRecord.label(current, 1).equals(expectedBackup)) {
                return current; // revoked, never rotated, already promoted or superseded: change nothing
            }
            promoted[0] = expectedBackup.swapped();
            return KeyRecord.promoted(current);
        });
        return promoted[0];
    }

    boolean revoke(PskIdentity identity) {
        boolean[] existed = new boolean[1];
        table.compute(Objects.requireNonNull(identity, "identity"), current -> {
            existed[0] = current != null;
            return null;
        });
        return existed[0];
    }

    Optional<PskKeyInfo> describe(PskIdentity identity) {
        byte[] r = table.getCopy(Objects.requireNonNull(identity, "identity"));
        if (r == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(KeyRecord.info(r));
        } finally {
            Secrets.zero(r);
        }
    }

    List<PskKeyInfo> list() {
        List<PskKeyInfo> out = new ArrayList<>();
        table.forEach(r -> out.add(KeyRecord.info(r)));
        return out;
    }
}
