"""Registry records to `model.Reference`: Crossref's JSON and CSL-JSON (DataCite, mEDRA…).

Both mappers take whatever JSON a registry sent and never raise: a field that is
missing, null or of the wrong type is left empty. A record without a usable DOI maps
to None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from doi_extract._html import render
from doi_extract.doi import normalise_doi
from doi_extract.model import Person, Reference, Status, WorkType

CROSSREF_TYPES: Mapping[str, WorkType] = MappingProxyType(
    {
        "journal-article": WorkType.ARTICLE,
        "proceedings-article": WorkType.PAPER_CONFERENCE,
        "book-chapter": WorkType.CHAPTER,
        "book-section": WorkType.CHAPTER,
        "book-part": WorkType.CHAPTER,
        "book": WorkType.BOOK,
        "monograph": WorkType.BOOK,
        "edited-book": WorkType.BOOK,
        "reference-book": WorkType.BOOK,
        "posted-content": WorkType.PREPRINT,
        "dataset": WorkType.DATASET,
        "report": WorkType.REPORT,
        "dissertation": WorkType.THESIS,
    }
)
"""Crossref work type -> our kind; any other type is UNKNOWN."""

CSL_TYPES: Mapping[str, WorkType] = MappingProxyType(
    {kind.value: kind for kind in WorkType}
    | {"post-weblog": WorkType.WEBPAGE, "post": WorkType.WEBPAGE}
)
"""CSL type -> our kind (our kinds are CSL names, plus blog posts as web pages); else UNKNOWN."""

CROSSREF_SELECT: tuple[str, ...] = (
    "DOI",
    "type",
    "title",
    "author",
    "container-title",
    "ISSN",
    "publisher",
    "issued",
    "published-print",
    "published-online",
    "published",
    "volume",
    "issue",
    "page",
    "article-number",
    "URL",
)
"""The Crossref fields `from_crossref` reads: the ``select=`` of a batch request."""

_DATE_FIELDS = ("issued", "published-print", "published-online", "published")
_ORCID_PREFIX = "https://orcid.org/"
# An ORCID iD: "0000-0002-1083-5533" or "0000-0001-5109-371X"; not "orcid.org".
_ORCID_ID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")


def from_crossref(message: Any) -> Reference | None:
    """Map a Crossref work (the ``message`` of ``/works/{doi}``) to a resolved Reference."""
    dois = _dois_of(message)
    if dois is None:
        return None
    return Reference(
        doi=dois[0],
        doi_as_printed=dois[1],
        kind=_kind(CROSSREF_TYPES, message.get("type")),
        authors=_crossref_authors(message.get("author")),
        issued=next(
            (parts for name in _DATE_FIELDS if (parts := _date_parts(message.get(name)))), ()
        ),
        article_number=_text(message.get("article-number")),
        **_shared_fields(message),
        registry="crossref",
    )


def from_csl(item: Any, registry: str) -> Reference | None:
    """Map one CSL-JSON item (doi.org content negotiation) to a resolved Reference."""
    dois = _dois_of(item)
    if dois is None:
        return None
    return Reference(
        doi=dois[0],
        doi_as_printed=dois[1],
        kind=_kind(CSL_TYPES, item.get("type")),
        authors=tuple(person for person in map(_csl_person, _dicts(item.get("author"))) if person),
        issued=_date_parts(item.get("issued")),
        **_shared_fields(item),
        registry=registry.lower(),
    )


def _dois_of(record: Any) -> tuple[str, str] | None:
    """The normalised and the printed DOI of a registry record; None if it is not one."""
    if not isinstance(record, dict):
        return None
    printed = _text(record.get("DOI"))
    doi = normalise_doi(printed) if printed else None
    if printed is None or doi is None:
        return None
    return doi, printed


def _shared_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The fields that Crossref works and CSL-JSON items spell alike, and the status."""
    return {
        "title": _markup_free(_first(record.get("title"))),
        "container_title": _markup_free(_first(record.get("container-title"))),
        "issn": _strings(record.get("ISSN")),
        "publisher": _text(record.get("publisher")),
        "volume": _text(record.get("volume")),
        "issue": _text(record.get("issue")),
        "pages": _text(record.get("page")),
        "url": _text(record.get("URL")),
        "status": Status.RESOLVED,
    }


def _kind(table: Mapping[str, WorkType], type_name: Any) -> WorkType:
    """Our work type for a registry's type name; UNKNOWN for anything unexpected."""
    return (
        table.get(type_name, WorkType.UNKNOWN) if isinstance(type_name, str) else WorkType.UNKNOWN
    )


def _crossref_authors(value: Any) -> tuple[Person, ...]:
    """Authors in order: Crossref's ``sequence: first`` ahead of the rest, order kept."""
    entries = list(_dicts(value))
    entries.sort(key=lambda entry: entry.get("sequence") != "first")
    return tuple(person for person in map(_crossref_person, entries) if person)


def _crossref_person(entry: Mapping[str, Any]) -> Person | None:
    family, given = _text(entry.get("family")), _text(entry.get("given"))
    orcid = _orcid(entry.get("ORCID"))
    if family:
        return Person(family=family, given=given, orcid=orcid)
    literal = _text(entry.get("name")) or given
    return Person(literal=literal, orcid=orcid) if literal else None


def _csl_person(entry: Mapping[str, Any]) -> Person | None:
    family, given = _text(entry.get("family")), _text(entry.get("given"))
    orcid = _orcid(entry.get("ORCID"))
    if family:
        return Person(family=family, given=given, orcid=orcid)
    literal = _text(entry.get("literal")) or given
    return Person(literal=literal, orcid=orcid) if literal else None


def _orcid(value: Any) -> str | None:
    """An ORCID iD as ``https://orcid.org/…`` from a URL (http or https) or a bare iD."""
    text = _text(value)
    if text is None:
        return None
    identifier = text.rstrip("/").rsplit("/", 1)[-1].upper()
    return _ORCID_PREFIX + identifier if _ORCID_ID.fullmatch(identifier) else None


def _date_parts(value: Any) -> tuple[int, ...]:
    """CSL date-parts ``{"date-parts": [[2015, 11, 19]]}`` -> (2015, 11, 19); () if unusable.

    Parts stop at the first that is not a number (``[[null]]`` is no date).
    """
    if not isinstance(value, dict):
        return ()
    outer = value.get("date-parts")
    if not isinstance(outer, list) or not outer or not isinstance(outer[0], list):
        return ()
    parts: list[int] = []
    for part in outer[0][:3]:
        if isinstance(part, bool):
            break
        if isinstance(part, int):
            parts.append(part)
        elif isinstance(part, str) and part.strip().isdigit():
            parts.append(int(part))
        else:
            break
    return tuple(parts)


def _first(value: Any) -> str | None:
    """The first string of a list (Crossref's titles), or the value itself if a string."""
    if isinstance(value, list):
        return next((text for item in value if (text := _text(item))), None)
    return _text(value)


def _markup_free(value: str | None) -> str | None:
    """Drop inline markup and entities (``<i>E. coli</i>`` -> ``E. coli``), fold spaces."""
    if value is None:
        return None
    return " ".join(render(value).text.split()) or None


def _text(value: Any) -> str | None:
    """A stripped, non-empty string; numbers become strings; anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _strings(value: Any) -> tuple[str, ...]:
    """Every distinct string of a list (or the one string), in order."""
    items: Iterable[Any] = value if isinstance(value, list) else (value,)
    return tuple(dict.fromkeys(text for item in items if (text := _text(item))))


def _dicts(value: Any) -> Iterable[Mapping[str, Any]]:
    return (entry for entry in value if isinstance(entry, dict)) if isinstance(value, list) else ()
