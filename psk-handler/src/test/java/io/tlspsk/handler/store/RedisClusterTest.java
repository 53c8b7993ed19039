package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Redis store on a real three-node Redis Cluster (three redis-server processes in cluster mode, slots split
 * between them): one lookup spanning every node, the Lua scripts on each identity's own slot, and change notifications
 * between two gateways. Skipped where redis-server is not installed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisClusterTest {

    @Test
    void aClusterServesLookupsAcrossSlotsAndRotationsReachEveryGateway() throws Exception {
        assumeTrue(RedisServer.peerAvailable(RedisServer.PROGRAM), "redis-server is not installed (.ci/run installs it)");
        Path dir = Files.createTempDirectory("redis-cluster");
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(RedisServer.start("--cluster-enabled", "yes", "--dir", dir.toString(),
                        "--cluster-config-file", "nodes-" + i + ".conf", "--cluster-node-timeout", "2000"));
            }
            formCluster(nodes);
            List<RedisURI> seeds = List.of(RedisURI.create(nodes.get(0).uri()));
            try (RedisPskStore a = RedisPskStore.clusterBuilder(seeds).build();
                 RedisPskStore b = RedisPskStore.clusterBuilder(seeds).build()) {
                RecordingListener heardByB = new RecordingListener();
                b.addListener(heardByB);
                List<PskIdentity> ids = new ArrayList<>();
                Set<Integer> slots = new HashSet<>();
                for (int i = 0; i < 40; i++) {
                    PskIdentity id = PskIdentity.of("device-" + i);
                    ids.add(id);
                    slots.add(SlotHash.getSlot(RedisRecord.key("psk:".getBytes(), id)));
                    PskStoreContract.await(a.add(id, PskStoreContract.randomSecret(), HashAlgorithm.SHA256));
                }
                assertTrue(slots.size() > 30, "identities spread over slots: " + slots.size());
                Map<PskIdentity, List<ExternalPsk>> found = PskStoreContract.await(b.lookup(ids));
                assertEquals(40, found.size(), "one lookup across every node");

                PskIdentity id = ids.get(7);
                heardByB.awaitHeard("changed " + id);
                PskStoreContract.await(a.stageBackup(id, PskStoreContract.randomSecret()));
                heardByB.awaitHeard("changed " + id);
                List<ExternalPsk> keys = PskStoreContract.await(b.lookup(List.of(id))).get(id);
                assertEquals("backup-2", keys.get(1).label());
                assertEquals(Promotion.PROMOTED, PskStoreContract.await(b.authenticated(id, keys.get(1))));
                heardByB.awaitHeard("promoted " + id + " main-2");
                assertTrue(PskStoreContract.await(a.revoke(id)));
                heardByB.awaitHeard("revoked " + id);
                assertEquals(39, PskStoreContract.await(a.list()).size(), "SCAN over every node");
            }
        } finally {
            for (RedisServer n : nodes) {
                n.close();
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Splits the 16384 slots over the nodes, introduces them to each other and waits until the cluster is ok. */
    private static void formCluster(List<RedisServer> nodes) throws Exception {
        int per = 16384 / nodes.size();
        List<RedisClient> clients = new ArrayList<>();
        List<StatefulRedisConnection<String, String>> conns = new ArrayList<>();
        try {
            for (int i = 0; i < nodes.size(); i++) {
                RedisClient c = RedisClient.create(nodes.get(i).uri());
                clients.add(c);
                StatefulRedisConnection<String, String> conn = c.connect();
                conns.add(conn);
                int from = i * per;
                int to = i == nodes.size() - 1 ? 16383 : from + per - 1;
                int[] slots = new int[to - from + 1];
                for (int s = 0; s < slots.length; s++) {
                    slots[s] = from + s;
                }
                conn.sync().clusterAddSlots(slots);
            }
            for (int i = 1; i < nodes.size(); i++) {
                conns.get(0).sync().clusterMeet("127.0.0.1", nodes.get(i).port);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (StatefulRedisConnection<String, String> conn : conns) {
                while (!conn.sync().clusterInfo().contains("cluster_state:ok")) {
                    assertTrue(System.nanoTime() < deadline, "cluster did not form");
                    Thread.sleep(100);
                }
            }
        } finally {
            conns.forEach(StatefulRedisConnection::close);
            clients.forEach(c -> c.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
        }
    }
}
