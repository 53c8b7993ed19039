package io.tlspsk.handler.store;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.Hkdf;
import io.tlspsk.handler.ExternalPsk;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Device keys derived from a master secret and the device's identity, so that a gateway needs no key database at
 * all: provisioning computes a device's key with {@link #deriveKey} (or the same HKDF anywhere else), and the gateway
 * computes it again on each lookup. Each master has a generation number, and a device key is bound to it:
 *
 * <pre>
 *   PRK = HKDF-Extract(salt = "tls-psk-netty derived PSK v1", IKM = master)                  (RFC 5869, ASCII salt)
 *   key = HKDF-Expand(PRK, info = "tls-psk-netty device key" || generation || identity, L = Hash.length)
 *         generation: 4 bytes, big-endian; identity: its bytes as sent in the ClientHello
 * </pre>
 *
 * <p>Rotating the master ({@link #rotateMaster}) gives every device two candidates for a grace period: the new
 * generation's key first, then the previous generation's, labelled {@code gen-N}; devices are re-provisioned during the
 * grace period, after which only the new generation is accepted and the previous master is zeroed. There is no
 * per-device rotation: that needs a stored key ({@link RotatingPskStore}).
 *
 * <p>Revocation is a deny set held in this store's memory ({@link #revoke}): every gateway must be told, and the set
 * must be given again at start ({@link Builder#revoked}), for example from a file the operator keeps. A revoked identity
 * is absent from lookups, exactly like an unknown one.
 *
 * <p>Lookups compute two HMACs per candidate on the caller's thread (microseconds; no I/O). Masters (as the HKDF PRK
 * made from them) are zeroed when they expire, are replaced, or the store is closed. Anyone holding a master can compute
 * every device key of its generation: keep it in a secrets manager, never in configuration files.
 */
public final class DerivedPskStore implements PskStore, AutoCloseable {

    /** Default grace period after a master rotation: 7 days. */
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofDays(7);
    /** Shortest master accepted: 32 bytes. */
    public static final int MIN_MASTER_LENGTH = 32;

    private static final byte[] SALT = "tls-psk-netty derived PSK v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INFO = "tls-psk-netty device key".getBytes(StandardCharsets.US_ASCII);

    /** One HKDF per thread and hash: lookups run on many event loops, and an Hkdf (a Mac) is not thread-safe. */
    private static final ThreadLocal<Map<HashAlgorithm, Hkdf>> HKDF =
            ThreadLocal.withInitial(() -> new EnumMap<>(HashAlgorithm.class));

    /** One generation's PRK. */
    private static final class Master {
        final int generation;
        final byte[] prk;
        final String label;

        Master(int generation, byte[] prk) {
            this.generation = generation;
            this.prk = prk;
            this.label = "gen-" + generation;
        }
    }

    private final HashAlgorithm hash;
    private final Duration gracePeriod;
    private final Clock clock;
    private final Listeners listeners = new Listeners();
    private final Set<PskIdentity> revoked = ConcurrentHashMap.newKeySet();
    // Guarded by this; read under it (a lookup copies what it needs).
    private Master current;
    private Master previous;
    private Instant previousUntil;
    private boolean closed;

    private DerivedPskStore(Builder b) {
        this.hash = b.hash;
        this.gracePeriod = b.gracePeriod;
        this.clock = b.clock;
        this.current = new Master(b.generation, extract(hash, b.master));
        Secrets.zero(b.master);
        revoked.addAll(b.revoked);
    }

    /**
     * A store whose current master is {@code master} with {@code generation} (1 or more). The array is copied into
     * the builder and zeroed by {@link Builder#build()}; the caller may zero its own at once.
     */
    public static Builder builder(int generation, byte[] master) {
        return new Builder(generation, master);
    }

    private static byte[] extract(HashAlgorithm hash, byte[] master) {
        return hkdf(hash).extract(SALT, master);
    }

    private static Hkdf hkdf(HashAlgorithm hash) {
        return HKDF.get().computeIfAbsent(hash, Hkdf::new);
    }

    private static byte[] expand(HashAlgorithm hash, byte[] prk, int generation, byte[] identity) {
        byte[] info = new byte[INFO.length + 4 + identity.length];
        System.arraycopy(INFO, 0, info, 0, INFO.length);
        info[INFO.length] = (byte) (generation >>> 24);
        info[INFO.length + 1] = (byte) (generation >>> 16);
        info[INFO.length + 2] = (byte) (generation >>> 8);
        info[INFO.length + 3] = (byte) generation;
        System.arraycopy(identity, 0, info, INFO.length + 4, identity.length);
        return hkdf(hash).expand(prk, info, hash.length());
    }

    /**
     * The key of {@code identity} under the current master, for provisioning a device (the caller zeroes it).
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public byte[] deriveKey(PskIdentity identity) {
        Master m;
        synchronized (this) {
            checkOpen();
            m = current;
            return expand(hash, m.prk, m.generation, identity.bytes());
        }
    }

    /** The current master's generation. */
    public synchronized int generation() {
        return current.generation;
    }

    @Override
    public CompletionStage<Map<PskIdentity, List<ExternalPsk>>> lookup(Collection<PskIdentity> identities) {
        Map<PskIdentity, List<ExternalPsk>> found = new HashMap<>(identities.size() * 2);
        boolean expired = false;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new PskStoreException("derived PSK store is closed"));
            }
            if (previous != null && !clock.instant().isBefore(previousUntil)) {
                Secrets.zero(previous.prk); // the grace period is over
                previous = null;
                previousUntil = null;
                expired = true;
            }
            for (PskIdentity id : identities) {
                Objects.requireNonNull(id, "identity");
                if (revoked.contains(id)) {
                    continue;
                }
                byte[] idBytes = id.bytes();
                found.put(id, previous == null ? List.of(key(current, idBytes))
                        : List.of(key(current, idBytes), key(previous, idBytes)));
            }
        }
        if (expired) {
            listeners.allChanged(); // caches drop the previous generation's keys
        }
        return CompletableFuture.completedFuture(found);
    }

    private ExternalPsk key(Master m, byte[] identity) {
        byte[] secret = expand(hash, m.prk, m.generation, identity);
        try {
            return Secrets.toPsk(identity, secret, hash, m.label);
        } finally {
            Secrets.zero(secret);
        }
    }

    /**
     * Makes {@code master} the current master with {@code generation}, which must be higher than the current one. The
     * previous master stays a candidate until the grace period ends (what was previous before is zeroed now).
     * Listeners hear {@link PskStoreListener#allChanged()}. The array is copied; the caller zeroes its own.
     */
    public void rotateMaster(int generation, byte[] master) {
        checkMaster(master);
        byte[] prk = extract(hash, master);
        synchronized (this) {
            checkOpen();
            if (generation <= current.generation) {
                Secrets.zero(prk);
                throw new IllegalArgumentException("the new generation " + generation + " must be higher than "
                        + current.generation);
            }
            if (previous != null) {
                Secrets.zero(previous.prk);
            }
            previous = current;
            previousUntil = clock.instant().plus(gracePeriod);
            current = new Master(generation, prk);
        }
        listeners.allChanged();
    }

    /** Ends the grace period now: only the current generation is accepted from here on. */
    public void dropPreviousMaster() {
        boolean dropped;
        synchronized (this) {
            dropped = previous != null;
            if (dropped) {
                Secrets.zero(previous.prk);
                previous = null;
                previousUntil = null;
            }
        }
        if (dropped) {
            listeners.allChanged();
        }
    }

    /**
     * Adds {@code identity} to the deny set: later lookups leave it out, and listeners hear
     * {@link PskStoreListener#revoked} (a {@link LiveChannelRegistry} closes its connections). The set lives in this
     * store's memory only.
     *
     * @return whether it was not revoked already
     */
    public boolean revoke(PskIdentity identity) {
        boolean added = revoked.add(Objects.requireNonNull(identity, "identity"));
        if (added) {
            listeners.revoked(identity);
        }
        return added;
    }

    /** Takes {@code identity} off the deny set. */
    public boolean reinstate(PskIdentity identity) {
        boolean removed = revoked.remove(identity);
        if (removed) {
            listeners.changed(identity);
        }
        return removed;
    }

    /** The deny set now. */
    public Set<PskIdentity> revokedIdentities() {
        return Set.copyOf(revoked);
    }

    @Override
    public void addListener(PskStoreListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(PskStoreListener listener) {
        listeners.remove(listener);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("derived PSK store is closed");
        }
    }

    private static void checkMaster(byte[] master) {
        Objects.requireNonNull(master, "master");
        if (master.length < MIN_MASTER_LENGTH) {
            throw new IllegalArgumentException("a master secret of " + master.length + " bytes is shorter than "
                    + MIN_MASTER_LENGTH);
        }
        int bits = 0;
        for (byte x : master) {
            bits |= x;
        }
        if (bits == 0) {
            throw new IllegalArgumentException("a master secret must not be all zeros");
        }
    }

    /** Zeroes the masters; lookups fail afterwards. */
    @Override
    public synchronized void close() {
        closed = true;
        Secrets.zero(current.prk);
        if (previous != null) {
            Secrets.zero(previous.prk);
            previous = null;
        }
    }

    /** Settings of a {@link DerivedPskStore}. */
    public static final class Builder {
        private final int generation;
        private final byte[] master;
        private HashAlgorithm hash = HashAlgorithm.SHA256;
        private Duration gracePeriod = DEFAULT_GRACE_PERIOD;
        private Clock clock = Clock.systemUTC();
        private Set<PskIdentity> revoked = Set.of();

        private Builder(int generation, byte[] master) {
            if (generation < 1) {
                throw new IllegalArgumentException("generations start at 1");
            }
            checkMaster(master);
            this.generation = generation;
            this.master = master.clone();
        }

        /** The hash of the HKDF and of the keys (their length is the hash's); default SHA-256. */
        public Builder hash(HashAlgorithm hash) {
            this.hash = Objects.requireNonNull(hash, "hash");
            return this;
        }

        /** How long the previous generation stays a candidate after {@link #rotateMaster}; default 7 days. */
        public Builder gracePeriod(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("negative grace period");
            }
            this.gracePeriod = grace;
            return this;
        }

        /** Where time comes from (the grace period); default the system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The deny set to start with (it lives in memory: give it again at every start). */
        public Builder revoked(Collection<PskIdentity> identities) {
            this.revoked = Set.copyOf(identities);
            return this;
        }

        /** Builds the store and zeroes the builder's copy of the master. */
        public DerivedPskStore build() {
            return new DerivedPskStore(this);
        }
    }
}
