package io.tlspsk.bench;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.OfferedPsk;
import io.tlspsk.handler.PskSelection;
import io.tlspsk.handler.PskSelectionRequest;
import io.tlspsk.handler.PskSelector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One selection by {@link PskSelector#fromKeys} (what {@code PskTlsContext.forServer(ExternalPsk...)} uses) with
 * {@code keys} keys, the ClientHello offering one identity from the middle of the list: {@code impl=index} is the
 * current selector, {@code impl=scan} a copy of the list scan it replaced (both loops over the whole list), side by
 * side. Microseconds per selection.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar FixedKeySelectionBenchmark -f 1 -wi 3 -i 3
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", Jvm.LEAK_DETECTION_OFF})
public class FixedKeySelectionBenchmark {

    @Param({"1000", "100000", "1000000"})
    public int keys;

    @Param({"scan", "index"})
    public String impl;

    private PskSelector selector;
    private PskSelectionRequest request;

    @Setup
    public void setUp() {
        List<ExternalPsk> list = new ArrayList<>(keys);
        byte[] secret = new byte[32];
        for (int i = 0; i < keys; i++) {
            secret[0] = (byte) i;
            secret[1] = (byte) (i >>> 8);
            secret[2] = (byte) (i >>> 16);
            secret[31] = 1;
            list.add(ExternalPsk.of("device-" + i, secret, HashAlgorithm.SHA256));
        }
        selector = impl.equals("scan") ? new ListScanSelector(list) : PskSelector.fromKeys(list);
        request = PskSelectionRequest.of(List.of(("device-" + keys / 2).getBytes(StandardCharsets.UTF_8)), null, null);
        PskSelection s = select();
        if (s.isNone() || s.candidates().size() != 1) {
            throw new IllegalStateException("selection failed");
        }
    }

    @Benchmark
    public PskSelection select() {
        return selector.select(request).toCompletableFuture().join();
    }

    /** The fromKeys selector as it was before the index (kept here for the comparison). */
    static final class ListScanSelector implements PskSelector {
        private final List<ExternalPsk> keys;

        ListScanSelector(List<ExternalPsk> keys) {
            this.keys = List.copyOf(keys);
        }

        @Override
        public CompletionStage<PskSelection> select(PskSelectionRequest request) {
            // The original read each offered identity's internal array; copy them once here so the scan is not
            // charged for copies the original did not make.
            List<OfferedPsk> offered = request.offeredPsks();
            byte[][] ids = new byte[offered.size()][];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = offered.get(i).identity();
            }
            for (ExternalPsk key : keys) {
                for (int i = 0; i < ids.length; i++) {
                    if (key.hasIdentity(ids[i])) {
                        return CompletableFuture.completedFuture(PskSelection.of(offered.get(i), candidatesFor(ids[i])));
                    }
                }
            }
            return CompletableFuture.completedFuture(PskSelection.none());
        }

        private List<ExternalPsk> candidatesFor(byte[] id) {
            List<ExternalPsk> out = new ArrayList<>(2);
            for (ExternalPsk k : keys) {
                if (k.hasIdentity(id)) {
                    out.add(k);
                }
            }
            return out;
        }
    }
}
