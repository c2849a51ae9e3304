"""The works of a document, keyed and cut into batches that may be formatted in parallel.

Every writer formats its records a batch at a time: memory holds one batch of formatted
entries, not the whole file, and with ``jobs`` > 1 the batches are formatted in worker
processes while the order of the document stays the key order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from doi_extract._workers import map_in_order
from doi_extract.keys import keyed
from doi_extract.model import Reference

T = TypeVar("T")
Batch = list[tuple[str, Reference]]
"""Works with their citation keys, in key order."""

ENTRIES_PER_BATCH = 1000


def formatted(
    format_batch: Callable[[Batch], T], works: Sequence[Reference], jobs: int
) -> Iterator[T]:
    """``format_batch`` of each batch of the keyed ``works``, in key order."""
    pairs = keyed(works)
    batches = (
        pairs[start : start + ENTRIES_PER_BATCH]
        for start in range(0, len(pairs), ENTRIES_PER_BATCH)
    )
    return map_in_order(format_batch, batches, jobs)
