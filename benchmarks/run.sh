#!/usr/bin/env bash
# Runs the benchmarks and writes benchmarks/results/latest.md.
#
#   benchmarks/run.sh            full run (about an hour on 2 cores, estimated)
#   benchmarks/run.sh --quick    fewer stacks, rounds and iterations (7.5 minutes), every target still printed
#
# Builds the project, runs the JMH jar on the default java (JDK 17) and on JDK 25 when it is installed, the stacks
# of each comparison interleaved in rounds (see compare below), runs RetainedHeap on the default java, then
# ResultsReport turns benchmarks/results/*.json into latest.md. The JSON files are committed with latest.md, so
# that every figure in the README traces to a run; JMH's console output goes to benchmarks/target/bench-logs/.
# Override the JVMs with JAVA17=/path/to/java and JAVA25=/path/to/java (JAVA25=none skips it).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

MODE=full
case "${1:-}" in
  --quick) MODE=quick ;;
  "") ;;
  *) echo "usage: benchmarks/run.sh [--quick]" >&2; exit 64 ;;
esac

RESULTS=benchmarks/results
LOGS=benchmarks/target/bench-logs
JAR=benchmarks/target/benchmarks.jar
JAVA17="${JAVA17:-java}"
JAVA25="${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

elapsed() { echo "$(( $(date +%s) - START )) s"; }

echo "== building ($(elapsed))"
mvn -q -B -DskipTests -pl benchmarks -am package

mkdir -p "$RESULTS"
rm -f "$RESULTS"/jmh-*.json "$RESULTS"/retained-heap.json
rm -rf "$LOGS"
mkdir -p "$LOGS"

# Stacks are compared in rounds: each round runs every stack of a comparison once (one short JMH fork each),
# and every other round runs them in the opposite order (A B C, then C B A). A busy minute on this shared machine
# then falls on all of them, and ResultsReport gives each ratio as the median of the rounds' ratios with its
# spread. Warm-up still matters: C2 needs a few seconds to compile the handshake and AES-GCM paths on 2 cores.
if [[ $MODE == quick ]]; then
  ROUNDS_PRIMARY=3
  ROUNDS_SECONDARY=2
  HS_OPTS=(-f 1 -wi 1 -w 3s -i 2 -r 1s)
  BULK_OPTS=(-f 1 -wi 1 -w 3s -i 2 -r 1s)
else
  ROUNDS_PRIMARY=5
  ROUNDS_SECONDARY=3
  HS_OPTS=(-f 1 -wi 2 -w 3s -i 3 -r 2s)
  BULK_OPTS=(-f 1 -wi 2 -w 3s -i 3 -r 2s)
fi
# BoringSSL picks TLS 1.3 suites itself (AES-GCM on AES-NI machines) and BouncyCastle's JcaTlsCrypto refuses
# ChaCha20-Poly1305 with an external PSK: ChaCha20 runs without those two.
ALL_HS=ours_psk_dhe_ke,bc_bc,bc_jca,ours_psk_dhe_ke_p256_accp,ours_psk_ke,ssl_openssl,ssl_jdk
ALL_BULK=ours,ours_accp,ssl_openssl,ssl_jdk,bc_bc,bc_jca,plain
CHACHA_BULK=ours,ssl_jdk,bc_bc

# jmh JAVA TAG NAME hs|bulk [jmh arguments...]: one JMH run, JSON to results/jmh-TAG-NAME.json, console to the log.
jmh() {
  local java="$1" tag="$2" name="$3" kind="$4"
  shift 4
  local opts=("${BULK_OPTS[@]}")
  [[ $kind == hs ]] && opts=("${HS_OPTS[@]}")
  local extra=()
  if (( tag >= 24 )); then
    # JDK 24+: allow Netty's and tcnative's native access and sun.misc.Unsafe without warnings.
    extra=(-jvmArgsPrepend "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow")
  fi
  if ! "$java" -jar "$JAR" "${opts[@]}" "${extra[@]}" -rf json -rff "$RESULTS/jmh-$tag-$name.json" "$@" \
      > "$LOGS/jmh-$tag-$name.log" 2>&1; then
    echo "   JMH exited with an error, see $LOGS/jmh-$tag-$name.log"
  fi
  grep -E "SKIPPED|^java\.lang\.[A-Za-z]*(Exception|Error)" "$LOGS/jmh-$tag-$name.log" | sort -u | sed 's/^/   /' || true
}

# reversed a,b,c -> c,b,a
reversed() {
  local IFS=,
  local items=($1) out=() i
  for (( i = ${#items[@]} - 1; i >= 0; i-- )); do out+=("${items[i]}"); done
  echo "${out[*]}"
}

# compare JAVA TAG NAME hs|bulk ROUNDS CELL...: the rounds of one comparison. A CELL is
# "Benchmark|fixed JMH arguments|param|v1,v2,...": one JMH invocation, one fork per value of param. Odd rounds
# run the cells and their values in the order given, even rounds in reverse. JSON: jmh-TAG-NAME-rROUND-N.json.
compare() {
  local java="$1" tag="$2" name="$3" kind="$4" rounds="$5"
  shift 5
  local cells=("$@") r i order bench fixed param values
  for (( r = 1; r <= rounds; r++ )); do
    echo "== JDK $tag: $name, round $r of $rounds ($(elapsed))"
    order=()
    for (( i = 0; i < ${#cells[@]}; i++ )); do
      if (( r % 2 == 1 )); then order+=("${cells[i]}"); else order=("${cells[i]}" "${order[@]}"); fi
    done
    for (( i = 0; i < ${#order[@]}; i++ )); do
      IFS='|' read -r bench fixed param values <<< "${order[i]}"
      (( r % 2 == 0 )) && values=$(reversed "$values")
      # $fixed is split into words on purpose: it holds several "-p name=value" arguments.
      # shellcheck disable=SC2086
      jmh "$java" "$tag" "$name-r$r-$((i + 1))" "$kind" "$bench" -prof gc $fixed -p "$param=$values"
    done
  done
}

AES16K="BulkBenchmark|-p cipher=aes128gcm -p size=16384 -p direction=s2c|stack"
AES256="BulkBenchmark|-p cipher=aes128gcm -p size=256 -p direction=s2c|stack"

# run_jdk JAVA TAG primary|secondary: the primary JDK (17) gets every comparison, the secondary fewer.
run_jdk() {
  local java="$1" tag="$2" role="$3" rounds=$ROUNDS_PRIMARY
  [[ $role == secondary ]] && rounds=$ROUNDS_SECONDARY
  if [[ $MODE == quick && $role == primary ]]; then
    compare "$java" "$tag" handshake hs "$rounds" \
        "HandshakeBenchmark||stack|ours_psk_dhe_ke,bc_bc,ours_psk_dhe_ke_p256_accp,ours_psk_ke,ssl_openssl,ssl_jdk"
    compare "$java" "$tag" aes-16k bulk "$rounds" "$AES16K|ours,ours_accp,ssl_openssl,ssl_jdk" \
        "RawCipherBenchmark|-p cipher=aes128gcm -p size=16384|provider|jdk,accp"
    compare "$java" "$tag" aes-256 bulk "$rounds" "$AES256|ours,ssl_openssl,ssl_jdk" \
        "RawCipherBenchmark|-p cipher=aes128gcm -p size=256|provider|jdk"
  elif [[ $MODE == quick ]]; then
    compare "$java" "$tag" handshake hs "$rounds" "HandshakeBenchmark||stack|ours_psk_dhe_ke,bc_bc,ours_psk_ke,ssl_jdk"
    compare "$java" "$tag" aes-16k bulk "$rounds" "$AES16K|ours,ssl_openssl" \
        "RawCipherBenchmark|-p cipher=aes128gcm -p size=16384|provider|jdk"
  else
    compare "$java" "$tag" handshake hs "$rounds" "HandshakeBenchmark||stack|$ALL_HS"
    compare "$java" "$tag" aes-16k bulk "$rounds" "$AES16K|$ALL_BULK" \
        "RawCipherBenchmark|-p cipher=aes128gcm -p size=16384|provider|jdk,accp"
    compare "$java" "$tag" aes-256 bulk "$rounds" "$AES256|ours,ours_accp,ssl_openssl,ssl_jdk,plain" \
        "RawCipherBenchmark|-p cipher=aes128gcm -p size=256|provider|jdk,accp"
    if [[ $role == primary ]]; then
      compare "$java" "$tag" aes-16k-c2s bulk "$rounds" \
          "BulkBenchmark|-p cipher=aes128gcm -p size=16384 -p direction=c2s|stack|ours,ours_accp,ssl_openssl,ssl_jdk"
      compare "$java" "$tag" chacha bulk "$rounds" \
          "BulkBenchmark|-p cipher=chacha20 -p size=16384 -p direction=s2c|stack|$CHACHA_BULK" \
          "RawCipherBenchmark|-p cipher=chacha20 -p size=16384|provider|jdk"
    fi
  fi
}

java_version() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
run_jdk "$JAVA17" "$(java_version "$JAVA17")" primary
if [[ $JAVA25 != none && -x $JAVA25 ]]; then
  run_jdk "$JAVA25" "$(java_version "$JAVA25")" secondary
else
  echo "== JDK 25 not found at $JAVA25: skipped"
fi

echo "== RetainedHeap ($(elapsed))"
HEAP_ARGS=(--json "$RESULTS/retained-heap.json")
[[ $MODE == quick ]] && HEAP_ARGS+=(--quick)
if ! "$JAVA17" -Xms2g -Xmx4g -Dio.netty.leakDetection.level=disabled -cp "$JAR" io.tlspsk.bench.RetainedHeap \
    "${HEAP_ARGS[@]}" > "$LOGS/retained-heap.log" 2>&1; then
  echo "   RetainedHeap failed, see $LOGS/retained-heap.log"
fi
sed -n '/^Retained heap per idle connection/,/^$/p' "$LOGS/retained-heap.log" | sed 's/^/   /'

echo "== report ($(elapsed))"
"$JAVA17" -cp "$JAR" io.tlspsk.bench.ResultsReport --results "$RESULTS" --logs "$LOGS" \
    --out "$RESULTS/latest.md" --mode "$([[ $MODE == quick ]] && echo --quick || true)" \
    --load "$LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?") at the end (2 = both cores busy)"
sed -n '/^## Targets/,/^## Full/p' "$RESULTS/latest.md" | sed '$d'
echo "== done in $(elapsed): $RESULTS/latest.md"
