"""engine.evaluate against `juxta batch`, on the same Parquet inventory, in one run.

    python3 bindings/python/benches/evaluate.py --juxta target/release/juxta -n 200000 --runs 5

Needs the package built in release (`pip install ./bindings/python`). Prints medians of wall
time and profiles per second per job for: `juxta batch inventory.parquet -o out.parquet` (the
whole process: start, read, evaluate, write Parquet), `read + evaluate + write` in Python (the
same work), and `evaluate` alone on a table already in memory; at 1 and 2 jobs.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

import juxta


def median_time(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--juxta", required=True)
    p.add_argument("-n", type=int, default=200_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seed", type=int, default=2)
    a = p.parse_args()
    work = tempfile.mkdtemp()
    jsonl = os.path.join(work, "profiles.jsonl")
    inv = os.path.join(work, "inventory.parquet")
    out = os.path.join(work, "out.parquet")
    subprocess.run([a.juxta, "generate", "-n", str(a.n), "--seed", str(a.seed), "-o", jsonl], check=True)
    rows = [json.loads(line) for line in open(jsonl)]
    pq.write_table(pa.Table.from_pylist(rows), inv, compression="zstd")
    del rows
    engine = juxta.Engine()
    table = pq.read_table(inv)
    results = []
    for jobs in (1, 2):
        cli = median_time(
            lambda: subprocess.run(
                [a.juxta, "batch", inv, "-o", out, "-q", "-j", str(jobs)], check=True
            ),
            a.runs,
        )
        whole = median_time(
            lambda: pq.write_table(engine.evaluate(pq.read_table(inv), jobs=jobs), out), a.runs
        )
        alone = median_time(lambda: engine.evaluate(table, jobs=jobs), a.runs)
        for name, secs in [
            ("juxta batch (process)", cli),
            ("Python read + evaluate + write", whole),
            ("Python evaluate (table in memory)", alone),
        ]:
            results.append((jobs, name, secs, a.n / secs / jobs))
    print(f"{a.n} profiles, median of {a.runs} runs, juxta {juxta.__version__}, Python {sys.version.split()[0]}")
    print("| jobs | what | median | profiles/s per job | / juxta batch |")
    print("|---:|---|---:|---:|---:|")
    for jobs, name, secs, rate in results:
        base = next(s for j, n, s, _ in results if j == jobs and n.startswith("juxta batch"))
        print(f"| {jobs} | {name} | {secs:.3f} s | {rate:,.0f} | {secs / base:.2f}× |")


if __name__ == "__main__":
    main()
