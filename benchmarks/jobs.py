"""``--jobs``: throughput of one run over several feed files with 1, 2, ... worker processes.

    python benchmarks/jobs.py [--files 8] [--items 2000] [--jobs 1 2] [--runs 3]

Writes ``--files`` generated science-news feeds of ``--items`` items each (distinct works
in every file) and runs ``doi-extract --offline -q -j N`` over all of them, N from
``--jobs``, each as a whole process, ``--runs`` times interleaved (the fastest run counts;
the files are read once first so that the disk cache is warm for every run). Prints wall
seconds, items/s, CPU seconds (workers included) and the speed-up over the first N, and
checks that every N wrote the same bytes; exits 1 if not.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _bytecode import compile_package
from _feedgen import write_feed


def run(files: list[Path], jobs: int, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds (children included) of one whole doi-extract run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = [sys.executable, "-m", "doi_extract", *map(str, files), "--offline", "-q"]
    subprocess.run([*command, "-j", str(jobs), "-o", str(out)], check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_package(Path(__file__).resolve().parent.parent)
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for number in range(args.files):
            path = Path(folder) / f"feed-{number}.xml"
            write_feed(path, "news", args.items, first=number * args.items)
            files.append(path)
        for path in files:
            path.read_bytes()  # into the disk cache
        best: dict[int, tuple[float, float]] = {}
        digests: dict[int, str] = {}
        for _ in range(args.runs):
            for jobs in args.jobs:
                out = Path(folder) / f"out-{jobs}.bib"
                wall, cpu = run(files, jobs, out)
                if jobs not in best or wall < best[jobs][0]:
                    best[jobs] = (wall, cpu)
                digests[jobs] = hashlib.sha256(out.read_bytes()).hexdigest()
        items = args.files * args.items
        size = sum(path.stat().st_size for path in files) / 1e6
        print(f"{args.files} files, {items} items, {size:.1f} MB; {os.cpu_count()} CPUs")
        print(f"{'jobs':>4} {'seconds':>8} {'items/s':>8} {'CPU s':>7} {'speed-up':>8}")
        base = best[args.jobs[0]][0]
        for jobs in args.jobs:
            wall, cpu = best[jobs]
            print(f"{jobs:>4} {wall:>8.2f} {items / wall:>8.0f} {cpu:>7.2f} {base / wall:>8.2f}")
        same = len(set(digests.values())) == 1
        print("output identical for every --jobs" if same else f"OUTPUT DIFFERS: {digests}")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
