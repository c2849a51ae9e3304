"""bibtexparser 2 reads our .bib back field by field."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pytest
from bibtexparser import middlewares
from bibtexparser.entrypoint import parse_string
from bibtexparser.model import Entry
from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

from doi_extract.keys import keyed
from doi_extract.model import Reference
from doi_extract.writers import make_writer
from doi_extract.writers.bibtex import BIBTEX_TYPES, CONTAINER_FIELDS
from tests.roundtrip._works import WORKS, family_names, page

KEYED = keyed(WORKS)
_DECODE = LatexNodes2Text()


def _write(fmt: str) -> str:
    out = io.StringIO()
    make_writer(fmt).write(WORKS, out)
    return out.getvalue()


def _parse(text: str) -> dict[str, Entry]:
    # Names are split before LaTeX decoding, so "{World Health Organization}" stays whole.
    library = parse_string(
        text,
        append_middleware=[
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
            middlewares.LatexDecodingMiddleware(),
        ],
    )
    assert library.failed_blocks == []
    return {entry.key: entry for entry in library.entries}


def _families(entry: Entry) -> list[str]:
    # The decoder keeps a name part's protecting braces; drop them as LaTeX would.
    return [
        _DECODE.latex_to_text(" ".join(parts.von + parts.last))
        for parts in _value(entry, "author") or []
    ]


def _value(entry: Entry, name: str) -> Any:
    field = entry.fields_dict.get(name)
    return field.value if field else None


def _text(value: str | None) -> str | None:
    # pylatexenc decodes \textasciicircum to U+02C6, a modifier letter, rather than "^".
    return value.replace("\u02c6", "^") if value else value


def _same(value: str | None) -> str | None:
    return unicodedata.normalize("NFC", value) if value else value


@pytest.fixture(scope="module")
def entries() -> dict[str, Entry]:
    return _parse(_write("bibtex"))


def test_every_entry_is_read_in_key_order(entries: dict[str, Entry]) -> None:
    assert list(entries) == [key for key, _ in KEYED]


@pytest.mark.parametrize(("key", "work"), KEYED, ids=[key for key, _ in KEYED])
def test_fields_survive(key: str, work: Reference, entries: dict[str, Entry]) -> None:
    entry = entries[key]
    assert entry.entry_type == BIBTEX_TYPES[work.kind]
    assert _text(_value(entry, "title")) == _same(work.title)
    families = _families(entry)
    if work.et_al:
        # BibTeX's et al. is "and others"; bibtexparser reads it as a person called "others".
        assert families.pop() == "others"
    assert families == [_same(name) for name in family_names(work)]
    container_field = CONTAINER_FIELDS[entry.entry_type]
    if container_field:
        assert _value(entry, container_field) == _same(work.container_title)
    assert _value(entry, "year") == (str(work.year) if work.year else None)
    assert _value(entry, "volume") == work.volume
    assert _value(entry, "number") == work.issue
    pages = _value(entry, "pages")
    # The decoder turns the "--" of a range into an en dash.
    assert (pages.replace("\u2013", "-") if pages else None) == page(work)
    assert _value(entry, "doi") == (work.doi_as_printed or work.doi)


def test_biblatex_flavour_reads_back_too() -> None:
    entries = _parse(_write("biblatex"))
    assert list(entries) == [key for key, _ in KEYED]
    for key, work in KEYED:
        entry = entries[key]
        if work.kind.value == "article-journal":
            assert _value(entry, "journaltitle") == _same(work.container_title)
        date = _value(entry, "date")
        assert (date[:4] if date else None) == (f"{work.year:04d}" if work.year else None)
        assert _text(_value(entry, "title")) == _same(work.title)
