"""Crossref lookups: batched ``filter=doi:`` queries, bibliographic search, single works, agency.

Where habanero stops and we start: habanero's ``request_class.Request`` builds and
validates the batch query (``filter_handler`` turns ``{"doi": [a, b]}`` into
``doi:a,doi:b``, ``validate_select`` checks the ``select=`` names against Crossref's
whitelist, ``rows`` is the batch size). `_BatchRequest` overrides its one transport
method, ``_req``, so the request itself goes through our `PoliteClient` (one shared
session with keep-alive, pacing from the rate-limit headers, retries with backoff,
circuit breaker, deadline) instead of habanero's ``httpx2.get`` per call with a 5 s
timeout and no retry; it also adds the ``mailto=`` parameter, which habanero only puts
in its User-Agent. Bibliographic searches (``query.bibliographic=…&rows=5``) go the same
way: habanero turns the ``query_bibliographic`` keyword into the field query and checks
its name, `_SearchRequest` sends it. Single works (``/works/{doi}``, following alias redirects) and
agency lookups (``/works/{doi}/agency``) do not go through habanero: its ``works(ids=…)``
path calls ``httpx2.get`` directly and offers no method to override, so those URLs are
built here, with the DOI percent-encoded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from habanero.request_class import Request  # type: ignore[import-untyped]

from doi_extract.resolve.base import ResolverSettings
from doi_extract.resolve.http import PoliteClient
from doi_extract.resolve.mapping import CROSSREF_SELECT

log = logging.getLogger(__name__)

SERVICE = "Crossref"
SEARCH_ROWS = 5
"""Candidates per bibliographic search: Crossref's advice for clients that validate."""
SEARCH_SELECT: tuple[str, ...] = (*CROSSREF_SELECT, "score")
MAX_QUERY_CHARS = 1000
"""A longer reference string is cut at a word boundary (URL length limits)."""


class Rejected(Exception):
    """Crossref refused the query itself (HTTP 4xx), so asking again will not help."""


class CrossrefClient:
    """Asks Crossref for works by DOI through a shared `PoliteClient`."""

    def __init__(self, client: PoliteClient, settings: ResolverSettings) -> None:
        self._client = client
        self._base = settings.crossref_url.rstrip("/")
        self._mailto = settings.mailto

    def works(self, dois: Sequence[str]) -> dict[str, dict[str, Any]]:
        """One request for up to 50 DOIs; the works found, keyed by lower-cased DOI.

        Raises:
            RequestFailed: no usable answer (see `PoliteClient.get`).
            Rejected: Crossref refused the query (HTTP 4xx).
        """
        request = _BatchRequest(self._client, self._base, self._mailto, dois)
        answer = request.do_request()
        found: dict[str, dict[str, Any]] = {}
        for item in answer["message"]["items"]:
            doi = item.get("DOI") if isinstance(item, dict) else None
            if isinstance(doi, str):
                found[doi.lower()] = item
        return found

    def search(self, text: str, rows: int = SEARCH_ROWS) -> list[dict[str, Any]]:
        """The works a ``query.bibliographic`` search ranks first for ``text``, best first.

        Each item carries the search's relevance ``score``.

        Raises:
            RequestFailed: no usable answer (see `PoliteClient.get`).
            Rejected: Crossref refused the query (HTTP 4xx).
        """
        request = _SearchRequest(self._client, self._base, self._mailto, search_query(text), rows)
        answer = request.do_request()
        return [item for item in answer["message"]["items"] if isinstance(item, dict)]

    def work(self, doi: str) -> dict[str, Any] | None:
        """The work for ``doi`` (an alias leads to its canonical record); None if unknown.

        Raises:
            RequestFailed: no usable answer.
        """
        reply = self._client.get(
            SERVICE, f"{self._base}/works/{_path(doi)}", params=self._params(), valid=_is_work
        )
        if reply.status != 200:
            log.debug("Crossref has no work %s (HTTP %d)", doi, reply.status)
            return None
        message: dict[str, Any] = reply.data["message"]
        return message

    def agency(self, doi: str) -> str | None:
        """The id of the agency that registered ``doi`` (``crossref``, ``datacite``…).

        None when no agency knows it.

        Raises:
            RequestFailed: no usable answer.
        """
        reply = self._client.get(
            SERVICE,
            f"{self._base}/works/{_path(doi)}/agency",
            params=self._params(),
            valid=_is_agency,
        )
        if reply.status != 200:
            return None
        agency: str = reply.data["message"]["agency"]["id"]
        return agency.lower()

    def _params(self) -> dict[str, str]:
        return {"mailto": self._mailto} if self._mailto else {}


class _BatchRequest(Request):  # type: ignore[misc]
    """habanero's list request with our transport (see the module docstring)."""

    def __init__(
        self, client: PoliteClient, base_url: str, mailto: str | None, dois: Sequence[str]
    ) -> None:
        super().__init__(
            mailto,
            None,
            None,
            base_url,
            "/works",
            filter={"doi": list(dois)},
            limit=len(dois),
            select=list(CROSSREF_SELECT),
        )
        self._client = client

    def _req(self, payload: dict[str, str], should_warn: bool) -> dict[str, Any]:
        params = dict(payload)
        if self.mailto:
            params["mailto"] = self.mailto
        reply = self._client.get(SERVICE, self._url(), params=params, valid=_is_work_list)
        if reply.status != 200:
            raise Rejected(f"Crossref refused the query (HTTP {reply.status})")
        data: dict[str, Any] = reply.data
        return data


class _SearchRequest(_BatchRequest):
    """habanero's ``query.bibliographic`` request with our transport."""

    def __init__(
        self, client: PoliteClient, base_url: str, mailto: str | None, text: str, rows: int
    ) -> None:
        Request.__init__(
            self,
            mailto,
            None,
            None,
            base_url,
            "/works",
            limit=rows,
            select=list(SEARCH_SELECT),
            query_bibliographic=text,
        )
        self._client = client


def search_query(text: str) -> str:
    """The text sent as ``query.bibliographic``: whitespace folded, at most `MAX_QUERY_CHARS`."""
    query = " ".join(text.split())
    if len(query) > MAX_QUERY_CHARS:
        query = query[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
    return query


def _path(doi: str) -> str:
    """The DOI as a URL path: ``/`` kept, ``<>;#?`` and the like percent-encoded."""
    return quote(doi, safe="/")


def _message(data: Any) -> Any:
    return data.get("message") if isinstance(data, dict) else None


def _is_work_list(data: Any) -> bool:
    message = _message(data)
    return (
        isinstance(message, dict)
        and isinstance(message.get("items"), list)
        and isinstance(message.get("total-results"), int)
    )


def _is_work(data: Any) -> bool:
    message = _message(data)
    return isinstance(message, dict) and isinstance(message.get("DOI"), str)


def _is_agency(data: Any) -> bool:
    message = _message(data)
    agency = message.get("agency") if isinstance(message, dict) else None
    return isinstance(agency, dict) and isinstance(agency.get("id"), str)
