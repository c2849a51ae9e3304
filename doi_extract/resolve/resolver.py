"""The Resolver: registry records for DOIs, and DOIs for references printed without one.

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

`Resolver.match` finds DOIs for references printed without one: one Crossref
``query.bibliographic`` search per reference (its whole printed string, as Crossref
advises, or "authors title container year" without one), ``rows=5``, through the same
client, cache file, deadline and circuit breaker. `match.validate` then accepts a
candidate only when every check passes; it never guesses.
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
from doi_extract.model import Match, Reference
from doi_extract.resolve import crossref, doiorg
from doi_extract.resolve.base import (
    Outcome,
    Resolution,
    ResolverSettings,
    ResolveStats,
)
from doi_extract.resolve.cache import Cache, CacheEntry, SearchEntry, search_key
from doi_extract.resolve.http import PoliteClient, RequestFailed
from doi_extract.resolve.mapping import from_crossref, from_csl
from doi_extract.resolve.match import Verdict, validate

log = logging.getLogger(__name__)

NO_AGENCY = "not registered with any agency"
CACHED_NOT_FOUND = "not found when last asked (cached answer)"
MIN_QUERY_WORDS = 5
"""A printed reference shorter than this is not searched by its text (too little to go on)."""
_CACHE_FLUSH_EVERY = 50


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

    def match(
        self,
        references: Sequence[Reference],
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Verdict]:
        """Search for the DOIs of references printed without one; a `Verdict` for each.

        Only references without a DOI and with enough text (`search_text`) are searched,
        once per distinct ``identity`` and once per distinct query. Searches come from the
        cache when they can (``refresh`` skips it). When Crossref cannot be asked (circuit
        open, deadline, a refused query), the verdict says so in ``failed``; nothing raises.

        Args:
            references: parsed references; those with a DOI are skipped.
            on_progress: called with (references answered, references to answer).

        Returns:
            Verdicts keyed by ``reference.identity``.
        """
        run = _MatchRun(self, references, on_progress)
        sent_before = self._client.requests_sent
        try:
            run.go()
        finally:
            self.stats.requests += self._client.requests_sent - sent_before
        failed = [v.failed for v in run.results.values() if v.failed]
        if failed and not self._warned:
            self._warned = True
            reason = Counter(failed).most_common(1)[0][0]
            works = "reference" if len(failed) == 1 else "references"
            log.warning("%s; %d %s not searched for a DOI", reason, len(failed), works)
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


def search_text(reference: Reference) -> str | None:
    """What to search Crossref with for ``reference``; None if it has a DOI or too little text.

    The printed string when it has at least `MIN_QUERY_WORDS` words, else "authors title
    container year" from the parsed fields when there is a title.
    """
    if reference.doi:
        return None
    raw = " ".join((reference.raw or "").split())
    if len(raw.split()) >= MIN_QUERY_WORDS:
        return raw
    if not reference.title:
        return None
    names = (person.family or person.literal or "" for person in reference.authors)
    year = str(reference.year) if reference.year else ""
    parts = (*names, reference.title, reference.container_title or "", year)
    return " ".join(" ".join(parts).split())


class _MatchRun:
    """The state of one `Resolver.match` call."""

    def __init__(
        self,
        resolver: Resolver,
        references: Sequence[Reference],
        on_progress: Callable[[int, int], None] | None,
    ) -> None:
        self.resolver = resolver
        self.client = resolver._client
        self.cache = resolver._cache
        self.on_progress = on_progress
        self.wanted: dict[str, tuple[Reference, str]] = {}
        for reference in references:
            text = search_text(reference)
            if text is not None and reference.identity not in self.wanted:
                self.wanted[reference.identity] = (reference, crossref.search_query(text))
        self.results: dict[str, Verdict] = {}
        self.answers: dict[str, tuple[dict[str, Any], ...] | str] = {}
        """Search key -> the items found, or why the search could not be made."""
        self.to_cache: list[SearchEntry] = []

    def go(self) -> None:
        if self.cache is not None and not self.resolver.settings.refresh:
            keys = (search_key(query) for _, query in self.wanted.values())
            cached = self.cache.get_searches(keys)
            for key, entry in cached.items():
                self.answers[key] = entry.items
                self.resolver.stats.search_cache_hits += 1
        try:
            for identity, (reference, query) in self.wanted.items():
                answer = self._answer(search_key(query), query)
                self.results[identity] = _verdict(reference, answer)
                if len(self.to_cache) >= _CACHE_FLUSH_EVERY:
                    self._flush_cache()
                if self.on_progress is not None:
                    self.on_progress(len(self.results), len(self.wanted))
        finally:
            self._flush_cache()

    def _answer(self, key: str, query: str) -> tuple[dict[str, Any], ...] | str:
        if key in self.answers:
            return self.answers[key]
        answer: tuple[dict[str, Any], ...] | str
        reason = self.client.open_reason(crossref.SERVICE)
        if reason is None and self.client.deadline.remaining() <= 0:
            reason = self.client.deadline.reason
        if reason is not None:
            answer = reason
        else:
            try:
                answer = tuple(self.resolver._crossref.search(query))
            except crossref.Rejected as error:
                answer = str(error)
            except RequestFailed as error:
                answer = error.reason
            else:
                self.resolver.stats.searches += 1
                self.to_cache.append(SearchEntry(key, answer, time.time()))
        self.answers[key] = answer
        return answer

    def _flush_cache(self) -> None:
        if self.cache is not None and self.to_cache:
            self.cache.put_searches(self.to_cache)
        self.to_cache = []


def _verdict(reference: Reference, answer: tuple[dict[str, Any], ...] | str) -> Verdict:
    if isinstance(answer, str):
        return Verdict(False, None, Match(0.0, (f"not searched: {answer}",)), failed=answer)
    candidates = [record for record in map(from_crossref, answer) if record is not None]
    return validate(reference, candidates)


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
