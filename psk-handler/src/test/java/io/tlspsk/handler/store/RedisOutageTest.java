package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tlspsk.codec.crypto.HashAlgorithm;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis killed while a gateway runs, and restarted on the same port: lookups fail fast meanwhile (never a hang), are
 * counted, and work again when Redis is back; the store re-subscribes and tells its listeners that anything may have
 * changed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisOutageTest {

    @Test
    void lookupsFailFastWhileRedisIsDownAndWorkAgainWhenItReturns() throws Exception {
        assumeTrue(RedisServer.peerAvailable(RedisServer.PROGRAM), "redis-server is not installed (.ci/run installs it)");
        try (RedisServer redis = RedisServer.start()) {
            RedisPskStore store = RedisPskStore.builder(redis.uri()).commandTimeout(Duration.ofMillis(300))
                    .maxReconnectDelay(Duration.ofMillis(200)).build();
            try {
                RecordingListener heard = new RecordingListener();
                store.addListener(heard);
                PskIdentity id = PskIdentity.of("device-outage");
                PskStoreContract.await(store.add(id, PskStoreContract.randomSecret(), HashAlgorithm.SHA256));
                assertTrue(PskStoreContract.await(store.lookup(List.of(id))).containsKey(id));

                redis.kill();
                for (int i = 0; i < 5; i++) {
                    long start = System.nanoTime();
                    ExecutionException e = assertThrows(ExecutionException.class,
                            () -> store.lookup(List.of(id)).toCompletableFuture().get(5, TimeUnit.SECONDS));
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertInstanceOf(PskStoreException.class, e.getCause());
                    assertTrue(millis < 1_500, "lookup " + i + " took " + millis + " ms");
                }
                assertTrue(store.lookupFailures() >= 5);

                redis.restart(); // empty: nothing was persisted
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (true) {
                    try {
                        PskStoreContract.await(store.lookup(List.of(id)));
                        break;
                    } catch (PskStoreException notYet) {
                        assertTrue(System.nanoTime() < deadline, "lookups did not recover: " + notYet.getMessage());
                        Thread.sleep(50);
                    }
                }
                heard.awaitHeard("all");
                assertTrue(store.resubscriptions() >= 1);
                PskStoreContract.await(store.add(id, PskStoreContract.randomSecret(), HashAlgorithm.SHA256));
                assertTrue(PskStoreContract.await(store.lookup(List.of(id))).containsKey(id));
                heard.awaitHeard("changed " + id); // notifications flow again
            } finally {
                store.close();
            }
        }
    }
}
