"""rispy reads our .ris back field by field, with no unknown tags."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pytest
import rispy  # type: ignore[import-untyped]

from doi_extract.keys import keyed
from doi_extract.model import Reference, WorkType
from doi_extract.writers import make_writer
from doi_extract.writers.ris import RIS_TYPES
from tests.roundtrip._works import WORKS, page

KEYED = keyed(WORKS)


def _same(value: str | None) -> str | None:
    return unicodedata.normalize("NFC", value) if value else value


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    out = io.StringIO()
    make_writer("ris").write(WORKS, out)
    text = out.getvalue()
    assert not text.startswith("1.")
    loaded = rispy.loads(text)
    return {record["id"]: record for record in loaded}


def test_every_record_is_read_in_key_order(records: dict[str, dict[str, Any]]) -> None:
    assert list(records) == [key for key, _ in KEYED]
    assert all("unknown_tag" not in record for record in records.values())


@pytest.mark.parametrize(("key", "work"), KEYED, ids=[key for key, _ in KEYED])
def test_fields_survive(key: str, work: Reference, records: dict[str, dict[str, Any]]) -> None:
    record = records[key]
    assert record["type_of_reference"] == RIS_TYPES[work.kind]
    assert record.get("title") == _same(work.title)
    expected_authors = [
        _same(f"{person.family}, {person.given}" if person.given else f"{person.literal},")
        for person in work.authors
    ]
    assert record.get("authors", []) == expected_authors
    assert record.get("secondary_title") == _same(work.container_title)
    if work.kind is WorkType.ARTICLE:
        assert record.get("journal_name") == _same(work.container_title)
    assert record.get("year") == (str(work.year) if work.year else None)
    if work.issued:
        assert record["date"].startswith(f"{work.issued[0]}/")
    assert record.get("volume") == work.volume
    assert record.get("number") == work.issue
    pages = "-".join(p for p in (record.get("start_page"), record.get("end_page")) if p)
    assert (pages or None) == page(work)
    assert record.get("doi") == (work.doi_as_printed or work.doi)
    assert bool(record.get("urls")) == bool(work.url or work.doi)
    assert record.get("notes", [None]) == [None if work.title else work.raw]
    assert record.get("issn") == (", ".join(work.issn) or None)
    assert record.get("publisher") == work.publisher
