"""Peak memory of a whole doi-extract run on generated feeds of growing size.

    python benchmarks/memory.py [--items 1000 10000 100000] [--shape news|toc]

Each size runs in a fresh process per output format, twice: once where every item cites a
distinct DOI (memory then grows with the distinct works kept for de-duplication and sorted
output), once where the items cite only 100 distinct DOIs (memory must then stay flat for
BibTeX: the reader streams; JSON Lines lists every citing item of a work, so there it grows
with the number of citations). Prints items, feed size, wall time, the peak RSS the OS
reports for the main process and the largest peak of its worker processes (``--jobs``;
they share the main process's pages from before they were started).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _bytecode import compile_package
from _feedgen import write_feed

_CHILD = """
import json, resource, sys
from doi_extract import cli
code = cli.main(sys.argv[1:])
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
worker_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
numbers = {"code": code, "peak_mib": peak_kib / 1024, "worker_mib": worker_kib / 1024}
print(json.dumps(numbers), file=sys.stderr)
"""


def measure(feed: Path, out: Path) -> tuple[float, float, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(feed), "--offline", "-q", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    numbers = json.loads(result.stderr.strip().splitlines()[-1])
    if numbers["code"] != 0:
        raise SystemExit(f"doi-extract failed on {feed}: {result.stderr}")
    return elapsed, numbers["peak_mib"], numbers["worker_mib"]


def count_records(out: Path) -> int:
    with out.open(encoding="utf-8") as lines:
        if out.suffix == ".bib":
            return sum(1 for line in lines if line.startswith("@"))
        return sum(1 for _ in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--shape", choices=["news", "toc"], default="news")
    parser.add_argument("--formats", nargs="+", choices=["bib", "jsonl"], default=["bib", "jsonl"])
    args = parser.parse_args()
    compile_package(Path(__file__).resolve().parent.parent)
    header = ("items", "distinct", "feed MB", "output", "seconds", "peak MiB", "worker", "works")
    print("{:>8} {:>9} {:>8} {:>7} {:>8} {:>9} {:>7} {:>7}".format(*header))
    with tempfile.TemporaryDirectory() as folder:
        for items in args.items:
            for distinct in (None, 100):
                feed = Path(folder) / f"feed-{items}-{distinct}.xml"
                planted = write_feed(feed, args.shape, items, distinct)
                size = feed.stat().st_size / 1e6
                label = "all" if distinct is None else str(distinct)
                for fmt in args.formats:
                    out = Path(folder) / f"out.{fmt}"
                    seconds, peak, worker = measure(feed, out)
                    works = count_records(out)
                    if works != len(planted):
                        raise SystemExit(f"expected {len(planted)} works, got {works}")
                    print(
                        f"{items:>8} {label:>9} {size:>8.1f} {fmt:>7} {seconds:>8.2f} "
                        f"{peak:>9.1f} {worker:>7.1f} {works:>7}"
                    )
                feed.unlink()


if __name__ == "__main__":
    main()
