package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.store.CachingPskStore;
import io.tlspsk.handler.store.LiveChannelRegistry;
import io.tlspsk.handler.store.PskIdentity;
import io.tlspsk.handler.store.RedisPskStore;
import io.tlspsk.handler.store.RedisServer;
import io.tlspsk.handler.store.StoreSelector;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two gateways (two server contexts, each with its own Redis store and cache) sharing one real redis-server: the
 * rotation procedure across them, revocation closing a connection on the other gateway, and handshakes failing with
 * internal_error while Redis is down and working again when it returns.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisFleetTest {

    static final byte[] MAIN = WireTap.pattern(32, 61);
    static final byte[] BACKUP = WireTap.pattern(32, 62);

    static EventLoopGroup group;

    @BeforeAll
    static void startEventLoops() {
        group = LocalPair.newGroup();
    }

    @AfterAll
    static void stopEventLoops() throws InterruptedException {
        LocalPair.shutdown(group);
    }

    static PskTlsContext device(String id, byte[] key) {
        return PskTlsContext.forClient().addPsk(ExternalPsk.of(id, key, HashAlgorithm.SHA256)).build();
    }

    @Test
    void aRotationThroughOneGatewayIsSeenByTheOther() throws Exception {
        assumeTrue(RedisServer.peerAvailable(RedisServer.PROGRAM), "redis-server is not installed (.ci/run installs it)");
        try (RedisServer redis = RedisServer.start();
             RedisPskStore storeA = RedisPskStore.builder(redis.uri()).build();
             RedisPskStore storeB = RedisPskStore.builder(redis.uri()).build();
             CachingPskStore cacheA = CachingPskStore.builder(storeA).build();
             CachingPskStore cacheB = CachingPskStore.builder(storeB).build()) {
            LiveChannelRegistry liveB = new LiveChannelRegistry();
            cacheB.addListener(liveB);
            StoreSelector selectorA = PskSelector.fromStore(cacheA);
            PskTlsContext gatewayA = PskTlsContext.forServer(selectorA).build();
            PskTlsContext gatewayB = PskTlsContext.forServer(PskSelector.fromStore(cacheB)).liveChannels(liveB).build();
            PskIdentity id = PskIdentity.of("device-fleet");
            storeA.add(id, MAIN, HashAlgorithm.SHA256).toCompletableFuture().get(5, TimeUnit.SECONDS);

            try (LocalPair pair = new LocalPair(group, device("device-fleet", MAIN), gatewayB)) {
                pair.awaitHandshakes();
                assertEquals("main-1", pair.serverHandshake().getNow().keyLabel());
            }
            // The operator stages a new key (through gateway A's store); the device gets it and connects to A.
            storeA.stageBackup(id, BACKUP).toCompletableFuture().get(5, TimeUnit.SECONDS);
            try (LocalPair pair = new LocalPair(group, device("device-fleet", BACKUP), gatewayA)) {
                pair.awaitHandshakes();
                assertEquals("backup-2", pair.serverHandshake().getNow().keyLabel());
            }
            awaitPromotions(selectorA, 1);
            // Gateway B, whose cache held main-1 only, knows the promoted key now.
            try (LocalPair pair = new LocalPair(group, device("device-fleet", BACKUP), gatewayB)) {
                pair.awaitHandshakes();
                assertEquals("main-2", pair.serverHandshake().getNow().keyLabel());
                // Revoked through gateway A: B closes its live connection with close_notify.
                storeA.revoke(id).toCompletableFuture().get(5, TimeUnit.SECONDS);
                pair.clientEvents.awaitEvent(PskCloseNotifyEvent.class);
                assertTrue(pair.server.closeFuture().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));
            }
            try (LocalPair pair = new LocalPair(group, device("device-fleet", BACKUP), gatewayB)) {
                assertTrue(pair.serverHandshake().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));
                // Refused as an unknown identity is, by default like a wrong key (RFC 8446 section 6.2).
                assertEquals(AlertDescription.DECRYPT_ERROR,
                        ((PskAlertException) pair.serverHandshake().cause()).description());
            }
        }
    }

    private static void awaitPromotions(StoreSelector selector, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (selector.promotions() < n) {
            assertTrue(System.nanoTime() < deadline, "no promotion; failures " + selector.promotionFailures());
            Thread.sleep(20);
        }
    }

    @Test
    void handshakesFailWithInternalErrorWhileRedisIsDownAndWorkWhenItReturns() throws Exception {
        assumeTrue(RedisServer.peerAvailable(RedisServer.PROGRAM), "redis-server is not installed (.ci/run installs it)");
        try (RedisServer redis = RedisServer.start();
             RedisPskStore store = RedisPskStore.builder(redis.uri()).commandTimeout(Duration.ofMillis(300))
                     .maxReconnectDelay(Duration.ofMillis(200)).build()) {
            PskTlsContext gateway = PskTlsContext.forServer(PskSelector.fromStore(store)).build();
            redis.kill();
            try (LocalPair pair = new LocalPair(group, device("device-down", MAIN), gateway)) {
                assertTrue(pair.serverHandshake().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "no hang");
                assertEquals(AlertDescription.INTERNAL_ERROR,
                        ((PskAlertException) pair.serverHandshake().cause()).description());
            }
            assertTrue(store.lookupFailures() >= 1);
            redis.restart();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                try {
                    store.add(PskIdentity.of("device-down"), MAIN, HashAlgorithm.SHA256)
                            .toCompletableFuture().get(5, TimeUnit.SECONDS);
                    break;
                } catch (java.util.concurrent.ExecutionException notYet) {
                    assertTrue(System.nanoTime() < deadline, "Redis did not come back");
                    Thread.sleep(50);
                }
            }
            try (LocalPair pair = new LocalPair(group, device("device-down", MAIN), gateway)) {
                pair.awaitHandshakes();
            }
        }
    }
}
