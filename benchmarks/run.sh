#!/usr/bin/env bash
# Runs the benchmarks and writes benchmarks/results/latest.md.
#
#   benchmarks/run.sh            full run (about 40 minutes on 2 cores)
#   benchmarks/run.sh --quick    fewer parameters and iterations (under 10 minutes), every target ratio still printed
#
# Builds the project, runs the JMH jar on the default java (JDK 17) and on JDK 25 when it is installed, runs
# RetainedHeap on the default java, then ResultsReport turns benchmarks/results/*.json into latest.md.
# The JSON (jmh-JDK-NAME.json, retained-heap.json) stays beside latest.md: commit them together, so that every
# figure can be traced to its run. JMH's console output goes to benchmarks/target/bench-logs/.
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

# Warm-up matters: C2 needs several seconds to compile the handshake and AES-GCM paths on 2 cores.
if [[ $MODE == quick ]]; then
  HS_OPTS=(-f 1 -wi 2 -w 4s -i 2 -r 3s)
  BULK_OPTS=(-f 1 -wi 2 -w 4s -i 2 -r 2s)
else
  HS_OPTS=(-f 1 -wi 5 -w 4s -i 5 -r 3s)
  BULK_OPTS=(-f 1 -wi 3 -w 4s -i 4 -r 3s)
fi
ALL_BULK=plain,ours,ours_accp,ssl_jdk,ssl_openssl,bc_bc,bc_jca
# BoringSSL picks TLS 1.3 suites itself (AES-GCM on AES-NI machines) and BouncyCastle's JcaTlsCrypto refuses
# ChaCha20-Poly1305 with an external PSK: ChaCha20 runs without those two.
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
  echo "== JDK $tag: $name ($(elapsed))"
  if ! "$java" -jar "$JAR" "${opts[@]}" "${extra[@]}" -rf json -rff "$RESULTS/jmh-$tag-$name.json" "$@" \
      > "$LOGS/jmh-$tag-$name.log" 2>&1; then
    echo "   JMH exited with an error, see $LOGS/jmh-$tag-$name.log"
  fi
  grep -E "SKIPPED|^java\.lang\.[A-Za-z]*(Exception|Error)" "$LOGS/jmh-$tag-$name.log" | sort -u | sed 's/^/   /' || true
}

# run_jdk JAVA TAG primary|secondary: the primary JDK (17) gets every parameter, the secondary fewer.
run_jdk() {
  local java="$1" tag="$2" role="$3"
  if [[ $MODE == quick && $role == primary ]]; then
    jmh "$java" "$tag" handshake hs HandshakeBenchmark -prof gc
    jmh "$java" "$tag" bulk-aes-16k bulk BulkBenchmark -prof gc -p cipher=aes128gcm -p size=16384 -p direction=s2c \
        -p stack=$ALL_BULK
    jmh "$java" "$tag" bulk-aes-256 bulk BulkBenchmark -prof gc -p cipher=aes128gcm -p size=256 -p direction=s2c \
        -p stack=ours,ours_accp,ssl_jdk,ssl_openssl
    jmh "$java" "$tag" bulk-chacha bulk BulkBenchmark -prof gc -p cipher=chacha20 -p size=16384 -p direction=s2c \
        -p stack=$CHACHA_BULK
    jmh "$java" "$tag" raw-aes bulk RawCipherBenchmark -prof gc -p cipher=aes128gcm -p size=16384,256
    jmh "$java" "$tag" raw-chacha bulk RawCipherBenchmark -prof gc -p cipher=chacha20 -p size=16384 -p provider=jdk
  elif [[ $MODE == quick ]]; then
    jmh "$java" "$tag" handshake hs HandshakeBenchmark -prof gc -p stack=ours_psk_ke,ours_psk_dhe_ke,ssl_jdk,bc_bc
    jmh "$java" "$tag" bulk-aes-16k bulk BulkBenchmark -prof gc -p cipher=aes128gcm -p size=16384 -p direction=s2c \
        -p stack=ours,ours_accp,ssl_jdk,ssl_openssl
    jmh "$java" "$tag" raw-aes bulk RawCipherBenchmark -prof gc -p cipher=aes128gcm -p size=16384
  else
    jmh "$java" "$tag" handshake hs HandshakeBenchmark -prof gc
    jmh "$java" "$tag" bulk-aes bulk BulkBenchmark -prof gc -p cipher=aes128gcm -p stack=$ALL_BULK
    if [[ $role == primary ]]; then
      jmh "$java" "$tag" bulk-chacha bulk BulkBenchmark -prof gc -p cipher=chacha20 -p stack=$CHACHA_BULK
    else
      jmh "$java" "$tag" bulk-chacha bulk BulkBenchmark -prof gc -p cipher=chacha20 -p direction=s2c \
          -p stack=$CHACHA_BULK
    fi
    jmh "$java" "$tag" raw-aes bulk RawCipherBenchmark -prof gc -p cipher=aes128gcm
    jmh "$java" "$tag" raw-chacha bulk RawCipherBenchmark -prof gc -p cipher=chacha20 -p provider=jdk
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
