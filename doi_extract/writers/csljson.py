"""CSL-JSON writer, and the field helpers every writer shares.

CSL-JSON is the common tongue of Crossref, Zotero, pandoc and citeproc, so the other
writers derive their fields the way this module does:

- Text is NFC-normalised, control characters are dropped and runs of whitespace
  (newlines included) become one space (`clean`).
- ``DOI`` is the DOI in the case the feed printed it (`doi_of`).
- ``URL`` is the record's own URL, or ``https://doi.org/<DOI>`` (percent-encoded where
  a URL needs it) when there is a DOI and no other URL (`url_of`).
- ``page`` is the page range with a plain hyphen (``123-130``), or the article number
  when there are no pages (citeproc, pandoc and Zotero read article numbers from
  ``page``). When a work has both, the article number goes in ``number``.
- ``issued`` holds the known date parts, up to the first one out of range (month 13);
  ``ISSN`` joins several ISSNs with ``", "``.
- A work without a title but with a reference string gets that string as ``note``,
  so the entry is never blank.

Empty fields are left out. The output is a JSON array with two-space indentation and
a trailing newline; with ``ascii=True`` every non-ASCII character is ``\\u``-escaped.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, TextIO
from urllib.parse import quote

import regex

from doi_extract.keys import keyed
from doi_extract.model import Person, Reference

# A page range separator: "123-130", "123--130", "S1 - S9", or a dash from U+2010 to
# U+2015 or a minus sign (U+2212), with or without spaces around it.
_RANGE = regex.compile(r"\s*(?:-+|[\u2010-\u2015\u2212])\s*")
# Control characters (Unicode category Cc) that are not whitespace: "\x00", "\x1b", "\x9f";
# not "\t", "\n", "\r", "\x1c"-"\x1f" nor "\x85", which str.split() takes as spaces.
_INVISIBLE_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# Characters kept as they are in a doi.org URL path; "<", ">", "#", "?", "%", spaces and
# the like are percent-encoded: "35:4<451::AID" -> "35:4%3C451::AID".
_URL_SAFE = "/:;()[]@!$&'*+,=-._~"


def clean(text: str | None) -> str | None:
    """The text NFC-normalised with control characters dropped and whitespace collapsed.

    Returns None for None or for text that is empty once cleaned.
    """
    if text is None:
        return None
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if (
        text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    ):
        # Nothing to do: printable text has no control character, and no space but " ".
        return text or None
    # Tabs and newlines are control characters too, but they separate words.
    text = _INVISIBLE_CONTROLS.sub("", text)
    return " ".join(text.split()) or None


def doi_of(work: Reference) -> str | None:
    """The DOI in the case the feed printed it, else the normalised one."""
    return work.doi_as_printed or work.doi


def url_of(work: Reference) -> str | None:
    """The work's URL, or its doi.org URL when it has a DOI and no URL."""
    if work.url:
        return clean(work.url)
    doi = doi_of(work)
    return f"https://doi.org/{quote(doi, safe=_URL_SAFE)}" if doi else None


def page_range(work: Reference) -> tuple[str, str | None] | None:
    """The first and last page (``("123", "130")``), the article number, or None.

    Only the first separator splits the range; a single page has no last page.
    """
    pages = clean(work.pages)
    if pages:
        first, _, last = _RANGE.sub("\0", pages, count=1).partition("\0")
        return (first, last) if first and last else (first or last, None)
    number = clean(work.article_number)
    return (number, None) if number else None


def date_parts(issued: tuple[int, ...]) -> tuple[int, ...]:
    """The leading date parts that make a real date: ``(2019, 13)`` -> ``(2019,)``.

    A year runs 1-9999, a month 1-12, and a day must exist in its month
    (``(2023, 2, 30)`` -> ``(2023, 2)``).
    """
    valid: list[int] = []
    for part, limit in zip(issued, (9999, 12, 31), strict=False):
        if not 1 <= part <= limit:
            break
        valid.append(part)
    if len(valid) == 3:
        try:
            datetime.date(*valid)
        except ValueError:
            valid.pop()
    return tuple(valid)


def extra_number(work: Reference) -> str | None:
    """The article number when the pages already fill the page field, else None."""
    return clean(work.article_number) if clean(work.pages) else None


def issn_of(work: Reference) -> str | None:
    """Every ISSN of the work, joined with ``", "``."""
    return ", ".join(issn for issn in (clean(value) for value in work.issn) if issn) or None


def csl_name(person: Person) -> dict[str, str]:
    """A CSL name: ``{"family", "given"}`` (whichever is known) or ``{"literal"}``.

    An ORCID iD, when a registry gave one, rides along as ``"ORCID"`` (as in Crossref's
    own CSL-JSON); CSL processors ignore it.
    """
    literal = clean(person.literal)
    name: dict[str, str | None] = (
        {"literal": literal}
        if literal
        else {"family": clean(person.family), "given": clean(person.given)}
    )
    name["ORCID"] = clean(person.orcid)
    return {part: value for part, value in name.items() if value}


def csl_item(key: str, work: Reference) -> dict[str, Any]:
    """The CSL-JSON item for one work, keyed ``key``, with empty fields left out."""
    pages = page_range(work)
    issued = date_parts(work.issued)
    authors = [name for name in map(csl_name, work.authors) if name]
    item: dict[str, Any] = {
        "id": key,
        "type": str(work.kind),
        "title": clean(work.title),
        "author": authors or None,
        "container-title": clean(work.container_title),
        "issued": {"date-parts": [list(issued)]} if issued else None,
        "volume": clean(work.volume),
        "issue": clean(work.issue),
        "page": "-".join(part for part in pages if part) if pages else None,
        "number": extra_number(work),
        "DOI": doi_of(work),
        "URL": url_of(work),
        "ISSN": issn_of(work),
        "publisher": clean(work.publisher),
        "note": None if clean(work.title) else clean(work.raw),
    }
    return {name: value for name, value in item.items() if value is not None}


class CslJsonWriter:
    """Writes a CSL-JSON array, one item per work, in citation-key order."""

    name: str = "csljson"
    extensions: tuple[str, ...] = (".json",)
    uses_provenance: bool = False

    def __init__(self, *, ascii: bool = False) -> None:
        """Set up the writer; ``ascii`` escapes every non-ASCII character."""
        self.ascii = ascii

    def write(self, works: Sequence[Reference], out: TextIO) -> None:
        """Write ``works`` to ``out`` as one JSON array."""
        items = [csl_item(key, work) for key, work in keyed(works)]
        json.dump(items, out, ensure_ascii=self.ascii, indent=2)
        out.write("\n")
