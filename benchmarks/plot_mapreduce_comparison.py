#!/usr/bin/python3
"""Plots docs/benchmarks/mapreduce-comparison.csv: per job, time and peak memory against input size,
one line per system. Usage: plot_mapreduce_comparison.py CSV PNG (Debian's python3 + matplotlib)."""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

src, out = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(src, encoding="utf-8")))
assert rows, f"no rows in {src}"
jobs = sorted({r["job"] for r in rows}, key=lambda j: (j != "wordcount", j))
styles = {"mapreduce": "o-", "spark": "s-", "hadoop": "^-", "plain-java": "x--"}
fig, axes = plt.subplots(2, len(jobs), figsize=(6 * len(jobs), 8), squeeze=False)
for col, job in enumerate(jobs):
    series = defaultdict(list)
    for r in rows:
        if r["job"] == job:
            series[r["engine"]].append((int(r["input_events"]), float(r["seconds"]), float(r["peak_mib"] or "nan")))
    for engine, pts in sorted(series.items()):
        pts.sort()
        xs = [p[0] / 1e6 for p in pts]
        axes[0][col].plot(xs, [p[1] for p in pts], styles.get(engine, "o-"), label=engine)
        axes[1][col].plot(xs, [p[2] for p in pts], styles.get(engine, "o-"), label=engine)
    unit = "lines" if job == "wordcount" else "events"
    axes[0][col].set_title(f"{job}: time")
    axes[0][col].set_ylabel("seconds (job, excl. JVM/Spark start)")
    axes[1][col].set_title(f"{job}: peak memory")
    axes[1][col].set_ylabel("peak RSS, MiB")
    for ax in (axes[0][col], axes[1][col]):
        ax.set_xlabel(f"input, million {unit}")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend()
source = rows[0].get("source", "")
fig.suptitle(f"MapReduce comparison, 2 cores — {source}", fontsize=10)
fig.tight_layout()
fig.savefig(out, dpi=100)
print("wrote", out)
