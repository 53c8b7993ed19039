package io.tlspsk.handler.store;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.tlspsk.handler.ExternalPsk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A cache in front of any {@link PskStore} (Caffeine's asynchronous loading cache; Caffeine is an optional dependency
 * of this library: add {@code com.github.ben-manes.caffeine:caffeine} to use this class).
 *
 * <ul>
 * <li>Positive entries (an identity's keys) and negative entries (an identity the store does not know) expire after
 *     their own times to live, so a flood of ClientHellos with unknown identities reaches the store at most once per
 *     identity per negative TTL.</li>
 * <li>Bounded: at most {@code maximumSize} identities. Caffeine's admission policy (W-TinyLFU) keeps entries that are
 *     used often, so a flood of one-off identities does not push the fleet's devices out.</li>
 * <li>Concurrent handshakes for one identity share one store request, and the misses of one ClientHello go to the
 *     store together in one batched {@link PskStore#lookup}.</li>
 * <li>The store's change notifications (rotation, promotion, revocation; for a shared store, made by any gateway)
 *     invalidate the identity here and are passed on to this cache's own listeners.</li>
 * </ul>
 *
 * <p>The cache holds its own copies of the keys and zeroes them when an entry is evicted, expires or is invalidated;
 * each lookup hands out fresh copies. A failed store request is not cached. Counters for hits, misses and store
 * requests are read with {@link #hits()} and friends.
 */
public final class CachingPskStore implements PskStore, AutoCloseable {

    /** Default time to live of an identity's keys: 5 minutes. Rotations reach the cache through notifications. */
    public static final Duration DEFAULT_POSITIVE_TTL = Duration.ofMinutes(5);
    /** Default time to live of an unknown identity: 30 seconds. */
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(30);
    /** Default bound: 1,000,000 identities. */
    public static final long DEFAULT_MAXIMUM_SIZE = 1_000_000;

    private final PskStore store;
    private final AsyncLoadingCache<PskIdentity, CachedKeys> cache;
    private final Listeners listeners = new Listeners();
    private final PskStoreListener invalidator = new Invalidator();
    private final LongAdder storeRequests = new LongAdder();
    private final LongAdder storeFailures = new LongAdder();

    private CachingPskStore(Builder b) {
        this.store = b.store;
        Caffeine<Object, Object> caffeine = Caffeine.newBuilder().maximumSize(b.maximumSize).recordStats();
        if (b.executor != null) {
            caffeine.executor(b.executor);
        }
        if (b.nanoTime != null) {
            LongSupplier clock = b.nanoTime;
            caffeine.ticker(clock::getAsLong);
        }
        long positive = b.positiveTtl.toNanos();
        long negative = b.negativeTtl.toNanos();
        this.cache = caffeine
                .expireAfter(new Expiry<PskIdentity, CachedKeys>() {
                    @Override
                    public long expireAfterCreate(PskIdentity key, CachedKeys value, long currentTime) {
                        return value.failure != null ? 0 : value.isNegative() ? negative : positive;
                    }

                    @Override
                    public long expireAfterUpdate(PskIdentity key, CachedKeys value, long currentTime,
                                                  long currentDuration) {
                        return value.failure != null ? 0 : value.isNegative() ? negative : positive;
                    }

                    @Override
                    public long expireAfterRead(PskIdentity key, CachedKeys value, long currentTime,
                                                long currentDuration) {
                        return currentDuration;
                    }
                })
                .removalListener((PskIdentity key, CachedKeys value, com.github.benmanes.caffeine.cache.RemovalCause c) -> {
                    if (value != null) {
                        value.destroy();
                    }
                })
                .buildAsync(new BulkLoader());
        store.addListener(invalidator);
    }

    /** A cache in front of {@code store}. */
    public static Builder builder(PskStore store) {
        return new Builder(store);
    }

    /** Loads misses from the store, all of one request together. */
    private final class BulkLoader implements AsyncCacheLoader<PskIdentity, CachedKeys> {
        @Override
        public CompletableFuture<CachedKeys> asyncLoad(PskIdentity key, Executor executor) {
            return asyncLoadAll(Set.of(key), executor).thenApply(m -> m.get(key));
        }

        @Override
        public CompletableFuture<Map<PskIdentity, CachedKeys>> asyncLoadAll(Set<? extends PskIdentity> keys,
                                                                            Executor executor) {
            storeRequests.increment();
            List<PskIdentity> ids = List.copyOf(keys);
            CompletionStage<Map<PskIdentity, List<ExternalPsk>>> stage;
            try {
                stage = store.lookup(ids);
            } catch (RuntimeException e) {
                storeFailures.increment();
                return CompletableFuture.failedFuture(e);
            }
            return stage.toCompletableFuture().handle((found, failure) -> {
                Map<PskIdentity, CachedKeys> out = new HashMap<>(ids.size() * 2);
                if (failure != null || found == null) {
                    // Not a failed future: Caffeine would log every failure with its stack trace, a flood while a
                    // key service is down. A failed entry expires at once and fails the lookups waiting for it.
                    storeFailures.increment();
                    CachedKeys failed = CachedKeys.failed(failure != null ? unwrap(failure)
                            : new PskStoreException("PSK store answered null"));
                    ids.forEach(id -> out.put(id, failed));
                    return out;
                }
                // Every asked identity gets an entry: the store's keys, or a negative entry.
                for (PskIdentity id : ids) {
                    List<ExternalPsk> candidates = found.get(id);
                    out.put(id, candidates == null || candidates.isEmpty() ? CachedKeys.NEGATIVE
                            : new CachedKeys(candidates, null));
                }
                return out;
            });
        }
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @Override
    public CompletionStage<Map<PskIdentity, List<ExternalPsk>>> lookup(Collection<PskIdentity> identities) {
        for (PskIdentity id : identities) {
            Objects.requireNonNull(id, "identity");
        }
        return cache.getAll(identities).thenCompose(entries -> {
            Map<PskIdentity, List<ExternalPsk>> out = new HashMap<>(entries.size() * 2);
            List<PskIdentity> dropped = null;
            for (Map.Entry<PskIdentity, CachedKeys> e : entries.entrySet()) {
                if (e.getValue().failure != null) {
                    return CompletableFuture.failedFuture(e.getValue().failure);
                }
                List<ExternalPsk> copies = e.getValue().copies();
                if (copies == null) {
                    // Evicted and zeroed between the cache's answer and now: ask the store directly.
                    if (dropped == null) {
                        dropped = new ArrayList<>(1);
                    }
                    dropped.add(e.getKey());
                } else if (!copies.isEmpty()) {
                    out.put(e.getKey(), copies);
                }
            }
            if (dropped == null) {
                return CompletableFuture.completedFuture(out);
            }
            return store.lookup(dropped).thenApply(more -> {
                out.putAll(more);
                return out;
            });
        });
    }

    /** Passes the news to the store (which promotes a backup key) and drops the identity's cached keys at once. */
    @Override
    public CompletionStage<Promotion> authenticated(PskIdentity identity, ExternalPsk key) {
        return store.authenticated(identity, key).thenApply(p -> {
            if (p == Promotion.PROMOTED) {
                cache.synchronous().invalidate(identity);
            }
            return p;
        });
    }

    @Override
    public void addListener(PskStoreListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(PskStoreListener listener) {
        listeners.remove(listener);
    }

    /** Drops {@code identity}'s entry (its keys zeroed); the next lookup asks the store. */
    public void invalidate(PskIdentity identity) {
        cache.synchronous().invalidate(identity);
    }

    /** Lookups of an identity answered from the cache, negative entries included. */
    public long hits() {
        return cache.synchronous().stats().hitCount();
    }

    /** Lookups of an identity that were not in the cache (each went to the store, possibly with others). */
    public long misses() {
        return cache.synchronous().stats().missCount();
    }

    /** Requests made to the store (one per batch of misses). */
    public long storeRequests() {
        return storeRequests.sum();
    }

    /** Store requests that failed (not cached: the next lookup asks again). */
    public long storeFailures() {
        return storeFailures.sum();
    }

    /** Identities cached now, known and unknown (an estimate while entries expire). */
    public long size() {
        return cache.synchronous().estimatedSize();
    }

    /** Runs pending maintenance (evictions) now. */
    void cleanUpForTests() {
        cache.synchronous().cleanUp();
    }

    /** Stops listening to the store and drops (zeroes) every entry. */
    @Override
    public void close() {
        store.removeListener(invalidator);
        cache.synchronous().invalidateAll();
        cache.synchronous().cleanUp();
    }

    /** Invalidates on the store's news, then passes it on. */
    private final class Invalidator implements PskStoreListener {
        @Override
        public void changed(PskIdentity identity) {
            cache.synchronous().invalidate(identity);
            listeners.changed(identity);
        }

        @Override
        public void promoted(PskIdentity identity, KeyLabel newMain) {
            cache.synchronous().invalidate(identity);
            listeners.promoted(identity, newMain);
        }

        @Override
        public void revoked(PskIdentity identity) {
            cache.synchronous().invalidate(identity);
            listeners.revoked(identity);
        }

        @Override
        public void allChanged() {
            cache.synchronous().invalidateAll();
            listeners.allChanged();
        }
    }

    /**
     * One identity's cached keys (empty: a negative entry). Copies are handed out and the keys zeroed under this
     * object's lock, so a copy is never made from a half-zeroed key.
     */
    private static final class CachedKeys {
        static final CachedKeys NEGATIVE = new CachedKeys(List.of(), null);

        private final List<ExternalPsk> keys;
        /** Not null: the store request failed; the entry expires at once. */
        final Throwable failure;
        private boolean destroyed;

        CachedKeys(List<ExternalPsk> keys, Throwable failure) {
            this.keys = keys;
            this.failure = failure;
        }

        static CachedKeys failed(Throwable failure) {
            return new CachedKeys(List.of(), failure);
        }

        boolean isNegative() {
            return keys.isEmpty();
        }

        /** Fresh copies for a handshake, or {@code null} once zeroed. */
        synchronized List<ExternalPsk> copies() {
            if (destroyed) {
                return null;
            }
            List<ExternalPsk> out = new ArrayList<>(keys.size());
            for (ExternalPsk k : keys) {
                out.add(k.copy());
            }
            return out;
        }

        synchronized void destroy() {
            if (this != NEGATIVE) {
                destroyed = true;
                keys.forEach(ExternalPsk::destroy);
            }
        }
    }

    /** Settings of a {@link CachingPskStore}. */
    public static final class Builder {
        private final PskStore store;
        private Duration positiveTtl = DEFAULT_POSITIVE_TTL;
        private Duration negativeTtl = DEFAULT_NEGATIVE_TTL;
        private long maximumSize = DEFAULT_MAXIMUM_SIZE;
        private Executor executor;
        private LongSupplier nanoTime;

        private Builder(PskStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** How long an identity's keys are kept; default {@link #DEFAULT_POSITIVE_TTL}. */
        public Builder positiveTtl(Duration ttl) {
            this.positiveTtl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        /** How long an unknown identity is remembered as unknown; default {@link #DEFAULT_NEGATIVE_TTL}. */
        public Builder negativeTtl(Duration ttl) {
            this.negativeTtl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        /** Most identities cached; default {@link #DEFAULT_MAXIMUM_SIZE}. */
        public Builder maximumSize(long size) {
            this.maximumSize = size;
            return this;
        }

        /** Where Caffeine runs its maintenance and removal work; default its own (the common pool). */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The time source in nanoseconds (tests); default {@link System#nanoTime()}. */
        public Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        public CachingPskStore build() {
            if (positiveTtl.isNegative() || positiveTtl.isZero() || negativeTtl.isNegative()) {
                throw new IllegalStateException("TTLs must be positive (the negative TTL may be zero: no negative caching)");
            }
            if (maximumSize < 1) {
                throw new IllegalStateException("maximumSize must be at least 1");
            }
            return new CachingPskStore(this);
        }
    }
}
