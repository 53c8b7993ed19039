package io.tlspsk.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns the JMH JSON files ({@code jmh-*.json}) and RetainedHeap's {@code retained-heap.json} in a results folder
 * into one markdown report: every benchmark as a table of ours against each baseline (absolute values and
 * ratios ours/baseline), the machine, the JDKs, the date, and the project's performance targets, met or not.
 *
 * <pre>
 * java -cp benchmarks.jar io.tlspsk.bench.ResultsReport --results DIR --out FILE [--logs DIR] [--mode TEXT]
 * </pre>
 */
public final class ResultsReport {

    static final String HANDSHAKE = "HandshakeBenchmark.handshake";
    static final String BULK = "BulkBenchmark.transfer";
    static final String RAW = "RawCipherBenchmark.sealOpen";
    static final List<String> HANDSHAKE_STACKS =
            List.of("ours_psk_ke", "ours_psk_dhe_ke", "ours_psk_dhe_ke_p256_accp", "ssl_jdk", "ssl_openssl", "bc_bc",
                    "bc_jca");
    static final List<String> BULK_STACKS =
            List.of("ours", "ours_accp", "ssl_jdk", "ssl_openssl", "bc_bc", "bc_jca", "plain");
    static final Map<String, String> LABELS = new LinkedHashMap<>();

    static {
        LABELS.put("ours_psk_ke", "ours, psk_ke");
        LABELS.put("ours_psk_dhe_ke", "ours, psk_dhe_ke x25519");
        LABELS.put("ours_psk_dhe_ke_p256_accp", "ours, psk_dhe_ke secp256r1 with ACCP (native P-256)");
        LABELS.put("ours", "ours");
        LABELS.put("ours_accp", "ours with ACCP on the class path (native AES-GCM)");
        LABELS.put("ssl_jdk", "SslHandler, JDK engine (ECDSA P-256 cert)");
        LABELS.put("ssl_openssl", "SslHandler, OpenSSL engine (tcnative BoringSSL)");
        LABELS.put("bc_bc", "BouncyCastle PSK psk_dhe_ke, BcTlsCrypto");
        LABELS.put("bc_jca", "BouncyCastle PSK psk_dhe_ke, JcaTlsCrypto");
        LABELS.put("plain", "no TLS (the in-memory harness alone)");
        LABELS.put("raw", "raw JDK Cipher, heap arrays (the Java limit)");
        LABELS.put("raw_accp", "raw ACCP Cipher, heap arrays (the limit with ACCP)");
    }

    /**
     * One benchmark with one set of parameters on one JDK, over every round of the run: the rounds' scores and
     * allocation figures by round number, their medians in {@link #score} and {@link #allocPerOp}.
     */
    static final class Result {
        String jdk;          // "17", "25"
        String jdkFull;      // "17.0.15, OpenJDK 64-Bit Server VM"
        String benchmark;    // "BulkBenchmark.transfer"
        Map<String, String> params = new TreeMap<>();
        final TreeMap<Integer, Double> scores = new TreeMap<>();
        final TreeMap<Integer, Double> allocs = new TreeMap<>();
        double score = Double.NaN;
        double allocPerOp = Double.NaN;
        String settings;

        String key() {
            return jdk + " " + benchmark + " " + params;
        }

        void add(int round, double roundScore, double roundAlloc) {
            scores.put(round, roundScore);
            if (!Double.isNaN(roundAlloc)) {
                allocs.put(round, roundAlloc);
            }
            score = RoundRatio.median(new ArrayList<>(scores.values()));
            allocPerOp = RoundRatio.median(new ArrayList<>(allocs.values()));
        }

        /** "min–max" of the rounds' scores, scaled by {@code factor}; empty for one round. */
        String spread(double factor) {
            if (scores.size() < 2) {
                return "";
            }
            return fmt(scores.values().stream().mapToDouble(Double::doubleValue).min().getAsDouble() * factor) + "–"
                    + fmt(scores.values().stream().mapToDouble(Double::doubleValue).max().getAsDouble() * factor);
        }
    }

    /** The round a JMH file belongs to, from its name ({@code jmh-17-handshake-r2-1.json}); 1 when unnamed. */
    static int roundOf(String fileName) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-r(\\d+)(?=[-.])").matcher(fileName);
        return m.find() ? Integer.parseInt(m.group(1)) : 1;
    }

    private final List<Result> results = new ArrayList<>();
    private final Map<String, Result> byKey = new LinkedHashMap<>();
    private Map<String, Object> heap;
    private final List<String> skipped = new ArrayList<>();
    private final StringBuilder md = new StringBuilder();
    private final List<String[]> targets = new ArrayList<>();

    public static void main(String[] args) throws IOException {
        Path dir = Path.of("benchmarks/results");
        Path out = null;
        Path logs = null;
        String mode = "";
        String load = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--results": dir = Path.of(args[++i]); break;
                case "--out": out = Path.of(args[++i]); break;
                case "--logs": logs = Path.of(args[++i]); break;
                case "--mode": mode = args[++i]; break;
                case "--load": load = args[++i]; break;
                default:
                    System.err.println("usage: ResultsReport --results DIR --out FILE [--logs DIR] [--mode TEXT] "
                            + "[--load TEXT]");
                    System.exit(64);
            }
        }
        ResultsReport r = new ResultsReport();
        r.load(dir, logs);
        String text = r.render(mode, load);
        if (out != null) {
            Files.writeString(out, text, StandardCharsets.UTF_8);
        } else {
            System.out.print(text);
        }
    }

    // ---- loading ----

    @SuppressWarnings("unchecked")
    void load(Path dir, Path logs) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("jmh-.*\\.json")).sorted()
                    .collect(Collectors.toList());
        }
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.UTF_8).trim();
            if (text.isEmpty()) {
                continue;
            }
            int round = roundOf(f.getFileName().toString());
            for (Object o : (List<Object>) Json.parse(text)) {
                Map<String, Object> m = (Map<String, Object>) o;
                Result r = new Result();
                String version = (String) m.get("jdkVersion");
                r.jdk = version.split("[.+-]")[0];
                r.jdkFull = version + ", " + m.get("vmName");
                String bench = (String) m.get("benchmark");
                String[] parts = bench.split("\\.");
                r.benchmark = parts[parts.length - 2] + "." + parts[parts.length - 1];
                Map<String, Object> params = (Map<String, Object>) m.get("params");
                if (params != null) {
                    params.forEach((k, v) -> r.params.put(k, String.valueOf(v)));
                }
                Map<String, Object> primary = (Map<String, Object>) m.get("primaryMetric");
                double alloc = Double.NaN;
                Map<String, Object> secondary = (Map<String, Object>) m.get("secondaryMetrics");
                if (secondary != null) {
                    for (Map.Entry<String, Object> e : secondary.entrySet()) {
                        if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                            alloc = num(((Map<String, Object>) e.getValue()).get("score"));
                        }
                    }
                }
                r.settings = String.format(Locale.ROOT, "%s: forks %s, warmup %s x %s, measurement %s x %s",
                        r.benchmark.substring(0, r.benchmark.indexOf('.')), fmtInt(m.get("forks")),
                        fmtInt(m.get("warmupIterations")), m.get("warmupTime"),
                        fmtInt(m.get("measurementIterations")), m.get("measurementTime"));
                Result merged = byKey.get(r.key());
                if (merged == null) {
                    merged = r;
                    byKey.put(r.key(), r);
                    results.add(r);
                }
                merged.add(round, num(primary.get("score")), alloc);
            }
        }
        Path heapFile = dir.resolve("retained-heap.json");
        if (Files.exists(heapFile)) {
            heap = (Map<String, Object>) Json.parse(Files.readString(heapFile, StandardCharsets.UTF_8));
        }
        if (logs != null && Files.isDirectory(logs)) {
            try (Stream<Path> s = Files.list(logs)) {
                for (Path p : s.sorted().collect(Collectors.toList())) {
                    for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                        int at = line.indexOf("SKIPPED ");
                        if (at >= 0) {
                            String msg = p.getFileName() + ": " + line.substring(at).trim();
                            if (!skipped.contains(msg)) {
                                skipped.add(msg);
                            }
                        }
                    }
                }
            }
        }
    }

    private static double num(Object o) {
        return o instanceof Double ? (Double) o : Double.NaN;
    }

    private static String fmtInt(Object o) {
        return o instanceof Double ? String.valueOf(((Double) o).intValue()) : String.valueOf(o);
    }

    Result find(String jdk, String benchmark, String... kv) {
        outer:
        for (Result r : results) {
            if (!r.jdk.equals(jdk) || !r.benchmark.equals(benchmark)) {
                continue;
            }
            for (int i = 0; i < kv.length; i += 2) {
                if (!kv[i + 1].equals(r.params.get(kv[i]))) {
                    continue outer;
                }
            }
            return r;
        }
        return null;
    }

    private Set<String> jdks() {
        TreeMap<Integer, String> byVersion = new TreeMap<>();
        for (Result r : results) {
            byVersion.put(Integer.parseInt(r.jdk), r.jdk);
        }
        return new LinkedHashSet<>(byVersion.values());
    }

    private int rounds(String jdk) {
        return results.stream().filter(r -> r.jdk.equals(jdk)).mapToInt(r -> r.scores.size()).max().orElse(0);
    }

    private String jdkFull(String jdk) {
        return results.stream().filter(r -> r.jdk.equals(jdk)).map(r -> r.jdkFull).findFirst().orElse(jdk);
    }

    // ---- rendering ----

    String render(String mode, String load) {
        Set<String> jdks = jdks();
        md.append("# Benchmark results\n\n");
        md.append("Written by `benchmarks/run.sh").append(mode.isEmpty() ? "" : " " + mode).append("` on ")
                .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
                .append(" from the JSON in `benchmarks/results/` (by `io.tlspsk.bench.ResultsReport`).\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| machine | ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (nproc), ")
                .append(cpuModel()).append(" |\n");
        for (String jdk : jdks) {
            md.append("| JDK ").append(jdk).append(" | ").append(jdkFull(jdk)).append(" |\n");
        }
        results.stream().map(r -> r.settings).distinct().sorted()
                .forEach(s -> md.append("| JMH | ").append(s).append(" |\n"));
        md.append("| rounds | ");
        md.append(jdks.stream().map(j -> "JDK " + j + ": " + rounds(j)).collect(Collectors.joining("; ")));
        md.append(". Each round runs every stack of a comparison once (one JMH fork each), in alternating order "
                + "(A B C, then C B A), so a slow minute on the shared machine falls on all of them |\n");
        if (load != null) {
            md.append("| load average (1, 5, 15 min) | ").append(load).append(" |\n");
        }
        if (heap != null) {
            md.append("| RetainedHeap | ").append(fmtInt(heap.get("connections"))).append(" connections per stack, JDK ")
                    .append(heap.get("jdkVersion")).append(" |\n");
        }
        md.append("\nEverything runs in memory: client and server pipelines in one thread, the bytes handed from one "
                + "EmbeddedChannel to the other, so TLS work is timed, not the kernel. The machine is shared and "
                + "noisy: read the ratios (measured side by side in one run), not the absolute values. Every "
                + "ratio is the median of the rounds' ratios with its spread (min–max); a target is met only when "
                + "the whole spread reaches it, and \"not decided\" when the spread straddles it. "
                + "MB/s is 10^6 bytes of application data per second; one bulk operation is one write+flush at one "
                + "side, the record(s) sealed, handed over, opened and read at the other side. "
                + "B/op is `-prof gc`'s gc.alloc.rate.norm: bytes allocated on the Java heap per operation, both "
                + "sides together (pooled buffers are not counted). The benchmark threads are Netty "
                + "FastThreadLocalThreads, as an event loop's are, so Netty's object recycling works as in a "
                + "server; leak detection is off.\n\n");

        String primary = jdks.contains("17") ? "17" : jdks.stream().findFirst().orElse("17");
        computeTargets(jdks);
        md.append("## Targets\n\n");
        md.append("| target | JDK | measured | status |\n|---|---|---|---|\n");
        for (String[] t : targets) {
            md.append("| ").append(String.join(" | ", t)).append(" |\n");
        }
        md.append('\n');

        for (String jdk : jdks) {
            handshakes(jdk);
        }
        for (String jdk : jdks) {
            bulk(jdk);
        }
        retainedHeap();
        if (!skipped.isEmpty()) {
            md.append("## Skipped\n\n");
            for (String s : skipped) {
                md.append("- ").append(s).append('\n');
            }
            md.append('\n');
        }
        md.append("## Notes\n\n"
                + "- \"–\": not run in this mode, or failed (see Skipped); a blank spread means one round.\n"
                + "- OpenSSL engine with ChaCha20-Poly1305: BoringSSL does not let an application choose TLS 1.3 "
                + "suites and picks AES-GCM on AES-NI hardware, so that combination is not measured.\n"
                + "- BouncyCastle with JcaTlsCrypto refuses ChaCha20-Poly1305 with an external PSK on these JDKs "
                + "(\"External PSK incompatible with offered cipher suites\"), so only BcTlsCrypto is measured "
                + "there.\n"
                + "- The bulk payload is one buffer from Netty's default allocator (direct, as `ctx.alloc().buffer()` "
                + "gives an application), the same for every stack.\n"
                + "- The primary JDK for the targets is JDK " + primary + " (the project's baseline); JDK 25 rows are "
                + "shown where measured.\n");
        return md.toString();
    }

    /** The CPU's model name from /proc/cpuinfo, or the architecture where there is none. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private void handshakes(String jdk) {
        if (find(jdk, HANDSHAKE) == null) {
            return;
        }
        Result ke = find(jdk, HANDSHAKE, "stack", "ours_psk_ke");
        Result dhe = find(jdk, HANDSHAKE, "stack", "ours_psk_dhe_ke");
        md.append("## Full handshakes per second, JDK ").append(jdk).append("\n\n");
        md.append("One op = two new channels with their handlers, the whole handshake (TLS_AES_128_GCM_SHA256), "
                + "closing and releasing both. Handshakes/s and B/op are medians over the rounds; the ratios are "
                + "the median of each round's ratio, with their spread (min–max). Like for like: ours psk_dhe_ke "
                + "against BouncyCastle's psk_dhe_ke (the same x25519 key exchange, no certificate). ours psk_ke "
                + "has no key exchange and no signature at all, so against the certificate handshakes of "
                + "SslHandler (ECDHE + ECDSA) it is a different handshake: the one a user would pick instead, "
                + "not the same work done faster.\n\n");
        md.append("| stack | handshakes/s | spread | B/op | ours psk_dhe_ke / this | ours psk_ke / this |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        for (String stack : HANDSHAKE_STACKS) {
            Result r = find(jdk, HANDSHAKE, "stack", stack);
            md.append("| ").append(LABELS.get(stack)).append(" | ");
            if (r == null) {
                md.append("– | | | | |\n");
                continue;
            }
            md.append(fmt(r.score)).append(" | ").append(r.spread(1)).append(" | ").append(fmt(r.allocPerOp))
                    .append(" | ").append(ratio(dhe, r)).append(" | ").append(ratio(ke, r)).append(" |\n");
        }
        md.append('\n');
    }

    private void bulk(String jdk) {
        if (find(jdk, BULK) == null && find(jdk, RAW) == null) {
            return;
        }
        for (String cipher : List.of(Stack.AES, Stack.CHACHA)) {
            for (String size : List.of("16384", "256")) {
                Result oursS = find(jdk, BULK, "stack", "ours", "cipher", cipher, "size", size, "direction", "s2c");
                Result oursC = find(jdk, BULK, "stack", "ours", "cipher", cipher, "size", size, "direction", "c2s");
                Result raw = find(jdk, RAW, "cipher", cipher, "size", size, "provider", "jdk");
                Result rawAccp = find(jdk, RAW, "cipher", cipher, "size", size, "provider", "accp");
                if (oursS == null && oursC == null && raw == null) {
                    continue;
                }
                int bytes = Integer.parseInt(size);
                md.append("## Bulk, JDK ").append(jdk).append(", ").append(cipherName(cipher)).append(", ")
                        .append(size).append("-byte writes\n\n");
                md.append("| stack | s2c MB/s | spread | c2s MB/s | B/op s2c | B/op c2s | ours/this s2c | "
                        + "ours/this c2s |\n");
                md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
                for (String stack : BULK_STACKS) {
                    Result s = find(jdk, BULK, "stack", stack, "cipher", cipher, "size", size, "direction", "s2c");
                    Result c = find(jdk, BULK, "stack", stack, "cipher", cipher, "size", size, "direction", "c2s");
                    if (s == null && c == null) {
                        if (!stack.equals("plain")) {
                            md.append("| ").append(LABELS.get(stack)).append(" | – | | – | | | | |\n");
                        }
                        continue;
                    }
                    md.append("| ").append(LABELS.get(stack)).append(" | ").append(mbs(s, bytes)).append(" | ")
                            .append(s == null ? "" : s.spread(bytes / 1e6)).append(" | ")
                            .append(mbs(c, bytes)).append(" | ").append(fmt(s == null ? Double.NaN : s.allocPerOp))
                            .append(" | ").append(fmt(c == null ? Double.NaN : c.allocPerOp)).append(" | ")
                            .append(stack.equals("ours") || stack.equals("plain") ? "" : ratio(oursS, s)).append(" | ")
                            .append(stack.equals("ours") || stack.equals("plain") ? "" : ratio(oursC, c))
                            .append(" |\n");
                }
                if (raw != null) {
                    md.append("| ").append(LABELS.get("raw")).append(" | ").append(mbs(raw, bytes))
                            .append(" (seal+open) | ").append(raw.spread(bytes / 1e6)).append(" | | ").append(fmt(raw.allocPerOp)).append(" | | ")
                            .append(ratio(oursS, raw)).append(" | ").append(ratio(oursC, raw)).append(" |\n");
                }
                if (rawAccp != null) {
                    // Compared with ours on ACCP, the same provider.
                    Result accpS = find(jdk, BULK, "stack", "ours_accp", "cipher", cipher, "size", size,
                            "direction", "s2c");
                    Result accpC = find(jdk, BULK, "stack", "ours_accp", "cipher", cipher, "size", size,
                            "direction", "c2s");
                    md.append("| ").append(LABELS.get("raw_accp")).append(" | ").append(mbs(rawAccp, bytes))
                            .append(" (seal+open) | ").append(rawAccp.spread(bytes / 1e6)).append(" | | ").append(fmt(rawAccp.allocPerOp)).append(" | | ")
                            .append(ratio(accpS, rawAccp)).append(" (ours with ACCP) | ")
                            .append(ratio(accpC, rawAccp)).append(" |\n");
                }
                md.append('\n');
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void retainedHeap() {
        if (heap == null) {
            return;
        }
        List<Object> rows = (List<Object>) heap.get("rows");
        md.append("## Retained heap per established idle connection\n\n");
        md.append(fmtInt(heap.get("connections"))).append(" in-memory connections per stack, JDK ")
                .append(heap.get("jdkVersion")).append(". Server side: the server channels kept, the clients "
                + "dropped; client side: the other way round (measured separately). Used heap after full GCs, "
                + "minus the same number of plain EmbeddedChannels without TLS, divided by the count. "
                + "\"server B after data\": the server side again after one 100-byte message each way; "
                + "\"then idle event\": the same, then an IdleStateEvent (ALL_IDLE) fired through the server's "
                + "pipeline, as an IdleStateHandler does for a quiet connection (ours drops its ciphers then). "
                + "\"allocator\" is what Netty's buffer allocator holds in addition (pooled heap and direct "
                + "memory), per connection.\n\n");
        md.append("| stack | server B | client B | server B after data | then idle event | allocator B (server/client) "
                + "| ours psk_ke / this (server) | ours psk_dhe_ke / this (server) | note |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        Map<String, Object> ke = heapRow("ours_psk_ke");
        Map<String, Object> dhe = heapRow("ours_psk_dhe_ke");
        for (Object o : rows) {
            Map<String, Object> r = (Map<String, Object>) o;
            String stack = (String) r.get("stack");
            md.append("| ").append(LABELS.getOrDefault(stack, stack)).append(" | ")
                    .append(fmt(num(r.get("serverHeap")))).append(" | ").append(fmt(num(r.get("clientHeap"))))
                    .append(" | ").append(fmt(num(r.get("serverHeapAfterData"))))
                    .append(" | ").append(fmt(num(r.get("serverHeapIdleAfterData"))))
                    .append(" | ").append(fmt(num(r.get("serverAllocator")))).append(" / ")
                    .append(fmt(num(r.get("clientAllocator")))).append(" | ")
                    .append(ratioOf(num(ke == null ? null : ke.get("serverHeap")), num(r.get("serverHeap"))))
                    .append(" | ")
                    .append(ratioOf(num(dhe == null ? null : dhe.get("serverHeap")), num(r.get("serverHeap"))))
                    .append(" | ").append(r.get("note")).append(" |\n");
        }
        md.append("\nWhere a server-side connection's heap goes (class histogram of live objects, minus the plain "
                + "channels'; per connection):\n\n");
        for (Object o : rows) {
            Map<String, Object> r = (Map<String, Object>) o;
            List<Object> classes = (List<Object>) r.get("serverClasses");
            if (classes == null || classes.isEmpty()) {
                continue;
            }
            md.append("<details><summary>").append(LABELS.getOrDefault((String) r.get("stack"), (String) r.get("stack")))
                    .append("</summary>\n\n| class | instances | bytes |\n|---|---:|---:|\n");
            for (Object c : classes) {
                Map<String, Object> cm = (Map<String, Object>) c;
                md.append("| `").append(cm.get("class")).append("` | ")
                        .append(String.format(Locale.ROOT, "%.1f", num(cm.get("instances")))).append(" | ")
                        .append(fmt(num(cm.get("bytes")))).append(" |\n");
            }
            md.append("\n</details>\n\n");
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> heapRow(String stack) {
        if (heap == null) {
            return null;
        }
        for (Object o : (List<Object>) heap.get("rows")) {
            Map<String, Object> r = (Map<String, Object>) o;
            if (stack.equals(r.get("stack"))) {
                return r;
            }
        }
        return null;
    }

    // ---- targets ----

    private void computeTargets(Set<String> jdks) {
        for (String jdk : jdks) {
            // Like for like first: the same psk_dhe_ke x25519 handshake in BouncyCastle.
            Result dhe = find(jdk, HANDSHAKE, "stack", "ours_psk_dhe_ke");
            if (dhe != null) {
                Result bc = find(jdk, HANDSHAKE, "stack", "bc_bc");
                Result bcJca = find(jdk, HANDSHAKE, "stack", "bc_jca");
                Result best = bc == null ? bcJca : bcJca == null || bc.score >= bcJca.score ? bc : bcJca;
                target("psk_dhe_ke handshakes ≥ 1.5x BouncyCastle's psk_dhe_ke (like for like; its faster crypto)",
                        jdk, dhe, best, 1.5, 0);
                target("psk_dhe_ke handshakes ≥ 2x BouncyCastle's psk_dhe_ke (like for like; its faster crypto)",
                        jdk, dhe, best, 2.0, 0);
                Result p256 = find(jdk, HANDSHAKE, "stack", "ours_psk_dhe_ke_p256_accp");
                if (p256 != null) {
                    target("psk_dhe_ke over secp256r1 with ACCP ≥ 2x BouncyCastle's psk_dhe_ke (x25519, its faster "
                            + "crypto)", jdk, p256, best, 2.0, 0);
                }
            }
            Result ke = find(jdk, HANDSHAKE, "stack", "ours_psk_ke");
            if (ke != null) {
                Result sslJdk = find(jdk, HANDSHAKE, "stack", "ssl_jdk");
                target("psk_ke handshakes ≥ 5x SslHandler JDK full handshake (a different handshake: no key "
                        + "exchange, no certificate)", jdk, ke, sslJdk, 5.0, 0);
            }
            for (String dir : List.of("s2c", "c2s")) {
                bulkTargets(jdk, dir, "ours", "jdk", "");
                bulkTargets(jdk, dir, "ours_accp", "accp", ", with ACCP");
            }
        }
        if (heap != null) {
            Map<String, Object> jdk = heapRow("ssl_jdk");
            String v = String.valueOf(heap.get("jdkVersion")).split("[.+-]")[0];
            for (String stack : List.of("ours_psk_ke", "ours_psk_dhe_ke")) {
                Map<String, Object> r = heapRow(stack);
                if (r == null) {
                    continue;
                }
                double ours = num(r.get("serverHeap"));
                targets.add(new String[] {"idle connection (" + stack.substring(5) + ", server side) retains < 4 KiB", v,
                        fmt(ours) + " B", ours < 4096 ? "**met**" : "not met"});
                if (jdk != null) {
                    double base = num(jdk.get("serverHeap"));
                    targets.add(new String[] {"idle connection (" + stack.substring(5)
                            + ", server side) ≥ 10x less than SslHandler JDK", v,
                            String.format(Locale.ROOT, "%s B vs %s B: %.2fx less", fmt(ours), fmt(base), base / ours),
                            base >= 10 * ours ? "**met**" : "not met"});
                    double oursIdle = num(r.get("serverHeapIdleAfterData"));
                    double baseIdle = num(jdk.get("serverHeapIdleAfterData"));
                    if (!Double.isNaN(oursIdle) && !Double.isNaN(baseIdle)) {
                        targets.add(new String[] {"connection idle after data (" + stack.substring(5)
                                + ", server side, after an IdleStateEvent) ≥ 10x less than SslHandler JDK", v,
                                String.format(Locale.ROOT, "%s B vs %s B: %.2fx less", fmt(oursIdle), fmt(baseIdle),
                                        baseIdle / oursIdle),
                                baseIdle >= 10 * oursIdle ? "**met**" : "not met"});
                    }
                }
            }
        }
    }

    /** The bulk targets for one of our stacks ({@code ours}: JDK crypto; {@code ours_accp}: ACCP's AES-GCM). */
    private void bulkTargets(String jdk, String dir, String stack, String rawProvider, String suffix) {
        Result ours = find(jdk, BULK, "stack", stack, "cipher", Stack.AES, "size", "16384", "direction", dir);
        if (ours == null) {
            return;
        }
        String rawName = "jdk".equals(rawProvider) ? "raw JDK Cipher" : "raw ACCP Cipher";
        Result raw = find(jdk, RAW, "cipher", Stack.AES, "size", "16384", "provider", rawProvider);
        Result sslJdk = find(jdk, BULK, "stack", "ssl_jdk", "cipher", Stack.AES, "size", "16384", "direction", dir);
        Result ossl = find(jdk, BULK, "stack", "ssl_openssl", "cipher", Stack.AES, "size", "16384", "direction", dir);
        Result plain = find(jdk, BULK, "stack", "plain", "cipher", Stack.AES, "size", "16384", "direction", dir);
        String what = "bulk 16 KiB AES-128-GCM " + dir + suffix;
        target(what + " ≥ 80 % of " + rawName, jdk, ours, raw, 0.8, 16384);
        target(what + " ≥ 1.5x SslHandler JDK", jdk, ours, sslJdk, 1.5, 16384);
        target(what + " ≥ SslHandler OpenSSL", jdk, ours, ossl, 1.0, 16384);
        double harness = plain == null || Double.isNaN(plain.allocPerOp) ? 0 : plain.allocPerOp;
        if (!Double.isNaN(ours.allocPerOp)) {
            double own = ours.allocPerOp - harness;
            String cipherOwn = raw == null || Double.isNaN(raw.allocPerOp) ? ""
                    : String.format(Locale.ROOT, "; the %s alone allocates %s B per seal+open", rawName.substring(4),
                            fmt(raw.allocPerOp));
            targets.add(new String[] {"steady-state bulk " + dir + suffix + " allocates < 64 B per 16 KiB record",
                    jdk, String.format(Locale.ROOT, "%s B/record (%s)%s", fmt(own), plain == null
                            ? "the harness alone not run in this mode; it allocated 0 B in earlier runs"
                            : "harness's " + fmt(harness) + " B subtracted", cipherOwn),
                    own < 64 ? "**met**" : "not met"});
        }
    }

    /**
     * A target "ours at least {@code factor} times base": met only when every round's ratio reached it, not met
     * when none did, not decided when the rounds fall on both sides (or there was one round).
     */
    private void target(String what, String jdk, Result ours, Result base, double factor, int bytes) {
        if (base == null) {
            targets.add(new String[] {what, jdk, "baseline not measured", "unknown"});
            return;
        }
        RoundRatio ratio = RoundRatio.of(ours.scores, base.scores);
        if (ratio == null) {
            targets.add(new String[] {what, jdk, "no round with both", "unknown"});
            return;
        }
        String values = bytes > 0
                ? String.format(Locale.ROOT, "%s vs %s MB/s: %s", fmt(ours.score * bytes / 1e6),
                        fmt(base.score * bytes / 1e6), ratio.describe())
                : String.format(Locale.ROOT, "%s vs %s /s: %s", fmt(ours.score), fmt(base.score), ratio.describe());
        targets.add(new String[] {what, jdk, values, ratio.atLeast(factor).text()});
    }

    // ---- formatting ----

    private static String cipherName(String cipher) {
        return Stack.AES.equals(cipher) ? "AES-128-GCM" : "ChaCha20-Poly1305";
    }

    private static String mbs(Result r, int bytes) {
        return r == null ? "" : fmt(r.score * bytes / 1e6);
    }

    /** The per-round ratio ours/base as a table cell: "median (min–max)". */
    private static String ratio(Result ours, Result base) {
        if (ours == null || base == null) {
            return "";
        }
        RoundRatio r = RoundRatio.of(ours.scores, base.scores);
        return r == null ? "" : r.cell();
    }

    private static String ratioOf(double ours, double base) {
        if (Double.isNaN(ours) || Double.isNaN(base) || base == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2f", ours / base);
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Math.abs(v) >= 100 || v == 0) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
