"""Read every file under some directories with the reader and extractor; count what happens.

Usage: python benchmarks/robustness.py DIR [DIR ...] [--feedparser]

Every file is read (not only feed suffixes), and every item read goes through the
extractor and the reference parser, as `doi-extract` would. Prints files read, items
found, input errors by kind, damaged feeds (read with a Problem), tracebacks (any
exception other than InputError, printed with the file; there must be none), the
slowest file's time and the peak RSS.

``--feedparser`` (a benchmark-only dependency) compares, file by file, the number of
items found with the number of entries feedparser finds: on every file feedparser reads
without complaint (``bozo == 0``) the counts must be equal, and each difference is printed
with its explanation (see docs/robustness.md). Differences on the files feedparser itself
calls broken are printed too, for information. Peak RSS is then feedparser's as well.
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from doi_extract.errors import InputError
from doi_extract.extract import extract
from doi_extract.feeds import Source, SourceKind, read_source
from doi_extract.model import FeedItem, Problem
from doi_extract.refparse import parse_reference

UNEXPLAINED = "UNEXPLAINED: see docs/robustness.md"


@dataclass
class Outcome:
    """What reading one file gave."""

    items: int = 0
    damaged: bool = False
    error: str | None = None
    """The InputError's message without the file name, if the file could not be read."""
    traceback: bool = False
    seconds: float = 0.0


def read_file(path: Path) -> Outcome:
    """Read, extract and parse one file, as the command would."""
    outcome = Outcome()
    began = time.perf_counter()
    try:
        for record in read_source(Source(str(path), SourceKind.FILE)):
            if isinstance(record, FeedItem):
                outcome.items += 1
                for work in extract(record).works:
                    if work.raw:
                        parse_reference(work.raw)
            elif isinstance(record, Problem):
                outcome.damaged = True
    except InputError as error:
        outcome.error = str(error).removeprefix(f"{path}: ")
    except Exception:
        outcome.traceback = True
        print(f"TRACEBACK {path}", file=sys.stderr)
        traceback.print_exc()
    outcome.seconds = time.perf_counter() - began
    return outcome


def error_kind(message: str) -> str:
    """The first words of an InputError's reason: "not XML", "not a feed", "empty input"."""
    return message.split(" (")[0].split(":")[0]


def why_different(ours: Outcome, parsed: Any) -> str:
    """Why our item count differs from feedparser's entry count, for the known causes."""
    if ours.error and "root element <CHANNEL>" in ours.error:
        return "CDF (Microsoft Channel Definition Format) document: not RSS, RDF or Atom"
    if ours.error and "not a feed" in ours.error:
        return "feedparser takes entries from a document whose root is not a feed"
    if ours.damaged and len(parsed.entries) > ours.items:
        return "item cut off by the end of the file: dropped and reported, not kept half"
    if ours.items > len(parsed.entries):
        return "items inside elements feedparser does not know"
    return UNEXPLAINED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--feedparser", action="store_true", help="compare item counts")
    args = parser.parse_args(argv)
    files = sorted(p for d in args.dirs for p in d.rglob("*") if p.is_file())
    feedparser = _import_feedparser() if args.feedparser else None

    counts: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    outcomes: dict[Path, Outcome] = {}
    started = time.perf_counter()
    for path in files:
        ours = outcomes[path] = read_file(path)
        counts["files"] += 1
        if ours.traceback:
            counts["tracebacks"] += 1
        elif ours.error is not None:
            kinds[error_kind(ours.error)] += 1
        else:
            counts["read"] += 1
            counts["items"] += ours.items
            counts["damaged"] += ours.damaged
    total = time.perf_counter() - started
    # Measured before feedparser runs, which needs far more on the entity bombs.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    slowest = max(outcomes.items(), key=lambda pair: pair[1].seconds, default=None)

    print(f"files:        {counts['files']}")
    print(f"read:         {counts['read']}  ({counts['items']} items)")
    print(f"damaged:      {counts['damaged']}  (read, the damage reported as a Problem)")
    print(f"input errors: {sum(kinds.values())}")
    for kind, count in kinds.most_common():
        print(f"  {count:6}  {kind}")
    print(f"tracebacks:   {counts['tracebacks']}")
    if slowest is not None:
        print(f"slowest file: {slowest[1].seconds * 1000:.1f} ms  {slowest[0]}")
    print(f"total time:   {total:.2f} s")
    print(f"peak RSS:     {peak / 1024:.1f} MB")
    unexplained = 0
    if feedparser is not None:
        well_formed: list[str] = []
        ill_formed: list[str] = []
        for path, ours in outcomes.items():
            parsed = feedparser.parse(path.read_bytes())
            if len(parsed.entries) == ours.items:
                continue
            why = why_different(ours, parsed)
            unexplained += why == UNEXPLAINED
            line = f"{path}: ours {ours.items}, feedparser {len(parsed.entries)}: {why}"
            (ill_formed if parsed.bozo else well_formed).append(line)
        print(f"compared with feedparser {feedparser.__version__}: {len(outcomes)} files")
        print(f"count differs where feedparser's bozo == 0: {len(well_formed)}")
        for line in well_formed:
            print(f"  {line}")
        print(f"count differs where feedparser's bozo == 1: {len(ill_formed)}")
        for line in ill_formed:
            print(f"  {line}")
    return 1 if counts["tracebacks"] or unexplained else 0


def _import_feedparser() -> Any:
    try:
        import feedparser  # type: ignore[import-untyped]
    except ImportError:
        sys.exit("--feedparser needs feedparser: pip install feedparser")
    return feedparser


if __name__ == "__main__":
    sys.exit(main())
