package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.TestKeys;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link PskStore} does, whatever holds its keys: batched lookups of known and unknown identities,
 * labelled candidates with the right secrets, revocation, and bad input. Each store's test extends it (rotating stores
 * through {@link RotatingPskStoreContract}) and says how to make an identity known and how to revoke one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class PskStoreContract {

    static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong NAMES = new AtomicLong();

    PskStore store;

    /** A new, empty store (for derived stores: one whose identities are all known). */
    abstract PskStore newStore() throws Exception;

    /** Makes {@code identity} known to the store and returns the secret its main key must have. */
    abstract byte[] provision(PskIdentity identity) throws Exception;

    /** Revokes {@code identity}. */
    abstract void revoke(PskIdentity identity) throws Exception;

    /** An identity the store does not know (for a derived store, a revoked one). */
    abstract PskIdentity unknownIdentity() throws Exception;

    /** Closes what {@link #newStore()} opened. */
    void closeStore() throws Exception {
    }

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void shutStore() throws Exception {
        closeStore();
    }

    static PskIdentity freshIdentity() {
        return PskIdentity.of("device-" + NAMES.incrementAndGet() + "-" + RANDOM.nextInt(1_000_000));
    }

    static byte[] randomSecret() {
        byte[] s = new byte[32];
        RANDOM.nextBytes(s);
        return s;
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }

    Map<PskIdentity, List<ExternalPsk>> lookup(PskIdentity... ids) throws Exception {
        return await(store.lookup(List.of(ids)));
    }

    @Test
    void knownIdentityHasItsMainKeyLabelledFirst() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] secret = provision(id);
        List<ExternalPsk> keys = lookup(id).get(id);
        assertNotNull(keys, "known identity found");
        ExternalPsk main = keys.get(0);
        assertTrue(main.hasIdentity(id.bytes()));
        assertArrayEquals(secret, TestKeys.secretOf(main));
        assertNotNull(main.label(), "store keys are labelled");
        assertFalse(main.toString().contains(HexFormat.of().formatHex(secret)), "no key in toString");
    }

    @Test
    void oneLookupAnswersEveryIdentityAndLeavesOutTheUnknown() throws Exception {
        PskIdentity a = freshIdentity();
        PskIdentity b = freshIdentity();
        byte[] sa = provision(a);
        byte[] sb = provision(b);
        PskIdentity unknown = unknownIdentity();
        Map<PskIdentity, List<ExternalPsk>> found = lookup(unknown, b, a);
        assertEquals(2, found.size(), () -> "found " + found.keySet());
        assertArrayEquals(sa, TestKeys.secretOf(found.get(a).get(0)));
        assertArrayEquals(sb, TestKeys.secretOf(found.get(b).get(0)));
        assertFalse(found.containsKey(unknown));
    }

    @Test
    void anIdentityIsFoundWhateverObjectCarriesItsBytes() throws Exception {
        PskIdentity id = freshIdentity();
        provision(id);
        PskIdentity sameBytes = PskIdentity.of(id.bytes());
        assertTrue(lookup(sameBytes).containsKey(sameBytes));
    }

    @Test
    void aRevokedIdentityIsNotFound() throws Exception {
        PskIdentity id = freshIdentity();
        provision(id);
        revoke(id);
        awaitAbsent(id);
    }

    /** Absent from lookups, waiting (bounded) for stores whose revocation reaches their reads asynchronously. */
    void awaitAbsent(PskIdentity id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lookup(id).containsKey(id)) {
            assertTrue(System.nanoTime() < deadline, id + " still found after revocation");
            Thread.sleep(20);
        }
    }

    @Test
    void anEmptyLookupFindsNothing() throws Exception {
        assertTrue(await(store.lookup(List.of())).isEmpty());
    }

    @Test
    void aNullIdentityIsRefused() {
        assertThrows(Exception.class, () -> await(store.lookup(java.util.Arrays.asList((PskIdentity) null))));
    }

    @Test
    void lookupsOnManyThreadsAgree() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] secret = provision(id);
        List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        assertArrayEquals(secret, TestKeys.secretOf(lookup(id).get(id).get(0)));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(30_000);
        }
        assertTrue(failures.isEmpty(), () -> "failures: " + failures);
    }
}
