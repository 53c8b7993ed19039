package io.tlspsk.handler.store;

import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * An open-addressing hash table (linear probing, backward-shift deletion) of {@link KeyRecord}s keyed by their
 * identity: per identity one packed array plus two table slots (a reference and the identity's hash), about 16 bytes
 * at the load factor kept here, instead of the map entries, keys, lists and key objects a {@code HashMap} would need.
 *
 * <p>Reads take no lock: they run as a {@link StampedLock} optimistic read (probe, copy the record) and fall back to the
 * read lock only when a write ran meanwhile, so lookups on many event loops never wait for each other and rarely for a
 * writer. Writes (rotation, revocation, loading) take the write lock; a record replaced or removed is zeroed under it,
 * so a reader either validates a copy made before the change or retries, and never uses a half-zeroed key.
 */
final class PackedKeyTable {

    /** Grow when more than this share of slots is used. */
    private static final double MAX_LOAD = 0.75;
    private static final int MIN_CAPACITY = 16;
    /** Largest capacity (2^30 slots): far more identities than a heap holds. */
    private static final int MAX_CAPACITY = 1 << 30;

    /** The slot arrays, swapped whole on resize so that a reader sees one pair. */
    private static final class Slots {
        final byte[][] records;
        final int[] hashes;

        Slots(int capacity) {
            records = new byte[capacity][];
            hashes = new int[capacity];
        }
    }

    private final StampedLock lock = new StampedLock();
    private Slots slots;
    private int size;

    PackedKeyTable(int expectedSize) {
        slots = new Slots(capacityFor(expectedSize));
    }

    private static int capacityFor(int entries) {
        long needed = (long) Math.ceil(Math.max(entries, 1) / MAX_LOAD);
        int c = MIN_CAPACITY;
        while (c < needed && c < MAX_CAPACITY) {
            c <<= 1;
        }
        return c;
    }

    /** Number of identities. */
    int size() {
        long stamp = lock.readLock();
        try {
            return size;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** A copy of {@code identity}'s record, or {@code null}; the caller zeroes the copy when done. */
    byte[] getCopy(PskIdentity identity) {
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            byte[] copy;
            try {
                copy = find(slots, identity);
            } catch (RuntimeException racedWithWriter) {
                copy = null; // an inconsistent view; validate fails below and we read under the lock
                stamp = 0;
            }
            if (stamp != 0 && lock.validate(stamp)) {
                return copy;
            }
            Secrets.zero(copy);
        }
        stamp = lock.readLock();
        try {
            return find(slots, identity);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private static byte[] find(Slots s, PskIdentity identity) {
        int mask = s.records.length - 1;
        int h = identity.hashCode();
        for (int i = h & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
            byte[] r = s.records[i];
            if (r == null) {
                return null;
            }
            if (s.hashes[i] == h && KeyRecord.hasIdentity(r, identity)) {
                return r.clone();
            }
        }
        return null;
    }

    /**
     * Atomically replaces {@code identity}'s record with {@code update.apply(current)} (current is {@code null} when
     * absent; the result {@code null} removes it; returning {@code current} itself changes nothing). A record replaced
     * or removed is zeroed. Returns the new record (the table's own array: do not modify) or {@code null}.
     */
    byte[] compute(PskIdentity identity, UnaryOperator<byte[]> update) {
        long stamp = lock.writeLock();
        try {
            Slots s = slots;
            int mask = s.records.length - 1;
            int h = identity.hashCode();
            int i = h & mask;
            while (s.records[i] != null && !(s.hashes[i] == h && KeyRecord.hasIdentity(s.records[i], identity))) {
                i = (i + 1) & mask;
            }
            byte[] current = s.records[i];
            byte[] next = update.apply(current);
            if (next == current) {
                return current;
            }
            if (next == null) {
                removeAt(s, i);
                size--;
            } else if (current == null) {
                s.records[i] = next;
                s.hashes[i] = h;
                size++;
                if (size > s.records.length * MAX_LOAD) {
                    resize();
                }
            } else {
                s.records[i] = next;
            }
            if (current != null) {
                KeyRecord.zeroSecrets(current);
            }
            return next;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Knuth's algorithm R: moves later entries of the probe run back so no tombstone is needed. */
    private static void removeAt(Slots s, int hole) {
        int mask = s.records.length - 1;
        s.records[hole] = null;
        for (int j = (hole + 1) & mask; s.records[j] != null; j = (j + 1) & mask) {
            int home = s.hashes[j] & mask;
            // Move the entry at j into the hole when its home slot is not cyclically within (hole, j].
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                s.records[hole] = s.records[j];
                s.hashes[hole] = s.hashes[j];
                s.records[j] = null;
                hole = j;
            }
        }
    }

    private void resize() {
        Slots old = slots;
        if (old.records.length >= MAX_CAPACITY) {
            throw new IllegalStateException("key table full");
        }
        Slots grown = new Slots(old.records.length << 1);
        int mask = grown.records.length - 1;
        for (int i = 0; i < old.records.length; i++) {
            byte[] r = old.records[i];
            if (r != null) {
                int j = old.hashes[i] & mask;
                while (grown.records[j] != null) {
                    j = (j + 1) & mask;
                }
                grown.records[j] = r;
                grown.hashes[j] = old.hashes[i];
            }
        }
        slots = grown;
    }

    /** Calls {@code action} with each record (the table's own arrays: read, do not keep) under the read lock. */
    void forEach(Consumer<byte[]> action) {
        long stamp = lock.readLock();
        try {
            for (byte[] r : slots.records) {
                if (r != null) {
                    action.accept(r);
                }
            }
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Zeroes and drops every record. */
    void clear() {
        long stamp = lock.writeLock();
        try {
            for (byte[] r : slots.records) {
                if (r != null) {
                    KeyRecord.zeroSecrets(r);
                }
            }
            slots = new Slots(MIN_CAPACITY);
            size = 0;
        } finally {
            lock.unlockWrite(stamp);
        }
    }
}
