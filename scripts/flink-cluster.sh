#!/usr/bin/env bash
# A standalone Flink session cluster on 127.0.0.1 from the Maven Central jars (no tarball):
# one JobManager and one TaskManager, each its own JVM, started the way Flink's own
# bin/jobmanager.sh and bin/taskmanager.sh start them (BashJavaUtils sizes the TaskManager's memory).
#
#   scripts/flink-cluster.sh start  [--dir DIR] [--rest-port 8081] [--rpc-port 6123] [--slots 2]
#   scripts/flink-cluster.sh status [--dir DIR]
#   scripts/flink-cluster.sh flink  [--dir DIR] <flink CLI args>     e.g. run -d -c CLASS JAR ARGS, list, cancel ID,
#                                                                   stop --savepointPath P ID
#   scripts/flink-cluster.sh stop   [--dir DIR]
#
# State (config, logs, pids, checkpoints if you put them there) lives under DIR (default ./data/flink-cluster).
# The speed layer's cluster jar: mvn -B -pl speed-layer -am package -DskipTests (target/tandem-speed-layer-*-flink.jar)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
action="${1:-}"; [[ $# -gt 0 ]] && shift
DIR="$ROOT/data/flink-cluster"
REST_PORT=8081
RPC_PORT=6123
SLOTS=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --rest-port) REST_PORT="$2"; shift 2 ;;
    --slots) SLOTS="$2"; shift 2 ;;
    --rpc-port) RPC_PORT="$2"; shift 2 ;;
    *) break ;;
  esac
done
CONF="$DIR/conf"
LOGDIR="$DIR/log"
CP_FILE="$ROOT/scripts/flink/target/flink-classpath.txt"

die() { echo "flink-cluster: $*" >&2; exit 2; }

classpath() {
  if [[ ! -f "$CP_FILE" || "$ROOT/scripts/flink/pom.xml" -nt "$CP_FILE" ]]; then
    echo "flink-cluster: resolving the Flink jars (first use) ..." >&2
    (cd "$ROOT" && mvn -B -q -f scripts/flink/pom.xml package) >&2
  fi
  cat "$CP_FILE"
}

rest_url() { echo "http://127.0.0.1:$(cat "$DIR/rest-port" 2>/dev/null || echo "$REST_PORT")"; }

alive() { [[ -f "$DIR/$1.pid" ]] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

write_conf() {
  mkdir -p "$CONF" "$LOGDIR" "$DIR/tmp"
  cat >"$CONF/config.yaml" <<YAML
# written by scripts/flink-cluster.sh
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $RPC_PORT
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: 1024m
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $REST_PORT
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.numberOfTaskSlots: $SLOTS
taskmanager.memory.process.size: 2048m
parallelism.default: $SLOTS
io.tmp.dirs: $DIR/tmp
high-availability.type: NONE
YAML
  echo "$REST_PORT" >"$DIR/rest-port"
  cat >"$CONF/log4j2.properties" <<'LOG'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5level %c{1} - %msg%n
LOG
}

jvm_flags() { grep -v '^#' "$ROOT/scripts/jvm.flags" | tr '\n' ' '; }

start() {
  alive jobmanager && die "already running in $DIR (pid $(cat "$DIR/jobmanager.pid")); stop it first"
  write_conf
  local cp; cp="$(classpath)"
  local common=(-Dlog4j2.configurationFile="$CONF/log4j2.properties" -Dlog4j.configurationFile="$CONF/log4j2.properties")
  # shellcheck disable=SC2046
  nohup java $(jvm_flags) -Xms512m -Xmx512m "${common[@]}" -Dlog.file="$LOGDIR/jobmanager.log" \
    -cp "$cp" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$CONF" \
    >"$LOGDIR/jobmanager.out" 2>&1 &
  echo $! >"$DIR/jobmanager.pid"

  # like bin/taskmanager.sh: let Flink derive the JVM sizes from taskmanager.memory.process.size
  local params; params="$(java -cp "$cp" org.apache.flink.runtime.util.bash.BashJavaUtils GET_TM_RESOURCE_PARAMS \
    --configDir "$CONF" 2>/dev/null | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')"
  local jvm_params dynamic
  jvm_params="$(echo "$params" | sed -n 1p)"; dynamic="$(echo "$params" | sed -n 2p)"
  [[ -n "$jvm_params" ]] || die "BashJavaUtils did not size the TaskManager (see $CONF/config.yaml)"
  # shellcheck disable=SC2046,SC2086
  nohup java $(jvm_flags) $jvm_params "${common[@]}" -Dlog.file="$LOGDIR/taskmanager.log" \
    -cp "$cp" org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$CONF" $dynamic \
    >"$LOGDIR/taskmanager.out" 2>&1 &
  echo $! >"$DIR/taskmanager.pid"

  for _ in $(seq 1 120); do
    if body="$(curl -fsS "$(rest_url)/overview" 2>/dev/null)" && [[ "$body" =~ \"slots-total\":([1-9][0-9]*) ]]; then
      echo "flink-cluster: up — JobManager pid $(cat "$DIR/jobmanager.pid"), TaskManager pid $(cat "$DIR/taskmanager.pid"), ${BASH_REMATCH[1]} slots, REST and web UI $(rest_url), logs $LOGDIR"
      return 0
    fi
    alive jobmanager || { tail -n 30 "$LOGDIR/jobmanager.log" >&2 || true; stop >/dev/null; die "the JobManager exited (log: $LOGDIR/jobmanager.log)"; }
    alive taskmanager || { tail -n 30 "$LOGDIR/taskmanager.log" >&2 || true; stop >/dev/null; die "the TaskManager exited (log: $LOGDIR/taskmanager.log)"; }
    sleep 1
  done
  stop; die "no TaskManager registered in 2 minutes (logs in $LOGDIR)"
}

stop() {
  local any=0
  for p in taskmanager jobmanager; do
    if alive "$p"; then
      any=1; local pid; pid="$(cat "$DIR/$p.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$DIR/$p.pid"
  done
  [[ $any == 1 ]] && echo "flink-cluster: stopped" || echo "flink-cluster: not running"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  status)
    if alive jobmanager; then curl -fsS "$(rest_url)/overview"; echo; else echo "flink-cluster: not running"; exit 3; fi ;;
  flink)
    [[ -f "$CONF/config.yaml" ]] || die "no cluster config in $CONF (start the cluster first)"
    # the `flink` command line (CliFrontend) talking to this cluster's REST endpoint
    # shellcheck disable=SC2046
    FLINK_CONF_DIR="$CONF" exec java $(jvm_flags) -Dlog.file="$LOGDIR/client.log" \
      -Dlog4j2.configurationFile="$CONF/log4j2.properties" \
      -cp "$(classpath)" org.apache.flink.client.cli.CliFrontend "$@" ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
