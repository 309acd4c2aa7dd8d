#!/usr/bin/env bash
# The MapReduce comparison (issue 4): word count and the three views at four input sizes on the
# hand-written engine, Spark local[2], Hadoop's LocalJobRunner and a single-threaded loop, each run
# in a fresh JVM; writes docs/benchmarks/mapreduce-comparison.csv and .png.
#
#   mvn -B -q -pl batch-jobs -am package -DskipTests      # once, from the repository root
#   benchmarks/mapreduce-comparison.sh --prepare-only      # generate the inputs (kept in the work dir)
#   benchmarks/mapreduce-comparison.sh                     # 200 k, 400 k, 800 k, 1.6 M events and lines
#   benchmarks/mapreduce-comparison.sh --quick             # 25 k, 50 k, 100 k, 200 k
#
# Other options are passed to dev.tandem.batch.bench.ComparisonBench (--sizes, --systems, --jobs,
# --work, --csv, --child-heap). On a shared machine take the exclusive benchmark lock:
#   flock -x -w 1200 /work/cpu.lock benchmarks/mapreduce-comparison.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=batch-jobs/target/runtime-classpath.txt
if [[ ! -f $cp_file ]]; then
  echo "no $cp_file: run 'mvn -B -q -pl batch-jobs -am package -DskipTests' first" >&2
  exit 2
fi
csv=docs/benchmarks/mapreduce-comparison.csv
png=docs/benchmarks/mapreduce-comparison.png
args=("$@")
prepare_only=false
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ ${args[$i]} == --csv ]]; then csv=${args[$((i + 1))]}; png=${csv%.csv}.png; fi
  if [[ ${args[$i]} == --prepare-only ]]; then prepare_only=true; fi
done
java @scripts/jvm.flags -Xmx1g -Dlog4j2.configurationFile=scripts/log4j2.properties \
  -cp "batch-jobs/target/classes:$(cat $cp_file)" \
  dev.tandem.batch.bench.ComparisonBench --work "${TMPDIR:-/tmp}/tandem-mr-comparison" --csv "$csv" "$@"
$prepare_only && exit 0
/usr/bin/python3 benchmarks/plot_mapreduce_comparison.py "$csv" "$png"
