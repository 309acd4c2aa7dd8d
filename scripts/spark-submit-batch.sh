#!/usr/bin/env bash
# Submits the Tandem batch job (dev.tandem.batch.cli.BatchCli) with spark-submit.
#
#   scripts/spark-submit-batch.sh [spark-submit options --] <batch|backfill|publish|prune> [options]
#
# Examples:
#   scripts/spark-submit-batch.sh batch --root ./data --mode incremental
#   scripts/spark-submit-batch.sh --master yarn --deploy-mode cluster --executor-memory 4g -- \
#       batch --root hdfs:///tandem --mode full
#
# With $SPARK_HOME set, its bin/spark-submit runs the shaded application jar (Spark is `provided`
# in it). Without, the SparkSubmit class bundled in the module's Maven classpath does, as
# `java @scripts/jvm.flags -cp <runtime classpath> org.apache.spark.deploy.SparkSubmit`; the
# driver then runs in this JVM (heap: TANDEM_BATCH_HEAP, default -Xmx2g).
# The master defaults to local[*] unless spark-submit options name one.
#
# YARN: set HADOOP_CONF_DIR (and YARN_CONF_DIR if separate) to the cluster's client configuration.
# Like Spark's own launcher, this script puts those directories first on the classpath of the
# bundled SparkSubmit (plain `java -cp` ignores the variables otherwise); Spark ships their
# contents to the YARN containers. See docs/OPERATIONS.md "Scale-out: YARN, HDFS and S3".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE="$ROOT/batch-jobs"
MAIN=dev.tandem.batch.cli.BatchCli

submit_opts=()
if [[ " $* " == *" -- "* ]]; then
  while [[ $# -gt 0 && "$1" != "--" ]]; do submit_opts+=("$1"); shift; done
  shift
fi
[[ $# -ge 1 ]] || { echo "usage: $0 [spark-submit options --] <batch|backfill|publish|prune> [options]" >&2; exit 2; }
if [[ " ${submit_opts[*]:-} " != *" --master "* && " ${submit_opts[*]:-} " != *" --master="* ]]; then
  submit_opts=(--master 'local[*]' "${submit_opts[@]}")
fi

jar="${TANDEM_BATCH_JAR:-}"
if [[ -z "$jar" ]]; then
  jar="$(ls "$MODULE"/target/tandem-batch-jobs-*-app.jar 2>/dev/null | head -n 1 || true)"
fi
if [[ -z "$jar" || ! -f "$jar" ]]; then
  if [[ "${TANDEM_NO_BUILD:-0}" == 1 ]]; then
    echo "spark-submit-batch: no application jar (run: mvn -B -DskipTests package -pl batch-jobs -am)" >&2; exit 2
  fi
  echo "spark-submit-batch: building batch-jobs (first run only) ..." >&2
  (cd "$ROOT" && mvn -B -q -DskipTests package -pl batch-jobs -am) >&2
  jar="$(ls "$MODULE"/target/tandem-batch-jobs-*-app.jar | head -n 1)"
fi

if [[ -n "${SPARK_HOME:-}" ]]; then
  exec "$SPARK_HOME/bin/spark-submit" "${submit_opts[@]}" --class "$MAIN" "$jar" "$@"
fi

cp_file="$MODULE/target/runtime-classpath.txt"
[[ -f "$cp_file" ]] || { echo "spark-submit-batch: $cp_file missing (mvn package -pl batch-jobs -am)" >&2; exit 2; }
conf_cp=""
for d in "${HADOOP_CONF_DIR:-}" "${YARN_CONF_DIR:-}"; do
  if [[ -n "$d" ]]; then conf_cp+="$d:"; fi
done
log_conf=()
[[ -f "$ROOT/scripts/log4j2.properties" ]] && log_conf=(-Dlog4j2.configurationFile="$ROOT/scripts/log4j2.properties")
# the parallel collector: batch work is throughput work (see docs/BENCHMARKS.md, Spark vs DuckDB)
# shellcheck disable=SC2086
exec java @"$ROOT/scripts/jvm.flags" -XX:+UseParallelGC ${TANDEM_BATCH_HEAP:--Xmx2g} "${log_conf[@]}" \
  -cp "$conf_cp$(cat "$cp_file")" org.apache.spark.deploy.SparkSubmit \
  "${submit_opts[@]}" --class "$MAIN" "$jar" "$@"
