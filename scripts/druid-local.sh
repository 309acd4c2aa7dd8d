#!/usr/bin/env bash
# A real, local Apache Druid 33.0.0 on 127.0.0.1, from Maven Central jars (no Docker, no tarball):
# ZooKeeper, a coordinator that is also the overlord (metadata in embedded Derby), a broker, a
# historical, an indexer and a router (the one URL for SQL, tasks and the console), each its own JVM
# with a modest heap, deep storage on the local disk under --dir.
#
#   scripts/druid-local.sh start  [--dir DIR] [--base-port P]   # waits until healthy, prints the URLs
#   scripts/druid-local.sh status [--dir DIR]
#   scripts/druid-local.sh stop   [--dir DIR]                   # Druid first, then ZooKeeper
#
# Ports: router P (default 28880), coordinator/overlord P+1, broker P+2, historical P+3, indexer P+4,
# ZooKeeper P+5, Derby P+6. The classpath is resolved once (206 jars, ~190 MB, a few minutes cold)
# with scripts/druid/pom.xml and scripts/druid/settings.xml (a mirror that sends every repository
# to Maven Central: Druid's poms name repositories that are not reachable) into
# scripts/druid/target/classpath.txt. DRUID_JAVA_OPTS adds JVM options to every service;
# DRUID_START_TIMEOUT (seconds, default 300) bounds the wait for health.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DRUID_POM="$ROOT/scripts/druid/pom.xml"
DRUID_SETTINGS="$ROOT/scripts/druid/settings.xml"
CP_FILE="$ROOT/scripts/druid/target/classpath.txt"
SERVICES=(coordinator broker historical indexer router)

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

cmd="${1:-}"; [[ -n "$cmd" ]] || { usage; exit 2; }; shift
DIR="${TANDEM_DRUID_DIR:-$ROOT/target/druid-local}"
BASE=28880
WAIT_SECONDS="${DRUID_START_TIMEOUT:-300}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --base-port) BASE="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "druid-local: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
# a running instance keeps its ports in $DIR/ports
if [[ "$cmd" != start && -f "$DIR/ports" ]]; then BASE="$(cat "$DIR/ports")"; fi
ROUTER=$BASE; COORD=$((BASE + 1)); BROKER=$((BASE + 2)); HIST=$((BASE + 3)); INDEXER=$((BASE + 4))
ZK=$((BASE + 5)); DERBY=$((BASE + 6))

port_of() {
  case "$1" in
    router) echo $ROUTER ;; coordinator) echo $COORD ;; broker) echo $BROKER ;;
    historical) echo $HIST ;; indexer) echo $INDEXER ;; zookeeper) echo $ZK ;;
  esac
}

alive() { [[ -f "$DIR/pids/$1" ]] && kill -0 "$(cat "$DIR/pids/$1")" 2>/dev/null; }

http_ok() { curl -fsS -m 3 -o /dev/null "$1" 2>/dev/null; }

resolve_classpath() {
  if [[ -s "$CP_FILE" ]]; then return; fi
  echo "druid-local: resolving org.apache.druid:druid-services:33.0.0 from Maven Central (first run only; ~190 MB) ..." >&2
  mkdir -p "$(dirname "$CP_FILE")"
  mvn -B -q -s "$DRUID_SETTINGS" -f "$DRUID_POM" dependency:build-classpath \
      -Dmdep.outputFile="$CP_FILE.tmp" -Dmdep.includeScope=runtime >&2
  mv "$CP_FILE.tmp" "$CP_FILE"
}

write_config() {
  local c="$DIR/conf"
  mkdir -p "$c/_common" "$DIR/var" "$DIR/log" "$DIR/pids" "$DIR/tmp" "$DIR/extensions"
  for s in "${SERVICES[@]}"; do mkdir -p "$c/$s"; done
  cat > "$c/_common/common.runtime.properties" <<EOF
druid.host=127.0.0.1
druid.extensions.loadList=[]
druid.extensions.directory=$DIR/extensions
druid.extensions.hadoopDependenciesDir=$DIR/extensions/hadoop-dependencies
druid.startup.logging.logProperties=false
druid.zk.service.host=127.0.0.1:$ZK
druid.zk.paths.base=/druid
druid.metadata.storage.type=derby
druid.metadata.storage.connector.connectURI=jdbc:derby://127.0.0.1:$DERBY/$DIR/var/metadata.db;create=true
druid.metadata.storage.connector.host=127.0.0.1
druid.metadata.storage.connector.port=$DERBY
druid.storage.type=local
druid.storage.storageDirectory=$DIR/var/deep-storage
druid.indexer.logs.type=file
druid.indexer.logs.directory=$DIR/var/indexing-logs
druid.selectors.indexing.serviceName=druid/overlord
druid.selectors.coordinator.serviceName=druid/coordinator
druid.emitter=noop
druid.monitoring.monitors=[]
druid.sql.enable=true
druid.lookup.enableLookupSyncOnStartup=false
druid.server.http.numThreads=12
druid.server.http.gracefulShutdownTimeout=PT1S
druid.server.http.unannouncePropagationDelay=PT0S
druid.global.http.numConnections=8
EOF
  # Two cores here: one processing thread and small buffers per service (direct memory stays < 256 MB).
  local processing="druid.processing.numThreads=1
druid.processing.numMergeBuffers=1
druid.processing.buffer.sizeBytes=33554432
druid.processing.tmpDir=$DIR/tmp"
  cat > "$c/coordinator/runtime.properties" <<EOF
druid.service=druid/coordinator
druid.plaintextPort=$COORD
druid.coordinator.asOverlord.enabled=true
druid.coordinator.asOverlord.overlordService=druid/overlord
druid.coordinator.startDelay=PT5S
druid.coordinator.period=PT2S
druid.coordinator.period.indexingPeriod=PT60S
druid.manager.segments.pollDuration=PT2S
druid.indexer.queue.startDelay=PT2S
druid.indexer.runner.type=httpRemote
druid.indexer.storage.type=metadata
EOF
  cat > "$c/broker/runtime.properties" <<EOF
druid.service=druid/broker
druid.plaintextPort=$BROKER
druid.broker.http.numConnections=8
druid.broker.cache.useCache=false
druid.broker.cache.populateCache=false
$processing
EOF
  cat > "$c/historical/runtime.properties" <<EOF
druid.service=druid/historical
druid.plaintextPort=$HIST
druid.segmentCache.locations=[{"path":"$DIR/var/segment-cache","maxSize":"20g"}]
druid.server.maxSize=20g
druid.historical.cache.useCache=false
druid.historical.cache.populateCache=false
$processing
EOF
  cat > "$c/indexer/runtime.properties" <<EOF
druid.service=druid/indexer
druid.plaintextPort=$INDEXER
druid.worker.capacity=4
druid.indexer.task.baseTaskDir=$DIR/var/task
druid.indexer.task.restoreTasksOnRestart=false
druid.server.http.numThreads=16
$processing
EOF
  cat > "$c/router/runtime.properties" <<EOF
druid.service=druid/router
druid.plaintextPort=$ROUTER
druid.router.defaultBrokerServiceName=druid/broker
druid.router.coordinatorServiceName=druid/coordinator
druid.router.managementProxy.enabled=true
druid.router.http.numConnections=8
EOF
  cat > "$c/_common/log4j2.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="Console" target="SYSTEM_OUT">
      <PatternLayout pattern="%d{ISO8601} %p [%t] %c - %m%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="info"><AppenderRef ref="Console"/></Root>
    <Logger name="org.apache.druid.server.coordinator" level="warn" additivity="false"><AppenderRef ref="Console"/></Logger>
    <Logger name="org.apache.zookeeper" level="warn" additivity="false"><AppenderRef ref="Console"/></Logger>
    <Logger name="org.apache.curator" level="warn" additivity="false"><AppenderRef ref="Console"/></Logger>
    <Logger name="org.eclipse.jetty" level="warn" additivity="false"><AppenderRef ref="Console"/></Logger>
  </Loggers>
</Configuration>
EOF
  cat > "$c/zoo.cfg" <<EOF
tickTime=2000
dataDir=$DIR/var/zk
clientPort=$ZK
clientPortAddress=127.0.0.1
admin.enableServer=false
maxClientCnxns=0
4lw.commands.whitelist=ruok,stat
EOF
}

JVM_FLAGS=(
  -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError
  -Duser.timezone=UTC -Dfile.encoding=UTF-8 -Djava.io.tmpdir="$DIR/tmp"
  -Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager
  -Dlog4j.configurationFile="$DIR/conf/_common/log4j2.xml"
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED
)

launch() { # name heap main args...
  local name="$1" heap="$2"; shift 2
  local extra_cp=""
  [[ "$name" != zookeeper ]] && extra_cp="$DIR/conf/_common:$DIR/conf/$name:"
  # setsid: the JVM outlives this script and is stopped by its pid file
  # shellcheck disable=SC2086
  setsid java -Xms"$heap" -Xmx"$heap" -XX:MaxDirectMemorySize=256m "${JVM_FLAGS[@]}" ${DRUID_JAVA_OPTS:-} \
      -cp "$extra_cp$(cat "$CP_FILE")" "$@" > "$DIR/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$DIR/pids/$name"
}

healthy() { # name
  local p; p="$(port_of "$1")"
  case "$1" in
    zookeeper) [[ "$(echo ruok | timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$ZK; cat >&3; cat <&3" 2>/dev/null)" == imok ]] ;;
    coordinator) http_ok "http://127.0.0.1:$p/status/health" && http_ok "http://127.0.0.1:$p/druid/coordinator/v1/isLeader" \
                   && http_ok "http://127.0.0.1:$p/druid/indexer/v1/isLeader" ;;
    broker) http_ok "http://127.0.0.1:$p/druid/broker/v1/readiness" ;;
    historical) http_ok "http://127.0.0.1:$p/druid/historical/v1/readiness" ;;
    *) http_ok "http://127.0.0.1:$p/status/health" ;;
  esac
}

wait_healthy() { # timeout names...
  local deadline=$((SECONDS + $1)); shift
  for s in "$@"; do
    until healthy "$s"; do
      if ! alive "$s"; then
        echo "druid-local: $s exited during start; last lines of $DIR/log/$s.log:" >&2
        tail -n 30 "$DIR/log/$s.log" >&2 || true
        return 1
      fi
      if (( SECONDS > deadline )); then
        echo "druid-local: $s not healthy after the timeout; see $DIR/log/$s.log" >&2
        return 1
      fi
      sleep 1
    done
  done
}

start() {
  for s in zookeeper "${SERVICES[@]}"; do
    if alive "$s"; then echo "druid-local: $s already running in $DIR (pid $(cat "$DIR/pids/$s")); stop it first" >&2; exit 1; fi
  done
  resolve_classpath
  write_config
  echo "$BASE" > "$DIR/ports"
  local t0=$SECONDS
  launch zookeeper 128m org.apache.zookeeper.server.ZooKeeperServerMain "$DIR/conf/zoo.cfg"
  wait_healthy 60 zookeeper || { stop; exit 1; }
  launch coordinator 400m org.apache.druid.cli.Main server coordinator
  launch broker 400m org.apache.druid.cli.Main server broker
  launch historical 400m org.apache.druid.cli.Main server historical
  launch indexer 400m org.apache.druid.cli.Main server indexer
  launch router 256m org.apache.druid.cli.Main server router
  if ! wait_healthy "$WAIT_SECONDS" coordinator broker historical indexer router; then stop; exit 1; fi
  # SQL through the router answers only once the broker sees the cluster
  local deadline=$((SECONDS + 60))
  until curl -fsS -m 5 -o /dev/null -H 'Content-Type: application/json' -d '{"query":"SELECT 1"}' \
        "http://127.0.0.1:$ROUTER/druid/v2/sql"; do
    (( SECONDS > deadline )) && { echo "druid-local: SQL through the router does not answer" >&2; stop; exit 1; }
    sleep 1
  done
  echo "druid-local: healthy in $((SECONDS - t0)) s (dir $DIR)"
  print_urls
}

print_urls() {
  echo "router      http://127.0.0.1:$ROUTER   (SQL, tasks, console: use this one as --druid)"
  echo "coordinator http://127.0.0.1:$COORD   (also the overlord)"
  echo "broker      http://127.0.0.1:$BROKER"
  echo "historical  http://127.0.0.1:$HIST"
  echo "indexer     http://127.0.0.1:$INDEXER"
  echo "zookeeper   127.0.0.1:$ZK"
}

stop_one() {
  local s="$1"
  [[ -f "$DIR/pids/$s" ]] || return 0
  local pid; pid="$(cat "$DIR/pids/$s")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "druid-local: $s (pid $pid) did not stop in 20 s; killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$DIR/pids/$s"
}

stop() {
  # Druid before ZooKeeper: without ZooKeeper the Druid JVMs hang in their shutdown hooks.
  local s
  for s in router broker indexer historical; do stop_one "$s" & done
  wait
  stop_one coordinator
  stop_one zookeeper
  echo "druid-local: stopped (data kept in $DIR/var)"
}

status() {
  local rc=0 s
  for s in zookeeper "${SERVICES[@]}"; do
    if alive "$s"; then
      if healthy "$s"; then state=healthy; else state="running, not healthy"; rc=1; fi
      printf '%-12s pid %-8s port %-6s %s\n' "$s" "$(cat "$DIR/pids/$s")" "$(port_of "$s")" "$state"
    else
      printf '%-12s stopped\n' "$s"; rc=3
    fi
  done
  return $rc
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  -h|--help|help) usage ;;
  *) echo "druid-local: unknown command '$cmd'" >&2; usage >&2; exit 2 ;;
esac
