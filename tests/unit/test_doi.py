"""DOI grammar: finding, cleaning and normalising DOIs in every printed form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doi_extract.doi import (
    arxiv_doi,
    display_doi,
    find_arxiv,
    find_dois,
    find_page_dois,
    is_arxiv_doi,
    is_valid_doi,
    link_doi,
    mentions_arxiv,
    normalise_doi,
    page_doi,
)

SEED_DOI = "10.1038/s41420-026-03181-0"


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        pytest.param("10.1038/s41420-026-03181-0", SEED_DOI, id="bare"),
        pytest.param("https://doi.org/10.1038/s41420-026-03181-0", SEED_DOI, id="doi.org"),
        pytest.param("http://dx.doi.org/10.1038/S41420-026-03181-0", SEED_DOI, id="dx-upper"),
        pytest.param("https://www.doi.org/10.1038/s41420-026-03181-0", SEED_DOI, id="www"),
        pytest.param("doi:10.1038/s41420-026-03181-0", SEED_DOI, id="doi-colon"),
        pytest.param("DOI: 10.1038/s41420-026-03181-0.", SEED_DOI, id="label-and-period"),
        pytest.param("https://doi.org/10.1038%2Fs41420-026-03181-0", SEED_DOI, id="url-encoded"),
        pytest.param("10.1038/s41420&#8209;026", "10.1038/s41420\u2011026", id="entity"),
        pytest.param("10.1038/s41420\u00ad-026-03181-0", SEED_DOI, id="soft-hyphen"),
        pytest.param("10.1038/s41420-026-\u200b03181-0", SEED_DOI, id="zero-width-space"),
        pytest.param(
            "https://onlinelibrary.wiley.com/doi/full/10.1002/anie.202012345",
            "10.1002/anie.202012345",
            id="wiley-full-prefix",
        ),
        pytest.param(
            "https://onlinelibrary.wiley.com/doi/10.1002/anie.202012345/abstract?af=R",
            "10.1002/anie.202012345",
            id="abstract-tail-and-tracking",
        ),
        pytest.param("https://x.org/doi/10.1002/anie.2020/epdf", "10.1002/anie.2020", id="epdf"),
        pytest.param("https://x.org/doi/pdf/10.1002/anie.2020/pdf", "10.1002/anie.2020", id="pdf"),
        pytest.param(
            "(see 10.1016/S0140-6736(20)30183-5)",
            "10.1016/s0140-6736(20)30183-5",
            id="balanced-parentheses-kept",
        ),
        pytest.param("10.1000/xyz(25).", "10.1000/xyz(25)", id="balanced-then-period"),
        pytest.param("(doi:10.1000/abc)", "10.1000/abc", id="unbalanced-closing-dropped"),
        pytest.param(
            "10.1002/(SICI)1097-4636(199706)35:4<451::AID-JBM5>3.0.CO;2-G",
            "10.1002/(sici)1097-4636(199706)35:4<451::aid-jbm5>3.0.co;2-g",
            id="sici",
        ),
        pytest.param(
            "10.1186/s12885-025-14125-9</p>", "10.1186/s12885-025-14125-9", id="markup-after"
        ),
        pytest.param("https://api.org/?id=10.5555/12345678&x=1", "10.5555/12345678", id="query"),
    ],
)
def test_normalise_doi(printed: str, expected: str) -> None:
    assert normalise_doi(printed) == expected


@pytest.mark.parametrize(
    "text",
    ["no doi here", "10.12/short-registrant", "10.1038/", "version 10.1234 of the tool", ""],
)
def test_no_doi(text: str) -> None:
    assert normalise_doi(text) is None
    assert list(find_dois(text)) == []


def test_display_form_keeps_case() -> None:
    assert display_doi("https://doi.org/10.1093/MNRAS/STAB123.") == "10.1093/MNRAS/STAB123"


def test_find_dois_gives_spans_of_the_printed_doi() -> None:
    text = "See doi:10.1038/nature12373, and (https://doi.org/10.1126/science.169.3946.635)."
    found = list(find_dois(text))
    assert [m.doi for m in found] == ["10.1038/nature12373", "10.1126/science.169.3946.635"]
    assert [text[m.start : m.end] for m in found] == [m.as_printed for m in found]


def test_registrant_must_not_be_glued_to_a_word() -> None:
    assert list(find_dois("abc10.1038/x")) == []


def test_over_long_candidates_are_rejected() -> None:
    assert normalise_doi("10.1234/" + "a" * 400) is None


_doi_text = st.from_regex(r"10\.[0-9]{4,9}/[A-Za-z0-9._;()/:-]{1,40}", fullmatch=True)
_noise = st.sampled_from(["", ".", ",", ")", ";", "/full", "?af=R", "\u00ad", " "])
_prefix = st.sampled_from(["", "doi:", "DOI: ", "https://doi.org/", "http://dx.doi.org/"])


@given(prefix=_prefix, doi=_doi_text, tail=_noise)
def test_normalisation_is_idempotent_and_valid(prefix: str, doi: str, tail: str) -> None:
    once = normalise_doi(prefix + doi + tail)
    if once is None:
        return
    assert is_valid_doi(once)
    assert once == once.lower()
    assert normalise_doi(once) == once


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("arXiv:1706.03762v5", "10.48550/arXiv.1706.03762"),
        ("see arXiv: 2403.12345.", "10.48550/arXiv.2403.12345"),
        ("https://arxiv.org/abs/2403.12345v2", "10.48550/arXiv.2403.12345"),
        ("https://arxiv.org/pdf/1512.03385", "10.48550/arXiv.1512.03385"),
        ("http://arxiv.org/abs/hep-th/9901001v1", "10.48550/arXiv.hep-th/9901001"),
        ("oai:arXiv.org:hep-th/9901001v1", "10.48550/arXiv.hep-th/9901001"),
        ("https://arxiv.org/abs/math.GT/0309136", "10.48550/arXiv.math/0309136"),
        ("ArXiv:0705.1234", "10.48550/arXiv.0705.1234"),
    ],
)
def test_an_arxiv_identifier_names_its_arxiv_doi(text: str, doi: str) -> None:
    assert mentions_arxiv(text)
    assert arxiv_doi(text) == doi
    (match,) = find_arxiv(f"Title. {text} More.")
    assert (match.doi, match.as_printed) == (doi.lower(), doi)
    assert is_arxiv_doi(match.doi) and is_arxiv_doi(match.as_printed)
    cut = f"Title. {text} More."[match.start : match.end]  # the identifier, from "arXiv"
    assert cut.lower().startswith("arxiv")
    assert text.rstrip(".").endswith(cut)


@pytest.mark.parametrize(
    "text",
    [
        "https://arxiv.org/list/cs.AI/recent",
        "arxiv.org/abs/1706.037625",  # one digit too many
        "the arXiv preprint server",
        "10.48550/arXiv.1706.03762",  # a DOI already: find_dois reads it
        "ARXIV:1706.03762",  # arXiv is never written in capitals
    ],
)
def test_no_arxiv_identifier(text: str) -> None:
    assert list(find_arxiv(text)) == []
    assert arxiv_doi(text) is None


@pytest.mark.parametrize(
    ("doi", "expected"),
    [
        ("10.48550/arXiv.1706.03762", True),
        ("10.48550/arxiv.hep-th/9901001", True),
        ("10.1038/nature14539", False),
        ("10.1101/2024.01.01.123456", False),
    ],
)
def test_an_arxiv_doi_is_known_by_its_prefix_in_any_case(doi: str, expected: bool) -> None:
    assert is_arxiv_doi(doi) is expected


@given(st.text(alphabet="arxivARXIV.:/0123456789 -abhpt", max_size=40))
def test_every_arxiv_identifier_found_is_mentioned(text: str) -> None:
    if list(find_arxiv(text)):
        assert mentions_arxiv(text)


@pytest.mark.parametrize(
    ("url", "doi"),
    [
        ("https://www.nature.com/articles/s41586-021-03819-2", "10.1038/s41586-021-03819-2"),
        ("https://www.nature.com/articles/nature14539.pdf", "10.1038/nature14539"),
        (
            "https://www.nature.com/articles/d41586-024-00123-4?utm_source=x",
            "10.1038/d41586-024-00123-4",
        ),
        ("https://www.nature.com/articles/ng.2345#Sec1", "10.1038/ng.2345"),
        ("https://elifesciences.org/articles/12345", "10.7554/eLife.12345"),
        ("https://www.nature.com/articles/", None),
        ("https://elifesciences.org/articles/123456789", None),
        ("https://www.nature.com/subjects/physics", None),
    ],
)
def test_a_publisher_page_names_its_doi(url: str, doi: str | None) -> None:
    assert page_doi(url) == doi
    found = list(find_page_dois(f"See {url} here."))
    assert [m.as_printed for m in found] == ([doi] if doi else [])


@pytest.mark.parametrize(
    ("printed", "doi"),
    [
        (
            "https://www.biorxiv.org/content/10.1101/2024.01.01.123456v2",
            "10.1101/2024.01.01.123456",
        ),
        (
            "https://www.biorxiv.org/content/10.1101/2024.01.01.123456v1.full",
            "10.1101/2024.01.01.123456",
        ),
        (
            "https://www.medrxiv.org/content/10.1101/2020.03.04.20030395v1.full.pdf",
            "10.1101/2020.03.04.20030395",
        ),
        ("doi:10.1101/067890v3", "10.1101/067890"),
        ("https://genome.cshlp.org/content/10.1101/gr.123456.111", "10.1101/gr.123456.111"),
    ],
)
def test_a_biorxiv_or_medrxiv_doi_loses_the_version_and_view_of_its_page(
    printed: str, doi: str
) -> None:
    assert normalise_doi(printed) == doi


@pytest.mark.parametrize(
    ("url", "doi"),
    [
        ("https://doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("https://www.nature.com/articles/nature14539", "10.1038/nature14539"),
        ("https://arxiv.org/abs/1706.03762v5", "10.48550/arXiv.1706.03762"),
        ("https://example.org/news/10-things", None),
    ],
)
def test_a_link_names_the_doi_in_its_address_else_its_page_or_arxiv_one(
    url: str, doi: str | None
) -> None:
    assert link_doi(url) == doi
