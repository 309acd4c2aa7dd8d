#!/usr/bin/env bash
# Recompute and publish after master hours in a range were repaired or re-imported.
# Idempotent: running it twice publishes the same rows.
#
#   scripts/backfill.sh --from YYYY-MM-DD --to YYYY-MM-DD [--root DIR] [--engine spark|mapreduce]
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="${TANDEM_ROOT:-$ROOT_DIR/data}"
from=""; to=""; extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --from) from="$2"; shift 2 ;;
    --to) to="$2"; shift 2 ;;
    --root) root="$2"; shift 2 ;;
    --engine) extra+=(--engine "$2"); shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "backfill: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$from" && -n "$to" ]] || { echo "backfill: --from and --to are required" >&2; exit 2; }
exec "$ROOT_DIR/scripts/tandem" backfill --root "$root" --from "$from" --to "$to" "${extra[@]}"
