r"""BibTeX and biblatex writers, built on bibtexparser 2.

Entries come in citation-key order with one blank line between them. Entry types come
from `BIBTEX_TYPES` / `BIBLATEX_TYPES` (types plain.bst, biber and pandoc all know);
the container title goes in the field `CONTAINER_FIELDS` names for the entry type
(``journal``, ``booktitle``, ``series``, ``howpublished`` or ``organization``; a thesis
has none, so its container title is not written), the publisher in the field
`PUBLISHER_FIELDS` names. Field values are derived as in `csljson`.

Fields, in order: ``author`` (``Family, Given and ...``; organisations and other
literal names in braces; ``and others`` when the list was cut short), ``title``, the
container, ``year`` and ``month`` (a bare ``jan``-style macro, which bibtex, biber and
pandoc all read), ``volume``, ``number`` (the issue), ``pages`` (``123--130``; the
article number when there are no pages, because pandoc and Zotero drop ``eid``),
``eid`` (the article number when there are pages too), the publisher, ``issn`` (all of
them, comma-separated), ``doi`` (bare, as printed), ``url`` (the record's, else
``https://doi.org/<DOI>``) and ``note`` (the reference string, only when there is no
title).

The biblatex flavour writes ``journaltitle`` for ``journal``, ``institution`` for
``school``, ``date`` (``YYYY[-MM[-DD]]``) for ``year`` and ``month``, and only the first
ISSN (biber validates ``issn`` as one ISSN). biber's data-model check still notes what
a record lacks (an ``editor`` for a chapter, a year) and ``publisher`` on ``@article``
and ``@misc``, which biblatex styles ignore but pandoc reads.

Escaping, chosen so that bibtex + pdflatex, biber, pandoc and bibtexparser all read the
text back as written:

- ``& % $ # _`` become ``\&`` etc.; ``\`` ``~`` ``^`` become ``\textbackslash{}``,
  ``\textasciitilde{}`` and ``\textasciicircum{}`` (a raw ``~`` is a non-breaking space).
- A ``{`` or ``}`` with a partner in the same value becomes ``\{`` / ``\}``. BibTeX
  counts braces even after a backslash, so an unpaired one would break the file; it
  becomes ``\textbraceleft{}`` / ``\textbraceright{}`` instead, which LaTeX typesets but
  pandoc and bibtexparser's decoder drop.
- In ``title``, ``booktitle`` and ``series`` -- the fields bibtex styles and pandoc
  re-case -- a word is wrapped in braces when it has a capital anywhere but at the start
  of the value, or mixes letters and digits: ``{C/EBPγ}``, ``{HER2}``, ``{DNA}``,
  ``{South} {China}``. The text keeps the case the feed printed.
- DOIs and URLs are written bare: bibtex styles and biblatex print them verbatim.
  Braces, backslashes and spaces, which would break the value, are percent-encoded in
  URLs; a DOI holding a brace or backslash (never a valid one) is escaped as text.
  With ``ascii=True``, non-ASCII characters in a URL are percent-encoded (UTF-8) and a
  DOI holding one is escaped as text.
- pandoc's BibTeX reader still capitalises the first word of a title and of each
  subtitle (after ``: ``), as CSL's sentence case wants.
- Unicode is kept as UTF-8 by default (bibtex 0.99 copies it through, biber and
  pandoc read it, pdflatex typesets Latin scripts). With ``ascii=True`` every non-ASCII
  character is LaTeX-encoded with pylatexenc (``ü`` -> ``{\"u}``, ``γ`` ->
  ``{\ensuremath{\gamma}}``); a character with no LaTeX form (CJK, Hebrew...) becomes
  ``⟨U+XXXX⟩`` in typewriter type. pandoc keeps math such as ``\ensuremath{\gamma}``
  as literal TeX, so the ASCII form is for LaTeX users.
"""  # noqa: RUF002

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TextIO
from urllib.parse import quote

import regex
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat
from pylatexenc.latexencode import UnicodeToLatexEncoder  # type: ignore[import-untyped]

from doi_extract.keys import keyed
from doi_extract.model import Person, Reference, WorkType
from doi_extract.writers.csljson import (
    clean,
    date_parts,
    doi_of,
    extra_number,
    issn_of,
    page_range,
    url_of,
)

BIBTEX_TYPES = MappingProxyType(
    {
        WorkType.ARTICLE: "article",
        WorkType.PREPRINT: "misc",
        WorkType.BOOK: "book",
        WorkType.CHAPTER: "incollection",
        WorkType.PAPER_CONFERENCE: "inproceedings",
        WorkType.DATASET: "misc",
        WorkType.REPORT: "techreport",
        WorkType.THESIS: "phdthesis",
        WorkType.WEBPAGE: "misc",
        WorkType.UNKNOWN: "misc",
    }
)
"""Our work type -> BibTeX entry type (the types plain.bst and pandoc know)."""

BIBLATEX_TYPES = MappingProxyType(
    {
        WorkType.ARTICLE: "article",
        WorkType.PREPRINT: "online",
        WorkType.BOOK: "book",
        WorkType.CHAPTER: "incollection",
        WorkType.PAPER_CONFERENCE: "inproceedings",
        WorkType.DATASET: "dataset",
        WorkType.REPORT: "techreport",
        WorkType.THESIS: "phdthesis",
        WorkType.WEBPAGE: "online",
        WorkType.UNKNOWN: "misc",
    }
)
"""Our work type -> biblatex entry type."""

CONTAINER_FIELDS: Mapping[str, str | None] = MappingProxyType(
    {
        "article": "journal",
        "incollection": "booktitle",
        "inproceedings": "booktitle",
        "book": "series",
        "techreport": "series",
        "phdthesis": None,
        "misc": "howpublished",
        "online": "organization",
        "dataset": "organization",
    }
)
"""Entry type -> the field for the container title (None: the type has no such field)."""

PUBLISHER_FIELDS = MappingProxyType(
    {
        "article": "publisher",
        "incollection": "publisher",
        "inproceedings": "publisher",
        "book": "publisher",
        "techreport": "institution",
        "phdthesis": "school",
        "misc": "publisher",
        "online": "publisher",
        "dataset": "publisher",
    }
)
"""Entry type -> the field for the publisher."""

_BIBLATEX_NAMES = MappingProxyType({"journal": "journaltitle", "school": "institution"})
# Already in BibTeX form: names, dates, DOIs and URLs are not escaped as text.
_PREFORMED = frozenset({"author", "year", "date", "doi", "url"})
_RECASED = frozenset({"title", "booktitle", "series"})
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SPECIALS = MappingProxyType(
    {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)
# Text without any of these needs no escaping: "Nature 521", not "R&D" or "50%".
_LATEX_SPECIAL = re.compile(r"[\\&%$#_~^{}]")
_PAIRED = MappingProxyType({"{": r"\{", "}": r"\}"})
_UNPAIRED = MappingProxyType({"{": r"\textbraceleft{}", "}": r"\textbraceright{}"})
_ASCII_PRINTABLE = "".join(map(chr, range(0x21, 0x7F)))
_URL_UNSAFE = str.maketrans({"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"})
# A name part that BibTeX would split: "Smith, Jr" or "Bill and Melinda Gates".
_SPLITS_NAME = regex.compile(r",|(?i:(?<!\S)and(?!\S))")
# What bibtexparser 2.0's name splitter gets wrong unless the part is in braces: a word
# starting with a macro ("\textbackslash{}x" after " and " becomes "extbackslash{}x";
# "J. \& K. and X" loses "\&"), "and" before one ("and\%" ends the name there) and
# escaped braces ("@\{ \} and X" loses "\}").
_MISSPLIT = regex.compile(r"(?<!\S)\\|(?i:(?<!\S)and\\)|\\[{}]")
_LATEX_ENCODER = UnicodeToLatexEncoder(
    non_ascii_only=True,
    replacement_latex_protection="braces-all",
    unknown_char_policy="unihex",
    unknown_char_warning=False,
)


ENTRIES_PER_BATCH = 1000


class BibtexWriter:
    """Writes BibTeX entries in citation-key order."""

    name: str = "bibtex"
    extensions: tuple[str, ...] = (".bib",)
    uses_provenance: bool = False
    biblatex: bool = False

    def __init__(self, *, ascii: bool = False) -> None:
        """Set up the writer; ``ascii`` LaTeX-encodes every non-ASCII character."""
        self.ascii = ascii

    def write(self, works: Sequence[Reference], out: TextIO) -> None:
        """Write ``works`` to ``out`` as a .bib file."""
        pairs = keyed(works)
        # A batch at a time, so memory holds one batch of entries, not the whole file.
        for start in range(0, len(pairs), ENTRIES_PER_BATCH):
            if start:
                out.write("\n")
            library = Library()
            library.add(
                [self.entry(key, work) for key, work in pairs[start : start + ENTRIES_PER_BATCH]]
            )
            # Every value is written in braces already: no middleware has anything to do.
            out.write(write_string(library, unparse_stack=[], bibtex_format=_bibtex_format()))

    def entry(self, key: str, work: Reference) -> Entry:
        """The bibtexparser entry for one work, every value in BibTeX form."""
        entry_type = (BIBLATEX_TYPES if self.biblatex else BIBTEX_TYPES)[work.kind]
        pages = page_range(work)
        values: list[tuple[str, str | None]] = [
            ("author", self._authors(work)),
            ("title", clean(work.title)),
            (CONTAINER_FIELDS[entry_type] or "", clean(work.container_title)),
            *self._date(work.issued),
            ("volume", clean(work.volume)),
            ("number", clean(work.issue)),
            ("pages", "--".join(part for part in pages if part) if pages else None),
            ("eid", extra_number(work)),
            (PUBLISHER_FIELDS[entry_type], clean(work.publisher)),
            ("issn", self._issn(work)),
            ("doi", _verbatim(doi_of(work))),
            ("url", (url_of(work) or "").translate(_URL_UNSAFE)),
            ("note", None if clean(work.title) else clean(work.raw)),
        ]
        fields = [self._field(name, value) for name, value in values if name and value]
        return Entry(entry_type, key, fields)

    def _issn(self, work: Reference) -> str | None:
        if self.biblatex:
            # biber validates the field as one ISSN.
            return next((issn for issn in map(clean, work.issn) if issn), None)
        return issn_of(work)

    def _field(self, name: str, value: str) -> Field:
        if self.biblatex:
            name = _BIBLATEX_NAMES.get(name, name)
        if name == "month":
            return Field(name, value)  # a macro: jan, feb...
        if name in _PREFORMED:
            if self.ascii and not value.isascii():
                # An IRI becomes a URI; a DOI is escaped as text, as _verbatim does.
                value = quote(value, safe=_ASCII_PRINTABLE) if name == "url" else self._latex(value)
            return Field(name, "{" + value + "}")
        return Field(name, "{" + self._latex(value, recased=name in _RECASED) + "}")

    def _date(self, issued: tuple[int, ...]) -> list[tuple[str, str | None]]:
        parts = date_parts(issued)
        if self.biblatex:
            widths = (4, 2, 2)
            date = "-".join(f"{part:0{width}d}" for part, width in zip(parts, widths, strict=False))
            return [("date", date or None)]
        month = _MONTHS[parts[1] - 1] if len(parts) > 1 else None
        return [("year", str(parts[0]) if parts else None), ("month", month)]

    def _authors(self, work: Reference) -> str | None:
        names = [name for name in map(self._name, work.authors) if name]
        if names and work.et_al:
            names.append("others")
        return " and ".join(names) or None

    def _name(self, person: Person) -> str | None:
        literal, family, given = clean(person.literal), clean(person.family), clean(person.given)
        if literal:
            return "{" + self._latex(literal) + "}"
        if family and given:
            return f"{self._name_part(family)}, {self._name_part(given)}"
        if family and " " not in family:
            return self._name_part(family)
        # "Da Silva" alone would read as given name "Da", family name "Silva".
        single = family or given
        return "{" + self._latex(single) + "}" if single else None

    def _name_part(self, part: str) -> str:
        latex = self._latex(part)
        protect = _SPLITS_NAME.search(part) or _MISSPLIT.search(latex)
        return "{" + latex + "}" if protect else latex

    def _latex(self, text: str, *, recased: bool = False) -> str:
        """``text`` (already cleaned) in LaTeX; ``recased`` brace-protects words."""
        if _LATEX_SPECIAL.search(text) is None and (text.isascii() or not self.ascii):
            if not recased:
                return text
            return " ".join(
                "{" + word + "}" if _keeps_case(word, first=index == 0) else word
                for index, word in enumerate(text.split(" "))
            )
        pieces = _escape(text)
        words: list[str] = []
        start = 0
        for word in text.split(" "):
            latex = "".join(pieces[start : start + len(word)])
            if self.ascii:
                latex = _LATEX_ENCODER.unicode_to_latex(latex)
            if recased and _keeps_case(word, first=start == 0):
                # A group opening with a backslash is an accent to BibTeX, and
                # BibTeX re-cases what follows the macro name: "{\textbackslash{}Delta}".
                latex = "{{" + latex + "}}" if latex.startswith("\\") else "{" + latex + "}"
            words.append(latex)
            start += len(word) + 1
        return " ".join(words)


class BiblatexWriter(BibtexWriter):
    """Writes biblatex entries: ``journaltitle`` and ``date`` fields, biblatex types."""

    name: str = "biblatex"
    biblatex: bool = True


def _escape(text: str) -> list[str]:
    """One LaTeX piece per character of ``text``: specials escaped, others as they are."""
    paired: set[int] = set()
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "{":
            opened.append(index)
        elif char == "}" and opened:
            paired.update((opened.pop(), index))
    return [
        _SPECIALS.get(char) or ((_PAIRED if index in paired else _UNPAIRED).get(char) or char)
        for index, char in enumerate(text)
    ]


def _keeps_case(word: str, *, first: bool) -> bool:
    """Whether a title word must be protected from re-casing: ``DNA``, ``HER2``, ``China``."""
    capitals = word[1:] if first else word
    if word.isalpha() and capitals.islower():
        return False  # the usual word: letters, none of them a capital
    return any(map(str.isupper, capitals)) or (
        any(map(str.isdigit, word)) and any(map(str.isalpha, word))
    )


def _verbatim(value: str | None) -> str | None:
    """A DOI as it is; escaped as text only if it holds what would break the .bib."""
    if value and any(char in value for char in "{}\\"):
        return "".join(_escape(value))
    return value


def _bibtex_format() -> BibtexFormat:
    layout = BibtexFormat()  # type: ignore[no-untyped-call]
    layout.indent = "  "
    layout.block_separator = "\n"
    return layout
