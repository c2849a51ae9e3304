"""EXTRACT: find the DOIs and reference strings in one feed item, and the works they name.

Each text field is rendered to plain text by `doi_extract._html.render` (its docstring
gives the rules; spans are offsets into that rendering). Then:

* Labelled blocks (``Article References:``, ``<h3>References</h3>``, ``DOI:`` …; the table
  is `LABELS`) give reference strings, one per line, the item's own DOI and the title of
  the article the item is about.
* Every DOI anywhere (metadata, links, running text) is collected in `Extraction.dois`
  and becomes a work of its own if no reference string carries it.
* Items whose metadata declares a DOI (journal tables of contents, arXiv) describe that
  work themselves: title, authors, journal, volume… come from the metadata.

Only what is certain goes into a work: its DOI, title and metadata. The author, journal
and other fields of a reference string are left to `doi_extract.refparse`; the string is
in ``raw``.
"""

from __future__ import annotations

import dataclasses
import email.utils
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from types import MappingProxyType

import regex

from doi_extract._html import Rendered, render
from doi_extract.doi import DoiMatch, display_doi, find_dois
from doi_extract.model import (
    Extraction,
    FeedItem,
    Person,
    Provenance,
    Reference,
    Span,
    WorkType,
    merge,
)

log = logging.getLogger(__name__)


class LabelKind(Enum):
    """What a labelled block holds."""

    CITATION = "citation"
    """Reference strings, one per line."""
    GENERIC = "generic"
    """Reference strings only where a line looks like a citation (``Source:``)."""
    TITLE = "title"
    """The title of the article the item reports on."""
    DOI = "doi"
    """The DOI of the article the item reports on."""
    OTHER = "other"
    """Not a citation; the label only ends the block before it."""


def _kinds(kind: LabelKind, *labels: str) -> dict[str, LabelKind]:
    return dict.fromkeys(labels, kind)


LABELS: Mapping[str, LabelKind] = MappingProxyType(
    _kinds(
        LabelKind.CITATION,
        "article references",
        "article reference",
        "references",
        "reference",
        "journal references",
        "journal reference",
        "citations",
        "citation",
        "original publications",
        "original publication",
        "bibliography",
        "further reading",
    )
    | _kinds(
        LabelKind.GENERIC,
        "sources",
        "source",
        "more information",
        "publications",
        "publication",
        "papers",
        "paper",
        "studies",
        "study",
    )
    | _kinds(LabelKind.TITLE, "article title", "paper title", "study title")
    | _kinds(LabelKind.DOI, "doi", "dois")
    | _kinds(
        LabelKind.OTHER,
        "subject of research",
        "image credits",
        "image credit",
        "keywords",
        "keyword",
        "method of research",
        "article publication date",
        "funding",
        "contacts",
        "contact",
        "media contacts",
        "media contact",
        "disclaimer",
        "tags",
        "web references",
        "web reference",
    )
)
"""Block labels (case-folded) and what their blocks hold; read-only."""

# A label at the start of a line, then ":" or the end of the line:
# "Article References:", "DOI: https://doi.org/…", "References" alone on its line.
# "Reference genome of …" is not a label: no colon and the line goes on.
_LABEL_LINE = re.compile(
    r"^(?P<label>"
    + "|".join(
        re.escape(label).replace(r"\ ", r"[ \t]+")
        for label in sorted(LABELS, key=len, reverse=True)
    )
    + r")[ \t]*(?::[ \t]*|(?=\n|\Z))",
    re.IGNORECASE | re.MULTILINE,
)
# A paragraph that only separates sections: "—", "* * *", "----".
_SEPARATOR = regex.compile(r"[-\u2013\u2014_*=~\u2022\u00b7 ]+")
# A list number before a reference: "1. ", "[12] ", "(3) ".
_ENUMERATOR = regex.compile(r"(?:\[\d{1,3}\]|\(\d{1,3}\)|\d{1,3}\.)\s+")
# A truncated copy ends with an ellipsis: "Smith, J. et al. Targeting FSP1 […]".
_TRUNCATION = regex.compile(r"\s*(?:\[(?:…|\.\.\.)\]|…|\.\.\.)$")
# A title ending in an initialism keeps its period: "… in the U.S.".
_ABBREVIATION_END = regex.compile(r"\.\p{Lu}\.$")
_YEAR = regex.compile(r"(?<!\d)(?:18|19|20)\d{2}(?!\d)")
# Author-like: "Smith, J.", "Smith J,", "van der Berg, A.B.", "et al".
_AUTHORISH = regex.compile(
    r"\p{Lu}[\p{L}'\u2019-]+,?\s+(?:\p{Lu}{1,2}\.\s?)+|\p{Lu}[\p{L}'\u2019-]+ \p{Lu}{1,3}[,.]"
    r"|\bet\s+al\b"
)
# An arXiv abstract page or identifier, version dropped:
# "http://arxiv.org/abs/2101.00001v2" -> "2101.00001"; "oai:arXiv.org:hep-th/9901001v1".
_ARXIV_ID = regex.compile(
    r"arxiv\.org(?:/abs/|:)((?:\d{4}\.\d{4,5})|(?:[a-z-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?",
    regex.IGNORECASE,
)
# ISO 8601 date-parts at the start: "2015-05-27T10:00:00Z" -> 2015, 05, 27; "2024/03".
_ISO_DATE = regex.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?!\d)")
# An organisation, not a person: "The ENCODE Project Consortium", "R&D Team 2".
_ORGANISATION = regex.compile(
    r"\b(?:consortium|collaboration|group|team|network|association|society|institute|"
    r"university|committee|council|foundation|centre|center|organi[sz]ation|project)\b"
    r"|[&\d]",
    regex.IGNORECASE,
)
_PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "du",
        "la",
        "le",
        "ter",
        "ten",
        "zu",
        "al",
        "el",
        "bin",
        "ibn",
    }
)
_DOI_METADATA = ("prism:doi", "dc:identifier", "arxiv:doi")


def extract(item: FeedItem) -> Extraction:
    """Find every DOI and reference string in ``item`` and the works they name."""
    return _ItemExtractor(item).run()


@dataclasses.dataclass(slots=True)
class _Candidate:
    """A reference string found in a block, before it becomes a work."""

    text: str
    field: str
    label: str
    span: Span
    doi: str | None
    doi_as_printed: str | None


@dataclasses.dataclass(slots=True)
class _Field:
    """What one rendered text field holds."""

    name: str
    rendered: Rendered
    candidates: list[_Candidate] = dataclasses.field(default_factory=list)
    titles: list[str] = dataclasses.field(default_factory=list)
    block_dois: list[tuple[str, str, Span | None]] = dataclasses.field(default_factory=list)
    """(doi, as printed, span) of DOI blocks."""


class _ItemExtractor:
    """The state of one item's extraction."""

    def __init__(self, item: FeedItem) -> None:
        self.item = item
        self.works: dict[str, Reference] = {}

    def run(self) -> Extraction:
        fields = list(self._fields())
        candidates = _drop_truncated([c for f in fields for c in f.candidates])

        dois: dict[str, None] = {}
        other: list[Reference] = []
        for doi, printed, field, span in self._all_dois(fields):
            if doi not in dois:
                dois[doi] = None
                other.append(self._doi_only(doi, printed, field, span))

        declared = self._declared_work()
        if declared is not None:
            if declared.doi:
                dois = {declared.doi: None} | dois
            self._add(declared)

        blocks = [(f.name, block) for f in fields for block in f.block_dois]
        block_doi = blocks[0][1][0] if blocks else None
        title = next((title for f in fields for title in f.titles), None)
        if block_doi is not None:
            _lend_block_doi(candidates, blocks[0][1], title)
        for candidate in candidates:
            where = self._provenance(candidate.field, candidate.label, candidate.span)
            self._add(
                Reference(
                    raw=candidate.text,
                    doi=candidate.doi,
                    doi_as_printed=candidate.doi_as_printed,
                    provenance=(where,),
                )
            )
        for name, (doi, printed, span) in blocks:
            where = self._provenance(name, "DOI", span)
            self._add(Reference(doi=doi, doi_as_printed=printed, provenance=(where,)))
        for reference in other:
            if reference.identity not in self.works:
                self._add(reference)

        if title is not None:
            self._apply_title(title, block_doi, candidates)
        references = dict.fromkeys(c.text for c in candidates)
        return Extraction(
            dois=tuple(dois), references=tuple(references), works=tuple(self.works.values())
        )

    def _add(self, reference: Reference) -> None:
        key = reference.identity
        known = self.works.get(key)
        self.works[key] = reference if known is None else merge(known, reference)

    def _provenance(self, field: str, label: str | None, span: Span | None) -> Provenance:
        item = self.item
        return Provenance(
            source=item.source,
            item=item.index,
            guid=item.guid,
            link=item.link,
            field=field,
            label=label,
            span=span,
        )

    def _doi_only(self, doi: str, printed: str, field: str, span: Span | None) -> Reference:
        return Reference(
            doi=doi, doi_as_printed=printed, provenance=(self._provenance(field, None, span),)
        )

    # Texts and their blocks ---------------------------------------------------------------

    def _fields(self) -> Iterator[_Field]:
        seen: set[str] = set()
        for name, value in self.item.texts:
            if value in seen or not value.strip():
                continue
            seen.add(value)
            field = _Field(name, render(value))
            _read_blocks(field)
            yield field

    def _all_dois(self, fields: list[_Field]) -> Iterator[tuple[str, str, str, Span | None]]:
        """(doi, as printed, field, span) in order: metadata, links, then each text."""
        item = self.item
        for name, value in item.metadata:
            for match in _dois_in(value):
                yield match.doi, match.as_printed, name, None
        hrefs = [("link", href) for _, href in item.links]
        hrefs += [("link", item.link)] if item.link else []
        hrefs += [("guid", item.guid)] if item.guid else []
        for name, href in hrefs:
            printed = display_doi(href) if "10." in href else None
            if printed:
                yield printed.lower(), printed, name, None
        for f in fields:
            found: list[tuple[int, str, str, Span | None]] = [
                (m.start, m.doi, m.as_printed, Span(m.start, m.end))
                for m in _dois_in(f.rendered.text)
            ]
            for offset, url in f.rendered.links:
                printed = display_doi(url) if "10." in url else None
                if printed:
                    found.append((offset, printed.lower(), printed, None))
            found.sort(key=lambda entry: entry[0])
            for _, doi, printed, span in found:
                yield doi, printed, f.name, span

    # Works the item itself describes ------------------------------------------------------

    def _declared_work(self) -> Reference | None:
        """The work a ToC or arXiv item describes through its metadata, if any."""
        item = self.item
        printed = None
        field = ""
        for name in _DOI_METADATA:
            value = item.meta(name)
            printed = display_doi(value) if value else None
            if printed:
                field = name
                break
        is_arxiv = any(name.startswith("arxiv:") for name, _ in item.metadata)
        kind = WorkType.ARTICLE
        raw = None
        if printed is None:
            arxiv_id = self._arxiv_id()
            if arxiv_id is None:
                return None
            printed, field, kind = f"10.48550/arXiv.{arxiv_id}", "guid", WorkType.PREPRINT
        elif is_arxiv:
            # An arXiv entry with arxiv:doi names the published version: its journal_ref
            # ("Phys. Rev. D 76, 013009 (2007)") is left to the parser for journal/volume.
            raw = item.meta("arxiv:journal_ref")
        return Reference(
            doi=printed.lower(),
            doi_as_printed=printed,
            kind=kind,
            title=_plain(item.title or item.meta("dc:title")),
            authors=_people(item.authors),
            container_title=_container(item),
            issn=tuple(
                dict.fromkeys(v for k, v in item.metadata if k in ("prism:issn", "prism:eIssn"))
            ),
            publisher=item.meta("dc:publisher"),
            issued=_first_date(item.meta("prism:coverDate"), item.meta("dc:date"), item.published),
            volume=item.meta("prism:volume"),
            issue=item.meta("prism:number"),
            pages=_pages(item.meta("prism:startingPage"), item.meta("prism:endingPage")),
            url=item.link,
            raw=raw,
            provenance=(self._provenance(field, None, None),),
        )

    def _arxiv_id(self) -> str | None:
        item = self.item
        is_arxiv = any(name.startswith("arxiv:") for name, _ in item.metadata)
        for value in (item.guid, item.link):
            match = _ARXIV_ID.search(value) if value else None
            if match and (is_arxiv or "arxiv.org/abs/" in (value or "").lower()):
                return match.group(1)
        return None

    def _apply_title(self, title: str, block_doi: str | None, candidates: list[_Candidate]) -> None:
        target: str | None = None
        if block_doi is not None:
            target = block_doi
        elif len(candidates) == 1:
            target = _identity(candidates[0])
        else:
            folded = _fold(title)
            target = next((_identity(c) for c in candidates if folded in _fold(c.text)), None)
        if target is not None and target in self.works:
            self.works[target] = dataclasses.replace(self.works[target], title=title)


def _lend_block_doi(
    candidates: list[_Candidate], block: tuple[str, str, Span | None], title: str | None
) -> None:
    """Give the DOI block's DOI to the item's one reference when it was printed without one.

    "Article References: <one reference, no DOI>" then "DOI: 10.…" names one work, unless
    an Article Title says the reference is another work.
    """
    texts = {c.text for c in candidates}
    if len(texts) != 1 or any(c.doi for c in candidates):
        return
    if title is not None and _fold(title) not in _fold(candidates[0].text):
        return
    for candidate in candidates:
        candidate.doi, candidate.doi_as_printed = block[0], block[1]


def _identity(candidate: _Candidate) -> str:
    return Reference(raw=candidate.text, doi=candidate.doi).identity


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _dois_in(text: str) -> Iterable[DoiMatch]:
    return find_dois(text) if "10." in text else ()


# Blocks ------------------------------------------------------------------------------------


def _read_blocks(field: _Field) -> None:
    """Fill ``field`` with the reference strings, titles and DOIs of its labelled blocks."""
    text = field.rendered.text
    labels = list(_LABEL_LINE.finditer(text))
    last: _Candidate | None = None
    for index, match in enumerate(labels):
        label = " ".join(match.group("label").split())
        kind = LABELS[label.casefold()]
        start = match.end()
        next_label = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        paragraph_end = _find(text, "\n\n", start)
        if text[start : _find(text, "\n", start)].strip() or "\n" in text[start:paragraph_end]:
            end = min(paragraph_end, next_label)
        else:  # the label stands alone: its block is the following paragraphs
            end = min([next_label, *(rule for rule in field.rendered.rules if rule > start)])
        lines = list(_lines(text, start, end))
        if kind in (LabelKind.CITATION, LabelKind.GENERIC):
            for line_start, line_end in lines:
                candidate = _candidate(field, label, line_start, line_end)
                if kind is LabelKind.GENERIC and not _looks_like_citation(candidate):
                    continue
                if candidate.doi is None and len(candidate.text.split()) < 3:
                    continue
                field.candidates.append(candidate)
                last = candidate
        elif kind is LabelKind.TITLE and lines:
            title = _strip_period(" ".join(text[lines[0][0] : lines[0][1]].split()))
            if title:
                field.titles.append(title)
        elif kind is LabelKind.DOI:
            found = _block_doi(field.rendered, match.start(), start, end)
            if found is None:
                continue
            field.block_dois.append(found)
            # "Title. Journal (2024).<br>DOI: 10.…": the DOI line belongs to the reference.
            if last and last.doi is None and "\n\n" not in text[last.span.end : match.start()]:
                last.doi, last.doi_as_printed = found[0], found[1]


def _find(text: str, needle: str, start: int) -> int:
    found = text.find(needle, start)
    return len(text) if found < 0 else found


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The non-empty lines of ``text[start:end]``, stripped, up to a separator paragraph."""
    position = start
    while position < end:
        line_end = min(_find(text, "\n", position), end)
        line = text[position:line_end]
        stripped = line.strip()
        if stripped:
            if _SEPARATOR.fullmatch(stripped):
                return
            line_start = position + len(line) - len(line.lstrip())
            enumerator = _ENUMERATOR.match(text, line_start, line_end)
            if enumerator:
                line_start = enumerator.end()
            yield line_start, line_start + len(text[line_start:line_end].rstrip())
        position = line_end + 1


def _candidate(field: _Field, label: str, start: int, end: int) -> _Candidate:
    text = field.rendered.text[start:end]
    match = next(iter(_dois_in(text)), None)
    doi, printed = (match.doi, match.as_printed) if match else (None, None)
    if match is None:
        for offset, url in field.rendered.links:
            if start <= offset < end and (printed := display_doi(url) if "10." in url else None):
                doi = printed.lower()
                break
    return _Candidate(text, field.name, label, Span(start, end), doi, printed)


def _block_doi(
    rendered: Rendered, label_start: int, start: int, end: int
) -> tuple[str, str, Span | None] | None:
    match = next(iter(_dois_in(rendered.text[start:end])), None)
    if match is not None:
        return match.doi, match.as_printed, Span(start + match.start, start + match.end)
    for offset, url in rendered.links:
        if label_start <= offset < end and (printed := display_doi(url) if "10." in url else None):
            return printed.lower(), printed, None
    return None


def _looks_like_citation(candidate: _Candidate) -> bool:
    """A DOI, or a year with an author list or a sentence-like title: not "Source: NASA"."""
    if candidate.doi:
        return True
    text = candidate.text
    if not _YEAR.search(text):
        return False
    return bool(_AUTHORISH.search(text)) or (len(text.split()) >= 6 and ". " in text)


def _drop_truncated(candidates: list[_Candidate]) -> list[_Candidate]:
    """Drop DOI-less strings that are cut-short copies of another (a truncated excerpt)."""
    folded = [_fold(c.text) for c in candidates]
    kept = []
    for candidate, text in zip(candidates, folded, strict=True):
        stem = _TRUNCATION.sub("", text)
        if candidate.doi is None and any(
            other != text and len(other) > len(stem) and other.startswith(stem) for other in folded
        ):
            continue
        kept.append(candidate)
    return kept


def _strip_period(text: str) -> str:
    """Drop a sentence's final period, but not an abbreviation's ("in the U.S.")."""
    if text.endswith(".") and not text.endswith("..") and not _ABBREVIATION_END.search(text):
        return text[:-1].rstrip()
    return text


# Metadata ----------------------------------------------------------------------------------


def _plain(value: str | None) -> str | None:
    """A metadata value as text: markup removed, whitespace folded; None when empty."""
    if value is None:
        return None
    text: str = render(value).text if ("<" in value or "&" in value) else value
    return " ".join(text.split()) or None


def _container(item: FeedItem) -> str | None:
    name = item.meta("prism:publicationName")
    if name:
        return _plain(name)
    source = item.meta("dc:source")
    if source and "://" not in source and display_doi(source) is None:
        return _plain(source)
    return None


def _pages(first: str | None, last: str | None) -> str | None:
    if not first:
        return None
    return f"{first}-{last}" if last and last != first else first


def _first_date(*values: str | None) -> tuple[int, ...]:
    for value in values:
        parts = _date_parts(value) if value else ()
        if parts:
            return parts
    return ()


def _date_parts(value: str) -> tuple[int, ...]:
    """CSL date-parts from ISO 8601 ("2024-03-15T…") or RFC 822 ("Fri, 15 Mar 2024 …")."""
    value = value.strip()
    match = _ISO_DATE.match(value)
    if match:
        parts = tuple(int(part) for part in match.groups() if part)
    else:
        parsed = email.utils.parsedate(value)
        if parsed is None:
            year = _YEAR.search(value)
            return (int(year.group()),) if year else ()
        parts = (parsed[0], parsed[1], parsed[2])
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return parts[:1]
    if len(parts) > 2 and not 1 <= parts[2] <= 31:
        return parts[:2]
    return parts


def _people(names: Iterable[str]) -> tuple[Person, ...]:
    names = [name.strip() for name in names if name.strip()]
    if len(names) == 1:
        names = _split_name_list(names[0])
    return tuple(_person(name) for name in names)


def _split_name_list(value: str) -> list[str]:
    """One creator string may list several people: "A. Smith, B. Jones and C. Brown"."""
    parts = [p for p in regex.split(r"\s*;\s*|\s+(?:and|&)\s+", value) if p]
    pieces = [piece.strip() for part in parts for piece in part.split(",")]
    # Split on commas only when no piece is a lone word ("Smith, John" is one person).
    if len(pieces) > len(parts) and all(len(piece.split()) >= 2 for piece in pieces):
        return pieces
    return parts


def _person(name: str) -> Person:
    """A Person from "Family, Given" or "Given Family"; a literal when unsure."""
    name = " ".join(name.split())
    if _ORGANISATION.search(name):
        return Person(literal=name)
    if name.count(",") == 1:
        family, given = (part.strip() for part in name.split(","))
        if family and given:
            return Person(family=family, given=given)
    tokens = name.split()
    if len(tokens) < 2 or len(tokens) > 5 or "," in name:
        return Person(literal=name)
    first = len(tokens) - 1
    while first > 1 and tokens[first - 1].casefold() in _PARTICLES:
        first -= 1
    return Person(family=" ".join(tokens[first:]), given=" ".join(tokens[:first]))
