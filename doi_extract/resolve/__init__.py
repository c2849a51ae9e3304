"""RESOLVE: registry records for DOIs, from Crossref and, through doi.org, other agencies.

`Resolver.resolve` answers every DOI it is given with a `Resolution`, in this order:

1. the cache (`cache.py`), unless ``refresh``: a hit costs no request;
2. Crossref in batches of up to 50 DOIs, one ``/works?filter=doi:…`` request each
   (`crossref.py`);
3. for DOIs a batch did not return, doi.org's "Which RA?" service, batched
   (`doiorg.py`), or Crossref's ``/works/{doi}/agency`` if that fails. No agency: NOT_FOUND.
   Crossref: one ``/works/{doi}`` (indexing lag, aliases). Another agency: doi.org content
   negotiation for CSL-JSON.

All requests share one polite client (`http.py`): pacing from Crossref's rate-limit
headers, retries with backoff, a circuit breaker and a deadline, so `resolve` returns
within ``deadline_s`` whatever the servers do, and never raises for network or data
problems. When a registry cannot be asked, the DOIs left are FAILED at once with the
reason, and one warning is logged for the Resolver's lifetime.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any

import requests

from doi_extract.doi import is_valid_doi
from doi_extract.model import Reference
from doi_extract.resolve import crossref, doiorg
from doi_extract.resolve.base import (
    Outcome,
    Resolution,
    ResolverSettings,
    ResolveStats,
    default_cache_path,
)
from doi_extract.resolve.cache import Cache, CacheEntry
from doi_extract.resolve.http import PoliteClient, RequestFailed
from doi_extract.resolve.mapping import from_crossref, from_csl

__all__ = [
    "Outcome",
    "Resolution",
    "ResolveStats",
    "Resolver",
    "ResolverSettings",
    "default_cache_path",
]

log = logging.getLogger(__name__)

NO_AGENCY = "not registered with any agency"
CACHED_NOT_FOUND = "not found when last asked (cached answer)"


class Resolver:
    """Looks DOIs up in the registries, politely, with a cache; see the module docstring.

    A Resolver is used by one thread at a time. Close it (or use ``with``) to release
    the session it made and the cache file.

    Args:
        settings: where, how long and with which cache.
        session: a session to send requests with; the caller keeps ownership.
    """

    def __init__(self, settings: ResolverSettings, *, session: requests.Session | None = None):
        self.settings = settings
        self.stats = ResolveStats()
        self._client = PoliteClient(settings, session=session)
        self._crossref = crossref.CrossrefClient(self._client, settings)
        self._doiorg = doiorg.DoiOrgClient(self._client, settings.doi_url)
        self._cache = Cache.open(settings.cache_path) if settings.cache_path else None
        self._warned = False

    def resolve(
        self, dois: Sequence[str], *, on_progress: Callable[[int, int], None] | None = None
    ) -> dict[str, Resolution]:
        """One `Resolution` per distinct lower-cased DOI in ``dois``, keyed by it.

        Args:
            dois: DOIs in any case; repeats are answered once.
            on_progress: called with (DOIs answered, DOIs in all) as answers come in.
        """
        run = _Run(self, list(dict.fromkeys(doi.strip().lower() for doi in dois)), on_progress)
        sent_before = self._client.requests_sent
        try:
            run.go()
        finally:
            self.stats.requests += self._client.requests_sent - sent_before
        self._warn_once(run.results.values())
        return run.results

    def close(self) -> None:
        """Release the session (if the Resolver made it) and the cache."""
        self._client.close()
        if self._cache is not None:
            self._cache.close()

    def __enter__(self) -> Resolver:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _warn_once(self, results: Iterable[Resolution]) -> None:
        failed = [r for r in results if r.outcome is Outcome.FAILED]
        if not failed or self._warned:
            return
        self._warned = True
        reason = Counter(r.reason for r in failed).most_common(1)[0][0]
        works = "work" if len(failed) == 1 else "works"
        log.warning("%s; writing the feeds' own metadata for %d %s", reason, len(failed), works)


class _Run:
    """The state of one `Resolver.resolve` call."""

    def __init__(
        self,
        resolver: Resolver,
        wanted: list[str],
        on_progress: Callable[[int, int], None] | None,
    ) -> None:
        self.resolver = resolver
        self.client = resolver._client
        self.cache = resolver._cache
        self.settings = resolver.settings
        self.wanted = wanted
        self.on_progress = on_progress
        self.results: dict[str, Resolution] = {}
        self.to_cache: list[CacheEntry] = []

    def go(self) -> None:
        self.client.start()
        pending = self._local_answers()
        try:
            missing = self._batches(pending)
            self._one_by_one(missing)
        finally:
            self._flush_cache()

    def _local_answers(self) -> list[str]:
        """Answer invalid DOIs and cache hits; the DOIs left to ask about."""
        valid: list[str] = []
        for doi in self.wanted:
            if is_valid_doi(doi):
                valid.append(doi)
            else:
                self._answer(Resolution(doi, Outcome.NOT_FOUND, None, reason="not a valid DOI"))
        if self.cache is None or self.settings.refresh:
            return valid
        hits = self.cache.get(valid)
        pending = []
        for doi in valid:
            entry = hits.get(doi)
            resolution = _from_cache(doi, entry) if entry else None
            if resolution is None:
                pending.append(doi)
            else:
                self._answer(resolution)
        return pending

    def _batches(self, pending: list[str]) -> list[str]:
        """Ask Crossref in batches; the DOIs it did not return."""
        # A comma would split the DOI inside the filter (and doiRA) list.
        missing = [doi for doi in pending if "," in doi]
        batchable = [doi for doi in pending if "," not in doi]
        size = self.settings.batch_size
        for start in range(0, len(batchable), size):
            batch = batchable[start : start + size]
            if self._stopped(batch):
                continue
            try:
                works = self.resolver._crossref.works(batch)
            except crossref.Rejected as error:
                log.debug("%s; asking for each DOI alone", error)
                missing.extend(batch)
                continue
            except RequestFailed as error:
                self._fail(batch, error.reason)
                continue
            for doi in batch:
                message = works.get(doi)
                record = from_crossref(message)
                if message is None or record is None:
                    missing.append(doi)
                else:
                    self._found(doi, record, "crossref", message)
            self._flush_cache()
        return missing

    def _one_by_one(self, missing: list[str]) -> None:
        """Find the agency of each DOI Crossref's batches missed, then ask that agency."""
        agencies = self._agencies(missing)
        for doi in missing:
            if self._stopped([doi]):
                continue
            try:
                agency = agencies.get(doi)
                if agency is None:
                    agency_id = self.resolver._crossref.agency(doi)
                    agency = doiorg.Agency(agency_id)
                self._ask_agency(doi, agency)
            except RequestFailed as error:
                self._fail([doi], error.reason)

    def _agencies(self, dois: list[str]) -> dict[str, doiorg.Agency]:
        askable = [doi for doi in dois if "," not in doi]
        if not askable or self.client.deadline.remaining() <= 0:
            return {}
        try:
            return self.resolver._doiorg.agencies(askable)
        except RequestFailed as error:
            log.debug("doiRA failed (%s); asking Crossref for each agency", error.reason)
            return {}

    def _ask_agency(self, doi: str, agency: doiorg.Agency) -> None:
        if agency.id is None:
            reason = NO_AGENCY if agency.status is None else f"doi.org: {agency.status}"
            self._not_found(doi, reason, cache=True)
        elif agency.id == "crossref":
            message = self.resolver._crossref.work(doi)
            record = from_crossref(message)
            if message is None or record is None:
                # Registered, but not (yet) in Crossref's index: ask again next run.
                self._not_found(doi, "registered with Crossref, which has no record yet")
            else:
                self._found(doi, record, "crossref", message)
        else:
            csl = self.resolver._doiorg.csl(doi)
            record = from_csl(csl, agency.id)
            if csl is None or record is None:
                reason = f"registered with {agency.id}, which gave no record"
                self._not_found(doi, reason, cache=True)
            else:
                self._found(doi, record, agency.id, csl)

    def _stopped(self, dois: list[str]) -> bool:
        """Fail ``dois`` and say True when Crossref is given up on or time is out."""
        reason = self.client.open_reason(crossref.SERVICE)
        if reason is None and self.client.deadline.remaining() <= 0:
            reason = self.client.deadline.reason
        if reason is not None:
            self._fail(dois, reason)
        return reason is not None

    def _found(self, doi: str, record: Reference, registry: str, raw: dict[str, Any]) -> None:
        self._answer(Resolution(doi, Outcome.FOUND, record))
        now = time.time()
        for key in dict.fromkeys((doi, record.doi or doi)):  # an alias: both DOIs
            self.to_cache.append(CacheEntry(key, Outcome.FOUND, registry, raw, now))

    def _not_found(self, doi: str, reason: str, *, cache: bool = False) -> None:
        self._answer(Resolution(doi, Outcome.NOT_FOUND, None, reason=reason))
        if cache:
            self.to_cache.append(CacheEntry(doi, Outcome.NOT_FOUND, fetched_at=time.time()))

    def _fail(self, dois: list[str], reason: str) -> None:
        for doi in dois:
            self._answer(Resolution(doi, Outcome.FAILED, None, reason=reason))

    def _answer(self, resolution: Resolution) -> None:
        self.results[resolution.doi] = resolution
        stats = self.resolver.stats
        if resolution.outcome is Outcome.FOUND:
            stats.found += 1
        elif resolution.outcome is Outcome.NOT_FOUND:
            stats.not_found += 1
        else:
            stats.failed += 1
        if resolution.from_cache:
            stats.cache_hits += 1
        if self.on_progress is not None:
            self.on_progress(len(self.results), len(self.wanted))

    def _flush_cache(self) -> None:
        if self.cache is not None and self.to_cache:
            self.cache.put(self.to_cache)
        self.to_cache = []


def _from_cache(doi: str, entry: CacheEntry) -> Resolution | None:
    """A cached answer as a Resolution; None if the stored record no longer maps."""
    if entry.outcome is Outcome.NOT_FOUND:
        return Resolution(doi, Outcome.NOT_FOUND, None, from_cache=True, reason=CACHED_NOT_FOUND)
    if entry.registry == "crossref":
        record = from_crossref(entry.record)
    else:
        record = from_csl(entry.record, entry.registry or "unknown")
    if record is None:
        return None
    return Resolution(doi, Outcome.FOUND, record, from_cache=True)
