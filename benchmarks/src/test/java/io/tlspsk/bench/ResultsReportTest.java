package io.tlspsk.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ResultsReport reads JMH's JSON and RetainedHeap's and states the targets with their ratios. */
class ResultsReportTest {

    @Test
    void targetsFromJsonWithTheirSpreadOverRounds(@TempDir Path dir) throws Exception {
        StringBuilder jmh = new StringBuilder("[");
        jmh.append(result("HandshakeBenchmark.handshake", "\"stack\":\"ours_psk_ke\"", 20000, 0)).append(',');
        jmh.append(result("HandshakeBenchmark.handshake", "\"stack\":\"ssl_jdk\"", 400, 0)).append(',');
        jmh.append(result("HandshakeBenchmark.handshake", "\"stack\":\"ours_psk_dhe_ke\"", 4000, 0)).append(',');
        jmh.append(result("HandshakeBenchmark.handshake", "\"stack\":\"bc_bc\"", 3000, 0)).append(',');
        String bulk = "\"cipher\":\"aes128gcm\",\"size\":\"16384\",\"direction\":\"s2c\",\"stack\":";
        jmh.append(result("BulkBenchmark.transfer", bulk + "\"ours\"", 150000, 40)).append(',');
        jmh.append(result("BulkBenchmark.transfer", bulk + "\"ssl_jdk\"", 100000, 5000)).append(',');
        jmh.append(result("BulkBenchmark.transfer", bulk + "\"plain\"", 4000000, 0)).append(',');
        jmh.append(result("BulkBenchmark.transfer", bulk + "\"ours_accp\"", 320000, 300)).append(',');
        jmh.append(result("BulkBenchmark.transfer", bulk + "\"ssl_openssl\"", 300000, 300)).append(',');
        String raw = "\"cipher\":\"aes128gcm\",\"size\":\"16384\",\"provider\":";
        jmh.append(result("RawCipherBenchmark.sealOpen", raw + "\"jdk\"", 170000, 1900)).append(',');
        jmh.append(result("RawCipherBenchmark.sealOpen", raw + "\"accp\"", 400000, 200));
        jmh.append(']');
        Files.writeString(dir.resolve("jmh-17-test-r1-1.json"), jmh, StandardCharsets.UTF_8);
        // A second round, the same figures except BouncyCastle: its ratio moves, the others stay put.
        Files.writeString(dir.resolve("jmh-17-test-r2-1.json"), jmh.toString().replace("3000.0,", "2500.0,"),
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("retained-heap.json"), "{\"connections\":100,\"jdkVersion\":\"17.0.15\","
                + "\"rows\":[{\"stack\":\"ours_psk_ke\",\"note\":\"\",\"serverHeap\":3000.0,\"clientHeap\":3000.0,"
                + "\"serverHeapAfterData\":2500.0,\"serverAllocator\":0,\"clientAllocator\":0,\"serverClasses\":"
                + "[{\"class\":\"[B\",\"instances\":3.0,\"bytes\":300.0}]},{\"stack\":\"ssl_jdk\",\"note\":\"\","
                + "\"serverHeap\":7000.0,\"clientHeap\":6000.0,\"serverHeapAfterData\":null,\"serverAllocator\":0,"
                + "\"clientAllocator\":0,\"serverClasses\":[]}]}", StandardCharsets.UTF_8);
        ResultsReport r = new ResultsReport();
        r.load(dir, null);
        String md = r.render("--quick", "0.1 0.2 0.3");
        assertContains(md, "| rounds | JDK 17: 2.");
        // 1.33 in round 1 and 1.60 in round 2: the spread straddles 1.5, so 1.5x is neither met nor missed.
        assertContains(md, "| psk_dhe_ke handshakes ≥ 1.5x BouncyCastle's psk_dhe_ke (like for like; its faster crypto) | 17 | 4,000 vs 2,750 /s: 1.47x (1.33–1.60, 2 rounds) | not decided |");
        assertTrue(md.indexOf("≥ 1.5x BouncyCastle") < md.indexOf("≥ 5x SslHandler JDK"), "like-for-like rows lead");
        assertContains(md, "| psk_ke handshakes ≥ 5x SslHandler JDK full handshake (a different handshake: no key exchange, no certificate) | 17 | 20,000 vs 400 /s: 50.00x (50.00–50.00, 2 rounds) | **met** |");
        assertContains(md, "| psk_dhe_ke handshakes ≥ 2x BouncyCastle's psk_dhe_ke (like for like; its faster crypto) | 17 | 4,000 vs 2,750 /s: 1.47x (1.33–1.60, 2 rounds) | not met |");
        assertContains(md, "| bulk 16 KiB AES-128-GCM s2c ≥ 80 % of raw JDK Cipher | 17 | 2,458 vs 2,785 MB/s: 0.88x (0.88–0.88, 2 rounds) | **met** |");
        assertContains(md, "| bulk 16 KiB AES-128-GCM s2c ≥ SslHandler OpenSSL | 17 | 2,458 vs 4,915 MB/s: 0.50x (0.50–0.50, 2 rounds) | not met |");
        assertContains(md, "| bulk 16 KiB AES-128-GCM s2c, with ACCP ≥ 80 % of raw ACCP Cipher | 17 | 5,243 vs 6,554 MB/s: 0.80x (0.80–0.80, 2 rounds) | **met** |");
        assertContains(md, "| bulk 16 KiB AES-128-GCM s2c, with ACCP ≥ SslHandler OpenSSL | 17 | 5,243 vs 4,915 MB/s: 1.07x (1.07–1.07, 2 rounds) | **met** |");
        assertContains(md, "| steady-state bulk s2c, with ACCP allocates < 64 B per 16 KiB record | 17 | 300 B/record");
        assertContains(md, "| raw ACCP Cipher, heap arrays (the limit with ACCP) | 6,554 (seal+open) | 6,554–6,554 | | 200 | | 0.80 (0.80–0.80) (ours with ACCP) |");
        assertContains(md, "| steady-state bulk s2c allocates < 64 B per 16 KiB record | 17 | 40.0 B/record");
        assertContains(md, "| idle connection (psk_ke, server side) retains < 4 KiB | 17 | 3,000 B | **met** |");
        assertContains(md, "| idle connection (psk_ke, server side) ≥ 10x less than SslHandler JDK | 17 | 3,000 B vs 7,000 B: 2.33x less | not met |");
        assertContains(md, "| SslHandler, JDK engine (ECDSA P-256 cert) | 1,638 | 1,638–1,638 |  | 5,000 |  | 1.50 (1.50–1.50) |  |");
    }

    @Test
    void roundComesFromTheFileName() {
        assertEquals(3, ResultsReport.roundOf("jmh-17-handshake-r3-2.json"));
        assertEquals(12, ResultsReport.roundOf("jmh-25-bulk-aes-16k-r12.json"));
        assertEquals(1, ResultsReport.roundOf("jmh-17-handshake.json"));
    }

    private static String result(String benchmark, String params, double score, double alloc) {
        return "{\"jmhVersion\":\"1.37\",\"benchmark\":\"io.tlspsk.bench." + benchmark + "\",\"mode\":\"thrpt\","
                + "\"threads\":1,\"forks\":1,\"jdkVersion\":\"17.0.15\",\"vmName\":\"OpenJDK 64-Bit Server VM\","
                + "\"warmupIterations\":2,\"warmupTime\":\"4 s\",\"measurementIterations\":2,"
                + "\"measurementTime\":\"2 s\",\"params\":{" + params + "},\"primaryMetric\":{\"score\":" + score
                + ",\"scoreError\":\"NaN\",\"scoreUnit\":\"ops/s\",\"rawData\":[[1.0,2.0]]},\"secondaryMetrics\":"
                + "{\"gc.alloc.rate.norm\":{\"score\":" + alloc + ",\"scoreUnit\":\"B/op\"}}}";
    }

    private static void assertContains(String text, String part) {
        assertTrue(text.contains(part), () -> "missing: " + part + "\nin:\n" + text);
    }
}
