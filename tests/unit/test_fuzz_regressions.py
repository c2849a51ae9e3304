"""Regression tests for what the fuzz harnesses in benchmarks/fuzz/ found, inputs minimised."""

from __future__ import annotations

import io
import time

import pytest
from bibtexparser.entrypoint import parse_string

from doi_extract.doi import find_dois, normalise_doi
from doi_extract.extract import extract
from doi_extract.feeds import read_bytes
from doi_extract.model import FeedItem, Problem, Reference
from doi_extract.refparse import parse_reference
from doi_extract.writers import make_writer


def _read(feed: bytes) -> tuple[list[FeedItem], list[Problem]]:
    records = list(read_bytes(feed, "fuzz.xml"))
    items = [r for r in records if isinstance(r, FeedItem)]
    problems = [r for r in records if isinstance(r, Problem)]
    return items, problems


# fuzz_feed: ValueError "Invalid tag name 'dc:creator'" from read_bytes. libxml2's
# recovery keeps an element with an undeclared prefix under the name "dc:creator",
# which lxml refuses as a new tag when the reader strips namespaces from inline markup.
# The same for "<b:>" under a default namespace: the local name is "b:".
@pytest.mark.parametrize(
    ("feed", "kept"),
    [
        (
            b"<rss><channel><item><description>See <dc:creator>Kucsko G</dc:creator>"
            b" doi:10.1038/nature12373</description></item></channel></rss>",
            "<dc:creator>Kucsko G</dc:creator>",
        ),
        (
            b'<rss xmlns="http://purl.org/rss/1.0/"><channel><item><description>'
            b"See <b:>Kucsko G</b:> doi:10.1038/nature12373</description></item></channel></rss>",
            "<span>Kucsko G</span>",
        ),
    ],
    ids=["undeclared-prefix", "colon-ending-local-name"],
)
def test_inline_markup_with_a_name_lxml_refuses_is_read(feed: bytes, kept: str) -> None:
    items, problems = _read(feed)
    assert len(items) == 1
    assert items[0].texts == (("description", f"See {kept} doi:10.1038/nature12373"),)
    assert extract(items[0]).dois == ("10.1038/nature12373",)
    assert len(problems) == 1 and "damaged XML" in problems[0].message


# fuzz_feed: TypeError "'cython_function_or_method' object is not subscriptable". After
# an unescaped "<" in an attribute, recovery keeps an undefined entity ("&t;") as an
# _Entity node, whose tag is a function, among an item's, an author's or a text's children.
_BROKEN_ATTRIBUTE = b'<k f="<![CDATA["&t;'


def test_entity_node_among_item_children_is_skipped() -> None:
    feed = (
        b"<rss><channel><item><title>T</title>"
        + _BROKEN_ATTRIBUTE
        + b"<link>https://example.org/a</link></item></channel></rss>"
    )
    items, problems = _read(feed)
    assert [(i.title, i.link) for i in items] == [("T", "https://example.org/a")]
    assert len(problems) == 1


def test_entity_node_among_atom_author_children_is_skipped() -> None:
    feed = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title><author>'
        + _BROKEN_ATTRIBUTE
        + b"<name>Kucsko G</name></author></entry></feed>"
    )
    items, _ = _read(feed)
    assert [i.authors for i in items] == [("Kucsko G",)]


def test_entity_node_in_inline_markup_is_kept_as_text() -> None:
    feed = (
        b"<rss><channel><item><description>See "
        + _BROKEN_ATTRIBUTE
        + b"<b>x</b> doi:10.1038/nature12373</description></item></channel></rss>"
    )
    items, _ = _read(feed)
    (field, text) = items[0].texts[0]
    assert field == "description"
    assert text.endswith("&amp;t;<b>x</b> doi:10.1038/nature12373")
    assert extract(items[0]).dois == ("10.1038/nature12373",)


# fuzz_feed: UnicodeEncodeError "surrogates not allowed" from read_bytes. Python's UTF-7
# decoder turns "+2M0-" into a lone surrogate, which XML forbids and UTF-8 cannot encode.
def test_lone_surrogate_from_utf7_is_dropped() -> None:
    feed = (
        b'<?xml version="1.0" encoding="UTF-7"?><rss><channel><item>'
        b"<title>Rats+2M0- and mice +2D3cAA-</title></item></channel></rss>"
    )
    items, _ = _read(feed)
    assert [i.title for i in items] == ["Rats and mice \U0001f400"]


def _bibtex_ascii(work: Reference) -> str:
    out = io.StringIO()
    make_writer("bibtex", ascii=True).write([work], out)
    return out.getvalue()


# fuzz_refparse and fuzz_feed: BibTeX with ascii=True wrote non-ASCII text, because the
# doi and url fields were written bare: a DOI suffix may hold any character ("13㐴"),
# and a URL printed in a reference may be an IRI ("café").
def test_bibtex_ascii_escapes_a_non_ascii_doi() -> None:
    work = parse_reference("Smith J. A title. J Ecol. 2020;1:2-3. doi:10.1111/2041-210x.13\u3434")
    assert work.doi == "10.1111/2041-210x.13\u3434"
    text = _bibtex_ascii(work)
    assert text.isascii()
    fields = parse_string(text).entries[0].fields_dict
    assert fields["doi"].value == (
        r"10.1111/2041-210x.13\ensuremath{\langle}\texttt{U+3434}\ensuremath{\rangle}"
    )
    assert fields["url"].value == "https://doi.org/10.1111/2041-210x.13%E3%90%B4"


def test_bibtex_ascii_percent_encodes_a_non_ascii_url() -> None:
    work = parse_reference("Smith, J. (2020). A title. Journal, 1, 2-3. https://example.org/café")
    assert work.url == "https://example.org/café"
    text = _bibtex_ascii(work)
    assert text.isascii()
    assert parse_string(text).entries[0].fields_dict["url"].value == (
        "https://example.org/caf%C3%A9"
    )


def test_bibtex_without_ascii_keeps_the_doi_and_url_as_printed() -> None:
    work = Reference(doi="10.1111/ab\u00e9", doi_as_printed="10.1111/AB\u00c9", url="https://é.org")
    out = io.StringIO()
    make_writer("bibtex").write([work], out)
    fields = parse_string(out.getvalue()).entries[0].fields_dict
    assert (fields["doi"].value, fields["url"].value) == ("10.1111/AB\u00c9", "https://é.org")


# fuzz_doi: a percent-decoded DOI ending in a balanced ")" got a span one character
# short ('10.23098/93930(7/%316)' spanned '...(7/%316'), so the span's own DOI differed.
@pytest.mark.parametrize(
    ("text", "span", "doi"),
    [
        ("see 10.23098/93930(7/%316).", "10.23098/93930(7/%316)", "10.23098/93930(7/16)"),
        ("https://doi.org/10.1234/x%41(1)/full.", "10.1234/x%41(1)", "10.1234/xa(1)"),
        ("(doi:10.1038%2Fnature12373)", "10.1038%2Fnature12373", "10.1038/nature12373"),
        # An escaped "(" and a plain ")": the raw form's brackets do not balance.
        ("10.2307/pdF/.%28))..,", "10.2307/pdF/.%28)", "10.2307/pdf/.()"),
        (
            "https://doi.org/10.1016/0001-8708%2873)90001-4).",
            "10.1016/0001-8708%2873)90001-4",
            "10.1016/0001-8708(73)90001-4",
        ),
    ],
)
def test_span_of_a_decoded_doi_covers_its_balanced_brackets(text: str, span: str, doi: str) -> None:
    (found,) = find_dois(text)
    assert found.doi == doi
    assert text[found.start : found.end] == span
    assert normalise_doi(span) == doi


# fuzz_doi: find_dois took "<4&lt;AID-JBM5>" for the angle-bracket part of a SICI DOI,
# but normalise_doi unescapes "&lt;" first and so cut the same DOI short: the identity
# of a found DOI changed when normalised again.
def test_escaped_angle_bracket_is_not_part_of_a_sici_doi() -> None:
    (found,) = find_dois("10.22307307/1<4&lt;AID-JBM5>91.")
    assert found.doi == "10.22307307/1"
    assert normalise_doi(found.doi) == found.doi


def test_sici_doi_is_still_found_whole() -> None:
    text = "doi:10.1002/(SICI)1097-4636(199706)35:4<451::AID-JBM5>3.0.CO;2-G."
    (found,) = find_dois(text)
    assert found.as_printed == "10.1002/(SICI)1097-4636(199706)35:4<451::AID-JBM5>3.0.CO;2-G"
    assert normalise_doi(found.doi) == found.doi


# fuzz_doi: cleaning stripped landing-page tails and punctuation in two fixed passes, so
# a third tail stayed and normalising the result again shortened it further.
@pytest.mark.parametrize(
    "text",
    [
        "10.2907/1...............,......./abstract.../abstract........",
        "10.2814/1))))))))))))/pdf))))))))))))/pdf)))))",
        "https://example.org/doi/10.1002/ab.123/full./pdf./abstract.",
    ],
)
def test_normalising_a_doi_twice_changes_nothing(text: str) -> None:
    doi = normalise_doi(text)
    assert doi is not None
    assert normalise_doi(doi) == doi
    (found,) = find_dois(text)
    assert found.doi == doi


# Found while fixing the above, not by the fuzzer (its inputs stay under 16 KB): the
# trimming loop copied and recounted the whole DOI for each character it dropped, so
# time grew with the square of the length: 1.8 s for the 60,000 brackets here, 42 s
# for 200,000 dots.
@pytest.mark.parametrize("tail", [".", ")", "/pdf."], ids=["dots", "brackets", "tails"])
def test_a_long_run_at_the_end_of_a_doi_is_stripped_quickly(tail: str) -> None:
    text = "10.1234/abc" + tail * (60_000 // len(tail))
    start = time.perf_counter()
    assert normalise_doi(text) == "10.1234/abc"
    assert time.perf_counter() - start < 1.0


# Found by timing hostile items, not by the fuzzer: reading each block searched for the
# next paragraph break to the end of the text (20,000 one-line blocks: 3.9 s); every
# reference printed without a DOI was compared with every other to find truncated copies
# (20,000 lines under one label: 12 s); each sighting of a work cited again in the same
# item copied its growing provenance (10,000 sightings: 21 s); and each line of a
# reference printed one field per line searched all the lines before it for a year
# (10,000 lines: 3.5 s).
_LONG_ITEMS = {
    "many short blocks": ("<p>" + "Article References:<br>" * 20_000 + "</p>", 0),
    "many references": (
        "References:\n"
        + "1. Smith J. A title. J Ex. 2020;1:1.\n" * 10_000
        + "".join(f"{n}. Lee K. Study {n}. J Ex. 2021;2:{n}.\n" for n in range(1, 1000)),
        1_000,
    ),
    "one reference over many lines": ("References:\nSmith J\n" + "Part of a title\n" * 20_000, 1),
}


@pytest.mark.parametrize(("text", "works"), _LONG_ITEMS.values(), ids=_LONG_ITEMS)
def test_an_item_with_thousands_of_blocks_or_references_is_read_quickly(
    text: str, works: int
) -> None:
    item = FeedItem(source="feed.xml", index=0, texts=(("description", text),))
    start = time.perf_counter()
    found = extract(item)
    assert time.perf_counter() - start < 2.0
    assert len(found.works) == works
    if works > 1:  # every sighting of the work cited 10,000 times is kept, in order
        (cited,) = (work for work in found.works if work.raw and "Smith" in work.raw)
        spans = [where.span for where in cited.provenance]
        assert len(spans) == 10_000
        assert spans == sorted(spans, key=lambda span: span.start if span else 0)


# Found by timing long reference strings: the regex module backtracked through an
# unbounded run of capitalised words, hoping for the initials of a Vancouver author after
# it, in time that grew with the square of the run (96 KB of "Aa Bb ": 0.85 s).
def test_a_long_run_of_capitalised_words_is_parsed_quickly() -> None:
    start = time.perf_counter()
    parsed = parse_reference("Aa Bb " * 16_000)
    assert time.perf_counter() - start < 0.5
    assert parsed.authors == ()
