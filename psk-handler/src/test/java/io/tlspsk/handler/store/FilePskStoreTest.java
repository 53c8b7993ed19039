package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store: the rotating-store contract (with a second store on the same file as another gateway), Mosquitto's
 * format loaded unchanged, bad lines reported by number and reason, hot reload, and the file it writes.
 */
class FilePskStoreTest extends RotatingPskStoreContract {

    static final String K1 = "00112233445566778899aabbccddeeff";
    static final String K2 = "ffeeddccbbaa99887766554433221100";
    static final String K3 = "0f0e0d0c0b0a09080706050403020100";

    @TempDir
    Path dir;
    Path file;
    FilePskStore other;

    @Override
    PskStore newStore() throws Exception {
        file = dir.resolve("psk.txt");
        Files.writeString(file, "");
        return open(file);
    }

    static FilePskStore open(Path file) {
        return FilePskStore.builder(file).pollInterval(Duration.ofMillis(50)).build();
    }

    @Override
    RotatingPskStore secondGateway() {
        other = open(file);
        return other;
    }

    @Override
    void closeStore() {
        if (store != null) {
            ((FilePskStore) store).close();
        }
        if (other != null) {
            other.close();
        }
    }

    FilePskStore fileStore() {
        return (FilePskStore) store;
    }

    /** Replaces the file as an operator's tool would: a new file renamed over it. */
    void replaceFile(String content) throws Exception {
        Path tmp = dir.resolve("edit.tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await(fileStore().reloadNow());
    }

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    @Test
    void aMosquittoPskFileLoadsUnchanged() throws Exception {
        replaceFile("# Mosquitto psk_file\n\ndevice-1:" + K1 + "\n  device 2 : " + K2 + " \r\n#device-3:" + K3
                + "\ndevice-4:" + K3.toUpperCase() + "\n");
        Map<PskIdentity, List<ExternalPsk>> found = lookup(PskIdentity.of("device-1"), PskIdentity.of("device 2"),
                PskIdentity.of("#device-3"), PskIdentity.of("device-4"));
        assertEquals(3, found.size(), found::toString);
        assertArrayEquals(hex(K1), TestKeys.secretOf(found.get(PskIdentity.of("device-1")).get(0)));
        assertArrayEquals(hex(K2), TestKeys.secretOf(found.get(PskIdentity.of("device 2")).get(0)));
        assertArrayEquals(hex(K3), TestKeys.secretOf(found.get(PskIdentity.of("device-4")).get(0)));
        assertEquals("main-1", found.get(PskIdentity.of("device-1")).get(0).label());
        assertEquals(HashAlgorithm.SHA256, found.get(PskIdentity.of("device-1")).get(0).hash());
        assertTrue(fileStore().lastProblems().isEmpty(), () -> fileStore().lastProblems().toString());
    }

    @Test
    void theExtensionCarriesBackupKeysHashAndVersions() throws Exception {
        replaceFile("dev:" + K1 + ":hash=sha384:version=3:backup=" + K2 + ":backup-version=4:backup-created=5\n");
        List<ExternalPsk> keys = lookup(PskIdentity.of("dev")).get(PskIdentity.of("dev"));
        assertEquals(List.of("main-3", "backup-4"), List.of(keys.get(0).label(), keys.get(1).label()));
        assertArrayEquals(hex(K2), TestKeys.secretOf(keys.get(1)));
        assertEquals(HashAlgorithm.SHA384, keys.get(1).hash());
    }

    @Test
    void badLinesAreSkippedAndReportedByNumberAndReasonNeverTheirContent() throws Exception {
        replaceFile(String.join("\n",
                "good:" + K1,                                   // 1
                K2,                                             // 2 no colon
                ":" + K2,                                       // 3 empty identity
                "odd:" + K2 + "f",                              // 4 odd hex
                "nothex:" + K2.replace('f', 'g'),               // 5 not hex
                "short:00112233",                               // 6 short
                "zero:" + "00".repeat(16),                      // 7 all zero
                "good:" + K2,                                   // 8 repeated
                "fields:" + K3 + ":colour=blue",                // 9 unknown field
                "orphan:" + K3 + ":backup-version=2",           // 10 version without backup
                "sha:" + K3 + ":hash=md5",                      // 11 hash
                "also-good:" + K3) + "\n");
        List<String> problems = fileStore().lastProblems();
        assertEquals(10, problems.size(), problems::toString);
        for (int line = 2; line <= 11; line++) {
            int l = line;
            assertTrue(problems.stream().anyMatch(p -> p.startsWith("line " + l + ": ")), "line " + l + " " + problems);
        }
        for (String p : problems) {
            for (String k : new String[] {K1, K2, K3, "00112233", K2.replace('f', 'g'), "00".repeat(16)}) {
                assertFalse(p.contains(k), "a key in a problem report: " + p);
            }
        }
        assertTrue(problems.stream().anyMatch(p -> p.contains("repeated") && p.contains("line 1")), problems::toString);
        Map<PskIdentity, List<ExternalPsk>> found = lookup(PskIdentity.of("good"), PskIdentity.of("also-good"),
                PskIdentity.of("odd"), PskIdentity.of("short"));
        assertEquals(2, found.size(), "the good lines load");
        assertArrayEquals(hex(K1), TestKeys.secretOf(found.get(PskIdentity.of("good")).get(0)), "the first one wins");
        assertTrue(fileStore().badLines() >= 10);
    }

    @Test
    void aChangedFileIsReloadedAtomicallyAndListenersHearWhatChanged() throws Exception {
        replaceFile("a:" + K1 + "\nb:" + K2 + "\nc:" + K3 + "\n");
        RecordingListener heard = new RecordingListener();
        store.addListener(heard);
        long reloads = fileStore().reloads();
        replaceFile("a:" + K1 + "\nb:" + K3 + "\nd:" + K1 + "\n");
        assertEquals(reloads + 1, fileStore().reloads());
        java.util.Set<String> news = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++) {
            news.add(heard.heard.poll(5, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertEquals(java.util.Set.of("changed b", "changed d", "revoked c"), news);
        assertArrayEquals(hex(K3), TestKeys.secretOf(lookup(PskIdentity.of("b")).get(PskIdentity.of("b")).get(0)));
        assertFalse(lookup(PskIdentity.of("c")).containsKey(PskIdentity.of("c")));
    }

    @Test
    void theWatcherNoticesAChangeByItself() throws Exception {
        Path tmp = dir.resolve("edit.tmp");
        Files.writeString(tmp, "late:" + K1 + "\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        awaitLabels(PskIdentity.of("late"), List.of("main-1"));
    }

    @Test
    void anUnreadableFileKeepsThePreviousKeys() throws Exception {
        replaceFile("kept:" + K1 + "\n");
        Files.delete(file);
        await(fileStore().reloadNow());
        assertTrue(fileStore().reloadFailures() >= 1);
        assertTrue(lookup(PskIdentity.of("kept")).containsKey(PskIdentity.of("kept")));
    }

    @Test
    void theFileIsRewrittenOwnerOnlyAndStaysMosquittoReadable() throws Exception {
        PskIdentity id = PskIdentity.of("written");
        byte[] main = provision(id);
        await(rotating().stageBackup(id, hex(K2)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String line = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("written:")).findFirst().orElseThrow();
        // What Mosquitto reads: the identity, and the key up to the next ':'.
        String[] parts = line.split(":");
        assertEquals(HexFormat.of().formatHex(main), parts[1]);
        assertTrue(line.contains(":backup=" + K2 + ":backup-version=2"), line);
        // A new store over the same file reads the same state.
        try (FilePskStore again = open(file)) {
            List<ExternalPsk> keys = await(again.lookup(List.of(id))).get(id);
            assertEquals(List.of("main-1", "backup-2"), List.of(keys.get(0).label(), keys.get(1).label()));
            assertArrayEquals(main, TestKeys.secretOf(keys.get(0)));
        }
    }

    @Test
    void anIdentityTheFormatCannotHoldIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> await(rotating().add(PskIdentity.of("a:b"), randomSecret(), HashAlgorithm.SHA256)));
        assertThrows(IllegalArgumentException.class,
                () -> await(rotating().add(PskIdentity.of("#x"), randomSecret(), HashAlgorithm.SHA256)));
        assertThrows(IllegalArgumentException.class,
                () -> await(rotating().add(PskIdentity.of("line\nbreak"), randomSecret(), HashAlgorithm.SHA256)));
    }

    @Test
    void aChangeByAnotherGatewayReachesThisOne() throws Exception {
        RotatingPskStore second = secondGateway();
        PskIdentity id = freshIdentity();
        provision(id);
        await(second.stageBackup(id, randomSecret()));
        awaitLabels(id, List.of("main-1", "backup-2"));
    }

    @Test
    void shortMosquittoKeysLoadOnlyWhenAllowed() throws Exception {
        replaceFile("legacy:deadbeef\n");
        assertTrue(lookup(PskIdentity.of("legacy")).isEmpty());
        try (FilePskStore lenient = FilePskStore.builder(file).allowShortSecrets(true).build()) {
            assertEquals(4, TestKeys.secretOf(await(lenient.lookup(List.of(PskIdentity.of("legacy"))))
                    .get(PskIdentity.of("legacy")).get(0)).length);
        }
    }
}
