"""Writers: exact output for a few records, the format registry, the type tables."""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import pytest
import rispy  # type: ignore[import-untyped]
from bibtexparser.entrypoint import parse_string
from hypothesis import given, settings
from hypothesis import strategies as st

from doi_extract.errors import UsageError
from doi_extract.keys import keyed
from doi_extract.model import Person, Provenance, Reference, Span, WorkType
from doi_extract.writers import FORMATS, Writer, format_for_path, make_writer
from doi_extract.writers.bibtex import (
    BIBLATEX_TYPES,
    BIBTEX_TYPES,
    CONTAINER_FIELDS,
    PUBLISHER_FIELDS,
    BiblatexWriter,
    BibtexWriter,
)
from doi_extract.writers.csljson import CslJsonWriter, clean, page_range, url_of
from doi_extract.writers.jsonl import JsonLinesWriter
from doi_extract.writers.ris import RIS_TYPES, RisWriter
from tests.roundtrip._works import WORKS as WORKS_ROUNDTRIP
from tests.roundtrip._works import page

MENG = Reference(
    doi="10.1186/s12885-025-14386-4",
    doi_as_printed="10.1186/s12885-025-14386-4",
    kind=WorkType.ARTICLE,
    title=(
        "Photodynamic therapeutic activity of novel porphyrins against lung squamous cell carcinoma"
    ),
    authors=(
        Person(family="Meng", given="H."),
        Person(family="Ding", given="R.Q."),
        Person(family="Jia", given="L."),
    ),
    et_al=True,
    container_title="BMC Cancer",
    issn=("1471-2407",),
    issued=(2025, 5, 28),
    volume="25",
    article_number="960",
    raw="Meng, H., Ding, RQ., Jia, L. et al. Photodynamic therapy. BMC Cancer 25, 960 (2025).",
    provenance=(
        Provenance(
            source="feed.xml",
            item=4,
            guid="g4",
            link="https://example.org/4",
            field="content:encoded",
            label="Article References",
            span=Span(10, 250),
        ),
    ),
)
WHO = Reference(
    kind=WorkType.REPORT,
    title="Global tuberculosis report 2023",
    authors=(Person(literal="World Health Organization"),),
    publisher="World Health Organization",
    issued=(2023,),
    url="https://www.who.int/publications/i/item/9789240083851",
)
ODD = Reference(
    doi="10.5555/odd_1",
    kind=WorkType.CHAPTER,
    title="R&D at 50% off: {HER2} in Müller cells, $5 #1 snake_case ~ ^ \\ and a lone }",
    authors=(
        Person(family="Müller", given="Jürgen"),
        Person(family="Da Silva"),
        Person(family="Bill and Melinda", given="Gates, Jr"),
    ),
    container_title="Hard cases in Practice",
    issued=(2019, 13),  # month out of range: only the year is kept
    issue="2",
    pages="123 \u2013 130",  # en dash
    publisher="Example & Sons",
    provenance=(Provenance(source="feed.xml", item=7, field="description"),),
)
WORKS = (WHO, ODD, MENG)


def written(fmt: str, works: Sequence[Reference] = WORKS, *, ascii: bool = False) -> str:
    out = io.StringIO()
    make_writer(fmt, ascii=ascii).write(works, out)
    return out.getvalue()


BIBTEX = r"""@article{Meng2025Photodynamic,
  author = {Meng, H. and Ding, R.Q. and Jia, L. and others},
  title = {Photodynamic therapeutic activity of novel porphyrins against lung squamous cell carcinoma},
  journal = {BMC Cancer},
  year = {2025},
  month = may,
  volume = {25},
  pages = {960},
  issn = {1471-2407},
  doi = {10.1186/s12885-025-14386-4},
  url = {https://doi.org/10.1186/s12885-025-14386-4}
}

@incollection{Muller2019Rd,
  author = {Müller, Jürgen and {Da Silva} and {Bill and Melinda}, {Gates, Jr}},
  title = {{R\&D} at 50\% off: {{\{HER2\}}} in {Müller} cells, \$5 \#1 snake\_case \textasciitilde{} \textasciicircum{} \textbackslash{} and a lone \textbraceright{}},
  booktitle = {Hard cases in {Practice}},
  year = {2019},
  number = {2},
  pages = {123--130},
  publisher = {Example \& Sons},
  doi = {10.5555/odd_1},
  url = {https://doi.org/10.5555/odd_1}
}

@techreport{World2023Global,
  author = {{World Health Organization}},
  title = {Global tuberculosis report 2023},
  year = {2023},
  institution = {World Health Organization},
  url = {https://www.who.int/publications/i/item/9789240083851}
}
"""  # noqa: E501


def test_bibtex_output() -> None:
    assert written("bibtex") == BIBTEX


def test_biblatex_output_differs_in_journaltitle_and_date() -> None:
    expected = (
        BIBTEX.replace("journal = ", "journaltitle = ")
        .replace("year = {2025},\n  month = may,", "date = {2025-05-28},")
        .replace("year = {2019}", "date = {2019}")
        .replace("year = {2023}", "date = {2023}")
    )
    assert written("biblatex") == expected


def test_bibtex_ascii_latex_encodes_non_ascii() -> None:
    text = written("bibtex", ascii=True)
    assert text.isascii()
    assert r"author = {M{\"u}ller, J{\"u}rgen and {Da Silva}" in text
    assert r"in {M{\"u}ller} cells" in text
    greek = Reference(title="C/EBPγ and 张", authors=(Person(family="Øster", given="Ł"),))  # noqa: RUF001
    assert written("bibtex", [greek], ascii=True) == (
        "@misc{OsterndCebpg,\n"
        r"  author = {{\O}ster, {\L}},"
        "\n"
        r"  title = {{C/EBP{\ensuremath{\gamma}}} and "
        r"\ensuremath{\langle}\texttt{U+5F20}\ensuremath{\rangle}}"
        "\n}\n"
    )


def test_bibtex_empty_input_writes_nothing() -> None:
    assert written("bibtex", []) == ""
    assert written("ris", []) == ""
    assert written("csljson", []) == "[]\n"
    assert written("jsonl", []) == ""


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Balanced {x} braces", r"Balanced \{x\} braces"),
        ("A lone { brace", r"A lone \textbraceleft{} brace"),
        ("} then {", r"\textbraceright{} then \textbraceleft{}"),
        ("mRNA vaccines", r"{mRNA} vaccines"),
        ("p53 and NF-κB in South China", r"{p53} and {NF-κB} in {South} {China}"),
        ("Over \\Delta", r"Over {{\textbackslash{}Delta}}"),
    ],
)
def test_bibtex_title_escaping_and_case_protection(title: str, expected: str) -> None:
    text = written("bibtex", [Reference(title=title, issued=(2020,))])
    assert f"  title = {{{expected}}},\n" in text


def test_bibtex_untitled_work_keeps_its_reference_string_as_note() -> None:
    raw_only = Reference(raw="Smith J. Some   unparsed\nreference, 100% raw.")
    text = written("bibtex", [raw_only])
    assert text == "@misc{anonnd,\n  note = {Smith J. Some unparsed reference, 100\\% raw.}\n}\n"


def test_ris_output() -> None:
    assert written("ris") == (
        "TY  - JOUR\n"
        "AU  - Meng, H.\n"
        "AU  - Ding, R.Q.\n"
        "AU  - Jia, L.\n"
        "TI  - Photodynamic therapeutic activity of novel porphyrins against lung squamous "
        "cell carcinoma\n"
        "T2  - BMC Cancer\n"
        "JO  - BMC Cancer\n"
        "PY  - 2025\n"
        "DA  - 2025/05/28/\n"
        "VL  - 25\n"
        "SP  - 960\n"
        "SN  - 1471-2407\n"
        "DO  - 10.1186/s12885-025-14386-4\n"
        "UR  - https://doi.org/10.1186/s12885-025-14386-4\n"
        "ID  - Meng2025Photodynamic\n"
        "ER  - \n"
        "\n"
        "TY  - CHAP\n"
        "AU  - Müller, Jürgen\n"
        "AU  - Da Silva,\n"
        "AU  - Bill and Melinda, Gates, Jr\n"
        "TI  - R&D at 50% off: {HER2} in Müller cells, $5 #1 snake_case ~ ^ \\ and a lone }\n"
        "T2  - Hard cases in Practice\n"
        "PY  - 2019\n"
        "DA  - 2019///\n"
        "IS  - 2\n"
        "SP  - 123\n"
        "EP  - 130\n"
        "PB  - Example & Sons\n"
        "DO  - 10.5555/odd_1\n"
        "UR  - https://doi.org/10.5555/odd_1\n"
        "ID  - Muller2019Rd\n"
        "ER  - \n"
        "\n"
        "TY  - RPRT\n"
        "AU  - World Health Organization,\n"
        "TI  - Global tuberculosis report 2023\n"
        "PY  - 2023\n"
        "DA  - 2023///\n"
        "PB  - World Health Organization\n"
        "UR  - https://www.who.int/publications/i/item/9789240083851\n"
        "ID  - World2023Global\n"
        "ER  - \n"
    )


def test_ris_puts_article_number_in_c7_when_there_are_pages_and_raw_in_n1() -> None:
    both = Reference(title="T", pages="5-9", article_number="e12", issued=(2020, 3))
    text = written("ris", [both])
    assert "SP  - 5\nEP  - 9\nC7  - e12\n" in text
    assert "DA  - 2020/03//\n" in text
    untitled = written("ris", [Reference(raw="Doe J. Untitled. 2020.")])
    assert untitled == "TY  - GEN\nN1  - Doe J. Untitled. 2020.\nID  - anonnd\nER  - \n"


def test_csljson_output() -> None:
    items = json.loads(written("csljson"))
    assert [item["id"] for item in items] == [
        "Meng2025Photodynamic",
        "Muller2019Rd",
        "World2023Global",
    ]
    assert items[0] == {
        "id": "Meng2025Photodynamic",
        "type": "article-journal",
        "title": (
            "Photodynamic therapeutic activity of novel porphyrins against lung squamous "
            "cell carcinoma"
        ),
        "author": [
            {"family": "Meng", "given": "H."},
            {"family": "Ding", "given": "R.Q."},
            {"family": "Jia", "given": "L."},
        ],
        "container-title": "BMC Cancer",
        "issued": {"date-parts": [[2025, 5, 28]]},
        "volume": "25",
        "page": "960",
        "DOI": "10.1186/s12885-025-14386-4",
        "URL": "https://doi.org/10.1186/s12885-025-14386-4",
        "ISSN": "1471-2407",
    }
    assert list(items[1]) == [
        "id",
        "type",
        "title",
        "author",
        "container-title",
        "issued",
        "issue",
        "page",
        "DOI",
        "URL",
        "publisher",
    ]
    assert items[1]["author"][1:] == [
        {"family": "Da Silva"},
        {"family": "Bill and Melinda", "given": "Gates, Jr"},
    ]
    assert items[1]["issued"] == {"date-parts": [[2019]]}
    assert items[1]["page"] == "123-130"
    assert items[2]["author"] == [{"literal": "World Health Organization"}]


def test_csljson_layout_and_ascii() -> None:
    text = written("csljson", [WHO])
    assert text.startswith('[\n  {\n    "id": "World2023Global",\n')
    assert text.endswith("\n  }\n]\n")
    assert "Müller" in written("csljson")
    escaped = written("csljson", ascii=True)
    assert escaped.isascii()
    assert "M\\u00fcller" in escaped
    assert json.loads(escaped) == json.loads(written("csljson"))


def test_csljson_number_holds_article_number_when_there_are_pages() -> None:
    both = Reference(title="T", pages="77-80", article_number="e77")
    (item,) = json.loads(written("csljson", [both]))
    assert (item["page"], item["number"]) == ("77-80", "e77")


def test_jsonl_output() -> None:
    lines = written("jsonl").splitlines()
    assert len(lines) == 3
    assert lines[2] == (
        '{"id": "World2023Global", "type": "report", "title": "Global tuberculosis report 2023", '
        '"author": [{"literal": "World Health Organization"}], '
        '"issued": {"date-parts": [[2023]]}, '
        '"URL": "https://www.who.int/publications/i/item/9789240083851", '
        '"publisher": "World Health Organization", '
        '"et-al": false, "status": "parsed", "registry": null, "how": "unmatched", "score": null, '
        '"reasons": [], "raw": null, "provenance": []}'
    )
    meng = json.loads(lines[0])
    assert list(meng)[-8:] == [
        "et-al",
        "status",
        "registry",
        "how",
        "score",
        "reasons",
        "raw",
        "provenance",
    ]
    assert meng["et-al"] is True
    assert meng["raw"] == MENG.raw
    assert meng["provenance"] == [
        {
            "source": "feed.xml",
            "item": 4,
            "guid": "g4",
            "link": "https://example.org/4",
            "field": "content:encoded",
            "label": "Article References",
            "span": [10, 250],
        }
    ]
    odd = json.loads(lines[1])
    assert odd["provenance"] == [
        {
            "source": "feed.xml",
            "item": 7,
            "guid": None,
            "link": None,
            "field": "description",
            "label": None,
            "span": None,
        }
    ]


def test_jsonl_escapes_characters_that_split_lines() -> None:
    tricky = Reference(title="a\u2028b", raw="line\u2029break\x85here\nand\rthere")
    text = written("jsonl", [tricky])
    assert text.count("\n") == 1
    assert len(text.splitlines()) == 1
    assert json.loads(text)["raw"] == tricky.raw


def test_writers_use_keyed_order_and_keys_as_ids() -> None:
    reordered = (MENG, WHO, ODD)
    for fmt in FORMATS:
        assert written(fmt, reordered) == written(fmt), fmt
    assert "ID  - World2023Global" in written("ris")
    assert "@techreport{World2023Global," in written("bibtex")


def test_url_of_prefers_the_record_url_and_encodes_doi_urls() -> None:
    assert url_of(WHO) == WHO.url
    sici = Reference(doi="10.1002/(SICI)1097-4636(199706)35:4<451::AID-JBM5>3.0.CO;2-G")
    assert url_of(sici) == (
        "https://doi.org/10.1002/(SICI)1097-4636(199706)35:4%3C451::AID-JBM5%3E3.0.CO;2-G"
    )
    assert url_of(Reference(title="no doi")) is None


@pytest.mark.parametrize(
    ("pages", "article_number", "expected"),
    [
        ("123-130", None, ("123", "130")),
        ("123\u2013130", None, ("123", "130")),
        ("123--130", None, ("123", "130")),
        ("S1 - S9", None, ("S1", "S9")),
        ("e0231234", None, ("e0231234", None)),
        ("451", "e5", ("451", None)),
        (None, "960", ("960", None)),
        (None, None, None),
    ],
)
def test_page_range(
    pages: str | None, article_number: str | None, expected: tuple[str, str | None] | None
) -> None:
    assert page_range(Reference(pages=pages, article_number=article_number)) == expected


def test_make_writer_knows_every_format() -> None:
    assert list(FORMATS) == ["bibtex", "biblatex", "ris", "csljson", "jsonl"]
    for name in FORMATS:
        writer = make_writer(name)
        assert writer.name == name
        assert all(ext.startswith(".") for ext in writer.extensions)
    assert isinstance(FORMATS, MappingProxyType)


def test_make_writer_rejects_unknown_formats_listing_the_valid_ones() -> None:
    with pytest.raises(UsageError, match=r"'endnote'.*bibtex, biblatex, ris, csljson, jsonl"):
        make_writer("endnote")


def test_ris_has_no_ascii_variant() -> None:
    with pytest.raises(UsageError, match="RIS is always written as UTF-8"):
        make_writer("ris", ascii=True)


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("refs.bib", "bibtex"),
        ("out/REFS.BIB", "bibtex"),
        ("refs.ris", "ris"),
        ("refs.Ris", "ris"),
        ("refs.json", "csljson"),
        ("refs.csl.json", "csljson"),
        ("refs.jsonl", "jsonl"),
    ],
)
def test_format_for_path(path: str, fmt: str) -> None:
    assert format_for_path(path) == fmt


def test_format_for_path_names_the_extension_and_the_valid_ones() -> None:
    with pytest.raises(UsageError, match=r"'\.txt'.*\.bib \(bibtex\).*\.jsonl \(jsonl\)"):
        format_for_path("refs.txt")
    with pytest.raises(UsageError, match="'-': it has no extension"):
        format_for_path("-")


@pytest.mark.parametrize(
    "table", [BIBTEX_TYPES, BIBLATEX_TYPES, RIS_TYPES], ids=["bibtex", "biblatex", "ris"]
)
def test_type_tables_are_total_and_read_only(table: Mapping[WorkType, str]) -> None:
    assert set(table) == set(WorkType)
    assert isinstance(table, MappingProxyType)


def test_every_entry_type_has_container_and_publisher_fields() -> None:
    entry_types = set(BIBTEX_TYPES.values()) | set(BIBLATEX_TYPES.values())
    assert entry_types <= set(CONTAINER_FIELDS)
    assert entry_types <= set(PUBLISHER_FIELDS)
    assert isinstance(CONTAINER_FIELDS, MappingProxyType)
    assert isinstance(PUBLISHER_FIELDS, MappingProxyType)


def test_csljson_and_jsonl_read_back_to_the_same_fields() -> None:
    works = WORKS_ROUNDTRIP
    items = {item["id"]: item for item in json.loads(written("csljson", works))}
    lines = [json.loads(line) for line in written("jsonl", works).splitlines()]
    assert [line["id"] for line in lines] == list(items)
    for (key, work), line in zip(keyed(works), lines, strict=True):
        item = items[key]
        assert {name: value for name, value in line.items() if name in item} == item
        assert item["type"] == work.kind.value
        assert item.get("title") == _nfc(work.title)
        names = [_nfc(p.literal or p.family or p.given) for p in work.authors]
        assert [
            a.get("literal") or a.get("family") or a.get("given") for a in item.get("author", [])
        ] == names
        assert item.get("container-title") == _nfc(work.container_title)
        assert item.get("issued", {}).get("date-parts", [[None]])[0][0] == work.year
        assert (item.get("volume"), item.get("issue")) == (work.volume, work.issue)
        assert item.get("page") == page(work)
        assert item.get("DOI") == (work.doi_as_printed or work.doi)
        assert line["et-al"] is work.et_al
        assert line["status"] == work.status.value
        assert line["raw"] == work.raw
        assert line["provenance"] == [
            {
                "source": p.source,
                "item": p.item,
                "guid": p.guid,
                "link": p.link,
                "field": p.field,
                "label": p.label,
                "span": [p.span.start, p.span.end] if p.span else None,
            }
            for p in work.provenance
        ]


def test_every_writer_class_satisfies_the_protocol() -> None:
    writers: list[Writer] = [
        BibtexWriter(),
        BiblatexWriter(ascii=True),
        RisWriter(),
        CslJsonWriter(),
        JsonLinesWriter(),
    ]
    assert [writer.name for writer in writers] == list(FORMATS)


def _nfc(text: str | None) -> str | None:
    return unicodedata.normalize("NFC", text) if text else text


def _bibtex_balanced(text: str) -> bool:
    """Whether braces balance the way BibTeX counts them: backslashes do not escape."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


# Characters that matter to BibTeX and RIS, mixed into arbitrary Unicode text.
_any_text = st.text(
    alphabet=st.one_of(st.sampled_from('{}\\%&$#_~^ ,="@\n-'), st.characters()), max_size=40
)


@settings(max_examples=150)
@given(
    title=_any_text,
    family=_any_text,
    given_name=_any_text,
    literal=_any_text,
    container=_any_text,
    pages=_any_text,
    ascii=st.booleans(),
)
def test_bibtex_stays_parseable_whatever_the_text(
    title: str,
    family: str,
    given_name: str,
    literal: str,
    container: str,
    pages: str,
    ascii: bool,
) -> None:
    work = Reference(
        kind=WorkType.ARTICLE,
        title=title,
        authors=(Person(family=family, given=given_name), Person(literal=literal)),
        container_title=container,
        pages=pages,
        issued=(2020,),
    )
    text = written("bibtex", [work], ascii=ascii)
    library = parse_string(text)
    assert library.failed_blocks == []
    (entry,) = library.entries
    for field in entry.fields:
        assert _bibtex_balanced(field.value), (field.key, field.value)
    if ascii:
        assert text.isascii()


@given(title=_any_text, family=_any_text, given_name=_any_text)
def test_ris_reads_back_whatever_the_text(title: str, family: str, given_name: str) -> None:
    work = Reference(title=title, authors=(Person(family=family, given=given_name),))
    (record,) = rispy.loads(written("ris", [work]))
    assert record.get("title") == clean(title)
    assert "unknown_tag" not in record


def test_bibtex_written_in_batches_equals_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = io.StringIO()
    BibtexWriter().write(WORKS_ROUNDTRIP, whole)
    monkeypatch.setattr("doi_extract.writers.bibtex.ENTRIES_PER_BATCH", 3)
    batched = io.StringIO()
    BibtexWriter().write(WORKS_ROUNDTRIP, batched)
    assert len(WORKS_ROUNDTRIP) > 3
    assert batched.getvalue() == whole.getvalue()


def test_orcid_rides_along_in_csl_names() -> None:
    person = Person(family="Rahal", given="Zahraa", orcid="https://orcid.org/0000-0002-1825-0097")
    (item,) = json.loads(written("csljson", [Reference(title="T", authors=(person,))]))
    assert item["author"] == [
        {"family": "Rahal", "given": "Zahraa", "ORCID": "https://orcid.org/0000-0002-1825-0097"}
    ]
