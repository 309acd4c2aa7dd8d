#!/usr/bin/env bash
# Tandem on one machine, embedded defaults: the README's first command.
#
#   scripts/demo.sh       build if needed, then run the whole pipeline under ./data until Ctrl-C
#
# What it starts: an in-process Kafka broker, the Flink speed layer (MiniCluster), the serving
# layer on http://localhost:8080, a live producer, and an archive + incremental Spark batch every
# few minutes so the batch/realtime hand-off happens while you watch the dashboard.
# State lives under ./data (TANDEM_DATA), so a second start resumes: history is generated once,
# the broker keeps its log, batch versions stay.
#
# Settings (environment): TANDEM_DATA, TANDEM_DAYS (3), TANDEM_EVENTS_PER_DAY (200000),
# TANDEM_RATE (200 events/s), TANDEM_PORT (8080), TANDEM_KAFKA_PORT (9092),
# TANDEM_BATCH_EVERY (300 s between incremental batches).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${TANDEM_DATA:-$ROOT/data}"
DAYS="${TANDEM_DAYS:-3}"
EVENTS_PER_DAY="${TANDEM_EVENTS_PER_DAY:-200000}"
KAFKA_PORT="${TANDEM_KAFKA_PORT:-9092}"
PORT="${TANDEM_PORT:-8080}"
RATE="${TANDEM_RATE:-200}"
BATCH_EVERY="${TANDEM_BATCH_EVERY:-300}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
T="$ROOT/scripts/tandem"
LOGS="$DATA/logs"
mkdir -p "$LOGS"

say() { printf '\033[1m[demo %s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*"; }

pids=()
cleanup() {
  trap - EXIT INT
  trap '' TERM
  say "stopping ..."
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  # a batch run started by the loop below is a grandchild: stop the whole process group we lead
  if [[ "$(ps -o pgid= $$ | tr -d ' ')" == "$$" ]]; then
    kill -TERM -- -$$ 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  say "stopped; state kept in $DATA (scripts/demo.sh resumes from it)"
}
trap cleanup EXIT INT TERM

# start NAME LOGFILE READY-PATTERN CMD...: runs CMD in the background and waits for its ready line
start() {
  local name="$1" log="$2" ready="$3"; shift 3
  "$@" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 240); do
    if [[ -z "$ready" ]]; then sleep 2; kill -0 "${pids[-1]}" 2>/dev/null && { say "$name is up"; return 0; }; fi
    [[ -n "$ready" ]] && grep -q "$ready" "$log" 2>/dev/null && { say "$name is up"; return 0; }
    kill -0 "${pids[-1]}" 2>/dev/null || { say "$name failed to start:"; tail -20 "$log"; exit 1; }
    sleep 0.5
  done
  say "$name did not come up in 2 minutes:"; tail -20 "$log"; exit 1
}

for m in datasets local-kafka batch-jobs speed-layer serving; do
  if [[ ! -f "$ROOT/$m/target/runtime-classpath.txt" ]]; then
    say "building (first run: dependencies come from Maven Central, a few minutes) ..."
    (cd "$ROOT" && mvn -B -q -DskipTests package)
    break
  fi
done

if [[ -d "$DATA/master/events" ]]; then
  say "master dataset found in $DATA/master: resuming"
else
  say "generating $DAYS days of history ($EVENTS_PER_DAY events/day) into $DATA/master ..."
  "$T" generate --root "$DATA" --days "$DAYS" --events-per-day "$EVENTS_PER_DAY" --seed 1
fi

start "Kafka broker ($BOOTSTRAP)" "$LOGS/kafka.log" "Kafka ready" \
  "$T" kafka --port "$KAFKA_PORT" --controller-port $((KAFKA_PORT + 1)) --dir "$DATA/kafka"

if [[ ! -f "$DATA/views/CURRENT" ]]; then
  say "first batch: full Spark recompute of the history (log in $LOGS/batch-initial.log) ..."
  "$T" batch --root "$DATA" --mode full >"$LOGS/batch-initial.log" 2>&1 || { tail -30 "$LOGS/batch-initial.log"; exit 1; }
  say "published batch version $(cat "$DATA/views/CURRENT")"
fi

start "Flink speed layer" "$LOGS/speed.log" "speed layer:" \
  "$T" speed --bootstrap "$BOOTSTRAP" --checkpoint-dir "$DATA/checkpoints"
start "serving layer (http://localhost:$PORT)" "$LOGS/serve.log" "Serving on" \
  "$T" serve --root "$DATA" --bootstrap "$BOOTSTRAP" --port "$PORT"
start "live producer ($RATE events/s)" "$LOGS/produce.log" "" \
  "$T" produce --bootstrap "$BOOTSTRAP" --rate "$RATE" --seed "$(date +%s)"

# the hand-off, live: archive complete hours and publish an incremental batch every few minutes
(
  while sleep "$BATCH_EVERY"; do
    before="$(cat "$DATA/views/CURRENT")"
    if "$ROOT/scripts/run-batch.sh" --root "$DATA" --bootstrap "$BOOTSTRAP" --mode incremental >>"$LOGS/run-batch.out" 2>&1; then
      after="$(cat "$DATA/views/CURRENT")"
      if [[ "$after" != "$before" ]]; then
        echo "[demo $(date +%H:%M:%S)] batch published $after"
      else
        echo "[demo $(date +%H:%M:%S)] batch: no new complete ingest hour yet; still serving $after"
      fi
    else
      echo "[demo $(date +%H:%M:%S)] batch run failed (exit $?), see $LOGS"
    fi
  done
) &
pids+=($!)

cat <<INFO

  Tandem is running
  -----------------
  dashboard        http://localhost:$PORT/
  API              http://localhost:$PORT/api/v1/status   (/api/v1/views, /metrics, /openapi.json)
  Kafka            $BOOTSTRAP  (tandem.events, tandem.realtime-views, tandem.events.dlq)
  master dataset   $DATA/master     batch versions  $DATA/views
  batch            archive + incremental Spark recompute every ${BATCH_EVERY}s (scripts/run-batch.sh)
  check exactness  scripts/tandem verify --root $DATA --bootstrap $BOOTSTRAP --api http://localhost:$PORT
  logs             $LOGS

  Ctrl-C stops everything; state stays in $DATA.

INFO
wait
