package io.tlspsk.bench;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.store.InMemoryPskStore;
import io.tlspsk.handler.store.PskIdentity;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Heap per identity of {@link InMemoryPskStore} (not JMH): N identities ({@code device-0000000} ...) with 32-byte
 * keys, the used heap after full GCs before and after, divided by N; also with a backup key per identity, and, for
 * comparison, the same keys as a {@code HashMap<PskIdentity, List<ExternalPsk>>} (what a store of objects would hold).
 * "Beyond the key bytes" subtracts the key bytes (32 per key); the identity bytes stay in.
 *
 * <pre>
 * java -Xmx3g -cp benchmarks/target/benchmarks.jar io.tlspsk.bench.StoreMemory [--identities 1000000]
 * </pre>
 */
public final class StoreMemory {

    private StoreMemory() {
    }

    public static void main(String[] args) throws Exception {
        int n = 1_000_000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--identities")) {
                n = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: StoreMemory [--identities N]");
                System.exit(64);
            }
        }
        System.out.printf(Locale.ROOT, "StoreMemory: %,d identities, %s %s, max heap %d MB%n", n,
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        PskIdentity[] ids = new PskIdentity[n];
        for (int i = 0; i < n; i++) {
            ids[i] = PskIdentity.of(String.format(Locale.ROOT, "device-%07d", i));
        }
        measure("in-memory store, main key", n, 32, () -> fill(ids, false, false));
        measure("in-memory store, main + backup", n, 64, () -> fill(ids, true, false));
        measure("in-memory store, sized up front", n, 32, () -> fill(ids, false, true));
        measure("HashMap<PskIdentity, List<ExternalPsk>>", n, 32, () -> naive(ids));
        System.exit(0);
    }

    /** Builds the structure (its identities' own copies included) and reports heap per identity. */
    private static void measure(String what, int n, int keyBytes, java.util.function.Supplier<Object> build)
            throws InterruptedException {
        Object warm = build.get(); // classes loaded, JIT warm, before the reading
        warm = null;
        long before = RetainedHeap.usedHeapAfterGc();
        Object kept = build.get();
        long after = RetainedHeap.usedHeapAfterGc();
        double perIdentity = (after - before) / (double) n;
        System.out.printf(Locale.ROOT, "%-42s %7.1f B per identity, %7.1f B beyond the %d key bytes%n", what,
                perIdentity, perIdentity - keyBytes, keyBytes);
        if (kept.hashCode() == 42) {
            System.out.print(""); // keeps 'kept' reachable until after the reading
        }
    }

    private static Object fill(PskIdentity[] ids, boolean backup, boolean sized) {
        SecureRandom random = new SecureRandom();
        InMemoryPskStore store = sized ? InMemoryPskStore.create(ids.length, Clock.systemUTC(), false)
                : InMemoryPskStore.create();
        byte[] secret = new byte[32];
        for (PskIdentity id : ids) {
            random.nextBytes(secret);
            store.add(id, secret, HashAlgorithm.SHA256);
            if (backup) {
                random.nextBytes(secret);
                store.stageBackup(id, secret);
            }
        }
        if (store.size() != ids.length) {
            throw new IllegalStateException("lost identities");
        }
        return store;
    }

    private static Object naive(PskIdentity[] ids) {
        SecureRandom random = new SecureRandom();
        Map<PskIdentity, List<ExternalPsk>> map = new HashMap<>();
        byte[] secret = new byte[32];
        for (PskIdentity id : ids) {
            random.nextBytes(secret);
            map.put(PskIdentity.of(id.bytes()), List.of(ExternalPsk.of(id.bytes(), secret, HashAlgorithm.SHA256)
                    .withLabel("main-1")));
        }
        return map;
    }
}
