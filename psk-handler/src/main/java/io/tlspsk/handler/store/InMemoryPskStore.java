package io.tlspsk.handler.store;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link RotatingPskStore} in this process's memory, for millions of identities: each identity's keys are packed
 * into one byte array in an open-addressing table, and {@link ExternalPsk} objects are made only when a lookup asks
 * (about 60 bytes per identity beyond its identity and key bytes; see the benchmarks' {@code StoreMemory}).
 *
 * <p>Lookups answer at once, on the caller's thread, without locking: any number of event loops can look up while an
 * administrator adds, rotates or revokes (see {@link PackedKeyTable}). Keys are zeroed when rotation, promotion or
 * revocation drops them, and by {@link #clear()}. Nothing is persisted: give a gateway that must survive a restart a
 * {@link FilePskStore} or a {@link RedisPskStore}.
 */
public final class InMemoryPskStore implements RotatingPskStore {

    private final RotatingKeyTable keys;
    private final Listeners listeners = new Listeners();

    private InMemoryPskStore(int expectedSize, Clock clock, boolean allowShortSecrets) {
        this.keys = new RotatingKeyTable(expectedSize, clock, allowShortSecrets);
    }

    /** An empty store. */
    public static InMemoryPskStore create() {
        return new InMemoryPskStore(16, Clock.systemUTC(), false);
    }

    /**
     * An empty store sized for {@code expectedSize} identities (the table then never grows while they are added),
     * recording creation times from {@code clock}. With {@code allowShortSecrets}, secrets under
     * {@value ExternalPsk#MIN_SECRET_LENGTH} bytes are accepted, for legacy devices (see
     * {@link ExternalPsk#ofShortSecret}).
     */
    public static InMemoryPskStore create(int expectedSize, Clock clock, boolean allowShortSecrets) {
        if (expectedSize < 0) {
            throw new IllegalArgumentException("negative expected size");
        }
        return new InMemoryPskStore(expectedSize, java.util.Objects.requireNonNull(clock, "clock"), allowShortSecrets);
    }

    /** Number of identities held. */
    public int size() {
        return keys.table.size();
    }

    @Override
    public CompletionStage<Map<PskIdentity, List<ExternalPsk>>> lookup(Collection<PskIdentity> identities) {
        return CompletableFuture.completedFuture(keys.lookup(identities));
    }

    @Override
    public CompletionStage<KeyLabel> add(PskIdentity identity, byte[] secret, HashAlgorithm hash) {
        try {
            KeyLabel label = keys.add(identity, secret, hash);
            listeners.changed(identity);
            return CompletableFuture.completedFuture(label);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<KeyLabel> stageBackup(PskIdentity identity, byte[] secret) {
        try {
            KeyLabel label = keys.stageBackup(identity, secret);
            listeners.changed(identity);
            return CompletableFuture.completedFuture(label);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Promotion> promote(PskIdentity identity, KeyLabel expectedBackup) {
        try {
            KeyLabel newMain = keys.promote(identity, expectedBackup);
            if (newMain == null) {
                return CompletableFuture.completedFuture(Promotion.STALE);
            }
            listeners.promoted(identity, newMain);
            return CompletableFuture.completedFuture(Promotion.PROMOTED);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Boolean> revoke(PskIdentity identity) {
        try {
            boolean existed = keys.revoke(identity);
            if (existed) {
                listeners.revoked(identity);
            }
            return CompletableFuture.completedFuture(existed);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Optional<PskKeyInfo>> describe(PskIdentity identity) {
        return CompletableFuture.completedFuture(keys.describe(identity));
    }

    @Override
    public CompletionStage<List<PskKeyInfo>> list() {
        return CompletableFuture.completedFuture(keys.list());
    }

    /** Zeroes and drops every key (listeners hear {@link PskStoreListener#allChanged()}). */
    public void clear() {
        keys.table.clear();
        listeners.allChanged();
    }

    @Override
    public void addListener(PskStoreListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(PskStoreListener listener) {
        listeners.remove(listener);
    }
}
