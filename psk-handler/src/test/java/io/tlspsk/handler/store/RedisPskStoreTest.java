package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.TestKeys;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis store against a real {@code redis-server}: the rotating-store contract (concurrent promotions through two
 * gateways), two gateways sharing one Redis, garbage and wrong-type values, and a slow Redis. Skipped, with the reason,
 * where redis-server is not installed.
 */
class RedisPskStoreTest extends RotatingPskStoreContract {

    static RedisServer redis;
    static RedisClient raw;
    static StatefulRedisConnection<String, String> rawConnection;

    RedisPskStore other;

    @BeforeAll
    static void startRedis() throws Exception {
        if (RedisServer.peerAvailable(RedisServer.PROGRAM)) {
            redis = RedisServer.start();
            raw = RedisClient.create(redis.uri());
            rawConnection = raw.connect();
        }
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (rawConnection != null) {
            rawConnection.close();
            raw.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (redis != null) {
            redis.close();
        }
    }

    static RedisCommands<String, String> redisCli() {
        return rawConnection.sync();
    }

    @Override
    PskStore newStore() {
        assumeTrue(RedisServer.peerAvailable(RedisServer.PROGRAM), "redis-server is not installed (.ci/run installs it)");
        return RedisPskStore.builder(redis.uri()).build();
    }

    @Override
    RotatingPskStore secondGateway() {
        other = RedisPskStore.builder(redis.uri()).build();
        return other;
    }

    @Override
    void closeStore() {
        if (store != null) {
            ((RedisPskStore) store).close();
        }
        if (other != null) {
            other.close();
        }
    }

    @Test
    void aRotationThroughOneGatewayIsSeenByAnotherBehindItsCache() throws Exception {
        RedisPskStore second = (RedisPskStore) secondGateway();
        RecordingListener heard = new RecordingListener();
        CachingPskStore cached = CachingPskStore.builder(second).build();
        cached.addListener(heard);
        PskIdentity id = freshIdentity();
        provision(id);
        heard.expect("changed " + id);
        assertEquals(1, await(cached.lookup(List.of(id))).get(id).size(), "cached now");
        byte[] backup = randomSecret();
        await(rotating().stageBackup(id, backup));
        heard.expect("changed " + id);
        List<ExternalPsk> seen = await(cached.lookup(List.of(id))).get(id);
        assertEquals(List.of("main-1", "backup-2"), List.of(seen.get(0).label(), seen.get(1).label()));
        assertArrayEquals(backup, TestKeys.secretOf(seen.get(1)));
        // The other gateway's device authenticates with the backup key: promoted there, seen here.
        assertEquals(Promotion.PROMOTED, await(cached.authenticated(id, seen.get(1))));
        heard.expect("promoted " + id + " main-2");
        awaitLabels(id, List.of("main-2", "backup-1"));
        assertTrue(await(rotating().revoke(id)));
        heard.expect("revoked " + id);
        assertTrue(await(cached.lookup(List.of(id))).isEmpty());
        cached.close();
    }

    @Test
    void garbageValuesAreClearErrorsNamingTheIdentityAndFieldNeverTheValue() throws Exception {
        String secretLooking = "00112233445566778899aabbccddeeff";
        assertBad("odd-hex", "main", () -> redisCli().hset("psk:{odd-hex}",
                java.util.Map.of("hash", "sha256", "main", secretLooking + "f", "main_v", "1")), secretLooking);
        assertBad("not-hex", "main", () -> redisCli().hset("psk:{not-hex}",
                java.util.Map.of("hash", "sha256", "main", "zz" + secretLooking, "main_v", "1")), secretLooking);
        assertBad("short", "main", () -> redisCli().hset("psk:{short}",
                java.util.Map.of("hash", "sha256", "main", "0011223344556677", "main_v", "1")), "0011223344556677");
        assertBad("bad-hash", "hash", () -> redisCli().hset("psk:{bad-hash}",
                java.util.Map.of("hash", "md5", "main", secretLooking, "main_v", "1")), secretLooking);
        assertBad("bad-version", "main_v", () -> redisCli().hset("psk:{bad-version}",
                java.util.Map.of("hash", "sha256", "main", secretLooking, "main_v", "one")), secretLooking);
        assertBad("no-main", "main", () -> redisCli().hset("psk:{no-main}",
                java.util.Map.of("hash", "sha256", "main_v", "1")), "sha256x");
        assertBad("backup-without-version", "backup_v", () -> redisCli().hset("psk:{backup-without-version}",
                java.util.Map.of("hash", "sha256", "main", secretLooking, "main_v", "1", "backup", secretLooking)),
                secretLooking);
    }

    private void assertBad(String identity, String field, Runnable write, String mustNotAppear) {
        write.run();
        PskStoreException e = assertThrows(PskStoreException.class, () -> lookup(PskIdentity.of(identity)));
        assertTrue(e.getMessage().contains(identity) && e.getMessage().contains("'" + field + "'"), e.getMessage());
        assertFalse(e.getMessage().contains(mustNotAppear), e.getMessage());
        assertTrue(((RedisPskStore) store).lookupFailures() > 0);
    }

    @Test
    void aKeyOfAnotherTypeIsAClearError() {
        redisCli().set("psk:{a-string}", "00112233445566778899aabbccddeeff");
        PskStoreException e = assertThrows(PskStoreException.class, () -> lookup(PskIdentity.of("a-string")));
        assertTrue(e.getMessage().contains("not a hash"), e.getMessage());
        assertFalse(e.getMessage().contains("00112233445566778899aabbccddeeff"), e.getMessage());
    }

    @Test
    void aSlowRedisFailsTheLookupAtTheCommandTimeout() throws Exception {
        RedisPskStore fast = RedisPskStore.builder(redis.uri()).commandTimeout(Duration.ofMillis(300)).build();
        RedisClient sleeper = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> c = sleeper.connect()) {
            PskIdentity id = freshIdentity();
            provision(id);
            busy(c, 3_000); // Redis answers nothing for 3 s
            Thread.sleep(100);
            long start = System.nanoTime();
            Exception e = assertThrows(Exception.class, () -> await(fast.lookup(List.of(id))));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertInstanceOf(PskStoreException.class, e);
            assertTrue(millis < 2_500, "failed fast, not after Redis woke: " + millis + " ms");
            assertEquals(1, fast.timeouts());
            assertEquals(1, fast.lookupFailures());
            Thread.sleep(3_000);
            assertTrue(await(fast.lookup(List.of(id))).containsKey(id), "works again");
        } finally {
            fast.close();
            sleeper.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** Keeps Redis busy for {@code millis} (a Lua loop: DEBUG SLEEP is disabled by default in Redis 7). */
    static void busy(StatefulRedisConnection<String, String> c, long millis) {
        c.async().eval("local t = redis.call('TIME') local start = t[1] * 1000000 + t[2] "
                + "while true do local n = redis.call('TIME') "
                + "if n[1] * 1000000 + n[2] - start > tonumber(ARGV[1]) then break end end return 1",
                io.lettuce.core.ScriptOutputType.INTEGER, new String[0], Long.toString(millis * 1000));
    }

    @Test
    void keysAreStoredInTheDocumentedLayout() throws Exception {
        PskIdentity id = freshIdentity();
        byte[] main = provision(id);
        byte[] backup = randomSecret();
        await(rotating().stageBackup(id, backup));
        java.util.Map<String, String> h = redisCli().hgetall("psk:{" + id + "}");
        assertEquals("sha256", h.get("hash"));
        assertEquals(HexFormat.of().formatHex(main), h.get("main"));
        assertEquals("1", h.get("main_v"));
        assertEquals(HexFormat.of().formatHex(backup), h.get("backup"));
        assertEquals("2", h.get("backup_v"));
        assertTrue(Long.parseLong(h.get("main_t")) > 0 && Long.parseLong(h.get("backup_t")) > 0);
    }

    @Test
    void anIdentityProvisionedWithRedisCliIsFound() throws Exception {
        String hex = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
        redisCli().hset("psk:{by-hand}", java.util.Map.of("hash", "sha384", "main", hex, "main_v", "1"));
        List<ExternalPsk> keys = lookup(PskIdentity.of("by-hand")).get(PskIdentity.of("by-hand"));
        assertArrayEquals(HexFormat.of().parseHex(hex), TestKeys.secretOf(keys.get(0)));
        assertEquals(HashAlgorithm.SHA384, keys.get(0).hash());
        assertEquals("main-1", keys.get(0).label());
    }
}
