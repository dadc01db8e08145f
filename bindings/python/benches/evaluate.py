"""engine.evaluate against `juxta batch`, on the same Parquet inventory, in one run.

    python3 bindings/python/benches/evaluate.py --juxta target/release/juxta -n 200000 --runs 5

Needs the package built in release (`pip install ./bindings/python`). Prints medians of wall
time and of CPU time (all threads), and profiles per second per core, for: `juxta batch
inventory.parquet -o out.parquet` (the whole process: start, read, evaluate, write Parquet),
`read + evaluate + write` in Python (the same work), and `evaluate` alone on a table already in
memory; at 1 and 2 jobs. With `--instructions N`, also counts instructions with callgrind on N
profiles (the machine's noise does not move them): the process that evaluates minus the same
process without the evaluation, for the CLI (`batch` minus `--version`) and for Python (the
script minus the same script stopped before `evaluate`).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

import juxta


def median_time(fn, runs):
    """Medians of (wall seconds, CPU seconds of this process and its children, all threads)."""
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), _cpu()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _cpu():
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


PY_SETUP = """
import sys, pyarrow.parquet as pq, juxta
engine = juxta.Engine()
table = pq.read_table(sys.argv[1])
if sys.argv[2] == "evaluate":
    engine.evaluate(table, jobs=1)
"""


def instructions(cmd):
    """Instructions of a whole process (all threads), by callgrind."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for line in open(out):
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError("callgrind wrote no total")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--juxta", required=True)
    p.add_argument("-n", type=int, default=200_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--instructions", type=int, default=0, metavar="N")
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
        for name, (wall, cpu) in [
            ("juxta batch (process)", cli),
            ("Python read + evaluate + write", whole),
            ("Python evaluate (table in memory)", alone),
        ]:
            results.append((jobs, name, wall, cpu))
    print(f"{a.n} profiles, median of {a.runs} runs, juxta {juxta.__version__}, Python {sys.version.split()[0]}")
    print("| jobs | what | wall | / juxta batch | CPU (all threads) | / juxta batch | profiles/s per core (CPU) |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for jobs, name, wall, cpu in results:
        base = next((w, c) for j, n, w, c in results if j == jobs and n.startswith("juxta batch"))
        print(
            f"| {jobs} | {name} | {wall:.3f} s | {wall / base[0]:.2f}× | {cpu:.3f} s | "
            f"{cpu / base[1]:.2f}× | {a.n / cpu:,.0f} |"
        )
    if a.instructions:
        small = os.path.join(work, "small.parquet")
        pq.write_table(pq.read_table(inv).slice(0, a.instructions), small, compression="zstd")
        cli = instructions([a.juxta, "batch", small, "-o", out, "-q", "-j", "1"])
        start = instructions([a.juxta, "--version"])
        py = instructions([sys.executable, "-c", PY_SETUP, small, "evaluate"])
        setup = instructions([sys.executable, "-c", PY_SETUP, small, "setup"])
        n = a.instructions
        print()
        print(f"instructions (callgrind, {n} profiles, 1 job)")
        print("| what | instructions | per profile | / juxta batch |")
        print("|---|---:|---:|---:|")
        print(f"| juxta batch: read, evaluate, write Parquet (process minus `--version`) | {cli - start:,} | {(cli - start) / n:,.0f} | 1.00× |")
        print(f"| Python evaluate (script minus the same script without it) | {py - setup:,} | {(py - setup) / n:,.0f} | {(py - setup) / (cli - start):.2f}× |")

if __name__ == "__main__":
    main()
