"""Crossref JSON and CSL-JSON to `Reference`: every fixture type, odd records, the tables."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from habanero.select import VALID_SELECTS  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from doi_extract.model import Person, Status, WorkType
from doi_extract.resolve.mapping import (
    CROSSREF_SELECT,
    CROSSREF_TYPES,
    CSL_TYPES,
    from_crossref,
    from_csl,
)

CROSSREF = Path(__file__).parents[1] / "data" / "crossref"


def _work(name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((CROSSREF / "works" / f"{name}.json").read_text("utf-8"))
    return record


def test_journal_article_with_pages() -> None:
    ref = from_crossref(_work("journal-article-page"))
    assert ref is not None
    assert ref.doi == "10.1371/journal.pone.0033693"
    assert ref.kind is WorkType.ARTICLE
    assert ref.title == (
        "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia"
        " in the Basal Ganglia of Mice"
    )
    assert ref.authors[0] == Person(family="Sadasivan", given="Shankar")
    assert ref.container_title == "PLoS ONE"
    assert ref.issn == ("1932-6203",)
    assert ref.publisher == "Public Library of Science (PLoS)"
    assert ref.issued == (2012, 3, 21)
    assert (ref.volume, ref.issue, ref.pages, ref.article_number) == ("7", "3", "e33693", None)
    assert ref.url == "https://doi.org/10.1371/journal.pone.0033693"
    assert ref.status is Status.RESOLVED
    assert ref.registry == "crossref"
    assert ref.provenance == ()
    assert ref.et_al is False


def test_journal_article_with_article_number() -> None:
    ref = from_crossref(_work("journal-article-number"))
    assert ref is not None
    assert ref.doi == "10.1038/srep16696"
    assert ref.article_number == "16696"
    assert ref.pages is None
    assert ref.container_title == "Scientific Reports"
    assert [p.family for p in ref.authors] == [
        "Tosatto",
        "Horrocks",
        "Dear",
        "Knowles",
        "Dalla Serra",
        "Cremades",
        "Dobson",
        "Klenerman",
    ]
    assert ref.issued == (2015, 11, 19)


def test_posted_content_keeps_non_ascii_names_and_orcid() -> None:
    ref = from_crossref(_work("posted-content"))
    assert ref is not None
    assert ref.kind is WorkType.PREPRINT
    assert ref.doi == "10.26434/chemrxiv.5406907.v5"
    assert Person(family="Rustenburg", given="Ariën S.") in ref.authors
    mobley = ref.authors[-1]
    assert mobley == Person(
        family="Mobley", given="David", orcid="https://orcid.org/0000-0002-1083-5533"
    )
    assert ref.container_title is None


@pytest.mark.parametrize(
    ("name", "kind", "pages"),
    [
        ("book-chapter", WorkType.CHAPTER, "525-916"),
        ("proceedings-article", WorkType.PAPER_CONFERENCE, "877-882"),
        ("dataset", WorkType.DATASET, None),
    ],
)
def test_other_fixture_types(name: str, kind: WorkType, pages: str | None) -> None:
    work = _work(name)
    ref = from_crossref(work)
    assert ref is not None
    assert ref.kind is kind
    assert ref.pages == pages
    assert ref.doi == work["DOI"].lower()
    assert ref.title
    assert ref.authors


def test_issued_without_a_date_falls_back_to_print_then_online() -> None:
    work = _work("journal-article-print-online")
    assert from_crossref(work) is not None
    odd = dict(work, issued={"date-parts": [[None]]})
    odd["published-print"] = {"date-parts": [[2015, 1]]}
    odd["published-online"] = {"date-parts": [[2014, 10, 6]]}
    ref = from_crossref(odd)
    assert ref is not None and ref.issued == (2015, 1)
    del odd["published-print"]
    ref = from_crossref(odd)
    assert ref is not None and ref.issued == (2014, 10, 6)


def test_title_markup_is_stripped_and_whitespace_folded() -> None:
    work = {
        "DOI": "10.5555/Markup",
        "type": "journal-article",
        "title": ["  The <i>E. coli</i>\n  genome &amp; <sub>2</sub>O  "],
        "container-title": ["<b>Journal</b>   of Tests"],
    }
    ref = from_crossref(work)
    assert ref is not None
    assert ref.title == "The E. coli genome & 2O"
    assert ref.container_title == "Journal of Tests"
    assert ref.doi == "10.5555/markup"
    assert ref.doi_as_printed == "10.5555/Markup"


def test_authors_by_sequence_with_literal_names_and_orcid_forms() -> None:
    work = {
        "DOI": "10.5555/authors",
        "author": [
            {"given": "B", "family": "Second", "sequence": "additional"},
            {"name": "The Consortium", "sequence": "additional"},
            {"given": "A", "family": "First", "sequence": "first",
             "ORCID": "http://orcid.org/0000-0001-5109-371x"},
            {"given": "C", "family": "Third", "ORCID": "not an orcid"},
            {"sequence": "additional"},
            "a string",
        ],
    }  # fmt: skip
    ref = from_crossref(work)
    assert ref is not None
    assert ref.authors == (
        Person(family="First", given="A", orcid="https://orcid.org/0000-0001-5109-371X"),
        Person(family="Second", given="B"),
        Person(literal="The Consortium"),
        Person(family="Third", given="C"),
    )


def test_unknown_type_and_wrong_types_are_skipped() -> None:
    work = {
        "DOI": "10.5555/odd",
        "type": "peer-review",
        "title": [None, 5, ""],
        "author": {"family": "Not a list"},
        "container-title": "A bare string",
        "ISSN": ["1234-5678", None, "1234-5678", 7],
        "publisher": ["not", "a string"],
        "issued": {"date-parts": [["2020", "x"]]},
        "volume": 12,
        "issue": None,
        "page": True,
        "URL": {"no": "url"},
    }
    ref = from_crossref(work)
    assert ref is not None
    assert ref.kind is WorkType.UNKNOWN
    assert ref.title == "5"
    assert ref.authors == ()
    assert ref.container_title == "A bare string"
    assert ref.issn == ("1234-5678", "7")
    assert ref.publisher is None
    assert ref.issued == (2020,)
    assert (ref.volume, ref.issue, ref.pages, ref.url) == ("12", None, None, None)


@pytest.mark.parametrize("message", [None, [], "text", {}, {"DOI": None}, {"DOI": "not a doi"}])
def test_records_without_a_usable_doi_map_to_none(message: Any) -> None:
    assert from_crossref(message) is None
    assert from_csl(message, "datacite") is None


def test_datacite_csl() -> None:
    record = json.loads((CROSSREF / "datacite-csl.json").read_text("utf-8"))
    ref = from_csl(record, "DataCite")
    assert ref is not None
    assert ref.doi == "10.5438/4k3m-nyvg"
    assert ref.registry == "datacite"
    assert ref.status is Status.RESOLVED
    assert ref.kind is WorkType.WEBPAGE
    assert ref.title == "Eating your own Dog Food"
    assert ref.container_title == "DataCite Blog"
    assert ref.publisher == "DataCite"
    assert ref.issued == (2016, 12, 20)
    # family/given win over DataCite's "Family, Given" literal; translators are not authors.
    assert ref.authors == (Person(family="Fenner", given="Martin"),)
    assert ref.url == "https://blog.datacite.org/eating-your-own-dog-food"


def test_csl_types_literal_names_and_numbers() -> None:
    record = {
        "DOI": "10.1430/Medra.1",
        "type": "dataset",
        "title": ["A <i>list</i> title"],
        "author": [{"literal": "Istituto Example"}, {"given": "Ana", "family": "Muñoz",
                                                      "ORCID": "0000-0002-1825-0097"}],
        "ISSN": "1234-5678",
        "issued": {"date-parts": [[1999]]},
        "volume": 3,
        "page": "1-2",
    }  # fmt: skip
    ref = from_csl(record, "mEDRA")
    assert ref is not None
    assert (ref.kind, ref.registry, ref.title) == (WorkType.DATASET, "medra", "A list title")
    assert ref.authors == (
        Person(literal="Istituto Example"),
        Person(family="Muñoz", given="Ana", orcid="https://orcid.org/0000-0002-1825-0097"),
    )
    assert (ref.issn, ref.issued, ref.volume, ref.pages) == (("1234-5678",), (1999,), "3", "1-2")
    assert from_csl(dict(record, type="software"), "medra").kind is WorkType.UNKNOWN  # type: ignore[union-attr]


def test_tables_are_read_only_and_complete() -> None:
    assert isinstance(CROSSREF_TYPES, MappingProxyType)
    assert isinstance(CSL_TYPES, MappingProxyType)
    expected = {
        "journal-article": WorkType.ARTICLE,
        "proceedings-article": WorkType.PAPER_CONFERENCE,
        "book-chapter": WorkType.CHAPTER,
        "book": WorkType.BOOK,
        "monograph": WorkType.BOOK,
        "edited-book": WorkType.BOOK,
        "posted-content": WorkType.PREPRINT,
        "dataset": WorkType.DATASET,
        "report": WorkType.REPORT,
        "dissertation": WorkType.THESIS,
    }
    assert expected.items() <= CROSSREF_TYPES.items()
    assert all(CSL_TYPES[kind.value] is kind for kind in WorkType)


def test_select_names_are_valid_crossref_selects() -> None:
    assert set(CROSSREF_SELECT) <= set(VALID_SELECTS)
    assert len(set(CROSSREF_SELECT)) == len(CROSSREF_SELECT)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
_KEYS = st.sampled_from(
    [*CROSSREF_SELECT, "name", "given", "family", "ORCID", "sequence", "date-parts", "literal"]
)
_RECORD = st.dictionaries(_KEYS, _JSON, max_size=10).map(lambda d: d | {"DOI": "10.5555/x"})


@settings(max_examples=300, deadline=None)
@given(_RECORD)
def test_mapping_never_raises_on_odd_records(record: dict[str, Any]) -> None:
    for ref in (from_crossref(record), from_csl(record, "datacite")):
        assert ref is not None and ref.doi == "10.5555/x"
        assert all(isinstance(part, int) for part in ref.issued)
        assert all(isinstance(issn, str) for issn in ref.issn)
        assert all(person.family or person.literal for person in ref.authors)
