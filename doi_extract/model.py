"""The records that flow between the stages.

Every record is a frozen dataclass whose collections are tuples, so a later stage can
never change what an earlier one produced: stages build new records with
`dataclasses.replace` and `merge`. This module imports nothing from the package.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

_Record = TypeVar("_Record")
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _pickled_as_values(cls: type[_Record]) -> type[_Record]:
    """Pickle a frozen dataclass as the tuple of its field values.

    The records that go to and from worker processes are pickled by the thousand, and the
    pickling dataclasses provides for frozen, slotted classes loops over `fields()` in
    Python on both sides: this halves the cost.
    """
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    values = operator.attrgetter(*names)
    _FIELD_NAMES[cls] = names

    def __reduce__(self: _Record) -> tuple[Callable[..., _Record], tuple[Any, ...]]:
        return _rebuilt, (cls, values(self))

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


def _rebuilt(cls: type[_Record], values: tuple[Any, ...]) -> _Record:
    record = object.__new__(cls)
    for name, value in zip(_FIELD_NAMES[cls], values, strict=True):
        object.__setattr__(record, name, value)
    return record


class WorkType(StrEnum):
    """What kind of work a reference points at; the values are CSL-JSON type names."""

    ARTICLE = "article-journal"
    PREPRINT = "article"
    BOOK = "book"
    CHAPTER = "chapter"
    PAPER_CONFERENCE = "paper-conference"
    DATASET = "dataset"
    REPORT = "report"
    THESIS = "thesis"
    WEBPAGE = "webpage"
    UNKNOWN = "document"


class Status(StrEnum):
    """Where a record's bibliographic fields came from."""

    PARSED = "parsed"
    """Only what the feed says: metadata and locally parsed reference text (offline)."""
    RESOLVED = "resolved"
    """A registry (Crossref or another agency via doi.org) supplied the record."""
    UNRESOLVED = "unresolved"
    """A registry was asked but gave nothing (not found, or unreachable); feed fields only."""


class ItemStatus(StrEnum):
    """The outcome for one feed item, as written to ``--report``."""

    OK = "ok"
    NO_CITATION = "no-citation"
    UNRESOLVED = "unresolved"
    """Citations found, but a registry could not supply some of their DOIs."""
    ERROR = "error"


class How(StrEnum):
    """How a cited work got its DOI, as ``--report`` and JSON Lines say it."""

    PRINTED = "printed"
    """The feed printed the DOI (text, link or metadata)."""
    MATCHED = "matched"
    """Found by a bibliographic search and accepted after validation."""
    UNMATCHED = "unmatched"
    """No DOI: none printed, and no search candidate passed validation."""


@dataclass(frozen=True, slots=True)
class Match:
    """Why a DOI found by bibliographic search was accepted (or the best candidate was not)."""

    score: float
    """Validation score of the best candidate, 0 to 1."""
    reasons: tuple[str, ...] = ()
    """One short phrase per check: ``title 0.97``, ``year 2021 = 2021``, ``margin 0.42``..."""


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets ``[start, end)`` into the plain text of one item field."""

    start: int
    end: int


@_pickled_as_values
@dataclass(frozen=True, slots=True, kw_only=True)
class Provenance:
    """Where one cited work was found: which feed, which item, which field and block."""

    source: str
    """The file path or URL that was read (for a directory input, the file inside it)."""
    item: int
    """0-based index of the item in document order."""
    guid: str | None = None
    link: str | None = None
    field: str
    """The item field: ``content:encoded``, ``description``, ``prism:doi``, ``link``..."""
    label: str | None = None
    """The reference block's label (``Article References``, ``DOI``), if any."""
    span: Span | None = None


@_pickled_as_values
@dataclass(frozen=True, slots=True)
class Person:
    """An author: family name plus given names or initials as printed, or a literal name."""

    family: str | None = None
    given: str | None = None
    literal: str | None = None
    """An organisation or a name that cannot be split (CSL ``literal``)."""
    orcid: str | None = None
    """The ORCID iD as a URL (``https://orcid.org/0000-…``), when a registry gives one."""

    @property
    def display(self) -> str:
        """The name as a reader would write it: ``Given Family`` or the literal."""
        if self.literal:
            return self.literal
        return " ".join(part for part in (self.given, self.family) if part)


@_pickled_as_values
@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """One cited work, from its first sighting in a feed to the record a writer emits.

    ``doi`` is the identity: normalised and lower-case. Records without a DOI are kept
    too, so nothing a feed cites is lost.
    """

    doi: str | None = None
    doi_as_printed: str | None = None
    kind: WorkType = WorkType.UNKNOWN
    title: str | None = None
    authors: tuple[Person, ...] = ()
    et_al: bool = False
    """True when the author list was cut short (``et al.``)."""
    container_title: str | None = None
    issn: tuple[str, ...] = ()
    publisher: str | None = None
    issued: tuple[int, ...] = ()
    """CSL date-parts: ``(year,)``, ``(year, month)`` or ``(year, month, day)``."""
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    article_number: str | None = None
    url: str | None = None
    raw: str | None = None
    """The reference string as the feed printed it, if there was one."""
    status: Status = Status.PARSED
    registry: str | None = None
    """Which registry supplied the record (``crossref``, ``datacite``…), when resolved."""
    match: Match | None = None
    """For a reference printed without a DOI: the bibliographic search's verdict."""
    provenance: tuple[Provenance, ...] = ()

    @property
    def year(self) -> int | None:
        """The year of publication, if known."""
        return self.issued[0] if self.issued else None

    @property
    def how(self) -> How:
        """Whether the DOI was printed, found by a validated search, or is missing."""
        if self.doi is None:
            return How.UNMATCHED
        if self.match is not None:
            return How.MATCHED
        return How.PRINTED

    @property
    def identity(self) -> str:
        """The de-duplication key: the DOI, or the whitespace-folded reference text."""
        if self.doi:
            return self.doi
        text = self.raw or self.title or ""
        return "text:" + " ".join(text.casefold().split())


_MERGE_SKIP = frozenset({"provenance", "et_al", "status", "registry", "match"})
_MERGED = tuple(f.name for f in dataclasses.fields(Reference) if f.name not in _MERGE_SKIP)


def merge(primary: Reference, secondary: Reference) -> Reference:
    """Combine two records of the same work; ``primary`` wins every field it has.

    ``secondary`` fills the gaps, and both provenance lists are kept (without repeats).
    This is the one place that decides field precedence.
    """
    changes: dict[str, Any] = {}
    for name in _MERGED:
        value = getattr(secondary, name)
        if not _is_empty(value) and _is_empty(getattr(primary, name)):
            changes[name] = value
    if "authors" in changes:
        changes["et_al"] = secondary.et_al
    extra = tuple(p for p in secondary.provenance if p not in primary.provenance)
    if extra:
        changes["provenance"] = primary.provenance + extra
    return dataclasses.replace(primary, **changes) if changes else primary


def _is_empty(value: object) -> bool:
    """None, "", () or an unknown work type; a merged field holds nothing else that is false."""
    return not value or value is WorkType.UNKNOWN


@_pickled_as_values
@dataclass(frozen=True, slots=True, kw_only=True)
class FeedItem:
    """One RSS ``item`` or Atom ``entry``, as read, before any interpretation.

    Namespaced names use the conventional prefixes whatever the feed declares
    (``dc:``, ``prism:``, ``content:``, ``arxiv:``), so extractors can rely on them.
    """

    source: str
    index: int
    guid: str | None = None
    link: str | None = None
    title: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    texts: tuple[tuple[str, str], ...] = ()
    """(field, HTML or plain text): ``description``, ``content:encoded``, ``summary``..."""
    links: tuple[tuple[str, str], ...] = ()
    """(rel, href) for every link element; RSS ``<link>`` has rel ``alternate``."""
    metadata: tuple[tuple[str, str], ...] = ()
    """(name, value) such as ``("prism:doi", "10.1038/…")`` or ``("dc:identifier", …)``."""

    def meta(self, name: str) -> str | None:
        """The first metadata value called ``name``, if any."""
        return next((value for key, value in self.metadata if key == name), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Something that could not be read, with where it happened; never raised, only reported."""

    source: str
    item: int | None = None
    message: str
    guid: str | None = None
    link: str | None = None

    def __str__(self) -> str:
        where = self.source if self.item is None else f"{self.source} item {self.item}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Extraction:
    """What one item cites: the DOIs and reference strings found, and the works they name."""

    dois: tuple[str, ...] = ()
    """Every normalised DOI found in the item, in order of first appearance."""
    references: tuple[str, ...] = ()
    """Every reference string found in the item's reference blocks."""
    works: tuple[Reference, ...] = ()
    """One record per cited work; ``raw`` is still unparsed."""


@_pickled_as_values
@dataclass(frozen=True, slots=True, kw_only=True)
class ItemReport:
    """One line of ``--report``: the outcome for one item, or for an unreadable input."""

    source: str
    item: int | None = None
    guid: str | None = None
    link: str | None = None
    title: str | None = None
    dois: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    works: tuple[Reference, ...] = ()
    """The works the item cites, as they stood when the item was read."""
    status: ItemStatus
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The report line as a JSON-ready dict; these key names are a stable contract."""
        return {
            "source": self.source,
            "item": self.item,
            "guid": self.guid,
            "link": self.link,
            "title": self.title,
            "dois": list(self.dois),
            "references": list(self.references),
            "works": [work_outcome(work) for work in self.works],
            "status": str(self.status),
            "reason": self.reason,
        }


def work_outcome(work: Reference) -> dict[str, Any]:
    """How one cited work got its DOI, as ``--report`` and JSON Lines give it."""
    return {
        "doi": work.doi,
        "how": str(work.how),
        "text": work.raw,
        "score": work.match.score if work.match else None,
        "reasons": list(work.match.reasons) if work.match else [],
    }


@dataclass(slots=True)
class RunCounts:
    """The counters behind the summary line."""

    inputs: int = 0
    inputs_failed: int = 0
    items: int = 0
    items_failed: int = 0
    dois: int = 0
    references: int = 0
    entries: int = 0
    resolved: int = 0
    """Works whose record a registry supplied (from the network or the cache)."""
    from_cache: int = 0
    unresolved: int = 0
    """Works with a DOI that no registry could supply (not found, or unreachable)."""
    requests: int = 0
    """HTTP requests made to registries."""
    matched: int = 0
    """Works printed without a DOI whose DOI a validated search found."""
    unmatched: int = 0
    """Works written without a DOI."""
    problems: list[Problem] = field(default_factory=list)
