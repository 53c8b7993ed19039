package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.TestKeys;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory store: the shared contract, plus its table under growth, deletion and zeroing. */
class InMemoryPskStoreTest extends RotatingPskStoreContract {

    @Override
    PskStore newStore() {
        return InMemoryPskStore.create();
    }

    @Test
    void manyIdentitiesSurviveGrowthAndRemovalOfOthers() throws Exception {
        InMemoryPskStore s = (InMemoryPskStore) store;
        List<PskIdentity> ids = new ArrayList<>();
        List<byte[]> secrets = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            PskIdentity id = PskIdentity.of("d" + i);
            ids.add(id);
            secrets.add(provision(id));
        }
        assertEquals(5_000, s.size());
        for (int i = 0; i < ids.size(); i += 3) {
            assertTrue(await(s.revoke(ids.get(i))));
        }
        for (int i = 0; i < ids.size(); i++) {
            List<ExternalPsk> keys = lookup(ids.get(i)).get(ids.get(i));
            if (i % 3 == 0) {
                assertEquals(null, keys, "revoked " + i);
            } else {
                assertTrue(java.util.Arrays.equals(secrets.get(i), TestKeys.secretOf(keys.get(0))), "kept " + i);
            }
        }
        assertEquals(5_000 - 1_667, s.size());
    }

    @Test
    void shortSecretsOnlyWhenAllowed() throws Exception {
        InMemoryPskStore legacy = InMemoryPskStore.create(10, Clock.systemUTC(), true);
        PskIdentity id = freshIdentity();
        await(legacy.add(id, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, HashAlgorithm.SHA256));
        assertEquals(8, TestKeys.secretOf(await(legacy.lookup(List.of(id))).get(id).get(0)).length);
    }

    @Test
    void clearZeroesAndDropsEverything() throws Exception {
        InMemoryPskStore s = (InMemoryPskStore) store;
        RecordingListener heard = new RecordingListener();
        PskIdentity id = freshIdentity();
        provision(id);
        s.addListener(heard);
        s.clear();
        heard.expect("all");
        assertFalse(lookup(id).containsKey(id));
        assertEquals(0, s.size());
    }
}
