"""pandoc reads our .bib, biblatex and .ris files back field by field."""

from __future__ import annotations

import io
import json
import unicodedata
from typing import Any

import pytest
import regex

from doi_extract.keys import keyed
from doi_extract.model import Reference, WorkType
from doi_extract.writers import make_writer
from doi_extract.writers.bibtex import BIBTEX_TYPES, CONTAINER_FIELDS
from doi_extract.writers.csljson import date_parts
from tests.roundtrip._works import STRESS, WORKS, family_names, page

pypandoc = pytest.importorskip("pypandoc", reason="pypandoc is not installed")
try:
    PANDOC_VERSION = pypandoc.get_pandoc_version()
except OSError:  # pragma: no cover - depends on the machine
    pytest.skip("pandoc is not installed", allow_module_level=True)

KEYED = keyed(WORKS)
# pandoc's BibTeX reader starts a title, and each sentence after ": ", "? ", "! " or ". ",
# with a capital (CSL wants sentence case); braced words keep their case.
_SENTENCE_START = regex.compile(r"(^|[:?!.] )(\p{Ll})")


def _pandoc(fmt: str, works: tuple[Reference, ...] = WORKS) -> dict[str, dict[str, Any]]:
    out = io.StringIO()
    make_writer(fmt).write(works, out)
    items = json.loads(pypandoc.convert_text(out.getvalue(), "csljson", format=fmt))
    return {item["id"]: item for item in items}


def _same(value: str | None) -> str | None:
    return unicodedata.normalize("NFC", value) if value else value


def _sentence_case(title: str | None) -> str | None:
    return _SENTENCE_START.sub(lambda m: m[1] + m[2].upper(), title) if title else title


def _families(item: dict[str, Any]) -> list[str]:
    names = []
    for name in item.get("author", []):
        if "literal" in name:
            names.append(name["literal"])
            continue
        parts = (
            name.get(part) for part in ("non-dropping-particle", "dropping-particle", "family")
        )
        names.append(" ".join(part for part in parts if part))
    return names


def _check_common(item: dict[str, Any], work: Reference, *, et_al_as_others: bool) -> None:
    families = _families(item)
    if work.et_al and et_al_as_others:
        # pandoc reads BibTeX's "and others" as a person called "others".
        assert families.pop() == "others"
    assert families == [_same(name) for name in family_names(work)]
    year = item.get("issued", {}).get("date-parts", [[None]])[0][0]
    assert year == work.year
    assert item.get("volume") == work.volume
    assert item.get("issue") == work.issue
    assert item.get("page") == page(work)
    assert item.get("DOI") == (work.doi_as_printed or work.doi)


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_bib_fields_survive(fmt: str) -> None:
    items = _pandoc(fmt)
    assert list(items) == [key for key, _ in KEYED]
    for key, work in KEYED:
        item = items[key]
        title = _same(work.title)
        assert item.get("title") == _sentence_case(title), key
        _check_common(item, work, et_al_as_others=True)
        if CONTAINER_FIELDS[BIBTEX_TYPES[work.kind]] in ("journal", "booktitle"):
            assert item.get("container-title") == _same(work.container_title), key
        # BibTeX has a month macro but no day; biblatex's date keeps all three parts.
        parts = item.get("issued", {}).get("date-parts", [[]])[0]
        expected = list(date_parts(work.issued))
        assert parts == (expected if fmt == "biblatex" else expected[:2]), key


def test_ris_fields_survive() -> None:
    items = _pandoc("ris")
    assert list(items) == [key for key, _ in KEYED]
    for key, work in KEYED:
        item = items[key]
        assert item.get("title") == _same(work.title), key
        assert item.get("container-title") == _same(work.container_title), key
        _check_common(item, work, et_al_as_others=False)
        if work.kind is WorkType.ARTICLE:
            assert item["type"] == "article-journal"


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "ris"])
def test_stress_records_parse(fmt: str) -> None:
    # One syntax error makes pandoc reject a whole file; every entry must come back.
    items = _pandoc(fmt, STRESS)
    assert sorted(items) == sorted(key for key, _ in keyed(STRESS))


def test_csljson_is_read_by_pandoc() -> None:
    # pandoc's CSL-JSON reader is citeproc's: a malformed item would fail the whole file.
    items = _pandoc("csljson")
    assert list(items) == [key for key, _ in KEYED]
    for key, work in KEYED:
        item = items[key]
        assert item.get("title") == _same(work.title), key
        assert item.get("container-title") == _same(work.container_title), key
        _check_common(item, work, et_al_as_others=False)
