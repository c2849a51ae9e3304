"""EXTRACT: find the DOIs and reference strings in one feed item, and the works they name.

Each text field is rendered to plain text by `doi_extract._html.render` (its docstring
gives the rules; spans are offsets into that rendering). Then:

* Labelled blocks (``Article References:``, ``<h3>References</h3>``, ``Journal``, ``DOI:``
  …; the table is `LABELS`) give reference strings, and the DOI, title and journal of the
  article the item is about. A label is a line of its own or a line's start before ``:``,
  in any markup (``<strong>``, ``<h2>``, ``<dt>``) or plain text. A block ends at the next
  label, rule (``<hr>``), heading or separator paragraph (``* * *``). The rest of the
  label's paragraph gives one reference per line (or per numbered entry, its wrapped lines
  joined); later paragraphs (list items, ``[1] …`` lines) are taken while they look like
  citations, so a footer after a reference list is not. Page furniture (``© 2024 …``,
  "retrieved … from https://…") is never a reference.
* Every DOI anywhere (metadata, links, running text) is collected in `Extraction.dois`
  and becomes a work of its own if no reference string carries it.
* Items whose metadata declares a DOI (journal tables of contents, arXiv) describe that
  work themselves: title, authors, journal, volume… come from the metadata.

Only what is certain goes into a work: its DOI, title and metadata. The author, journal
and other fields of a reference string are left to `doi_extract.refparse`; the string is
in ``raw``.
"""

from __future__ import annotations

import bisect
import dataclasses
import email.utils
import itertools
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from operator import itemgetter
from types import MappingProxyType

import regex

from doi_extract._html import Rendered, render
from doi_extract.doi import (
    DoiMatch,
    arxiv_doi,
    display_doi,
    find_dois,
    find_unprinted_dois,
    is_arxiv_doi,
    link_doi,
    page_doi,
)
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
    """Reference strings, one per line, list item or paragraph."""
    GENERIC = "generic"
    """Reference strings only where a line looks like a citation (``Source:``)."""
    TITLE = "title"
    """The title of the article the item reports on."""
    JOURNAL = "journal"
    """The journal (container title) of the article the item reports on."""
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
        "reference list",
        "references and notes",
        "journal references",
        "journal reference",
        "citations",
        "citation",
        "original publications",
        "original publication",
        "original research",
        "bibliography",
        "works cited",
        "literature",
        "literature cited",
        "further reading",
        # German, French and Spanish press releases and news.
        "originalpublikation",
        "originalpublikationen",
        "originalveröffentlichung",
        "originalveröffentlichungen",
        "fachartikel",
        "literatur",
        "literaturhinweis",
        "literaturhinweise",
        "référence",
        "références",
        "publication originale",
        "bibliographie",
        "referencia",
        "referencias",
        "publicación original",
        "bibliografía",
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
        "quelle",
        "quellen",
        "publikation",
        "weitere informationen",
        "fuente",
        "fuentes",
    )
    | _kinds(LabelKind.TITLE, "article title", "paper title", "study title")
    | _kinds(LabelKind.JOURNAL, "journal", "journals", "journal information")
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
        "coi statement",
        "funding",
        "contacts",
        "contact",
        "media contacts",
        "media contact",
        "disclaimer",
        "tags",
        "web references",
        "web reference",
        "story source",
        "cite this page",
        "provided by",
        "wissenschaftliche ansprechpartner",
        "ansprechpartner",
        "kontakt",
        "pressekontakt",
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
_LABEL_FIRST_WORDS = frozenset(label.split()[0] for label in LABELS)
_ASCII_WORD = re.compile(r"[A-Za-z]+")
# A paragraph that only separates sections: "—", "* * *", "----".
_SEPARATOR = regex.compile(r"[-\u2013\u2014_*=~\u2022\u00b7 ]+")
# A list number before a reference: "1. ", "[12] ", "(3) ".
_ENUMERATOR = regex.compile(r"(?:\[\d{1,3}\]|\(\d{1,3}\)|\d{1,3}\.)\s+")
# A note on access before a reference: "Open access." (Neuroscience News), "Closed access.".
# Not "Open access publishing in …", which may be a title.
_ACCESS_NOTE = regex.compile(
    r"(?:open|closed|free|restricted)[ -]access(?:\.[ \t]*|[ \t]*$)", regex.IGNORECASE
)
_ACCESS_NOTE_STARTS = frozenset("OoCcFfRr")
# A line that is only a link to the work: "DOI 10.1038/nature14539", "https://doi.org/10.…".
_LINK_LINE = regex.compile(r"(?:doi:?\s*)?(?:https?://\S+|10\.\d{4,9}/\S+)", regex.IGNORECASE)
# Page furniture that has a year and full stops yet cites nothing:
# "© 2024 Example Lab. All rights reserved.", phys.org's "Citation: Title (2025, June 3)
# retrieved 4 June 2025 from https://phys.org/news/…".
_BOILERPLATE = regex.compile(
    r"^(?:\u00a9|\(c\)\s|copyright\b)|\ball rights reserved\b"
    r"|\bretrieved\b.{0,40}?\bfrom\s+(?:https?://|www\.)",
    regex.IGNORECASE,
)
_SENTENCE_END = ".,;:!?"
# A quoted title and its authors (SciTechDaily, Neuroscience News): "“Title” by Ann Lee".
_QUOTED_TITLE_BY = regex.compile(r"[\u201c\"][^\u201c\u201d\"]{3,}[\u201d\"][,.]?\s+by\s+\p{Lu}")
# A DOI somewhere in a line: "… 2015. doi:10.1038/nature14539".
_DOI_HINT = regex.compile(r"\b10\.\d{4,9}/")
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
# ISO 8601 date-parts at the start: "2015-05-27T10:00:00Z" -> 2015, 05, 27; "2024/03".
_ISO_DATE = regex.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?!\d)")
# A ScienceDirect article page, which Elsevier's feeds link instead of printing the DOI:
# "https://www.sciencedirect.com/science/article/pii/S0092867424001234?dgcid=rss_sd_all".
_SCIENCEDIRECT_PAGE = regex.compile(
    r"https?://(?:www\.)?sciencedirect\.com/science/article/(?:abs/)?pii/S[0-9X]{16}",
    regex.IGNORECASE,
)
# The lines of a ScienceDirect item's description: "Publication date: Available online 5
# March 2024", "Source: Cell, Volume 187, Issue 7", "Author(s): Ana Silva, Ben Okafor".
_PAGE_LINE = regex.compile(
    r"^(?P<name>Publication date|Source|Author\(s\)):[ \t]*(?P<value>.+)$", regex.MULTILINE
)
_SOURCE = regex.compile(
    r"(?P<journal>.+?)(?:,\s*Volume\s+(?P<volume>[^,]+))?(?:,\s*Issue\s+(?P<issue>[^,]+))?"
    r"(?:,\s*Pages?\s+(?P<pages>[^,]+))?(?:,.*)?$"
)
# A date in words: "5 March 2024", "March 2024", "1 Apr 2024".
_DATE_IN_WORDS = regex.compile(
    r"(?:\b(?P<day>\d{1,2})\s+)?\b(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"(?:uary|ruary|ch|il|e|y|ust|t|tember|ober|ember)?\.?\s+(?P<year>\d{4})\b",
    regex.IGNORECASE,
)
_TRACKING_PARAMETERS = frozenset({"dgcid", "rss", "af"})
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# A person's initials after the family name: "A.", "A. B.", "J.-P.", "AB".
_INITIALS = regex.compile(r"\p{Lu}\.?(?:\s?-?\p{Lu}\.?)*")
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
# DOIs of preprint servers: bioRxiv and medRxiv ("10.1101/2024.03.01.582000", older
# "10.1101/067890"; not Cold Spring Harbor's journals, "10.1101/gr.…"), arXiv, SSRN,
# Research Square, Preprints.org, ChemRxiv, and OSF's servers (PsyArXiv, SocArXiv…).
_PREPRINT_DOI = regex.compile(
    r"10\.(?:1101/(?:\d{4}\.\d{2}\.\d{2}\.\d{6,8}|\d{6})(?!\d)|48550/|2139/ssrn|21203/rs\.|20944/preprints"
    r"|26434/chemrxiv|(?:31219|3122[2-4]|3123[45]|31730)/)",
    regex.IGNORECASE,
)


def extract(item: FeedItem, *, provenance: bool = True) -> Extraction:
    """Find every DOI and reference string in ``item`` and the works they name.

    Without ``provenance`` the works say nothing of where they were found (for outputs
    that do not show it), which saves building the records that would.
    """
    return _ItemExtractor(item, provenance=provenance).run()


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
    journals: list[str] = dataclasses.field(default_factory=list)
    block_dois: list[tuple[str, str, Span | None]] = dataclasses.field(default_factory=list)
    """(doi, as printed, span) of DOI blocks."""


class _ItemExtractor:
    """The state of one item's extraction."""

    def __init__(self, item: FeedItem, *, provenance: bool) -> None:
        self.item = item
        self.provenance = provenance
        self.works: dict[str, Reference] = {}
        self.sightings: dict[str, list[Provenance]] = {}
        """Where each work was seen again after its first sighting."""

    def run(self) -> Extraction:
        fields = list(self._fields())
        candidates = _drop_truncated([c for f in fields for c in f.candidates])

        dois: dict[str, None] = {}
        other: list[Reference] = []
        for doi, printed, field, span in self._all_dois(fields):
            if doi not in dois:
                dois[doi] = None
                other.append(self._doi_only(doi, printed, field, span))

        declared = self._declared_work(fields, cites=bool(candidates))
        if declared is not None:
            if declared.doi:
                dois = {declared.doi: None} | dois
            self._add(declared)

        blocks = [(f.name, block) for f in fields for block in f.block_dois]
        block_doi = blocks[0][1][0] if blocks else None
        title = next((title for f in fields for title in f.titles), None)
        journal = next((journal for f in fields for journal in f.journals), None)
        if block_doi is not None:
            _lend_block_doi(candidates, blocks[0][1], title)
        for candidate in candidates:
            self._add(
                Reference(
                    raw=candidate.text,
                    doi=candidate.doi,
                    doi_as_printed=candidate.doi_as_printed,
                    provenance=self._provenance(candidate.field, candidate.label, candidate.span),
                )
            )
        for name, (doi, printed, span) in blocks:
            self._add(
                Reference(
                    doi=doi, doi_as_printed=printed, provenance=self._provenance(name, "DOI", span)
                )
            )
        for reference in other:
            if reference.identity not in self.works:
                self._add(reference)

        if title is not None or journal is not None:
            self._apply_described(title, journal, block_doi, candidates)
        references = dict.fromkeys(c.text for c in candidates)
        return Extraction(dois=tuple(dois), references=tuple(references), works=self._works())

    def _add(self, reference: Reference) -> None:
        key = reference.identity
        known = self.works.get(key)
        if known is None:
            self.works[key] = reference
            return
        # Its provenance waits apart, to be joined once in _works: joined here, the growing
        # tuple would be copied and searched at each sighting of a work cited many times.
        if reference.provenance:
            self.sightings.setdefault(key, []).extend(reference.provenance)
            reference = dataclasses.replace(reference, provenance=())
        self.works[key] = merge(known, reference)

    def _works(self) -> tuple[Reference, ...]:
        """The works found, each with the provenance of all its sightings (no repeats)."""
        return tuple(
            dataclasses.replace(
                work, provenance=tuple(dict.fromkeys((*work.provenance, *self.sightings[key])))
            )
            if key in self.sightings
            else work
            for key, work in self.works.items()
        )

    def _provenance(
        self, field: str, label: str | None, span: Span | None
    ) -> tuple[Provenance, ...]:
        if not self.provenance:
            return ()
        item = self.item
        where = Provenance(
            source=item.source,
            item=item.index,
            guid=item.guid,
            link=item.link,
            field=field,
            label=label,
            span=span,
        )
        return (where,)

    def _doi_only(self, doi: str, printed: str, field: str, span: Span | None) -> Reference:
        return Reference(
            doi=doi, doi_as_printed=printed, provenance=self._provenance(field, None, span)
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
        """(doi, as printed, field, span) in order: metadata, links, then each text.

        An arXiv identifier counts as its arXiv DOI where it is linked (arxiv.org/abs/…) or
        printed in a reference string (``arXiv:1706.03762``), except in a reference string
        that prints a DOI of its own: that names the published version of the same work.
        (Running text is not searched for printed identifiers: they are rare there, and
        searching every text cost more than all of it found.)
        """
        item = self.item
        for name, value in item.metadata:
            for match in _dois_in(value):
                yield match.doi, match.as_printed, name, None
        for linked in self._linked_dois():
            yield linked.lower(), linked, "link", None
        for name, own in (("link", item.link), ("guid", item.guid)):
            own_doi = display_doi(own) if own and "10." in own else None
            if own_doi:
                yield own_doi.lower(), own_doi, name, None
        for f in fields:
            found: list[tuple[int, str, str, Span | None]] = [
                (m.start, m.doi, m.as_printed, Span(m.start, m.end))
                for m in [*_dois_in(f.rendered.text), *_identifiers_in_references(f)]
            ]
            for offset, url in f.rendered.links:
                url_doi = link_doi(url)
                if url_doi:
                    found.append((offset, url_doi.lower(), url_doi, None))
            if any(is_arxiv_doi(entry[1]) for entry in found):
                published = [c.span for c in f.candidates if c.doi and not is_arxiv_doi(c.doi)]
                found = [
                    (offset, doi, printed, span)
                    for offset, doi, printed, span in found
                    if not (is_arxiv_doi(doi) and any(s.start <= offset < s.end for s in published))
                ]
            found.sort(key=lambda entry: entry[0])
            for _, doi, printed, span in found:
                yield doi, printed, f.name, span

    def _linked_dois(self) -> list[str]:
        """The DOIs the item's link elements name, as printed: not an arXiv entry's own
        abstract page and PDF, which are the entry itself."""
        item = self.item
        linked = [printed for _, href in item.links if (printed := link_doi(href))]
        if any(map(is_arxiv_doi, linked)):
            own = {arxiv_doi(value) for value in (item.guid, item.link) if value}
            linked = [printed for printed in linked if printed not in own]
        return linked

    # Works the item itself describes ------------------------------------------------------

    def _declared_work(self, fields: list[_Field], *, cites: bool) -> Reference | None:
        """The work a ToC, preprint or arXiv item describes, if any.

        Its DOI is in the item's metadata (``prism:doi``…), or, in an item that ``cites``
        no reference string, the item's own id or link is the work's DOI or publisher page
        (``info:doi/10.…``, ``link.springer.com/10.…``). An item with a reference block is
        a story about the works it cites, whatever its link. A ScienceDirect item names no
        DOI: it describes a work without one.
        """
        item = self.item
        printed, field = self._declared_doi(own_ids=not cites)
        is_arxiv = any(name.startswith("arxiv:") for name, _ in item.metadata)
        kind = WorkType.ARTICLE
        raw = None
        if printed is None:
            printed = self._arxiv_entry_doi()
            if printed is None:
                return None if cites else self._sciencedirect_work(fields)
            field, kind = "guid", WorkType.PREPRINT
        elif _PREPRINT_DOI.match(printed):
            kind = WorkType.PREPRINT
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
            url=_without_tracking(item.link),
            raw=raw,
            provenance=self._provenance(field, None, None),
        )

    def _declared_doi(self, *, own_ids: bool) -> tuple[str | None, str]:
        """The DOI the item describes, as printed, and the field that gives it: metadata,
        else (with ``own_ids``) the item's guid or link."""
        item = self.item
        # Every value: PubMed's first dc:identifier is "pmid:…", its second "doi:10.…".
        named = (
            (name, value) for name in _DOI_METADATA for key, value in item.metadata if key == name
        )
        own = (("guid", item.guid), ("link", item.link)) if own_ids else ()
        for name, value in itertools.chain(named, own):
            printed = display_doi(value) if value and "10." in value else None
            if printed:
                return printed, name
        return None, ""

    def _sciencedirect_work(self, fields: list[_Field]) -> Reference | None:
        """The article a ScienceDirect item links to, from the lines of its description."""
        item = self.item
        page = _SCIENCEDIRECT_PAGE.match(item.link or "")
        if page is None:
            return None
        lines = {
            match.group("name"): match.group("value").strip()
            for field in fields
            for match in _PAGE_LINE.finditer(field.rendered.text)
        }
        source = _SOURCE.match(lines.get("Source", ""))
        journal, volume, issue, pages = (
            source.group("journal", "volume", "issue", "pages") if source else (None,) * 4
        )
        return Reference(
            kind=WorkType.ARTICLE,
            title=_plain(item.title),
            authors=_people([lines.get("Author(s)", "")]),
            container_title=journal,
            issued=_first_date(lines.get("Publication date"), item.published),
            volume=volume,
            issue=issue,
            pages=pages,
            url=page.group(),
            provenance=self._provenance("link", None, None),
        )

    def _arxiv_entry_doi(self) -> str | None:
        """The arXiv DOI of an arXiv entry: its guid or link is the paper's abstract page."""
        item = self.item
        is_arxiv = any(name.startswith("arxiv:") for name, _ in item.metadata)
        for value in (item.guid, item.link):
            if value and (is_arxiv or "arxiv.org/abs/" in value.lower()):
                printed = arxiv_doi(value)
                if printed:
                    return printed
        return None

    def _apply_described(
        self,
        title: str | None,
        journal: str | None,
        block_doi: str | None,
        candidates: list[_Candidate],
    ) -> None:
        """Give the Article Title and Journal blocks to the work the item reports on.

        That work is the DOI block's, else the item's one reference, else the reference
        that contains the title.
        """
        target = block_doi
        if target is None:
            identities = dict.fromkeys(_identity(c) for c in candidates)
            if len(identities) == 1:
                target = next(iter(identities))
            elif title is not None:
                folded = _fold(title)
                target = next((_identity(c) for c in candidates if folded in _fold(c.text)), None)
        known = self.works.get(target) if target is not None else None
        if known is None:
            return
        self.works[known.identity] = dataclasses.replace(
            known,
            title=title or known.title,
            container_title=journal or known.container_title,
        )


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


def _identifiers_in_references(field: _Field) -> Iterator[DoiMatch]:
    """The DOIs named by the arXiv identifiers and publisher page addresses printed in the
    field's reference strings, with their spans in the field."""
    text = field.rendered.text
    for candidate in field.candidates:
        start, end = candidate.span.start, candidate.span.end
        for match in find_unprinted_dois(text[start:end]):
            yield dataclasses.replace(match, start=match.start + start, end=match.end + start)


def _first(values: Iterable[str | None]) -> str | None:
    return next(filter(None, values), None)


# Blocks ------------------------------------------------------------------------------------


def _read_blocks(field: _Field) -> None:
    """Fill ``field`` with the reference strings, titles, journals and DOIs of its blocks.

    A block runs from its label to the next label, rule or heading. Its text on the label's
    own paragraph is read line by line; the paragraphs after it (a label alone on its line,
    a list under a heading) are taken while they look like citations.
    """
    rendered = field.rendered
    text = rendered.text
    labels = list(_label_lines(text))
    if not labels:
        return
    stops = sorted((*rendered.rules, *rendered.headings))
    last: _Candidate | None = None
    last_kind = LabelKind.CITATION
    for index, match in enumerate(labels):
        label = " ".join(match.group("label").split())
        kind = LABELS[label.casefold()]
        if kind is LabelKind.OTHER:
            continue
        start = match.end()
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        stop = bisect.bisect_right(stops, start)
        if stop < len(stops):
            end = min(end, stops[stop])
        if kind is LabelKind.CITATION or kind is LabelKind.GENERIC:
            last = _take_citations(field, label, kind, start, end) or last
            last_kind = kind
        elif kind is LabelKind.DOI:
            paragraph_end = next((e for s, e in _paragraphs(text, start, end) if e > s), end)
            found = _block_doi(rendered, match.start(), start, paragraph_end)
            if found is None:
                continue
            field.block_dois.append(found)
            # "Title. Journal (2024).<br>DOI: 10.…": the DOI line belongs to the reference,
            # and the references may go on after it ("<br>Title 2…<br>DOI: 10.…").
            if last and last.doi is None and "\n\n" not in text[last.span.end : match.start()]:
                last.doi, last.doi_as_printed = found[0], found[1]
                line_end = _find(text, "\n", start, end)
                last = _take_citations(field, last.label, last_kind, line_end, end) or last
        else:
            line = next(_lines(text, start, end), None)
            value = _strip_period(" ".join(text[line[0] : line[1]].split())) if line else ""
            if value:
                (field.titles if kind is LabelKind.TITLE else field.journals).append(value)


def _take_citations(
    field: _Field, label: str, kind: LabelKind, start: int, end: int
) -> _Candidate | None:
    """Add the reference strings of the block ``text[start:end]`` to ``field``; the last."""
    last = None
    for candidate in _citations(field, label, kind, start, end):
        field.candidates.append(candidate)
        last = candidate
    return last


def _label_lines(text: str) -> Iterator[re.Match[str]]:
    """What ``_LABEL_LINE.finditer(text)`` finds, ten times faster on prose.

    Only line starts are tried, and only those whose first word could begin a label:
    its ASCII letters are the first word of one, or a non-ASCII letter follows them
    (case-insensitive matching takes "\u017f" for "s").
    """
    position = 0
    while position >= 0:
        word = _ASCII_WORD.match(text, position)
        end = word.end() if word else position
        if (word and word.group().lower() in _LABEL_FIRST_WORDS) or (
            end < len(text) and not text[end].isascii()
        ):
            match = _LABEL_LINE.match(text, position)
            if match:
                yield match
        position = text.find("\n", position)
        if position >= 0:
            position += 1


def _citations(
    field: _Field, label: str, kind: LabelKind, start: int, end: int
) -> Iterator[_Candidate]:
    """The reference strings of one citation block, ``text[start:end]`` after its label."""
    text = field.rendered.text
    for number, (paragraph_start, paragraph_end) in enumerate(_paragraphs(text, start, end)):
        own = number == 0
        entries, separator = _entries(text, paragraph_start, paragraph_end)
        taken = False
        for entry_start, entry_end, entry_text in entries:
            candidate = _candidate(field, label, entry_start, entry_end, entry_text)
            # Beyond the label's paragraph a linked DOI is not enough ("Link: paper").
            evidence = candidate.doi is not None and (own or "10." in candidate.text)
            if _BOILERPLATE.search(candidate.text) or (
                (kind is LabelKind.GENERIC or not own)
                and not _looks_like_citation(candidate.text, evidence)
            ):
                if own:
                    continue
                return
            if candidate.doi is None and len(candidate.text.split()) < 3:
                continue
            taken = True
            yield candidate
        if separator or (own and entries and not taken):
            return


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each paragraph of ``text[start:end]`` (split at blank lines)."""
    position = start
    while position < end:
        paragraph_end = _find(text, "\n\n", position, end)
        yield position, paragraph_end
        position = paragraph_end + 2


def _find(text: str, needle: str, start: int, end: int) -> int:
    """Where ``needle`` starts in ``text[start:end]`` (it may run past ``end``), else ``end``.

    The search stops at ``end``: run to the end of the text, it made reading a long list
    of short blocks quadratic.
    """
    found = text.find(needle, start, end + len(needle) - 1)
    return end if found < 0 else found


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    """``(start, end, numbered)`` of the non-empty lines of ``text[start:end]``, stripped.

    A list number (``1.``, ``[1]``, ``(1)``) is left out of the line, and ``numbered`` says
    there was one. So is a note on access (``Open access.``); a line of nothing else is
    skipped.
    """
    position = start
    while position < end:
        line_end = _find(text, "\n", position, end)
        line = text[position:line_end]
        if line and not line.isspace():
            line_start = position + len(line) - len(line.lstrip())
            enumerator = _ENUMERATOR.match(text, line_start, line_end)
            if enumerator:
                line_start = enumerator.end()
            if line_start < line_end and text[line_start] in _ACCESS_NOTE_STARTS:
                note = _ACCESS_NOTE.match(text, line_start, line_end)
                line_start = note.end() if note else line_start
            stripped_end = line_start + len(text[line_start:line_end].rstrip())
            if stripped_end > line_start:
                yield line_start, stripped_end, bool(enumerator)
        position = line_end + 1


def _entries(text: str, start: int, end: int) -> tuple[list[tuple[int, int, str]], bool]:
    """The references of one paragraph as ``(start, end, text)``, and whether a separator ended it.

    Each line is a reference, except lines that continue the one before: the wrapped lines
    of a numbered entry, a bare DOI or URL line, and the lines of a reference printed one
    field per line (authors / title / "Nature 521, 436-444 (2015)"), which runs until a line
    with a year. Continued lines are joined with a space, or with ". " where a field's line
    ends without punctuation.
    """
    entries: list[_Entry] = []
    numbered = False
    separated = False
    for line_start, line_end, enumerated in _lines(text, start, end):
        line = text[line_start:line_end]
        if _SEPARATOR.fullmatch(line):
            separated = True
            break
        if entries and not enumerated:
            last = entries[-1]
            link = _LINK_LINE.fullmatch(line) is not None
            fields = not numbered and last.unfinished and not _complete(line)
            if numbered or link or fields:
                last.join(line, line_end, plain=numbered or link or line[0].islower())
                continue
        entries.append(_Entry(line_start, line_end, [line], _incomplete(line)))
        numbered = enumerated
    return [(entry.start, entry.end, "".join(entry.pieces)) for entry in entries], separated


@dataclasses.dataclass(slots=True)
class _Entry:
    """A reference being read line by line, its text kept in pieces until it is whole."""

    start: int
    end: int
    pieces: list[str]
    unfinished: bool
    """`_incomplete` of the text so far: no year and no link yet."""

    def join(self, line: str, end: int, *, plain: bool) -> None:
        """Continue with ``line``, after a space, or after ". " where a field's line ends
        without punctuation (unless ``plain``)."""
        before = self.pieces[-1]
        separator = " " if plain or before[-1] in _SENTENCE_END else ". "
        # Only the line is new to the text, and the "10." that ". " makes after a "10".
        self.unfinished = (
            self.unfinished
            and _incomplete(line)
            and not (separator == ". " and before.endswith("10"))
        )
        self.pieces += (separator, line)
        self.end = end


def _incomplete(text: str) -> bool:
    """No year and no link yet: the first lines of a reference printed one field per line."""
    return _YEAR.search(text) is None and "10." not in text and "://" not in text


def _complete(line: str) -> bool:
    """A line that is a reference by itself: a year with an author list, or a DOI."""
    return ("10." in line and _DOI_HINT.search(line) is not None) or (
        _YEAR.search(line) is not None and _AUTHORISH.search(line) is not None
    )


def _candidate(field: _Field, label: str, start: int, end: int, text: str) -> _Candidate:
    """A reference string and its DOI: printed in it, else in a link from it, else named by a
    publisher page or an arXiv identifier, linked or printed."""
    match = next(iter(_dois_in(text)), None)
    printed = match.as_printed if match else None
    if printed is None:
        links = _links_within(field.rendered, start, end)
        printed = (
            _first(display_doi(url) for url in links if "10." in url)
            or _first(map(page_doi, links))
            or page_doi(text)
            or arxiv_doi(text)
            or _first(map(arxiv_doi, links))
        )
    doi = printed.lower() if printed else None
    return _Candidate(text, field.name, label, Span(start, end), doi, printed)


def _links_within(rendered: Rendered, start: int, end: int) -> list[str]:
    """The URLs of the links whose elements sit in ``text[start:end]``, in order."""
    links = rendered.links
    first = bisect.bisect_left(links, start, key=itemgetter(0))
    last = bisect.bisect_left(links, end, lo=first, key=itemgetter(0))
    return [url for _, url in links[first:last]]


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


def _looks_like_citation(text: str, has_doi: bool) -> bool:
    """A DOI, or a year with an author list or a sentence-like title, or a quoted title by
    someone: not "Source: NASA"."""
    if has_doi or _QUOTED_TITLE_BY.match(text):
        return True
    if not _YEAR.search(text):
        return False
    return bool(_AUTHORISH.search(text)) or (len(text.split()) >= 6 and ". " in text)


def _drop_truncated(candidates: list[_Candidate]) -> list[_Candidate]:
    """Drop DOI-less strings that are cut-short copies of another (a truncated excerpt)."""
    if len(candidates) < 2:
        return candidates
    folded = [_fold(c.text) for c in candidates]
    texts = sorted(set(folded))
    kept = []
    for candidate, text in zip(candidates, folded, strict=True):
        if candidate.doi is None and _has_longer_copy(texts, _TRUNCATION.sub("", text), text):
            continue
        kept.append(candidate)
    return kept


def _has_longer_copy(texts: list[str], stem: str, text: str) -> bool:
    """Whether a text in ``texts`` (sorted, no repeats) other than ``text`` starts with
    ``stem`` and is longer than it.

    The texts starting with ``stem`` follow one another from where it would be inserted;
    among them only ``stem`` itself and ``text`` do not count, so at most three are read.
    """
    index = bisect.bisect_left(texts, stem)
    while index < len(texts) and texts[index].startswith(stem):
        other = texts[index]
        if other != text and len(other) > len(stem):
            return True
        index += 1
    return False


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


def _without_tracking(url: str | None) -> str | None:
    """``url`` without the parameters feeds add to count clicks (``?utm_source=rss``,
    ``dgcid=rss_sd_all``, ``rss=1``); the others are kept as they are written."""
    if url is None or "?" not in url:
        return url
    head, _, query = url.partition("?")
    query, hash_mark, fragment = query.partition("#")
    kept = [
        pair
        for pair in query.split("&")
        if not pair.startswith("utm_") and pair.partition("=")[0] not in _TRACKING_PARAMETERS
    ]
    return head + ("?" + "&".join(kept) if any(kept) else "") + hash_mark + fragment


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
    """CSL date-parts from ISO 8601 ("2024-03-15T…"), RFC 822 ("Fri, 15 Mar 2024 …") or
    words ("Available online 15 March 2024")."""
    value = value.strip()
    match = _ISO_DATE.match(value)
    if match:
        parts = tuple(int(part) for part in match.groups() if part)
    else:
        parsed = email.utils.parsedate(value)
        parts = _date_in_words(value) if parsed is None else (parsed[0], parsed[1], parsed[2])
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return parts[:1]
    if len(parts) > 2 and not 1 <= parts[2] <= 31:
        return parts[:2]
    return parts


def _date_in_words(value: str) -> tuple[int, ...]:
    """Date-parts from "Available online 5 March 2024" or "March 2024", else the year."""
    match = _DATE_IN_WORDS.search(value)
    if match is None:
        year = _YEAR.search(value)
        return (int(year.group()),) if year else ()
    month = _MONTHS.index(match.group("month").lower()) + 1
    day = int(match.group("day")) if match.group("day") else None
    return (int(match.group("year")), month, day) if day else (int(match.group("year")), month)


def _people(names: Iterable[str]) -> tuple[Person, ...]:
    names = [name.strip() for name in names if name.strip()]
    if len(names) == 1:
        names = _split_name_list(names[0])
    return tuple(_person(name) for name in names)


def _split_name_list(value: str) -> list[str]:
    """One creator string may list several people: "A. Smith, B. Jones and C. Brown",
    or bioRxiv's "Smith, A., Jones, B. C."."""
    parts = [p for p in regex.split(r"\s*;\s*|\s+(?:and|&)\s+", value) if p]
    pieces = [piece.strip() for part in parts for piece in part.split(",")]
    # Split on commas only when no piece is a lone word ("Smith, John" is one person).
    if len(pieces) > len(parts) and all(len(piece.split()) >= 2 for piece in pieces):
        return pieces
    families, initials = pieces[0::2], pieces[1::2]
    if (
        len(pieces) > 2
        and len(families) == len(initials)
        and all(map(_INITIALS.fullmatch, initials))
    ):
        return [f"{family}, {given}" for family, given in zip(families, initials, strict=True)]
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
