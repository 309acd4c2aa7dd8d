#!/usr/bin/env bash
# Tandem on one machine, embedded defaults: the README's first command.
#
#   scripts/demo.sh            build if needed, then run the pipeline under ./data until Ctrl-C
#
# State lives under ./data (override with TANDEM_DATA), so a second start resumes: history is
# generated only once, the broker keeps its log, batch versions and the speed layer's
# checkpoints stay.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${TANDEM_DATA:-$ROOT/data}"
DAYS="${TANDEM_DAYS:-3}"
EVENTS_PER_DAY="${TANDEM_EVENTS_PER_DAY:-200000}"
KAFKA_PORT="${TANDEM_KAFKA_PORT:-9092}"
RATE="${TANDEM_RATE:-200}"
T="$ROOT/scripts/tandem"
mkdir -p "$DATA/logs"

say() { printf '\033[1m[demo]\033[0m %s\n' "$*"; }

pids=()
cleanup() {
  say "stopping ..."
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  say "stopped; state kept in $DATA (run scripts/demo.sh again to resume)"
}
trap cleanup EXIT INT TERM

if [[ ! -f "$ROOT/datasets/target/runtime-classpath.txt" ]]; then
  say "building (first run; downloads dependencies from Maven Central) ..."
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi

if [[ -d "$DATA/master/events" ]]; then
  say "master dataset already present in $DATA/master (resuming)"
else
  say "generating $DAYS days of history ($EVENTS_PER_DAY events/day) into $DATA/master ..."
  "$T" generate --root "$DATA" --days "$DAYS" --events-per-day "$EVENTS_PER_DAY" --seed 1
fi

say "starting the Kafka broker on 127.0.0.1:$KAFKA_PORT (log in $DATA/logs/kafka.log) ..."
"$T" kafka --port "$KAFKA_PORT" --controller-port $((KAFKA_PORT + 1)) --dir "$DATA/kafka" >"$DATA/logs/kafka.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  grep -q "Kafka ready" "$DATA/logs/kafka.log" 2>/dev/null && break
  kill -0 "${pids[-1]}" 2>/dev/null || { cat "$DATA/logs/kafka.log"; exit 1; }
  sleep 0.5
done

say "producing live events at $RATE/s (log in $DATA/logs/produce.log) ..."
"$T" produce --bootstrap "127.0.0.1:$KAFKA_PORT" --rate "$RATE" --seed "$(date +%s)" >"$DATA/logs/produce.log" 2>&1 &
pids+=($!)

cat <<INFO

  What runs where
  ---------------
  master dataset   $DATA/master          (Parquet by ingest hour, quarantine beside it)
  Kafka broker     127.0.0.1:$KAFKA_PORT        (tandem.events, tandem.realtime-views, tandem.events.dlq)
  producer         $RATE events/s with late, duplicate and bad ones
  logs             $DATA/logs

  Ctrl-C stops everything; state stays in $DATA.

INFO
wait
