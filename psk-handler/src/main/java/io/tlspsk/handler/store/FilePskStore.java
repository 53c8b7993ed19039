package io.tlspsk.handler.store;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A {@link RotatingPskStore} in a text file in Mosquitto's {@code psk_file} format ({@code identity:hexkey}, one a
 * line), with an extension for backup keys, hashes and versions (see the README's "Running a fleet"): a Mosquitto file
 * loads unchanged, and a file with backup keys still works as Mosquitto's file of main keys.
 *
 * <p>The keys are held in memory (as in {@link InMemoryPskStore}); lookups never touch the file. A daemon thread of
 * this store checks the file every {@link Builder#pollInterval} (its modification time, size and file key) and reloads
 * it when it changed: the new set replaces the old one at once, so a lookup sees the old set or the new one, never a
 * mix. Listeners hear each identity that changed or disappeared (as revoked). Lines that cannot be read are skipped,
 * logged by line number and reason (never their content) and counted: their identities fail closed, and a revocation
 * elsewhere in the file still takes effect. A file that cannot be read at all keeps the previous set and counts as a
 * failed reload.
 *
 * <p>Management operations run on the store's thread, never on the caller's (an event loop may trigger a promotion):
 * under an exclusive lock ({@code <file>.lock}, honoured by every FilePskStore and by {@code psk-tool keys}, in any
 * process), the file is reloaded if it changed, the operation applied, and the file rewritten atomically (a
 * temporary file with owner-only permissions, renamed over it). Every change rewrites the whole file: this store suits
 * up to some tens of thousands of identities; a fleet belongs in {@link RedisPskStore}.
 */
public final class FilePskStore implements RotatingPskStore, AutoCloseable {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(FilePskStore.class);

    /** Default interval between checks of the file: 1 second. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    /** How long a replaced key set is kept before it is zeroed: lookups that began on it finish first. */
    private static final long ZERO_REPLACED_AFTER_MILLIS = 5_000;
    /** One lock per file in this JVM (OS file locks do not exclude threads of one process). */
    private static final ConcurrentHashMap<Path, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final Path lockFile;
    private final boolean allowShortSecrets;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final Listeners listeners = new Listeners();
    private final LongAdder reloads = new LongAdder();
    private final LongAdder reloadFailures = new LongAdder();
    private final LongAdder badLines = new LongAdder();
    private volatile RotatingKeyTable keys;
    private volatile List<String> lastProblems = List.of();
    /** What the file looked like when last read or written (only the store's thread uses it after construction). */
    private Object loadedStamp;

    private FilePskStore(Builder b) {
        this.file = b.file.toAbsolutePath().normalize();
        this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
        this.allowShortSecrets = b.allowShortSecrets;
        this.clock = b.clock;
        try {
            this.loadedStamp = stamp();
            this.keys = load();
        } catch (IOException e) {
            throw new PskStoreException("cannot read PSK file " + file + ": " + e.getMessage(), e);
        }
        this.thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("psk-file-store", true));
        long poll = b.pollInterval.toMillis();
        thread.scheduleWithFixedDelay(this::poll, poll, poll, TimeUnit.MILLISECONDS);
    }

    /** A store over {@code file}, which must exist (it may be empty). */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    // ---- reading ----

    private Object stamp() throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
    }

    private RotatingKeyTable load() throws IOException {
        RotatingKeyTable table = new RotatingKeyTable(16, clock, allowShortSecrets);
        PskFileFormat.Problems problems = new PskFileFormat.Problems();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            PskFileFormat.read(in, table, problems);
        }
        lastProblems = List.copyOf(problems.lines);
        if (!problems.lines.isEmpty()) {
            badLines.add(problems.lines.size());
            logger.warn("PSK file {}: {} line(s) skipped: {}", file, problems.lines.size(),
                    String.join("; ", problems.lines.subList(0, Math.min(20, problems.lines.size()))));
        }
        return table;
    }

    private void poll() {
        try {
            reloadIfChanged();
        } catch (IOException | RuntimeException e) {
            reloadFailures.increment();
            logger.warn("PSK file {} could not be reloaded; the previous keys stay in use: {}", file, e.toString());
        }
    }

    /** On the store's thread: reloads when the file changed since it was last read or written. */
    private void reloadIfChanged() throws IOException {
        Object now;
        try {
            now = stamp();
        } catch (NoSuchFileException gone) {
            throw new IOException("the file is missing");
        }
        if (now.equals(loadedStamp)) {
            return;
        }
        RotatingKeyTable fresh = load();
        loadedStamp = now;
        replace(fresh);
        reloads.increment();
    }

    /** Swaps in {@code fresh} and tells listeners what changed; the old set is zeroed a little later. */
    private void replace(RotatingKeyTable fresh) {
        RotatingKeyTable old = keys;
        Map<PskIdentity, byte[]> before = snapshot(old);
        Map<PskIdentity, byte[]> after = snapshot(fresh);
        keys = fresh;
        for (Map.Entry<PskIdentity, byte[]> e : after.entrySet()) {
            byte[] was = before.remove(e.getKey());
            if (was == null || !java.security.MessageDigest.isEqual(was, e.getValue())) {
                listeners.changed(e.getKey());
            }
        }
        for (PskIdentity gone : before.keySet()) {
            listeners.revoked(gone);
        }
        before.values().forEach(Secrets::zero);
        after.values().forEach(Secrets::zero);
        thread.schedule(old.table::clear, ZERO_REPLACED_AFTER_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static Map<PskIdentity, byte[]> snapshot(RotatingKeyTable t) {
        Map<PskIdentity, byte[]> out = new java.util.HashMap<>();
        t.table.forEach(r -> out.put(KeyRecord.identity(r), r.clone()));
        return out;
    }

    @Override
    public CompletionStage<Map<PskIdentity, List<ExternalPsk>>> lookup(Collection<PskIdentity> identities) {
        return CompletableFuture.completedFuture(keys.lookup(identities));
    }

    // ---- management ----

    /** Runs {@code op} on the store's thread under the file lock, on the current file, then rewrites the file. */
    private <T> CompletionStage<T> modify(Function<RotatingKeyTable, T> op) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                ReentrantLock local = PROCESS_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
                local.lock();
                try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                     FileLock lock = lockChannel.lock()) {
                    reloadIfChanged();
                    T value;
                    try {
                        value = op.apply(keys);
                    } catch (RuntimeException refused) {
                        result.completeExceptionally(refused);
                        return;
                    }
                    try {
                        write();
                    } catch (IOException e) {
                        // The file is the truth: go back to what it holds.
                        keys = load();
                        throw e;
                    }
                    result.complete(value);
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(new PskStoreException("cannot update PSK file " + file + ": "
                            + e.getMessage(), e));
                } finally {
                    local.unlock();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            result.completeExceptionally(new PskStoreException("PSK file store " + file + " is closed"));
        }
        return result;
    }

    /** Temporary file (owner-only), written, forced to disk, renamed over the file. */
    private void write() throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // createTempFile already makes it private where the file system can say so
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch))) {
                PskFileFormat.write(keys, out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            loadedStamp = stamp();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public CompletionStage<KeyLabel> add(PskIdentity identity, byte[] secret, HashAlgorithm hash) {
        try {
            PskFileFormat.checkWritable(Objects.requireNonNull(identity, "identity"));
            Secrets.check(secret, allowShortSecrets);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        byte[] copy = secret.clone();
        return this.<KeyLabel>modify(t -> t.add(identity, copy, hash))
                .whenComplete((r, f) -> {
                    Secrets.zero(copy);
                    if (f == null) {
                        listeners.changed(identity);
                    }
                });
    }

    @Override
    public CompletionStage<KeyLabel> stageBackup(PskIdentity identity, byte[] secret) {
        try {
            Secrets.check(secret, allowShortSecrets);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        byte[] copy = secret.clone();
        return this.<KeyLabel>modify(t -> t.stageBackup(identity, copy))
                .whenComplete((r, f) -> {
                    Secrets.zero(copy);
                    if (f == null) {
                        listeners.changed(identity);
                    }
                });
    }

    @Override
    public CompletionStage<Promotion> promote(PskIdentity identity, KeyLabel expectedBackup) {
        return this.<KeyLabel>modify(t -> t.promote(identity, expectedBackup)).thenApply(newMain -> {
            if (newMain == null) {
                return Promotion.STALE;
            }
            listeners.promoted(identity, newMain);
            return Promotion.PROMOTED;
        });
    }

    @Override
    public CompletionStage<Boolean> revoke(PskIdentity identity) {
        return this.<Boolean>modify(t -> t.revoke(identity)).thenApply(existed -> {
            if (existed) {
                listeners.revoked(identity);
            }
            return existed;
        });
    }

    @Override
    public CompletionStage<Optional<PskKeyInfo>> describe(PskIdentity identity) {
        return CompletableFuture.completedFuture(keys.describe(identity));
    }

    @Override
    public CompletionStage<List<PskKeyInfo>> list() {
        return CompletableFuture.completedFuture(keys.list());
    }

    /** Checks the file now (on the store's thread) and completes when done: for tools and tests. */
    public CompletionStage<Void> reloadNow() {
        return CompletableFuture.runAsync(this::poll, thread);
    }

    @Override
    public void addListener(PskStoreListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(PskStoreListener listener) {
        listeners.remove(listener);
    }

    /** The file this store reads. */
    public Path file() {
        return file;
    }

    /** Number of identities loaded. */
    public int size() {
        return keys.table.size();
    }

    /** Reloads after the file changed. */
    public long reloads() {
        return reloads.sum();
    }

    /** Reloads that failed (file missing or unreadable); the previous keys stayed in use. */
    public long reloadFailures() {
        return reloadFailures.sum();
    }

    /** Lines skipped over all loads. */
    public long badLines() {
        return badLines.sum();
    }

    /** The skipped lines of the last load, as "line N: reason". */
    public List<String> lastProblems() {
        return lastProblems;
    }

    /** Stops watching the file and zeroes the keys held. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        keys.table.clear();
    }

    /** Settings of a {@link FilePskStore}. */
    public static final class Builder {
        private final Path file;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private boolean allowShortSecrets;
        private Clock clock = Clock.systemUTC();

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        /** How often the file is checked for changes; default {@link #DEFAULT_POLL_INTERVAL}. */
        public Builder pollInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("poll interval must be positive");
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * Accept keys under 16 bytes (Mosquitto files often hold short ones), for legacy devices (see
         * {@link ExternalPsk#ofShortSecret}). By default their lines are skipped as bad lines.
         */
        public Builder allowShortSecrets(boolean allow) {
            this.allowShortSecrets = allow;
            return this;
        }

        /** Where creation times of new keys come from; default the system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Reads the file (blocking: build the store before the server starts) and starts watching it.
         *
         * @throws PskStoreException when the file cannot be read
         */
        public FilePskStore build() {
            return new FilePskStore(this);
        }
    }
}
