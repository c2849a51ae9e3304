"""RIS writer, built on rispy.

Tags, in this order: ``TY`` (from `RIS_TYPES`), one ``AU`` per author (``Family, Given``,
or an organisation's name with a trailing comma when it has several words, so readers
keep it whole; RIS has no et-al form, so only the known authors are listed),
``TI``, ``T2`` (container title) plus ``JO`` for journal articles, ``PY`` (year: pandoc
loses a date given only as ``Y1``), ``DA`` (``YYYY/MM/DD/`` with unknown parts empty),
``VL``, ``IS``, ``SP``/``EP`` (the page range split; an article number goes in ``SP``
when there are no pages, else in ``C7``), ``SN``, ``PB``, ``DO``, ``UR``, ``N1`` (the
reference string when there is no title), ``ID`` (the citation key) and ``ER``.

Field values are derived as in `csljson` (cleaned text, DOI as printed, doi.org URL).
rispy numbers records with a ``1.`` line by default, which pandoc rejects; this writer
leaves it out. RIS is always written as UTF-8 text: there is no ASCII variant.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import TextIO

import rispy  # type: ignore[import-untyped]

from doi_extract.errors import UsageError
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

RIS_TYPES = MappingProxyType(
    {
        WorkType.ARTICLE: "JOUR",
        WorkType.PREPRINT: "UNPB",
        WorkType.BOOK: "BOOK",
        WorkType.CHAPTER: "CHAP",
        WorkType.PAPER_CONFERENCE: "CPAPER",
        WorkType.DATASET: "DATA",
        WorkType.REPORT: "RPRT",
        WorkType.THESIS: "THES",
        WorkType.WEBPAGE: "ELEC",
        WorkType.UNKNOWN: "GEN",
    }
)
"""Our work type -> RIS ``TY`` value."""


class _HeaderlessRisWriter(rispy.RisWriter):  # type: ignore[misc]
    """rispy's writer without the ``1.``, ``2.``... line before each record."""

    def set_header(self, count: int) -> str:
        return ""


def ris_record(key: str, work: Reference) -> dict[str, str | list[str]]:
    """The rispy record (rispy's field names, in output order) for one work."""
    pages = page_range(work)
    issued = date_parts(work.issued)
    record: dict[str, str | list[str] | None] = {
        "type_of_reference": RIS_TYPES[work.kind],
        "authors": [name for name in map(_ris_name, work.authors) if name],
        "title": clean(work.title),
        "secondary_title": clean(work.container_title),
        "journal_name": clean(work.container_title) if work.kind is WorkType.ARTICLE else None,
        "year": str(issued[0]) if issued else None,
        "date": _ris_date(issued) if issued else None,
        "volume": clean(work.volume),
        "number": clean(work.issue),
        "start_page": pages[0] if pages else None,
        "end_page": pages[1] if pages else None,
        "custom7": extra_number(work),
        "issn": issn_of(work),
        "publisher": clean(work.publisher),
        "doi": doi_of(work),
        "urls": _listed(url_of(work)),
        "notes": [] if clean(work.title) else _listed(clean(work.raw)),
        "id": key,
    }
    return {name: value for name, value in record.items() if value}


def _ris_date(issued: tuple[int, ...]) -> str:
    """``YYYY/MM/DD/`` with unknown parts empty: ``(2025, 3)`` -> ``2025/03//``."""
    parts = [f"{issued[0]:04d}", *(f"{part:02d}" for part in issued[1:3])]
    return "/".join(parts + [""] * (3 - len(parts))) + "/"


def _listed(value: str | None) -> list[str]:
    return [value] if value else []


def _ris_name(person: Person) -> str | None:
    """``Family, Given``; a one-part name of several words ends in a comma.

    Without the comma pandoc splits ``World Health Organization`` into a given name
    ``World Health`` and a family name ``Organization``.
    """
    literal = clean(person.literal)
    family, given = clean(person.family), clean(person.given)
    if family and given and not literal:
        return f"{family}, {given}"
    single = literal or family or given
    return single + "," if single and " " in single else single


class RisWriter:
    """Writes RIS records in citation-key order."""

    name: str = "ris"
    extensions: tuple[str, ...] = (".ris",)
    uses_provenance: bool = False

    def __init__(self, *, ascii: bool = False) -> None:
        """Set up the writer; RIS has no ASCII variant, so ``ascii`` is a usage error."""
        if ascii:
            raise UsageError(
                "RIS is always written as UTF-8; "
                "the ASCII option applies to bibtex, biblatex, csljson and jsonl"
            )

    def write(self, works: Sequence[Reference], out: TextIO) -> None:
        """Write ``works`` to ``out`` as RIS."""
        records = [ris_record(key, work) for key, work in keyed(works)]
        if records:
            out.write(rispy.dumps(records, implementation=_HeaderlessRisWriter))
