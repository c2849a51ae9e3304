"""Fuzz the feed reader, the extractor, the reference parser and every writer, end to end.

Input: the bytes of a feed. ``read_bytes`` may raise `InputError` (not XML, not a feed,
empty); any other exception, or writer output that `_oracle.check_writers` rejects, is a
crash. The last byte's low bit picks ``ascii=True`` for the writers.

    .venv/bin/python benchmarks/fuzz/fuzz_feed.py /tmp/fuzz/feed /tmp/fuzz/seed/feed \
        -dict=benchmarks/fuzz/feed.dict -timeout=10 -rss_limit_mb=2048 -max_total_time=900
"""

from __future__ import annotations

import sys

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports(include=["doi_extract"]):
    from _oracle import check_writers

    from doi_extract.errors import InputError
    from doi_extract.extract import extract
    from doi_extract.feeds import read_bytes
    from doi_extract.model import FeedItem, Reference, merge
    from doi_extract.refparse import parse_reference


def run(data: bytes) -> None:
    """Read, extract, parse and write one fuzzed feed; raise on any bug."""
    items: list[FeedItem] = []
    try:
        items.extend(record for record in read_bytes(data, "fuzz") if isinstance(record, FeedItem))
    except InputError:
        if not items:
            return
    works: list[Reference] = []
    for item in items:
        for work in extract(item).works:
            works.append(merge(work, parse_reference(work.raw)) if work.raw else work)
    check_writers(works, ascii=bool(data[-1] & 1))


def main() -> None:
    atheris.Setup(sys.argv, run)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
