#!/usr/bin/env bash
# The gateway benchmark over real loopback sockets: writes benchmarks/results/gateway-MODE.json, and from it
# benchmarks/results/gateway.md and its SVG charts.
#
#   benchmarks/gateway.sh --quick    2 rounds, 1,000 steady connections, 256-byte messages, 10,000 idle (8 minutes)
#   benchmarks/gateway.sh            3 rounds, 1,000 and 10,000 steady connections, 64/256/1,024-byte messages,
#                                    100,000 idle (or as many as the open-file limit allows), about 75 minutes (estimated)
#   benchmarks/gateway.sh --profile  ours psk_ke churn only, the measured phase of its server recorded with JFR (and
#                                    async-profiler, from Maven Central, when it can be had); summaries of both in
#                                    benchmarks/target/gateway-profile/
#
# Any further arguments go to GatewayBenchmark (for example --stacks ours_psk_ke,plain --rounds 1). The server JVM
# runs on CPU 0 (taskset -c 0), this load generator on CPU 1; each is one event loop thread. Every child JVM is
# stopped by its pid at the end of its stack, and exits by itself if this one dies (its stdin closes).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

MODE=full
case "${1:-}" in
  --quick) MODE=quick; shift ;;
  --profile) MODE=profile; shift ;;
  --full) shift ;;
esac

RESULTS=benchmarks/results
LOGS=benchmarks/target/gateway-logs
JAR=benchmarks/target/benchmarks.jar
JAVA="${JAVA:-java}"
START=$(date +%s)
elapsed() { echo "$(( $(date +%s) - START )) s"; }

echo "== building ($(elapsed))"
mvn -q -B -DskipTests -pl benchmarks -am package

# Each idle connection is a file descriptor in the server and one in the load generator.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "== limits: open files $(ulimit -n) (hard $(ulimit -Hn)), ephemeral ports $(tr -s '\t ' ' ' \
    < /proc/sys/net/ipv4/ip_local_port_range), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if (( $(ulimit -n) < 100500 )); then
  echo "   the full mode's 100,000 idle connections need 100,500 open files per process: the idle workload will" \
       "hold fewer and the report says so (raise the hard limit as root with CAP_SYS_RESOURCE, e.g. in the" \
       "container's nofile setting)"
fi

PIN=()
SERVER_CPUS=(--server-cpus none)
if command -v taskset > /dev/null && (( $(nproc) >= 2 )); then
  PIN=(taskset -c 1)
  SERVER_CPUS=(--server-cpus 0)
else
  echo "   taskset or a second CPU missing: server and load generator are not pinned"
fi

rm -rf "$LOGS"
mkdir -p "$LOGS" "$RESULTS"
# A bound on the whole run: the orchestrator bounds every wait itself, this is the last resort.
case $MODE in
  quick) LIMIT=45m ;;
  profile) LIMIT=15m ;;
  *) LIMIT=4h ;;
esac
LOAD_JVM=(-Xms3g -Xmx3g -Dio.netty.leakDetection.level=disabled -Dio.tlspsk.crypto.accp=false)

if [[ $MODE == profile ]]; then
  PROFILE=benchmarks/target/gateway-profile
  rm -rf "$PROFILE"
  mkdir -p "$PROFILE"
  PROFILE_ARGS=(--profile "$ROOT/$PROFILE")
  # async-profiler 3.0 from Maven Central carries its native library; optional.
  AP_JAR="$HOME/.m2/repository/tools/profiler/async-profiler/3.0/async-profiler-3.0.jar"
  [[ -f $AP_JAR ]] || mvn -q -B dependency:get -Dartifact=tools.profiler:async-profiler:3.0 > /dev/null 2>&1 || true
  if [[ -f $AP_JAR ]] && unzip -q -o -j "$AP_JAR" linux-x64/libasyncProfiler.so -d "$PROFILE" 2>/dev/null; then
    PROFILE_ARGS+=(--async-profiler "$ROOT/$PROFILE/libasyncProfiler.so")
  else
    echo "   async-profiler not available: JFR only"
  fi
  echo "== profiling ours psk_ke connection churn ($(elapsed))"
  timeout --kill-after=30s "$LIMIT" "${PIN[@]}" "$JAVA" "${LOAD_JVM[@]}" -cp "$JAR" \
      io.tlspsk.bench.gateway.GatewayBenchmark --quick --stacks ours_psk_ke --workloads churn --rounds 1 \
      --churn-warmup-seconds 30 --churn-seconds 30 "${SERVER_CPUS[@]}" --logs "$LOGS" \
      --out "$PROFILE/churn.json" "${PROFILE_ARGS[@]}" "$@"
  for f in "$PROFILE"/*.jfr "$PROFILE"/*.collapsed; do
    [[ -f $f ]] || continue
    "$JAVA" -cp "$JAR" io.tlspsk.bench.gateway.ProfileSummary "$f" --thread gateway-loop > "$f.txt"
    echo "   $f.txt"
  done
  echo "== done in $(elapsed)"
  exit 0
fi

echo "== gateway benchmark, $MODE ($(elapsed))"
timeout --kill-after=30s "$LIMIT" "${PIN[@]}" "$JAVA" "${LOAD_JVM[@]}" -cp "$JAR" \
    io.tlspsk.bench.gateway.GatewayBenchmark "--$MODE" "${SERVER_CPUS[@]}" --logs "$LOGS" \
    --out "$RESULTS/gateway-$MODE.json" "$@"

echo "== report ($(elapsed))"
"$JAVA" -cp "$JAR" io.tlspsk.bench.gateway.GatewayReport --in "$RESULTS/gateway-$MODE.json" \
    --out "$RESULTS/gateway.md"
sed -n '/^### Targets/,$p' "$RESULTS/gateway.md"
echo "== done in $(elapsed): $RESULTS/gateway.md"
