#!/usr/bin/env bash
# What cron and Airflow call: archive the complete ingest hours from the log into the master
# dataset, then recompute the batch views and publish them. Two runs never overlap (a lock);
# logs go to <root>/logs/run-batch-<UTC time>.log.
#
#   scripts/run-batch.sh [--root DIR] [--bootstrap H:P] [--mode incremental|full]
#                        [--engine spark|mapreduce] [--logical-hour YYYY-MM-DDTHH] [--no-archive]
#
# Exit codes: 0 done · 2 bad arguments · 3 another run holds the lock · 4 archive failed ·
#             5 batch failed
set -uo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="${TANDEM_ROOT:-$ROOT_DIR/data}"
bootstrap="${TANDEM_BOOTSTRAP:-127.0.0.1:9092}"
mode=incremental
engine=spark
logical_hour=""
archive=1

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --root) root="$2"; shift 2 ;;
    --bootstrap) bootstrap="$2"; shift 2 ;;
    --mode) mode="$2"; shift 2 ;;
    --engine) engine="$2"; shift 2 ;;
    --logical-hour) logical_hour="$2"; shift 2 ;;
    --no-archive) archive=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run-batch: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$mode" == full || "$mode" == incremental ]] || { echo "run-batch: --mode must be full or incremental" >&2; exit 2; }
[[ "$engine" == spark || "$engine" == mapreduce ]] || { echo "run-batch: --engine must be spark or mapreduce" >&2; exit 2; }
if [[ -n "$logical_hour" && ! "$logical_hour" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}$ ]]; then
  echo "run-batch: --logical-hour must look like 2026-11-26T10" >&2; exit 2
fi

mkdir -p "$root/logs" 2>/dev/null || true
log_dir="$root/logs"
[[ "$root" == *://* ]] && log_dir="$ROOT_DIR/data/logs" && mkdir -p "$log_dir"
log="$log_dir/run-batch-$(date -u +%Y%m%dT%H%M%SZ).log"
lock="$log_dir/run-batch.lock"

exec 9>"$lock"
if ! flock -n 9; then
  echo "run-batch: another run holds $lock; not starting" >&2
  exit 3
fi

echo "run-batch: root=$root mode=$mode engine=$engine logical_hour=${logical_hour:-now} log=$log" | tee -a "$log"
if [[ "$archive" == 1 ]]; then
  if ! "$ROOT_DIR/scripts/tandem" archive --root "$root" --bootstrap "$bootstrap" >>"$log" 2>&1; then
    echo "run-batch: archive failed (see $log)" >&2; exit 4
  fi
fi
if ! "$ROOT_DIR/scripts/tandem" batch --root "$root" --engine "$engine" --mode "$mode" >>"$log" 2>&1; then
  echo "run-batch: batch failed (see $log)" >&2; exit 5
fi
echo "run-batch: done" | tee -a "$log"
