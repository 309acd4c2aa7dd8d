#!/usr/bin/env bash
# Side-by-side load benchmark of the dashboard query for several versions of the serving module,
# in one run: each version's classes are compiled from `git archive <rev>` (or taken from
# serving/target/classes for "worktree"), started as its own server JVM (-Xmx1g), and driven by
# the worktree's load generator (ServingBenchmark load: open loop at RATE for p50/p99, then wrk
# for saturation). Run under the exclusive CPU lock:
#   mvn -B -q -pl serving -am package -DskipTests
#   flock -x -w 1200 /work/cpu.lock serving/scripts/bench-compare.sh efe51e4 worktree
# Environment: RATE (500), SECONDS_PER_PHASE (15), CONCURRENCY (8), GZIP ("false true"), CLIENT (raw|jdk:
# the open-loop client), INPROCESS (yes|no), SERVER_JVM (extra server JVM flags), PIN ("" or "yes": also run
# the last version with the server on CPU 0 and the load generator on CPU 1), WORKTREE_CLASSES (a copy of
# serving/target/classes to use for "worktree" and the load generator, so a build meanwhile cannot change them).
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE=${RATE:-500}; SECS=${SECONDS_PER_PHASE:-15}; CONC=${CONCURRENCY:-8}; GZIPS=${GZIP:-"false true"}; PIN=${PIN:-}
CLIENT=${CLIENT:-raw}; INPROCESS=${INPROCESS:-yes}; SERVER_JVM=${SERVER_JVM:-}
RCP=$(cat serving/target/runtime-classpath.txt)
WT=${WORKTREE_CLASSES:-serving/target/classes}
LOADCP=$WT:$RCP
WORK=serving/target/bench-compare
mkdir -p "$WORK"
declare -A CPS
for rev in "$@"; do
  if [ "$rev" = worktree ]; then
    CPS[$rev]=$WT:$RCP
  else
    dir=$WORK/$rev
    if [ ! -d "$dir/classes" ]; then
      rm -rf "$dir"; mkdir -p "$dir/classes"
      git archive "$rev" serving/src/main | tar -x -C "$dir"
      javac -nowarn -d "$dir/classes" -cp "$RCP" $(find "$dir/serving/src/main/java" -name '*.java') 2>&1 | grep -v '^Note:' || true
      cp -r "$dir"/serving/src/main/resources/* "$dir/classes/"
    fi
    CPS[$rev]=$dir/classes:$RCP
  fi
done
echo "== start $(date -u +%FT%TZ) loadavg $(cat /proc/loadavg) cpus $(nproc)"
if [ "$INPROCESS" = yes ]; then
  for rev in "$@"; do
    echo "== $rev: the query in-process (no HTTP, no cache)"
    java -cp "${CPS[$rev]}" dev.tandem.serving.bench.ServingBenchmark inprocess iterations=4000
  done
fi
runone() { # rev gzip [server-pin] [load-pin]
  local rev=$1 gz=$2 spin=${3:-} lpin=${4:-} log=$WORK/server.log
  rm -f "$log"
  # shellcheck disable=SC2086
  $spin java -Xmx1g $SERVER_JVM -cp "${CPS[$rev]}" dev.tandem.serving.bench.ServingBenchmark server port=18490 cache=true > "$log" 2>&1 &
  local sp=$!
  for _ in $(seq 120); do grep -q READY "$log" && break; sleep 1; done
  echo "== $rev (gzip=$gz, open-loop client $CLIENT${spin:+, server: $spin}${lpin:+, load: $lpin}) $(head -1 "$log")"
  $lpin java -cp "$LOADCP" dev.tandem.serving.bench.ServingBenchmark load url=http://127.0.0.1:18490 \
      rate="$RATE" seconds="$SECS" concurrency="$CONC" gzip="$gz" serverPid=$sp client="$CLIENT"
  kill $sp; wait $sp 2>/dev/null || true
}
for gz in $GZIPS; do
  for rev in "$@"; do
    runone "$rev" "$gz"
  done
done
if [ -n "$PIN" ]; then
  last=${*: -1}
  runone "$last" false "taskset -c 0" "taskset -c 1"
fi
echo "== end $(date -u +%FT%TZ) loadavg $(cat /proc/loadavg)"
