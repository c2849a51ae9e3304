"""Read every file under some directories with the feed reader and count what happens.

Usage: python benchmarks/robustness.py DIR [DIR ...] [--feedparser]

Every file is read (not only feed suffixes). Counts files, files read, items, input
errors by reason, damaged feeds (Problems) and tracebacks (any exception other than
InputError: printed with the file; there must be none). Prints the slowest file, the
total time and the peak RSS. ``--feedparser`` also compares the item count of each
feed read without damage with the entries feedparser finds (if it is installed).
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import time
import traceback
from pathlib import Path

from doi_extract.errors import InputError
from doi_extract.feeds import Source, SourceKind, read_source
from doi_extract.model import FeedItem, Problem


def _reason(error: InputError, path: str) -> str:
    """The first words of an InputError's reason: "not XML", "not a feed", "empty input"."""
    message = str(error).removeprefix(f"{path}: ")
    return message.split(" (")[0].split(":")[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--feedparser", action="store_true", help="compare item counts")
    args = parser.parse_args(argv)
    files = sorted(p for d in args.dirs for p in d.rglob("*") if p.is_file())

    counts: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    mismatches: list[str] = []
    slowest = ("", 0.0)
    started = time.perf_counter()
    for path in files:
        name = str(path)
        counts["files"] += 1
        began = time.perf_counter()
        items = 0
        damaged = False
        try:
            for record in read_source(Source(name, SourceKind.FILE)):
                if isinstance(record, FeedItem):
                    items += 1
                elif isinstance(record, Problem):
                    damaged = True
        except InputError as error:
            reasons[_reason(error, name)] += 1
        except Exception:
            counts["tracebacks"] += 1
            print(f"TRACEBACK {name}", file=sys.stderr)
            traceback.print_exc()
        else:
            counts["read"] += 1
            counts["items"] += items
            counts["damaged"] += damaged
        elapsed = time.perf_counter() - began
        if args.feedparser and items and not damaged:
            expected = _feedparser_entries(path)
            if expected is not None and expected != items:
                mismatches.append(f"{name}: {items} items, feedparser {expected}")
        if elapsed > slowest[1]:
            slowest = (name, elapsed)
    total = time.perf_counter() - started

    print(f"files:        {counts['files']}")
    print(f"read OK:      {counts['read']}  ({counts['items']} items)")
    print(f"damaged:      {counts['damaged']}  (read with a Problem)")
    print(f"input errors: {sum(reasons.values())}")
    for reason, count in reasons.most_common():
        print(f"  {count:6}  {reason}")
    print(f"tracebacks:   {counts['tracebacks']}")
    print(f"slowest:      {slowest[1] * 1000:.1f} ms  {slowest[0]}")
    print(f"total time:   {total:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS:     {peak / 1024:.1f} MB")
    if args.feedparser:
        print(f"item count differs from feedparser: {len(mismatches)}")
        for line in mismatches:
            print(f"  {line}")
    return 1 if counts["tracebacks"] else 0


def _feedparser_entries(path: Path) -> int | None:
    try:
        import feedparser  # type: ignore[import-untyped]
    except ImportError:
        return None
    return len(feedparser.parse(path.read_bytes()).entries)


if __name__ == "__main__":
    sys.exit(main())
