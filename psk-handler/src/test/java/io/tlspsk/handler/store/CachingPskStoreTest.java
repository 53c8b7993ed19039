package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.TestKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The cache in front of a real in-memory store (behind a counter): the store contract, negative caching against a
 * flood of unknown identities, coalescing, batching, invalidation on the store's news, and zeroing of dropped keys.
 */
class CachingPskStoreTest extends PskStoreContract {

    static final Duration NEGATIVE_TTL = Duration.ofSeconds(30);

    InMemoryPskStore backing;
    CountingStore counting;
    final AtomicLong now = new AtomicLong(1_000_000_000L);

    CachingPskStore cache() {
        return (CachingPskStore) store;
    }

    @Override
    PskStore newStore() {
        backing = InMemoryPskStore.create();
        counting = new CountingStore(backing);
        return CachingPskStore.builder(counting).negativeTtl(NEGATIVE_TTL).positiveTtl(Duration.ofMinutes(5))
                .maximumSize(10_000).nanoTime(now::get).executor(Runnable::run).build();
    }

    @Override
    void closeStore() {
        cache().close();
    }

    @Override
    byte[] provision(PskIdentity identity) throws Exception {
        byte[] secret = randomSecret();
        await(backing.add(identity, secret, HashAlgorithm.SHA256));
        return secret;
    }

    @Override
    void revoke(PskIdentity identity) throws Exception {
        await(backing.revoke(identity));
    }

    @Override
    PskIdentity unknownIdentity() {
        return freshIdentity();
    }

    @Test
    void aFloodOfOneUnknownIdentityReachesTheStoreOncePerNegativeTtl() throws Exception {
        PskIdentity ghost = freshIdentity();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                done.add(pool.submit(() -> {
                    assertTrue(await(cache().lookup(List.of(ghost))).isEmpty());
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, counting.askedAbout(ghost), "once within the negative TTL");
        now.addAndGet(NEGATIVE_TTL.toNanos() - 1);
        lookup(ghost);
        assertEquals(1, counting.askedAbout(ghost), "still within it");
        now.addAndGet(2);
        lookup(ghost);
        lookup(ghost);
        assertEquals(2, counting.askedAbout(ghost), "once more after it");
    }

    @Test
    void aFloodOfManyUnknownIdentitiesAsksTheStoreOnceEach() throws Exception {
        List<PskIdentity> ghosts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ghosts.add(freshIdentity());
        }
        for (int round = 0; round < 5; round++) {
            for (PskIdentity g : ghosts) {
                lookup(g);
            }
        }
        assertEquals(200, counting.calls.size());
        for (PskIdentity g : ghosts) {
            assertEquals(1, counting.askedAbout(g));
        }
    }

    @Test
    void concurrentLookupsOfOneIdentityShareOneStoreRequest() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] secret = provision(id);
        counting.gate = new CompletableFuture<>();
        List<CompletionStage<Map<PskIdentity, List<ExternalPsk>>>> pending = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pending.add(cache().lookup(List.of(id)));
        }
        counting.gate.complete(null);
        for (CompletionStage<Map<PskIdentity, List<ExternalPsk>>> p : pending) {
            assertArrayEquals(secret, TestKeys.secretOf(await(p).get(id).get(0)));
        }
        assertEquals(1, counting.calls.size());
    }

    @Test
    void theMissesOfOneLookupGoToTheStoreTogether() throws Exception {
        PskIdentity a = freshIdentity();
        PskIdentity b = freshIdentity();
        PskIdentity c = freshIdentity();
        provision(a);
        provision(c);
        lookup(a); // a is cached now
        counting.calls.clear();
        Map<PskIdentity, List<ExternalPsk>> found = lookup(a, b, c);
        assertEquals(2, found.size());
        assertEquals(1, counting.calls.size(), "one store request");
        assertEquals(java.util.Set.of(b, c), new java.util.HashSet<>(counting.calls.get(0)));
        assertEquals(1, cache().storeRequests() - 1, "two store requests in all");
        assertTrue(cache().hits() >= 1 && cache().misses() >= 3, () -> cache().hits() + " " + cache().misses());
    }

    @Test
    void aRotationInTheStoreIsSeenAtOnce() throws Exception {
        PskIdentity id = freshIdentity();
        provision(id);
        assertEquals(1, lookup(id).get(id).size());
        await(backing.stageBackup(id, randomSecret()));
        assertEquals(2, lookup(id).get(id).size(), "the store's notification invalidated the entry");
        RecordingListener heard = new RecordingListener();
        cache().addListener(heard);
        assertEquals(Promotion.PROMOTED, await(cache().authenticated(id, lookup(id).get(id).get(1))));
        heard.expect("promoted " + id + " main-2");
        assertEquals("main-2", lookup(id).get(id).get(0).label());
    }

    @Test
    void aKeyAddedAfterANegativeAnswerIsFoundAtOnce() throws Exception {
        PskIdentity id = freshIdentity();
        assertTrue(lookup(id).isEmpty());
        provision(id);
        assertTrue(lookup(id).containsKey(id), "the add invalidated the negative entry");
    }

    @Test
    void aFailedStoreRequestIsNotCached() throws Exception {
        PskIdentity id = freshIdentity();
        provision(id);
        counting.failure = new PskStoreException("key service down");
        assertThrows(PskStoreException.class, () -> lookup(id));
        assertEquals(1, cache().storeFailures());
        counting.failure = null;
        assertTrue(lookup(id).containsKey(id));
    }

    @Test
    void droppedKeysAreZeroedAndHandedOutCopiesAreTheCallers() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] secret = provision(id);
        ExternalPsk first = lookup(id).get(id).get(0);
        first.destroy(); // the caller's copy
        assertArrayEquals(secret, TestKeys.secretOf(lookup(id).get(id).get(0)), "the cached key is untouched");
        List<ExternalPsk> cached = new ArrayList<>(counting.handedOut);
        assertFalse(cached.isEmpty());
        cache().invalidate(id);
        for (ExternalPsk k : cached) {
            assertTrue(k.isDestroyed(), "the cache zeroed its copy when it dropped it");
        }
    }

    @Test
    void sizeIsBounded() throws Exception {
        CachingPskStore small = CachingPskStore.builder(counting).maximumSize(50).executor(Runnable::run).build();
        try {
            for (int i = 0; i < 500; i++) {
                await(small.lookup(List.of(freshIdentity())));
            }
            small.cleanUpForTests();
            assertTrue(small.size() <= 50, () -> "size " + small.size());
        } finally {
            small.close();
        }
    }
}
