"""A fake Crossref REST API and doi.org on 127.0.0.1, for tests and benchmarks.

One `http.server.ThreadingHTTPServer` on an ephemeral port serves both services: the
Crossref routes at the root (``crossref_url``) and the doi.org routes under ``/doiorg``
(``doi_url``). It speaks HTTP/1.1 with keep-alive and an exact ``Content-Length`` on every
answer, so a client's connection reuse shows in the log (``peer_port``).

What it copies from the real services (see the README in ``tests/data/crossref``):

* ``GET /works?filter=doi:A,doi:B&rows=N&select=…`` gives a ``work-list``: OR semantics,
  DOIs matched case-insensitively, unknown DOIs left out, items in a shuffled (seeded)
  order, ``rows`` 20 by default and at most 1000, ``select`` trims the items. Bad ``rows``,
  unknown ``select`` names, filters other than ``doi`` and malformed DOIs give the 400
  ``validation-failure`` bodies Crossref sends.
* ``GET /works?query.bibliographic=…&rows=N`` searches every work: a BM25 relevance score
  (k1 1.2, b 0.75, the Elasticsearch defaults) of the query's words against each work's
  title, author names, container titles and year, items sorted by ``score`` (ties by DOI),
  each with its ``score`` field (unbounded, larger for longer queries, as the real one),
  ``total-results`` the number of works sharing a word with the query. Deterministic.
* ``GET /works/{doi}`` gives a ``work``; an unknown DOI a 404 ``text/plain``
  ``Resource not found.``; an alias a 301 to ``/works/{canonical}``; list parameters on
  this singleton route a 400.
* ``GET /works/{doi}/agency`` gives a ``work-agency``; unknown DOIs a 404 ``text/plain``.
* ``GET /doiorg/doiRA/{a},{b}`` answers per DOI with its registration agency, or
  ``DOI does not exist`` / ``Invalid DOI``.
* ``GET /doiorg/{doi}`` with ``Accept: application/vnd.citationstyles.csl+json`` gives the
  CSL-JSON record at once (the fake skips doi.org's 302 hop): from ``csl`` for DataCite or
  mEDRA DOIs, or a rendering of the Crossref record. Unknown DOIs give 404 ``text/html``,
  malformed ones 400 ``text/html``, any other ``Accept`` 406 (real doi.org would redirect
  to the landing page, which no test may follow).
* Crossref answers carry ``x-api-pool`` (``polite`` when the query has ``mailto=`` or the
  User-Agent has ``mailto:``, else ``public``), ``x-rate-limit-limit``,
  ``x-rate-limit-interval`` and ``x-concurrency-limit``, and the 2022-2025 spellings
  ``x-ratelimit-*`` too with ``legacy_header_names``. The polite pool advertises the
  constructor's numbers, the public pool half the rate and a concurrency of 1 (5 and 1 with
  the defaults, as recorded in 2026). JSON bodies are gzipped when the client accepts it.

With ``enforce_limits`` the Crossref routes refuse, per pool, a request that finds the
token bucket (``rate_limit`` tokens per ``interval_s``, as many in reserve) empty or the
pool's concurrency already in use: 429 ``text/html`` with ``Retry-After: 1`` and
``Connection: close``, as recorded. doi.org routes are never limited.
"""

from __future__ import annotations

import contextlib
import copy
import gzip
import http.server
import json
import logging
import math
import random
import re
import socket
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qs, quote, unquote

from habanero.select import VALID_SELECTS  # type: ignore[import-untyped]

from doi_extract.resolve import ResolverSettings

log = logging.getLogger(__name__)

FIXTURES = Path(__file__).parent / "data" / "crossref"
"""The fixture records (``works/*.json``, ``seed-works.json``, ``datacite-*.json``…)."""

SEARCH_FIXTURES: tuple[str, ...] = ("search-works.json", "decoys.json")
"""Works that `FakeCrossref.with_fixtures` also serves when present: more real records for
bibliographic search, and synthetic decoys (``_decoy`` says of which work, and how)."""

ROUTES: tuple[str, ...] = ("works", "work", "agency", "doiRA", "cn", "other", "*")
"""Route names for `FakeCrossref.inject` and `FakeCrossref.requests`; ``*`` is any."""

_CROSSREF_ROUTES = frozenset({"works", "work", "agency", "other"})
_EMPTY: Mapping[str, Any] = MappingProxyType({})

_CSL_TYPE = "application/vnd.citationstyles.csl+json"
_NOT_FOUND = b"Resource not found."
# The body Crossref sent with its 429s (CrossRef/rest-api-doc issues #159 and #237).
_TOO_MANY = (
    b"<html><body><h1>429 Too Many Requests</h1>\n"
    b"You have sent too many requests in a given amount of time.\n</body></html>\n"
)
_GARBAGE = b"<!DOCTYPE html><html><body><p>Checking your browser...</p></body></html>\n"
_AGENCY_LABELS = MappingProxyType(
    {"crossref": "Crossref", "datacite": "DataCite", "medra": "mEDRA"}
)
# Crossref type -> CSL type, for the CSL rendering of Crossref records.
_CSL_TYPES = MappingProxyType(
    {
        "journal-article": "article-journal",
        "proceedings-article": "paper-conference",
        "book-chapter": "chapter",
        "book": "book",
        "monograph": "book",
        "edited-book": "book",
        "posted-content": "article",
        "dataset": "dataset",
        "report": "report",
        "dissertation": "thesis",
    }
)
# What doi.org accepts as a DOI: "10.1371/journal.pone.0033693" passes, "foo" and
# "10.12/x" (registrant code shorter than four digits) do not.
_DOI = re.compile(r"10\.\d{4,9}/\S+")
# The singleton route refuses these (Crossref: "This route does not support filter").
_LIST_ONLY_PARAMETERS = frozenset(
    {"filter", "rows", "offset", "sample", "cursor", "facet", "sort", "order", "query"}
)
_MAX_ROWS = 1000
_DEFAULT_ROWS = 20
_BM25_K1 = 1.2
_BM25_B = 0.75
_SCORE_SCALE = 10.0  # puts scores in Crossref's range (tens to a few hundred)
# Search words: runs of letters and digits; "Single-molecule FRET" -> single, molecule, fret.
_SEARCH_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the fake saw it, logged when its answer was decided."""

    time: float
    """Arrival, on the `time.monotonic` clock."""
    method: str
    path: str
    """The path as sent, still percent-encoded, without the query."""
    query: dict[str, list[str]]
    headers: dict[str, str]
    """Request headers, names in canonical case (``User-Agent``, ``Accept-Encoding``)."""
    status: int
    """The status sent (or about to be sent); 0 when the connection was dropped."""
    in_flight: int
    """Requests to the same service (Crossref, doi.org) in progress at arrival, itself included."""
    peer_port: int
    """The client's TCP port: one port per connection the client opened."""
    route: str


@dataclass(frozen=True, slots=True)
class Fault:
    """A failure to serve instead of the normal answer; build one with the class methods."""

    kind: Literal["status", "slow", "drop", "truncated", "garbage"]
    code: int = 200
    retry_after: str | None = None
    body: bytes | None = None
    content_type: str = "text/html"
    seconds: float = 0.0

    @classmethod
    def status(
        cls,
        code: int,
        *,
        retry_after: str | None = None,
        body: bytes | None = None,
        content_type: str = "text/html",
    ) -> Fault:
        """Answer with ``code`` (429, 500, 503…), an HTML body unless given, and ``Retry-After``."""
        return cls("status", code, retry_after, body, content_type)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Wait ``seconds`` before sending the headers of the normal answer."""
        return cls("slow", seconds=seconds)

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection without sending anything."""
        return cls("drop", code=0)

    @classmethod
    def truncated(cls) -> Fault:
        """Answer 200 ``application/json`` with the body cut in half (and a matching length)."""
        return cls("truncated", content_type="application/json")

    @classmethod
    def garbage(cls) -> Fault:
        """Answer 200 ``application/json`` with a body that is not JSON."""
        return cls("garbage", body=_GARBAGE, content_type="application/json")

    @classmethod
    def not_found_text(cls) -> Fault:
        """Answer 404 ``text/plain`` ``Resource not found.``, as Crossref does."""
        return cls.status(404, body=_NOT_FOUND, content_type="text/plain")


@dataclass(slots=True)
class _Answer:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    close: bool = False


@dataclass(slots=True)
class _Bucket:
    tokens: float
    refilled: float
    active: int = 0


@dataclass(frozen=True, slots=True)
class _Limits:
    rate: int
    interval_s: int
    concurrency: int


class FakeCrossref:
    """A fake Crossref API and doi.org serving the given records; see the module docstring.

    Args:
        works: Crossref ``message`` objects (as served by ``/works/{doi}``); keys starting
            with ``_`` (fixture notes such as ``_synthetic``) are never served.
        csl: Lower-case DOI -> CSL-JSON, for DOIs of other agencies served by doi.org.
        agencies: Lower-case DOI -> agency id (``crossref``, ``datacite``, ``medra``).
            Without an entry a DOI in ``works`` (or an alias) is Crossref's and a DOI in
            ``csl`` DataCite's.
        aliases: Lower-case alias DOI -> canonical DOI (301 on ``/works/{alias}``).
        rate_limit: Polite-pool requests per interval (the public pool gets half).
        interval_s: The rate-limit interval in seconds.
        concurrency: Polite-pool concurrent requests (the public pool gets 1).
        enforce_limits: Answer 429 to requests over the rate or the concurrency.
        latency_s: Wait this long before every answer, on every route.
        legacy_header_names: Also send ``x-ratelimit-limit`` and ``x-ratelimit-interval``.
        seed: Seed of the order of ``work-list`` items.
    """

    def __init__(
        self,
        *,
        works: Iterable[Mapping[str, Any]] = (),
        csl: Mapping[str, Mapping[str, Any]] = _EMPTY,
        agencies: Mapping[str, str] = _EMPTY,
        aliases: Mapping[str, str] = _EMPTY,
        rate_limit: int = 10,
        interval_s: int = 1,
        concurrency: int = 3,
        enforce_limits: bool = False,
        latency_s: float = 0.0,
        legacy_header_names: bool = False,
        seed: int = 0,
    ) -> None:
        if rate_limit < 1 or interval_s < 1 or concurrency < 1:
            raise ValueError("rate_limit, interval_s and concurrency must be at least 1")
        self._works = {str(w["DOI"]).lower(): _public(w) for w in works}
        self._csl = {doi.lower(): _public(record) for doi, record in csl.items()}
        self._agencies = {doi.lower(): agency.lower() for doi, agency in agencies.items()}
        self._aliases = {alias.lower(): canonical for alias, canonical in aliases.items()}
        self._search_index = _SearchIndex(self._works)
        self._limits = {
            "polite": _Limits(rate_limit, interval_s, concurrency),
            "public": _Limits(max(1, rate_limit // 2), interval_s, 1),
        }
        self.enforce_limits = enforce_limits
        self.latency_s = latency_s
        self.legacy_header_names = legacy_header_names
        self.log: list[LoggedRequest] = []
        self._seed = seed
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._faults: list[tuple[str, Fault]] = []
        self._buckets: dict[str, _Bucket] = {}
        self._in_flight = {"crossref": 0, "doiorg": 0}
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.crossref_url = ""
        self.doi_url = ""

    @classmethod
    def with_fixtures(cls, root: Path = FIXTURES, **options: Any) -> Self:
        """A fake holding every fixture record under ``root``; ``options`` go to the constructor."""
        works: list[dict[str, Any]] = [
            json.loads(path.read_text(encoding="utf-8"))
            for path in sorted((root / "works").glob("*.json"))
        ]
        works += json.loads((root / "seed-works.json").read_text(encoding="utf-8"))
        for name in SEARCH_FIXTURES:  # optional: the bibliographic-search index and decoys
            if (root / name).is_file():
                works += json.loads((root / name).read_text(encoding="utf-8"))
        record = json.loads((root / "datacite-csl.json").read_text(encoding="utf-8"))
        agency = json.loads((root / "datacite-agency.json").read_text(encoding="utf-8"))
        aliases = json.loads((root / "aliases.json").read_text(encoding="utf-8"))
        return cls(
            works=works,
            csl={record["DOI"]: record},
            agencies={agency["DOI"]: agency["agency"]["id"]},
            aliases=aliases,
            **options,
        )

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("the fake server is already running")
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self.crossref_url = f"http://127.0.0.1:{server.server_address[1]}"
        self.doi_url = f"{self.crossref_url}/doiorg"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, wake sleeping handlers and close every open connection."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # the client may have closed it first
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- control -----------------------------------------------------------------------

    def inject(self, route: str, *faults: Fault) -> None:
        """Queue ``faults`` for the next requests on ``route`` (one fault per request)."""
        if route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; expected one of {', '.join(ROUTES)}")
        with self._lock:
            self._faults += [(route, fault) for fault in faults]

    def requests(self, route: str = "*") -> list[LoggedRequest]:
        """The logged requests on ``route`` (all with ``*``), in the order they were logged."""
        if route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; expected one of {', '.join(ROUTES)}")
        with self._lock:
            return [r for r in self.log if route in ("*", r.route)]

    def reset(self) -> None:
        """Forget the log, the queued faults, the rate-limit state and the item order."""
        with self._lock:
            self.log.clear()
            self._faults.clear()
            self._buckets.clear()
            self._random = random.Random(self._seed)

    # -- request handling (called from the handler threads) ----------------------------

    def _serve(self, handler: _Handler, *, head: bool) -> None:
        arrival = time.monotonic()
        raw_path, _, raw_query = handler.path.partition("?")
        query = parse_qs(raw_query, keep_blank_values=True)
        route = _route_of(raw_path)
        service = "crossref" if route in _CROSSREF_ROUTES else "doiorg"
        headers = {_canonical(name): value for name, value in handler.headers.items()}
        pool = _pool_of(query, headers)
        with self._lock:
            self._in_flight[service] += 1
            in_flight = self._in_flight[service]
        try:
            with self._admission(service, pool) as admitted:
                fault = self._take_fault(route) if admitted else None
                if not admitted:
                    answer = _Answer(429, _TOO_MANY, "text/html", [("Retry-After", "1")], True)
                elif fault is not None and fault.kind == "drop":
                    answer = _Answer(0, close=True)
                else:
                    answer = self._answer(route, raw_path, query, headers)
                    if fault is not None:
                        answer = _faulty(answer, fault)
                if service == "crossref" and answer.status:
                    answer.headers += self._pool_headers(pool)
                entry = LoggedRequest(
                    arrival,
                    handler.command,
                    raw_path,
                    query,
                    headers,
                    answer.status,
                    in_flight,
                    handler.client_address[1],
                    route,
                )
                with self._lock:
                    self.log.append(entry)
                delay = self.latency_s + (fault.seconds if fault is not None else 0.0)
                if delay > 0 and self._stopping.wait(delay):
                    answer = _Answer(0, close=True)
                handler.send(
                    answer, head=head, gzip_ok="gzip" in headers.get("Accept-Encoding", "")
                )
        finally:
            with self._lock:
                self._in_flight[service] -= 1

    @contextlib.contextmanager
    def _admission(self, service: str, pool: str) -> Iterator[bool]:
        """Whether the limits let this request in; holds a concurrency slot while it runs."""
        if service != "crossref" or not self.enforce_limits:
            yield True
            return
        limits = self._limits[pool]
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.setdefault(pool, _Bucket(float(limits.rate), now))
            refill = (now - bucket.refilled) * limits.rate / limits.interval_s
            bucket.tokens = min(float(limits.rate), bucket.tokens + refill)
            bucket.refilled = now
            admitted = bucket.active < limits.concurrency and bucket.tokens >= 1.0
            if admitted:
                bucket.tokens -= 1.0
                bucket.active += 1
        try:
            yield admitted
        finally:
            if admitted:
                with self._lock:
                    bucket.active -= 1

    def _take_fault(self, route: str) -> Fault | None:
        with self._lock:
            for index, (wanted, fault) in enumerate(self._faults):
                if wanted in ("*", route):
                    del self._faults[index]
                    return fault
        return None

    def _pool_headers(self, pool: str) -> list[tuple[str, str]]:
        limits = self._limits[pool]
        interval = f"{limits.interval_s}s"
        headers = [
            ("Access-Control-Allow-Origin", "*"),
            ("x-api-pool", pool),
            ("x-rate-limit-limit", str(limits.rate)),
            ("x-rate-limit-interval", interval),
            ("x-concurrency-limit", str(limits.concurrency)),
        ]
        if self.legacy_header_names:
            headers += [("x-ratelimit-limit", str(limits.rate)), ("x-ratelimit-interval", interval)]
        return headers

    def _answer(
        self, route: str, raw_path: str, query: dict[str, list[str]], headers: dict[str, str]
    ) -> _Answer:
        if route == "works":
            return self._work_list(query)
        if route == "work":
            return self._work(raw_path, query)
        if route == "agency":
            doi = unquote(raw_path.split("/works/", 1)[1].removesuffix("/agency"))
            agency = self._agency_of(doi.lower())
            if agency is None:
                return _Answer(404, _NOT_FOUND, "text/plain")
            message = {"DOI": doi.lower(), "agency": {"id": agency, "label": _label(agency)}}
            return _envelope("work-agency", message)
        if route == "doiRA":
            return self._which_ra(raw_path.split("/doiRA/", 1)[1])
        if route == "cn":
            return self._content_negotiation(unquote(raw_path[len("/doiorg/") :]), headers)
        return _Answer(404, _NOT_FOUND, "text/plain")

    def _work(self, raw_path: str, query: dict[str, list[str]]) -> _Answer:
        for name in query:
            if name.startswith("query."):
                return _invalid("parameter-not-allowed", "query.*", "field query parameters")
            if name in _LIST_ONLY_PARAMETERS:
                return _invalid("parameter-not-allowed", name, name)
        doi = unquote(raw_path.split("/works/", 1)[1]).lower()
        if doi in self._aliases:
            location = "/works/" + quote(self._aliases[doi], safe="/")
            return _Answer(301, headers=[("Location", location)])
        if doi not in self._works:
            return _Answer(404, _NOT_FOUND, "text/plain")
        return _envelope("work", self._works[doi])

    def _work_list(self, query: dict[str, list[str]]) -> _Answer:
        rows_text = query.get("rows", [str(_DEFAULT_ROWS)])[-1]
        if not rows_text.isdigit() or int(rows_text) > _MAX_ROWS:
            message = (
                f"Integer specified as {rows_text} but must be a positive integer"
                f" less than or equal to {_MAX_ROWS}. "
            )
            return _failure("integer-not-valid", rows_text, message)
        rows = int(rows_text)
        selects = [s for value in query.get("select", []) for s in value.split(",") if s]
        for name in selects:
            if name not in VALID_SELECTS:
                message = (
                    f"Select {name} specified but there is no such select for this route."
                    f" Valid selects for this route are: {', '.join(VALID_SELECTS)}"
                )
                return _failure("select-not-available", name, message)
        wanted: dict[str, None] = {}
        for value in query.get("filter", []):
            for clause in value.split(","):
                name, _, doi = clause.partition(":")
                if name != "doi":
                    message = (
                        f"Filter {name} specified but there is no such filter for this route."
                        " Valid filters for this route are: doi"
                    )
                    return _failure("filter-not-available", name, message)
                if not _DOI.fullmatch(doi):
                    message = (
                        f"DOI specified as {doi} but must be of the form: 10.prefix/suffix"
                        " where prefix is 4 or more digits and suffix is a string"
                    )
                    return _failure("doi-not-valid", doi, message)
                wanted[doi.lower()] = None
        search = query.get("query.bibliographic", [])
        if search:
            ranked = self._search_index.search(search[-1])
            if wanted:
                ranked = [(doi, score) for doi, score in ranked if doi in wanted]
            found = [self._works[doi] for doi, _ in ranked]
            scores = [score for _, score in ranked]
            items = [
                _selected(work, selects) | {"score": score}
                for work, score in zip(found[:rows], scores, strict=False)
            ]
        else:
            found = [self._works[doi] for doi in wanted if doi in self._works]
            with self._lock:
                self._random.shuffle(found)
            items = [_selected(work, selects) for work in found[:rows]]
        work_list = {
            "facets": {},
            "total-results": len(found),
            "items": items,
            "items-per-page": rows,
            "query": {"start-index": 0, "search-terms": search[-1] if search else None},
        }
        return _envelope("work-list", work_list)

    def _which_ra(self, raw_dois: str) -> _Answer:
        answers: list[dict[str, str]] = []
        for raw in raw_dois.split(","):
            doi = unquote(raw)
            agency = self._agency_of(doi.lower())
            if not _DOI.fullmatch(doi):
                answers.append({"DOI": doi, "status": "Invalid DOI"})
            elif agency is None:
                answers.append({"DOI": doi, "status": "DOI does not exist"})
            else:
                answers.append({"DOI": doi, "RA": _label(agency)})
        return _Answer(200, _json(answers), "application/json;charset=UTF-8")

    def _content_negotiation(self, doi: str, headers: dict[str, str]) -> _Answer:
        if not _DOI.fullmatch(doi):
            return _Answer(400, _html("400 Bad Request", "Invalid DOI"), "text/html;charset=UTF-8")
        record = self._csl.get(doi.lower())
        work = self._works.get(self._aliases.get(doi.lower(), doi).lower())
        if record is None and work is not None:
            record = _csl_of(work)
        if record is None:
            return _Answer(404, _html("DOI Not Found", doi), "text/html;charset=utf-8")
        if _CSL_TYPE not in headers.get("Accept", "").lower():
            return _Answer(406, _html("406 Not Acceptable", _CSL_TYPE), "text/html;charset=utf-8")
        return _Answer(200, _json(record), f"{_CSL_TYPE}; charset=utf-8")

    def _agency_of(self, doi: str) -> str | None:
        if doi in self._agencies:
            return self._agencies[doi]
        if doi in self._works or doi in self._aliases:
            return "crossref"
        if doi in self._csl:
            return "datacite"
        return None

    def _track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


class _SearchIndex:
    """BM25 over each work's title, authors, container titles and year (see the docstring)."""

    def __init__(self, works: Mapping[str, Mapping[str, Any]]) -> None:
        self._terms = {doi: Counter(_search_words(_search_text(w))) for doi, w in works.items()}
        self._lengths = {doi: sum(terms.values()) for doi, terms in self._terms.items()}
        self._average = sum(self._lengths.values()) / len(self._lengths) if works else 1.0
        self._df: Counter[str] = Counter()
        for terms in self._terms.values():
            self._df.update(terms.keys())

    def search(self, text: str) -> list[tuple[str, float]]:
        """(DOI, score) for every work sharing a word with ``text``, best first."""
        words = _search_words(text)
        total = len(self._terms)
        scores: dict[str, float] = {}
        for doi, terms in self._terms.items():
            norm = _BM25_K1 * (1 - _BM25_B + _BM25_B * self._lengths[doi] / self._average)
            score = 0.0
            for word in words:
                tf = terms.get(word, 0)
                if tf:
                    idf = math.log(1 + (total - self._df[word] + 0.5) / (self._df[word] + 0.5))
                    score += idf * tf * (_BM25_K1 + 1) / (tf + norm)
            if score > 0:
                scores[doi] = round(score * _SCORE_SCALE, 4)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def _search_text(work: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for key in ("title", "container-title", "short-container-title"):
        value = work.get(key)
        parts += [str(v) for v in value] if isinstance(value, list) else []
    for author in work.get("author", []) or []:
        if isinstance(author, dict):
            parts += [str(author.get(k, "")) for k in ("given", "family", "name")]
    issued = work.get("issued")
    date_parts = issued.get("date-parts") if isinstance(issued, dict) else None
    if date_parts and date_parts[0] and date_parts[0][0]:
        parts.append(str(date_parts[0][0]))
    return " ".join(parts)


def _search_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return _SEARCH_WORD.findall(re.sub(r"<[^>]*>", " ", folded))


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of connections must not overflow the listen backlog
    fake: FakeCrossref

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("fake Crossref: connection from %s ended badly", client_address, exc_info=True)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment: with Nagle's algorithm and the client's
    # delayed ACK, a second small write would wait ~40 ms on every keep-alive request.
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.fake._track(self.connection, open_=False)
        super().finish()

    def do_GET(self) -> None:
        self.server.fake._serve(self, head=False)

    def do_HEAD(self) -> None:
        self.server.fake._serve(self, head=True)

    def version_string(self) -> str:
        if self.path.startswith("/doiorg"):
            return "cloudflare"
        return "Jetty(9.4.40.v20210413)"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("fake Crossref: " + format, *args)

    def send(self, answer: _Answer, *, head: bool, gzip_ok: bool) -> None:
        """Write ``answer``, or close the connection when its status is 0."""
        if answer.status == 0:
            self.close_connection = True
            return
        body = answer.body
        compress = gzip_ok and bool(body) and "json" in (answer.content_type or "")
        if compress:
            body = gzip.compress(body, mtime=0)
        self.send_response(answer.status)
        if answer.content_type:
            self.send_header("Content-Type", answer.content_type)
        if compress:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        for name, value in answer.headers:
            self.send_header(name, value)
        if answer.close:
            self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.wfile.flush()


# -- helpers ---------------------------------------------------------------------------


def _route_of(raw_path: str) -> str:
    if raw_path.startswith("/doiorg/doiRA/"):
        return "doiRA"
    if raw_path == "/doiorg" or raw_path.startswith("/doiorg/"):
        return "cn"
    if raw_path in ("/works", "/v1/works"):
        return "works"
    if raw_path.startswith(("/works/", "/v1/works/")):
        return "agency" if raw_path.endswith("/agency") else "work"
    return "other"


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _pool_of(query: Mapping[str, list[str]], headers: Mapping[str, str]) -> str:
    if any(query.get("mailto", [])) or "mailto:" in headers.get("User-Agent", "").lower():
        return "polite"
    return "public"


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``record`` without the fixture-only keys (``_synthetic``…)."""
    return {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith("_")}


def _selected(work: dict[str, Any], selects: Sequence[str]) -> dict[str, Any]:
    if not selects:
        return work
    return {k: v for k, v in work.items() if k in selects}


def _label(agency: str) -> str:
    return _AGENCY_LABELS.get(agency, agency)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _html(title: str, text: str) -> bytes:
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{text}</body></html>\n"
    return page.encode()


def _envelope(message_type: str, message: Any) -> _Answer:
    envelope = {
        "status": "ok",
        "message-type": message_type,
        "message-version": "1.0.0",
        "message": message,
    }
    return _Answer(200, _json(envelope), "application/json")


def _failure(kind: str, value: str, message: str) -> _Answer:
    body = {
        "status": "failed",
        "message-type": "validation-failure",
        "message": [{"type": kind, "value": value, "message": message}],
    }
    return _Answer(400, _json(body), "application/json;charset=utf-8")


def _invalid(kind: str, value: str, what: str) -> _Answer:
    return _failure(kind, value, f"This route does not support {what}")


def _faulty(answer: _Answer, fault: Fault) -> _Answer:
    if fault.kind == "status":
        body = fault.body
        if body is None:
            reason = http.HTTPStatus(fault.code).phrase
            body = _TOO_MANY if fault.code == 429 else _html(f"{fault.code} {reason}", reason)
        headers = [("Retry-After", fault.retry_after)] if fault.retry_after is not None else []
        return _Answer(fault.code, body, fault.content_type, headers)
    if fault.kind == "truncated":
        whole = answer.body if answer.status == 200 and answer.body.startswith(b"{") else None
        whole = whole or _json({"status": "ok", "message-type": "work", "message": {}})
        return _Answer(200, whole[: len(whole) // 2], "application/json")
    if fault.kind == "garbage":
        return _Answer(200, fault.body or _GARBAGE, fault.content_type)
    return answer  # "slow": the normal answer, later


def _csl_of(work: Mapping[str, Any]) -> dict[str, Any]:
    """A CSL-JSON rendering of a Crossref record, as doi.org would serve for it."""
    record: dict[str, Any] = {
        "type": _CSL_TYPES.get(str(work.get("type")), "document"),
        "id": f"https://doi.org/{work['DOI']}",
        "DOI": work["DOI"],
    }
    for key in ("title", "container-title"):
        if work.get(key):
            record[key] = work[key][0]
    for key in ("URL", "publisher", "volume", "issue", "page", "ISSN", "issued"):
        if work.get(key):
            record[key] = copy.deepcopy(work[key])
    if work.get("article-number"):
        record["number"] = work["article-number"]
    authors = [
        {k: a[k] for k in ("given", "family") if k in a} or {"literal": a.get("name", "")}
        for a in work.get("author", [])
    ]
    if authors:
        record["author"] = authors
    return record


def max_in_flight(entries: Iterable[LoggedRequest]) -> int:
    """The most requests that were in progress at once, over ``entries``."""
    return max((e.in_flight for e in entries), default=0)


def max_in_window(entries: Iterable[LoggedRequest], window_s: float = 1.0) -> int:
    """The most requests that arrived within any ``window_s`` seconds (half-open window)."""
    times = sorted(e.time for e in entries)
    best = start = 0
    for end, arrival in enumerate(times):
        while arrival - times[start] >= window_s:
            start += 1
        best = max(best, end - start + 1)
    return best


TEST_MAILTO = "tests@example.org"


def quick_settings(fake: FakeCrossref, **changes: Any) -> ResolverSettings:
    """Resolver settings aimed at ``fake``, with short timeouts and backoff for tests."""
    options: dict[str, Any] = {
        "mailto": TEST_MAILTO,
        "crossref_url": fake.crossref_url,
        "doi_url": fake.doi_url,
        "request_timeout_s": 5.0,
        "deadline_s": 20.0,
        "backoff_base_s": 0.01,
        "backoff_cap_s": 0.05,
    }
    return ResolverSettings(**(options | changes))
