package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.TestKeys;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The main/backup lifecycle every {@link RotatingPskStore} follows (the state diagram of the package description):
 * add, stage, conditional promotion (also under races), revocation, listener notifications, description without
 * keys, and refused input.
 */
abstract class RotatingPskStoreContract extends PskStoreContract {

    RotatingPskStore rotating() {
        return (RotatingPskStore) store;
    }

    @Override
    byte[] provision(PskIdentity identity) throws Exception {
        byte[] secret = randomSecret();
        assertEquals(KeyLabel.main(1), await(rotating().add(identity, secret, HashAlgorithm.SHA256)));
        return secret;
    }

    @Override
    void revoke(PskIdentity identity) throws Exception {
        assertTrue(await(rotating().revoke(identity)));
    }

    @Override
    PskIdentity unknownIdentity() {
        return freshIdentity();
    }

    /** A second store over the same keys (another gateway), for shared stores; {@code null} for a private one. */
    RotatingPskStore secondGateway() throws Exception {
        return null;
    }

    List<String> labels(PskIdentity id) throws Exception {
        List<String> out = new ArrayList<>();
        List<ExternalPsk> keys = lookup(id).get(id);
        if (keys != null) {
            for (ExternalPsk k : keys) {
                out.add(k.label());
            }
        }
        return out;
    }

    /** The labels a lookup returns, waiting (bounded) for a store whose changes reach its reads asynchronously. */
    void awaitLabels(PskIdentity id, List<String> expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> now;
        while (!(now = labels(id)).equals(expected)) {
            if (System.nanoTime() > deadline) {
                assertEquals(expected, now);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void addingAnExistingIdentityIsRefusedAndChangesNothing() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] first = provision(id);
        Exception e = assertThrows(Exception.class, () -> await(rotating().add(id, randomSecret(), HashAlgorithm.SHA256)));
        assertInstanceOf(PskStoreException.class, e);
        assertTrue(e.getMessage().contains(id.asString()), e.getMessage());
        assertArrayEquals(first, TestKeys.secretOf(lookup(id).get(id).get(0)));
    }

    @Test
    void stagingABackupKeepsTheMainKeyAndOffersBoth() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] main = provision(id);
        byte[] backup = randomSecret();
        assertEquals(KeyLabel.backup(2), await(rotating().stageBackup(id, backup)));
        awaitLabels(id, List.of("main-1", "backup-2"));
        List<ExternalPsk> keys = lookup(id).get(id);
        assertArrayEquals(main, TestKeys.secretOf(keys.get(0)));
        assertArrayEquals(backup, TestKeys.secretOf(keys.get(1)));
    }

    @Test
    void stagingAgainReplacesAnUnusedBackup() throws Exception {
        PskIdentity id = freshIdentity();
        provision(id);
        await(rotating().stageBackup(id, randomSecret()));
        byte[] newer = randomSecret();
        assertEquals(KeyLabel.backup(3), await(rotating().stageBackup(id, newer)));
        awaitLabels(id, List.of("main-1", "backup-3"));
        assertArrayEquals(newer, TestKeys.secretOf(lookup(id).get(id).get(1)));
    }

    @Test
    void stagingForAnUnknownIdentityIsRefused() {
        PskIdentity id = freshIdentity();
        Exception e = assertThrows(Exception.class, () -> await(rotating().stageBackup(id, randomSecret())));
        assertInstanceOf(PskStoreException.class, e);
    }

    @Test
    void promotionSwapsRolesAndKeepsTheOldMainAsBackup() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] first = provision(id);
        byte[] second = randomSecret();
        await(rotating().stageBackup(id, second));
        assertEquals(Promotion.PROMOTED, await(rotating().promote(id, KeyLabel.backup(2))));
        awaitLabels(id, List.of("main-2", "backup-1"));
        List<ExternalPsk> keys = lookup(id).get(id);
        assertArrayEquals(second, TestKeys.secretOf(keys.get(0)));
        assertArrayEquals(first, TestKeys.secretOf(keys.get(1)));
        // The next rotation replaces the old main key, kept as backup until now.
        assertEquals(KeyLabel.backup(3), await(rotating().stageBackup(id, randomSecret())));
        awaitLabels(id, List.of("main-2", "backup-3"));
    }

    @Test
    void aLatePromotionAfterANewerRotationChangesNothing() throws Exception {
        PskIdentity id = freshIdentity();
        provision(id);
        await(rotating().stageBackup(id, randomSecret()));
        await(rotating().stageBackup(id, randomSecret()));
        assertEquals(Promotion.STALE, await(rotating().promote(id, KeyLabel.backup(2))));
        awaitLabels(id, List.of("main-1", "backup-3"));
    }

    @Test
    void promotingTwiceSwapsOnce() throws Exception {
        PskIdentity id = freshIdentity();
        provision(id);
        await(rotating().stageBackup(id, randomSecret()));
        assertEquals(Promotion.PROMOTED, await(rotating().promote(id, KeyLabel.backup(2))));
        assertEquals(Promotion.STALE, await(rotating().promote(id, KeyLabel.backup(2))));
        awaitLabels(id, List.of("main-2", "backup-1"));
    }

    @Test
    void concurrentPromotionsOfOneKeySwapExactlyOnce() throws Exception {
        PskIdentity id = freshIdentity();
        provision(id);
        await(rotating().stageBackup(id, randomSecret()));
        RotatingPskStore other = secondGateway();
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Promotion>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                RotatingPskStore s = other != null && i % 2 == 1 ? other : rotating();
                results.add(pool.submit(() -> {
                    go.await();
                    return await(s.promote(id, KeyLabel.backup(2)));
                }));
            }
            go.countDown();
            int promoted = 0;
            for (Future<Promotion> f : results) {
                Promotion p = f.get(30, TimeUnit.SECONDS);
                promoted += p == Promotion.PROMOTED ? 1 : 0;
                assertTrue(p == Promotion.PROMOTED || p == Promotion.STALE, p::toString);
            }
            assertEquals(1, promoted, "exactly one promotion swaps");
            awaitLabels(id, List.of("main-2", "backup-1"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void authenticatingWithTheBackupKeyPromotesIt() throws Exception {
        PskIdentity id = freshIdentity();
        provision(id);
        await(rotating().stageBackup(id, randomSecret()));
        awaitLabels(id, List.of("main-1", "backup-2"));
        List<ExternalPsk> keys = lookup(id).get(id);
        assertEquals(Promotion.NONE, await(store.authenticated(id, keys.get(0))), "the main key: nothing to do");
        assertEquals(Promotion.PROMOTED, await(store.authenticated(id, keys.get(1))));
        assertEquals(Promotion.STALE, await(store.authenticated(id, keys.get(1))), "a second gateway, later");
        awaitLabels(id, List.of("main-2", "backup-1"));
    }

    @Test
    void aDeviceThatNeverUsesItsNewKeyKeepsWorkingOnTheOldOne() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] main = provision(id);
        await(rotating().stageBackup(id, randomSecret()));
        await(rotating().stageBackup(id, randomSecret()));
        awaitLabels(id, List.of("main-1", "backup-3"));
        assertArrayEquals(main, TestKeys.secretOf(lookup(id).get(id).get(0)));
    }

    @Test
    void listenersHearEveryChange() throws Exception {
        RecordingListener heard = new RecordingListener();
        store.addListener(heard);
        PskIdentity id = freshIdentity();
        provision(id);
        heard.expect("changed " + id);
        await(rotating().stageBackup(id, randomSecret()));
        heard.expect("changed " + id);
        await(rotating().promote(id, KeyLabel.backup(2)));
        heard.expect("promoted " + id + " main-2");
        assertTrue(await(rotating().revoke(id)));
        heard.expect("revoked " + id);
        store.removeListener(heard);
        provision(freshIdentity());
        Thread.sleep(100);
        assertTrue(heard.heard.isEmpty(), () -> "heard after removal: " + heard.heard);
    }

    @Test
    void revokingAnUnknownIdentitySaysSo() throws Exception {
        assertFalse(await(rotating().revoke(freshIdentity())));
    }

    @Test
    void describeAndListShowLabelsNeverKeys() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] main = provision(id);
        byte[] backup = randomSecret();
        await(rotating().stageBackup(id, backup));
        Optional<PskKeyInfo> info = await(rotating().describe(id));
        assertTrue(info.isPresent());
        assertEquals(KeyLabel.main(1), info.get().main());
        assertEquals(KeyLabel.backup(2), info.get().backup());
        assertEquals(HashAlgorithm.SHA256, info.get().hash());
        String text = info.get().toString();
        assertFalse(text.contains(HexFormat.of().formatHex(main)) || text.contains(HexFormat.of().formatHex(backup)));
        assertTrue(await(rotating().list()).stream().anyMatch(i -> i.identity().equals(id)));
        assertTrue(await(rotating().describe(freshIdentity())).isEmpty());
    }

    @Test
    void badSecretsAreRefusedWithoutEchoingThem() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] shortKey = {1, 2, 3, 4, 5, 6, 7, 8};
        Exception e = assertThrows(Exception.class, () -> await(rotating().add(id, shortKey, HashAlgorithm.SHA256)));
        assertInstanceOf(IllegalArgumentException.class, e);
        assertThrows(Exception.class, () -> await(rotating().add(id, new byte[32], HashAlgorithm.SHA256)));
        assertThrows(Exception.class, () -> await(rotating().add(id, new byte[0], HashAlgorithm.SHA256)));
        assertTrue(lookup(id).isEmpty(), "nothing was stored");
        provision(id);
        assertThrows(Exception.class, () -> await(rotating().stageBackup(id, new byte[32])));
        awaitLabels(id, List.of("main-1"));
    }

    @Test
    void aSha384IdentityKeepsItsHashThroughRotation() throws Exception {
        PskIdentity id = freshIdentity();
        await(rotating().add(id, randomSecret(), HashAlgorithm.SHA384));
        await(rotating().stageBackup(id, randomSecret()));
        awaitLabels(id, List.of("main-1", "backup-2"));
        for (ExternalPsk k : lookup(id).get(id)) {
            assertEquals(HashAlgorithm.SHA384, k.hash());
        }
    }

    @Test
    void lookupsWhileAnAdministratorRotatesSeeWholeKeys() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] main = provision(id);
        List<byte[]> staged = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Void> admin = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 50; i++) {
                    byte[] s = randomSecret();
                    staged.add(s);
                    await(rotating().stageBackup(id, s));
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        while (!admin.isDone()) {
            List<ExternalPsk> keys = lookup(id).get(id);
            assertArrayEquals(main, TestKeys.secretOf(keys.get(0)), "the main key never changes");
            if (keys.size() > 1) {
                byte[] b = TestKeys.secretOf(keys.get(1));
                assertTrue(staged.stream().anyMatch(s -> java.util.Arrays.equals(s, b)), "a whole staged key");
            }
        }
        admin.get(30, TimeUnit.SECONDS);
    }
}
