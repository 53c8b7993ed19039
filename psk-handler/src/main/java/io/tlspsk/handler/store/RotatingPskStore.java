package io.tlspsk.handler.store;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link PskStore} that keeps a main and a backup key per identity and rotates them (the procedure of the package
 * description): {@link #add} provisions an identity's main key, {@link #stageBackup} a new backup key, the first
 * handshake that authenticates with the backup key promotes it ({@link #authenticated}, {@link #promote}), and
 * {@link #revoke} removes the identity. Keys are labelled with their role and version ({@link KeyLabel}).
 *
 * <p>Every operation is asynchronous and atomic: concurrent operations on one identity, from this process or from
 * other gateways sharing the store, each see and leave a whole state. Secrets passed in are copied; the caller may
 * zero its own array afterwards. No operation returns or logs a secret.
 */
public interface RotatingPskStore extends PskStore {

    /**
     * Provisions {@code identity} with {@code secret} as its main key (version 1, {@code main-1}).
     *
     * @return the new key's label; fails with {@link PskStoreException} when the identity exists (revoke it first), or
     *         {@link IllegalArgumentException} for an unusable secret (empty, all zeros, too short for this store)
     */
    CompletionStage<KeyLabel> add(PskIdentity identity, byte[] secret, HashAlgorithm hash);

    /**
     * Stages {@code secret} as {@code identity}'s backup key, with the next version, replacing the backup key it had
     * (a staged key never used, or the previous main key kept since the last promotion). The main key is untouched, so
     * a device that never receives or uses the new key goes on working with its main key.
     *
     * @return the new backup key's label; fails with {@link PskStoreException} for an unknown identity
     */
    CompletionStage<KeyLabel> stageBackup(PskIdentity identity, byte[] secret);

    /**
     * Swaps the roles of {@code identity}'s keys, if and only if its backup key is still {@code expectedBackup}: the
     * backup key becomes the main key (keeping its version), and the previous main key stays as the backup key until
     * the next {@link #stageBackup}. The condition makes promotion safe across gateways: two promoting the same key at
     * once swap once ({@link Promotion#PROMOTED} for one, {@link Promotion#STALE} for the other), and a promotion that
     * arrives after a newer backup was staged changes nothing.
     */
    CompletionStage<Promotion> promote(PskIdentity identity, KeyLabel expectedBackup);

    /**
     * Removes {@code identity} and zeroes its keys: later handshakes fail as for an unknown identity, and listeners
     * are told ({@link PskStoreListener#revoked}), so that a {@link LiveChannelRegistry} closes its connections.
     *
     * @return whether the identity existed
     */
    CompletionStage<Boolean> revoke(PskIdentity identity);

    /** What the store holds for {@code identity}: labels, hash and creation times, never the keys. */
    CompletionStage<Optional<PskKeyInfo>> describe(PskIdentity identity);

    /** Every identity and its keys' labels, in no particular order (never the keys). */
    CompletionStage<List<PskKeyInfo>> list();

    /**
     * A handshake completed with {@code key}: when it is the backup key (its label says so), promotes it with
     * {@link #promote}, conditional on that very version still being the backup.
     */
    @Override
    default CompletionStage<Promotion> authenticated(PskIdentity identity, ExternalPsk key) {
        KeyLabel label = KeyLabel.parse(key.label());
        if (label == null || !label.isBackup()) {
            return CompletableFuture.completedFuture(Promotion.NONE);
        }
        return promote(identity, label);
    }
}
