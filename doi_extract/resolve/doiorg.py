"""doi.org: which agency registered a DOI, and CSL-JSON for DOIs outside Crossref.

``GET {doi_url}/doiRA/{a},{b},…`` answers for several DOIs at once, outside Crossref's
rate budget. ``GET {doi_url}/{doi}`` with ``Accept: application/vnd.citationstyles.csl+json``
is content negotiation: doi.org redirects to the agency (DataCite, mEDRA…), which
answers with CSL-JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from doi_extract.resolve.base import MAX_BATCH_SIZE
from doi_extract.resolve.http import PoliteClient

log = logging.getLogger(__name__)

SERVICE = "doi.org"
CSL_JSON = "application/vnd.citationstyles.csl+json"
MAX_PATH_CHARS = 2000
"""A doiRA request's DOI list stays below this length (URL limits of proxies)."""
_NO_AGENCY = frozenset({"doi does not exist", "invalid doi"})


@dataclass(frozen=True, slots=True)
class Agency:
    """doi.org's answer for one DOI: the agency id, or why there is none."""

    id: str | None
    """Lower case, spaces removed: ``crossref``, ``datacite``, ``medra``, ``jalc``…"""
    status: str | None = None
    """doi.org's status when there is no agency: ``DOI does not exist``, ``Invalid DOI``."""


class DoiOrgClient:
    """Asks doi.org through a shared `PoliteClient`."""

    def __init__(self, client: PoliteClient, doi_url: str) -> None:
        self._client = client
        self._base = doi_url.rstrip("/")

    def agencies(self, dois: Sequence[str]) -> dict[str, Agency]:
        """The registration agency of each DOI doi.org could tell, keyed by lower-cased DOI.

        A DOI doi.org calls "Unknown", or leaves out, is not in the result.

        Raises:
            RequestFailed: no usable answer for one of the requests.
        """
        found: dict[str, Agency] = {}
        for chunk in _chunks(dois):
            path = ",".join(quote(doi, safe="/") for doi in chunk)
            reply = self._client.get(SERVICE, f"{self._base}/doiRA/{path}", valid=_is_ra_list)
            if reply.status != 200:
                log.debug("doiRA answered HTTP %d", reply.status)
                continue
            for entry in reply.data:
                doi, agency = _agency(entry)
                if doi is not None and agency is not None:
                    found[doi] = agency
        return found

    def csl(self, doi: str) -> dict[str, Any] | None:
        """The CSL-JSON record of ``doi``; None when the agency offers none.

        Raises:
            RequestFailed: no usable answer.
        """
        reply = self._client.get(
            SERVICE,
            f"{self._base}/{quote(doi, safe='/')}",
            accept=CSL_JSON,
            valid=lambda data: isinstance(data, dict),
        )
        if reply.status != 200:
            log.debug("no CSL-JSON for %s (HTTP %d)", doi, reply.status)
            return None
        record: dict[str, Any] = reply.data
        return record


def _chunks(dois: Sequence[str]) -> Iterator[list[str]]:
    """Groups of at most `MAX_BATCH_SIZE` DOIs whose joined path fits `MAX_PATH_CHARS`."""
    chunk: list[str] = []
    length = 0
    for doi in dois:
        size = len(quote(doi, safe="/")) + 1
        if chunk and (len(chunk) == MAX_BATCH_SIZE or length + size > MAX_PATH_CHARS):
            yield chunk
            chunk, length = [], 0
        chunk.append(doi)
        length += size
    if chunk:
        yield chunk


def _is_ra_list(data: Any) -> bool:
    return isinstance(data, list) and all(isinstance(entry, dict) for entry in data)


def _agency(entry: dict[str, Any]) -> tuple[str | None, Agency | None]:
    """``{"DOI": d, "RA": "DataCite"}`` or ``{"DOI": d, "status": "DOI does not exist"}``."""
    doi = entry.get("DOI")
    if not isinstance(doi, str):
        return None, None
    ra, status = entry.get("RA"), entry.get("status")
    if isinstance(ra, str) and ra.strip() and ra.strip().lower() != "unknown":
        return doi.lower(), Agency("".join(ra.lower().split()))
    if isinstance(status, str) and status.strip().lower() in _NO_AGENCY:
        return doi.lower(), Agency(None, status.strip())
    return doi.lower(), None
