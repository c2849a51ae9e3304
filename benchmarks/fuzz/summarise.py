"""Summarise the logs run.sh wrote: one table row per harness, one line per crash.

Usage: python benchmarks/fuzz/summarise.py /tmp/fuzz/logs

Executions are libFuzzer's final ``stat::number_of_executed_units`` (or, for a segment
stopped from outside, its last status line); coverage is the highest ``cov:`` seen.
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

_STATUS = re.compile(r"^#(\d+)\s+\S+\s+cov: (\d+)", re.MULTILINE)
_EXECS = re.compile(r"stat::number_of_executed_units: (\d+)")
_ERROR = re.compile(r"^(\w+(?:Error|Exception)): (.*)$", re.MULTILINE)
_DEADLY = re.compile(r"ERROR: libFuzzer: (timeout|out-of-memory|deadly signal)")


def main(argv: list[str]) -> int:
    rows: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    crashes: list[str] = []
    for log in sorted(Path(argv[0]).glob("*.log"), key=lambda p: p.stat().st_mtime):
        harness = log.stem.rsplit("-", 1)[0]
        text = log.read_text(encoding="utf-8", errors="replace")
        status = _STATUS.findall(text)
        execs = _EXECS.search(text)
        row = rows[harness]
        row["segments"] += 1
        row["execs"] += int(execs.group(1)) if execs else int(status[-1][0]) if status else 0
        row["cov"] = max([row["cov"], *(int(cov) for _, cov in status)])
        error = _ERROR.search(text) or _DEADLY.search(text)
        if error:
            row["crashes"] += 1
            crashes.append(f"{log.name}: {error.group(0)[:160]}")
    print("| harness | segments | execs | max cov | crashes |")
    print("|---|---:|---:|---:|---:|")
    for harness, row in rows.items():
        counts = f"{row['segments']} | {row['execs']:,} | {row['cov']} | {row['crashes']}"
        print(f"| {harness} | {counts} |")
    print()
    print("\n".join(crashes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
