package io.tlspsk.handler.store;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link RotatingPskStore} in Redis, shared by a fleet of gateways, through Lettuce (Netty-based and asynchronous;
 * an optional dependency of this library: add {@code io.lettuce:lettuce-core} to use this class). The layout is one
 * hash per identity, documented in the README ("Running a fleet") and below:
 *
 * <pre>
 *   key    psk:{device-0042}          (prefix, then the identity as the Redis Cluster hash tag)
 *   fields hash     sha256 | sha384
 *          main     hex key           main_v   version   main_t   creation, epoch ms
 *          backup   hex key           backup_v version   backup_t creation, epoch ms   (only while there is one)
 *   channel psk:events                c&lt;identity&gt; changed, p&lt;version&gt;:&lt;identity&gt; promoted, r&lt;identity&gt; revoked
 * </pre>
 *
 * <p>A lookup sends one HMGET per offered identity, all pipelined at once (each to its own slot in a cluster), and
 * waits for them together. Adding, staging, promotion and revocation are Lua scripts (EVALSHA), so each is atomic in
 * Redis, and each publishes its change in the same script: every gateway's store, this one included, hears it on the
 * events channel and tells its listeners (a {@link CachingPskStore} invalidates, a {@link LiveChannelRegistry} closes
 * revoked connections). After the subscription is re-established (Redis restarted, network cut), listeners hear
 * {@link PskStoreListener#allChanged()}, since notifications may have been lost meanwhile.
 *
 * <p>Failures are fast: every command has a timeout ({@link Builder#commandTimeout}, default 500 ms), and while the
 * connection is down commands are refused at once instead of queued (on a cluster they wait in a bounded queue for a
 * node connection, each for at most the command timeout); a lookup that fails fails its handshake with
 * internal_error and counts in {@link #lookupFailures()}. Lettuce reconnects in the background, and lookups work again
 * as soon as Redis answers. Values that are not a valid record fail the lookup with a {@link PskStoreException} naming
 * the identity and the field. Keys are never logged nor put in exceptions; hex copies are zeroed after use.
 *
 * <p>Building a store connects (blocking, bounded by {@link Builder#connectTimeout}): build it before the server
 * starts, never on an event loop.
 */
public final class RedisPskStore implements RotatingPskStore, AutoCloseable {

    /** Default command timeout: 500 ms. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(500);
    /** Default key prefix: {@code psk:}. */
    public static final String DEFAULT_PREFIX = "psk:";

    /** Cluster: most commands queued while a node connection is (re)established. */
    static final int CLUSTER_REQUEST_QUEUE_SIZE = 10_000;

    private static final byte[] HASH_SHA256 = "sha256".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HASH_SHA384 = "sha384".getBytes(StandardCharsets.US_ASCII);

    // KEYS[1] the record. Each returns 0 when it changes nothing.
    private static final Script ADD = new Script(
            "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
            + "redis.call('HSET', KEYS[1], 'hash', ARGV[1], 'main', ARGV[2], 'main_v', '1', 'main_t', ARGV[3])\n"
            + "redis.call('PUBLISH', ARGV[4], ARGV[5])\n"
            + "return 1\n");
    private static final Script STAGE = new Script(
            "local v = redis.call('HMGET', KEYS[1], 'main_v', 'backup_v')\n"
            + "if not v[1] then return 0 end\n"
            + "local n = tonumber(v[1])\n"
            + "if not n then return redis.error_reply('field main_v is not a number') end\n"
            + "if v[2] then\n"
            + "  local b = tonumber(v[2])\n"
            + "  if not b then return redis.error_reply('field backup_v is not a number') end\n"
            + "  if b > n then n = b end\n"
            + "end\n"
            + "if n >= 2147483647 then return redis.error_reply('every key version is used') end\n"
            + "n = n + 1\n"
            + "redis.call('HSET', KEYS[1], 'backup', ARGV[1], 'backup_v', tostring(n), 'backup_t', ARGV[2])\n"
            + "redis.call('PUBLISH', ARGV[3], ARGV[4])\n"
            + "return n\n");
    private static final Script PROMOTE = new Script(
            "local f = redis.call('HMGET', KEYS[1], 'main', 'main_v', 'main_t', 'backup', 'backup_v', 'backup_t')\n"
            + "if not f[4] or f[5] ~= ARGV[1] then return 0 end\n"
            + "redis.call('HSET', KEYS[1], 'main', f[4], 'main_v', f[5], 'main_t', f[6] or '0',"
            + " 'backup', f[1], 'backup_v', f[2], 'backup_t', f[3] or '0')\n"
            + "redis.call('PUBLISH', ARGV[2], ARGV[3])\n"
            + "return 1\n");
    private static final Script REVOKE = new Script(
            "local n = redis.call('DEL', KEYS[1])\n"
            + "if n == 1 then redis.call('PUBLISH', ARGV[1], ARGV[2]) end\n"
            + "return n\n");

    private final AbstractRedisClient client;
    private final ClientResources ownResources;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final AutoCloseable commandConnection;
    private final StatefulRedisPubSubConnection<byte[], byte[]> events;
    private final byte[] prefix;
    private final byte[] channel;
    private final boolean allowShortSecrets;
    private final Clock clock;
    private final Listeners listeners = new Listeners();
    private final AtomicBoolean subscribedOnce = new AtomicBoolean();
    private final LongAdder lookups = new LongAdder();
    private final LongAdder lookupFailures = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder notifications = new LongAdder();
    private final LongAdder resubscriptions = new LongAdder();

    private RedisPskStore(Builder b) {
        this.prefix = b.prefix.getBytes(StandardCharsets.UTF_8);
        this.channel = (b.prefix + "events").getBytes(StandardCharsets.UTF_8);
        this.allowShortSecrets = b.allowShortSecrets;
        this.clock = b.clock;
        this.ownResources = b.resources == null
                ? ClientResources.builder().ioThreadPoolSize(b.ioThreads).computationThreadPoolSize(b.ioThreads)
                        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), b.maxReconnectDelay, 2,
                                TimeUnit.MILLISECONDS))
                        .build()
                : null;
        ClientResources resources = b.resources != null ? b.resources : ownResources;
        SocketOptions socket = SocketOptions.builder().connectTimeout(b.connectTimeout).build();
        TimeoutOptions timeout = TimeoutOptions.enabled(b.commandTimeout);
        try {
            if (b.cluster) {
                RedisClusterClient c = RedisClusterClient.create(resources, b.uris);
                // Not REJECT_COMMANDS here: a cluster connection opens its per-node connections on first use, and
                // would refuse the first command to each node. Commands wait for a connection instead, each bounded
                // by the command timeout, in a bounded queue.
                c.setOptions(ClusterClientOptions.builder().socketOptions(socket).timeoutOptions(timeout)
                        .requestQueueSize(CLUSTER_REQUEST_QUEUE_SIZE).build());
                this.client = c;
                var conn = c.connect(ByteArrayCodec.INSTANCE);
                this.commandConnection = conn;
                this.commands = conn.async();
                this.events = c.connectPubSub(ByteArrayCodec.INSTANCE);
            } else {
                RedisClient c = RedisClient.create(resources, b.uris.get(0));
                c.setOptions(ClientOptions.builder().socketOptions(socket).timeoutOptions(timeout)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
                this.client = c;
                var conn = c.connect(ByteArrayCodec.INSTANCE);
                this.commandConnection = conn;
                this.commands = conn.async();
                this.events = c.connectPubSub(ByteArrayCodec.INSTANCE);
            }
        } catch (RuntimeException e) {
            if (ownResources != null) {
                ownResources.shutdown(0, 1, TimeUnit.SECONDS);
            }
            throw new PskStoreException("cannot connect to Redis at " + b.uris + ": " + e.getMessage(), e);
        }
        events.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] from, byte[] message) {
                if (RedisRecord.dispatch(message, listeners)) {
                    notifications.increment();
                }
            }

            @Override
            public void subscribed(byte[] from, long count) {
                // The first subscription is ours at start; any later one follows a reconnection (Lettuce
                // resubscribes), and changes published while we were away were lost.
                if (!subscribedOnce.compareAndSet(false, true)) {
                    resubscriptions.increment();
                    listeners.allChanged();
                }
            }
        });
        try {
            events.sync().subscribe(channel);
        } catch (RuntimeException e) {
            close();
            throw new PskStoreException("cannot subscribe to the Redis channel " + b.prefix + "events: "
                    + e.getMessage(), e);
        }
    }

    /** A store on the Redis server at {@code uri} (e.g. {@code redis://127.0.0.1:6379}). */
    public static Builder builder(RedisURI uri) {
        return new Builder(List.of(Objects.requireNonNull(uri, "uri")), false);
    }

    /** A store on the Redis server at {@code uri}, given as text ({@code redis://host:port}). */
    public static Builder builder(String uri) {
        return builder(RedisURI.create(uri));
    }

    /** A store on a Redis Cluster, reached through any of {@code seeds}. */
    public static Builder clusterBuilder(List<RedisURI> seeds) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("at least one seed node is needed");
        }
        return new Builder(List.copyOf(seeds), true);
    }

    // ---- lookup ----

    @Override
    public CompletionStage<Map<PskIdentity, List<ExternalPsk>>> lookup(Collection<PskIdentity> identities) {
        lookups.increment();
        List<PskIdentity> ids = List.copyOf(identities); // refuses null identities
        List<CompletableFuture<List<KeyValue<byte[], byte[]>>>> replies = new ArrayList<>(ids.size());
        try {
            for (PskIdentity id : ids) {
                // Pipelined: every HMGET is written before any reply is awaited.
                replies.add(commands.hmget(RedisRecord.key(prefix, id), RedisRecord.LOOKUP_FIELDS).toCompletableFuture());
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failed(ids.size(), e));
        }
        return CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])).handle((ignored, failure) -> {
            if (failure != null) {
                for (CompletableFuture<List<KeyValue<byte[], byte[]>>> r : replies) {
                    if (r.isDone() && !r.isCompletedExceptionally()) {
                        for (byte[] v : values(r.join())) {
                            Secrets.zero(v);
                        }
                    }
                }
                throw new CompletionException(failed(ids.size(), unwrap(failure)));
            }
            Map<PskIdentity, List<ExternalPsk>> found = new HashMap<>(ids.size() * 2);
            for (int i = 0; i < ids.size(); i++) {
                byte[][] values = values(replies.get(i).join());
                try {
                    List<ExternalPsk> keys = RedisRecord.candidates(ids.get(i), values, allowShortSecrets);
                    if (keys != null) {
                        found.put(ids.get(i), keys);
                    }
                } catch (PskStoreException e) {
                    lookupFailures.increment();
                    throw new CompletionException(e);
                } finally {
                    for (byte[] v : values) {
                        Secrets.zero(v);
                    }
                }
            }
            return found;
        });
    }

    private static byte[][] values(List<KeyValue<byte[], byte[]>> reply) {
        byte[][] out = new byte[reply.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = reply.get(i).hasValue() ? reply.get(i).getValue() : null;
        }
        return out;
    }

    private PskStoreException failed(int identities, Throwable cause) {
        lookupFailures.increment();
        if (cause instanceof RedisCommandTimeoutException) {
            timeouts.increment();
        }
        if (cause instanceof PskStoreException) {
            return (PskStoreException) cause;
        }
        return new PskStoreException("Redis lookup of " + identities + " PSK identit" + (identities == 1 ? "y" : "ies")
                + " failed: " + describe(cause), cause);
    }

    /** A Redis error in words, WRONGTYPE made explicit (a key under the prefix that is not a hash). */
    private static String describe(Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        return m.startsWith("WRONGTYPE") ? "a key under the PSK prefix is not a hash (" + m + ")" : m;
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---- management ----

    @Override
    public CompletionStage<KeyLabel> add(PskIdentity identity, byte[] secret, HashAlgorithm hash) {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(hash, "hash");
        try {
            Secrets.check(secret, allowShortSecrets);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        byte[] hex = Hex.encode(secret);
        return run(ADD, identity, hash == HashAlgorithm.SHA256 ? HASH_SHA256 : HASH_SHA384, hex, now(), channel,
                RedisRecord.changedMessage(identity))
                .whenComplete((r, f) -> Secrets.zero(hex))
                .thenApply(added -> {
                    if (added == 0) {
                        throw new PskStoreException("identity " + identity + " exists already (revoke it first, or "
                                + "stage a backup key to rotate)");
                    }
                    return KeyLabel.main(1);
                });
    }

    @Override
    public CompletionStage<KeyLabel> stageBackup(PskIdentity identity, byte[] secret) {
        Objects.requireNonNull(identity, "identity");
        try {
            Secrets.check(secret, allowShortSecrets);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        byte[] hex = Hex.encode(secret);
        return run(STAGE, identity, hex, now(), channel, RedisRecord.changedMessage(identity))
                .whenComplete((r, f) -> Secrets.zero(hex))
                .thenApply(version -> {
                    if (version == 0) {
                        throw new PskStoreException("unknown identity " + identity
                                + ": add it before staging a backup key");
                    }
                    return KeyLabel.backup(version.intValue());
                });
    }

    @Override
    public CompletionStage<Promotion> promote(PskIdentity identity, KeyLabel expectedBackup) {
        Objects.requireNonNull(identity, "identity");
        if (!Objects.requireNonNull(expectedBackup, "expectedBackup").isBackup()) {
            return CompletableFuture.completedFuture(Promotion.NONE);
        }
        byte[] version = Integer.toString(expectedBackup.version()).getBytes(StandardCharsets.US_ASCII);
        return run(PROMOTE, identity, version, channel, RedisRecord.promotedMessage(identity, expectedBackup.version()))
                .thenApply(n -> n == 1 ? Promotion.PROMOTED : Promotion.STALE);
    }

    @Override
    public CompletionStage<Boolean> revoke(PskIdentity identity) {
        Objects.requireNonNull(identity, "identity");
        return run(REVOKE, identity, channel, RedisRecord.revokedMessage(identity)).thenApply(n -> n == 1);
    }

    @Override
    public CompletionStage<Optional<PskKeyInfo>> describe(PskIdentity identity) {
        return describeKey(identity, RedisRecord.key(prefix, Objects.requireNonNull(identity, "identity")));
    }

    private CompletionStage<Optional<PskKeyInfo>> describeKey(PskIdentity identity, byte[] key) {
        return commands.hmget(key, RedisRecord.ALL_FIELDS).thenApply(reply -> {
            byte[][] values = values(reply);
            try {
                return Optional.ofNullable(RedisRecord.info(identity, values));
            } finally {
                for (byte[] v : values) {
                    Secrets.zero(v);
                }
            }
        });
    }

    /** Every identity under this store's prefix (SCAN, then HMGET each; for tools, not for hot paths). */
    @Override
    public CompletionStage<List<PskKeyInfo>> list() {
        List<byte[]> keys = new ArrayList<>();
        byte[] pattern = new byte[prefix.length + 2];
        for (int i = 0; i < prefix.length; i++) {
            byte c = prefix[i];
            if (c == '*' || c == '?' || c == '[' || c == '\\') {
                throw new IllegalStateException("list() needs a prefix without glob characters");
            }
            pattern[i] = c;
        }
        pattern[prefix.length] = '{';
        pattern[prefix.length + 1] = '*';
        return scan(ScanCursor.INITIAL, ScanArgs.Builder.matches(pattern).limit(1000), keys).thenCompose(v -> {
            List<CompletableFuture<Optional<PskKeyInfo>>> each = new ArrayList<>();
            for (byte[] k : keys) {
                PskIdentity id = RedisRecord.identityOfKey(prefix, k);
                if (id != null) {
                    each.add(describeKey(id, k).toCompletableFuture());
                }
            }
            return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0])).thenApply(x -> {
                List<PskKeyInfo> out = new ArrayList<>(each.size());
                each.forEach(f -> f.join().ifPresent(out::add));
                return out;
            });
        });
    }

    private CompletionStage<Void> scan(ScanCursor cursor, ScanArgs args, List<byte[]> into) {
        return commands.scan(cursor, args).thenCompose((KeyScanCursor<byte[]> c) -> {
            into.addAll(c.getKeys());
            return c.isFinished() ? CompletableFuture.completedFuture(null) : scan(c, args, into);
        });
    }

    private byte[] now() {
        return Long.toString(clock.millis()).getBytes(StandardCharsets.US_ASCII);
    }

    /** EVALSHA, and EVAL when the server does not have the script yet (it keeps it then). */
    private CompletableFuture<Long> run(Script script, PskIdentity identity, byte[]... args) {
        byte[][] keys = {RedisRecord.key(prefix, identity)};
        CompletableFuture<Long> first;
        try {
            first = commands.<Long>evalsha(script.sha1, ScriptOutputType.INTEGER, keys, args).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new PskStoreException("Redis: " + e.getMessage(), e));
        }
        return first.handle((r, f) -> {
            if (f == null) {
                return CompletableFuture.completedFuture(r);
            }
            if (unwrap(f) instanceof RedisNoScriptException) {
                return commands.<Long>eval(script.source, ScriptOutputType.INTEGER, keys, args).toCompletableFuture();
            }
            return CompletableFuture.<Long>failedFuture(unwrap(f));
        }).thenCompose(x -> x).handle((r, f) -> {
            if (f != null) {
                Throwable cause = unwrap(f);
                if (cause instanceof RedisCommandTimeoutException) {
                    timeouts.increment();
                }
                throw new CompletionException(cause instanceof PskStoreException ? cause
                        : new PskStoreException("Redis update of PSK identity " + identity + " failed: "
                                + describe(cause), cause));
            }
            return r;
        });
    }

    /** A Lua script and its SHA-1 (what EVALSHA names it by). */
    private static final class Script {
        final byte[] source;
        final String sha1;

        Script(String source) {
            this.source = source.getBytes(StandardCharsets.UTF_8);
            try {
                this.sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(this.source));
            } catch (NoSuchAlgorithmException e) {
                throw new ExceptionInInitializerError(e); // SHA-1 is in every JDK
            }
        }
    }

    // ---- listeners, counters, close ----

    @Override
    public void addListener(PskStoreListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(PskStoreListener listener) {
        listeners.remove(listener);
    }

    /** Lookups asked of this store. */
    public long lookups() {
        return lookups.sum();
    }

    /** Lookups that failed: Redis down, slow (see {@link #timeouts()}) or holding an invalid record. */
    public long lookupFailures() {
        return lookupFailures.sum();
    }

    /** Commands that timed out. */
    public long timeouts() {
        return timeouts.sum();
    }

    /** Change notifications received from the events channel (this gateway's own changes included). */
    public long notifications() {
        return notifications.sum();
    }

    /** Times the events subscription was re-established after a connection loss. */
    public long resubscriptions() {
        return resubscriptions.sum();
    }

    /** Closes the connections (and the client resources, unless they were given). */
    @Override
    public void close() {
        try {
            events.close();
        } catch (RuntimeException ignored) {
            // closing anyway
        }
        try {
            commandConnection.close();
        } catch (Exception ignored) {
            // closing anyway
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        if (ownResources != null) {
            ownResources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Settings of a {@link RedisPskStore}. */
    public static final class Builder {
        private final List<RedisURI> uris;
        private final boolean cluster;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration maxReconnectDelay = Duration.ofSeconds(2);
        private String prefix = DEFAULT_PREFIX;
        private boolean allowShortSecrets;
        private ClientResources resources;
        private int ioThreads = 2;
        private Clock clock = Clock.systemUTC();

        private Builder(List<RedisURI> uris, boolean cluster) {
            this.uris = uris;
            this.cluster = cluster;
        }

        /**
         * Longest wait for any Redis command; default {@link #DEFAULT_COMMAND_TIMEOUT}. A lookup that takes longer
         * fails (the handshake with internal_error) instead of holding the connection until the handshake timeout.
         */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = positive(timeout);
            return this;
        }

        /** Longest wait to connect; default 2 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout);
            return this;
        }

        /** Longest pause between reconnection attempts while Redis is away (own client resources only); default 2 s. */
        public Builder maxReconnectDelay(Duration delay) {
            this.maxReconnectDelay = positive(delay);
            return this;
        }

        /**
         * Prefix of every key and of the events channel; default {@link #DEFAULT_PREFIX}. Gateways sharing keys use
         * the same prefix; several fleets can share one Redis with different prefixes.
         */
        public Builder prefix(String prefix) {
            if (Objects.requireNonNull(prefix, "prefix").isEmpty()) {
                throw new IllegalArgumentException("empty prefix");
            }
            this.prefix = prefix;
            return this;
        }

        /** Accept keys under 16 bytes, for legacy devices (see {@link ExternalPsk#ofShortSecret}). */
        public Builder allowShortSecrets(boolean allow) {
            this.allowShortSecrets = allow;
            return this;
        }

        /** Lettuce client resources to share (the caller shuts them down); by default the store makes its own. */
        public Builder clientResources(ClientResources resources) {
            this.resources = Objects.requireNonNull(resources, "resources");
            return this;
        }

        /** I/O threads of the store's own client resources; default 2. */
        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("at least one I/O thread");
            }
            this.ioThreads = threads;
            return this;
        }

        /** Where creation times come from; default the system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        private static Duration positive(Duration d) {
            if (Objects.requireNonNull(d, "duration").isNegative() || d.isZero()) {
                throw new IllegalArgumentException("must be positive: " + d);
            }
            return d;
        }

        /**
         * Connects and subscribes to the events channel (blocking, bounded by the connect and command timeouts).
         *
         * @throws PskStoreException when Redis cannot be reached
         */
        public RedisPskStore build() {
            return new RedisPskStore(this);
        }
    }
}
