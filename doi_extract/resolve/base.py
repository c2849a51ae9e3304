"""Settings and result types of the resolve stage.

Nothing here touches the network; `Resolver` (in the package) uses these types and
`http`, `crossref`, `doiorg`, `cache` and `mapping` do the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import platformdirs

from doi_extract.model import Reference

MAX_BATCH_SIZE = 50
"""At most this many DOIs go into one Crossref ``filter=doi:…`` request.

Crossref documents no cap, only URL length limits; 50 is the size other clients found
best, and a batch always asks for ``rows`` equal to its size so nothing is cut off.
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolverSettings:
    """How to reach the registries and how long to try.

    Raises:
        ValueError: a number is out of range (a programming error; the CLI checks first).
    """

    mailto: str | None = None
    """A contact address: it puts the requests in Crossref's polite pool."""
    crossref_url: str = "https://api.crossref.org"
    doi_url: str = "https://doi.org"
    deadline_s: float = 120.0
    """Total wall time for all of one Resolver's work, searches and lookups (``--timeout``)."""
    request_timeout_s: float = 30.0
    """Per request, for connecting and for each wait on the server."""
    cache_path: Path | None = None
    """The SQLite cache; None runs without one. See `default_cache_path`."""
    refresh: bool = False
    """Ignore cached entries (fresh answers are still stored)."""
    batch_size: int = MAX_BATCH_SIZE
    """DOIs per Crossref request, 1 to `MAX_BATCH_SIZE`."""
    max_retries: int = 4
    """Retries of one request after a 429, a 5xx, a timeout or a broken answer."""
    backoff_base_s: float = 1.0
    """First backoff step; retry n waits a random time up to ``base * 2**n``."""
    backoff_cap_s: float = 30.0
    """No backoff wait is longer than this."""
    retry_after_cap_s: float = 60.0
    """A server's ``Retry-After`` is honoured up to this many seconds."""

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be 1 to {MAX_BATCH_SIZE}, not {self.batch_size}")
        for name in ("deadline_s", "request_timeout_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        for name in ("max_retries", "backoff_base_s", "backoff_cap_s", "retry_after_cap_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


def default_cache_path() -> Path:
    """The user's cache file: ``<user cache dir>/doi-extract/crossref.sqlite3``."""
    return platformdirs.user_cache_path("doi-extract") / "crossref.sqlite3"


class Outcome(StrEnum):
    """What became of one DOI."""

    FOUND = "found"
    NOT_FOUND = "not-found"
    """No registry knows the DOI (or it is not a valid DOI)."""
    FAILED = "failed"
    """The registry could not be asked: unreachable, erroring, or out of time."""


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer for one DOI.

    For a FOUND DOI, ``record`` is the registry's record as a `Reference` with status
    RESOLVED, ``registry`` set and no provenance. Its ``doi`` is the registry's, which
    differs from ``doi`` here when the DOI given is an alias of another.
    """

    doi: str
    """The DOI as asked, lower-cased."""
    outcome: Outcome
    record: Reference | None
    from_cache: bool = False
    reason: str | None = None
    """For NOT_FOUND and FAILED: one line saying why."""


@dataclass(slots=True)
class ResolveStats:
    """Counters over the life of one `Resolver`."""

    requests: int = 0
    """HTTP requests sent, retries included."""
    cache_hits: int = 0
    found: int = 0
    not_found: int = 0
    failed: int = 0
    searches: int = 0
    """Bibliographic searches answered by Crossref (cached ones not counted)."""
    search_cache_hits: int = 0
    """Bibliographic searches answered from the cache."""
