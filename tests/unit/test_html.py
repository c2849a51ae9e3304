"""The HTML -> text rendering that every span points into."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doi_extract import _html
from doi_extract._html import render
from doi_extract.feeds import Source, SourceKind, read_source
from doi_extract.model import FeedItem
from tests.unit._render_oracle import oracle_render


@pytest.mark.parametrize(
    ("html", "text"),
    [
        pytest.param("a<br>b<br/>c<BR />d", "a\nb\nc\nd", id="br-forms"),
        pytest.param("a<br><br>b", "a\n\nb", id="two-br-make-a-paragraph"),
        pytest.param("<p>one</p><p>two</p>", "one\n\ntwo", id="paragraphs"),
        pytest.param("<ul><li>x</li><li>y</li></ul>", "x\n\ny", id="list-items"),
        pytest.param("<h3>References</h3>Smith", "References\n\nSmith", id="heading"),
        pytest.param("<dl><dt>DOI</dt><dd>10.1/x</dd></dl>", "DOI\n\n10.1/x", id="dt-dd"),
        pytest.param("a<hr />b", "a\n\nb", id="hr"),
        pytest.param("<p>a <b>bold</b> and <em>em</em></p>", "a bold and em", id="inline-tags"),
        pytest.param("p < 0.05 and x<y", "p < 0.05 and x<y", id="lt-not-a-tag"),
        pytest.param("a<!-- hidden <p> -->b", "ab", id="comment"),
        pytest.param("a<!-- never closed", "a", id="unclosed-comment"),
        pytest.param("a<script>var x = '<p>';</script>b", "ab", id="script-dropped"),
        pytest.param(
            "<p>A &amp; B &#8212; C&nbsp;D &lt;i&gt;</p>", "A & B \u2014 C D <i>", id="entities"
        ),
        pytest.param("<p>a \t  b\n c</p>", "a b c", id="source-whitespace-folds"),
        pytest.param("<p>  a  </p>\n\n\n<p> b </p>", "a\n\nb", id="trimmed"),
        pytest.param("x<br>\n  y", "x\ny", id="space-after-br"),
        pytest.param('<a title="a>b" href="u">t</a>', "t", id="gt-inside-quoted-attribute"),
        pytest.param(
            "plain  text\n  next line\n\n\n\nlast", "plain text\nnext line\n\nlast", id="plain"
        ),
        pytest.param("Tom &amp; Jerry", "Tom & Jerry", id="plain-entities"),
        pytest.param("", "", id="empty"),
    ],
)
def test_render_text(html: str, text: str) -> None:
    assert render(html).text == text


def test_links_are_placed_where_their_element_sits() -> None:
    html = (
        '<p>Ref one. <a href="https://doi.org/10.1038/a&amp;b">link</a></p>'
        "<p>Ref two <img src='fig.png'> end</p>"
    )
    rendered = render(html)
    assert rendered.text == "Ref one. link\n\nRef two end"
    assert rendered.links == (
        (rendered.text.index("link"), "https://doi.org/10.1038/a&b"),
        (rendered.text.index("end"), "fig.png"),
    )


def test_link_at_the_end_is_placed_at_the_end() -> None:
    rendered = render('text <a href="u"></a>')
    assert rendered.links == ((len(rendered.text), "u"),)


def test_unquoted_and_single_quoted_attributes() -> None:
    rendered = render("<a href=plain>a</a> <a HREF='single'>b</a>")
    assert [url for _, url in rendered.links] == ["plain", "single"]


def test_closing_tags_carry_no_links() -> None:
    assert render('<a href="u">x</a href="v">').links == ((0, "u"),)


def test_rules_are_located() -> None:
    rendered = render("<p>above</p><hr /><p>below</p>")
    assert rendered.rules == (rendered.text.index("below"),)


def test_headings_and_definition_terms_are_located() -> None:
    rendered = render("<p>intro</p><h2>References</h2><ol><li>A</li></ol><dl><dt>DOI</dt></dl>")
    assert rendered.text == "intro\n\nReferences\n\nA\n\nDOI"
    assert rendered.headings == (rendered.text.index("References"), rendered.text.index("DOI"))


def test_closing_heading_tags_and_bold_paragraphs_are_not_headings() -> None:
    rendered = render("<p><strong>Journal</strong></p><p>Nature</p></h3>tail")
    assert rendered.headings == ()


# ---------------------------------------------------------------- same as the old renderer

# Edge cases of the rules, each checked against the old per-chunk renderer.
_EDGE_CASES = [
    "&am<b>p;",  # an entity split by a tag is not decoded
    "&amp<b>;",
    "&#3<em>8;",
    "&<b>amp;",
    "a&amp<!-- c -->b",
    "a<br> <br>b",  # whitespace-only chunks between line breaks and blocks
    "a<br>\n<br>b",
    "<p> </p><p>x</p>",
    "a <br> b",
    "a <b> </b> b",
    '<a href="u"></a>text',  # marks at the very start and end
    'text<a href="u"></a>',
    "<hr><hr>x",
    "<h2></h2>",
    "<br>x<br>",
    '<img src="a" href="b">x',  # both href and src
    '<p title="<br>">x</p>',
    "a<!-- b <p> c",  # unterminated comment
    "<script>x='<br>'</script>y",
    "<script>var u = \"href='q'\";</script>y",
    '<script src="s.js"></script>y',
    "<P>A</P><BR>B<HR>C",
    "a&nbsp;<br>&nbsp;b",  # no-break spaces next to line breaks
    "<br>&nbsp;<br>x",
    "<p>&#32;</p>&#10;x",
    "<p></p>",  # only tags
    "<a href='u'></a>",
    "<br><br>",
    "<p>a\r\nb</p>",  # CR/LF in text
    "a\rb<br>c",
    "a  b\r\n\r\n\r\nc",  # plain text
    "x &amp; y",
    "a\x01b<b>c",  # control characters are text
    "\x04<a href=u>x</a>\x08",
    "<p>\x03</p>\x07",
    "<a href='\x01'>\x02</a>",
]


@pytest.mark.parametrize("html", _EDGE_CASES)
def test_edge_cases_render_as_before(html: str) -> None:
    assert render(html) == oracle_render(html)


def test_control_characters_in_the_text_are_kept() -> None:
    rendered = render("<p>a\x01b</p><p>\x04<a href='u'>c</a></p>")
    assert rendered.text == "a\x01b\n\n\x04c"
    assert rendered.links == ((rendered.text.index("c"), "u"),)


@pytest.mark.parametrize("space", [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()])
def test_every_kind_of_whitespace_folds(space: str) -> None:
    html = f"<p>a{space}b {space}c{space * 2}</p>{space}<br>{space}d"
    assert render(html) == oracle_render(html)
    assert render(html).text == "a b c\n\nd"


# Pieces from which Hypothesis builds HTML: tags (with href/src, quotes, odd forms),
# entities whole and broken, kinds of whitespace, words, "<", "&" and control characters.
_PIECES = [
    *("<p>", "</p>", "<P class='a>b'>", "<br>", "<br/>", "<BR />", "</br>", "<hr>", "</hr>"),
    *("<h2>", "</h2>", "<H3 id=x>", "<dt>", "</dt>", "<dd>", "<li>", "<div>", "</TABLE>"),
    *("<b>", "</b>", "<em>", "</em>", '<span class="x">', "<h1x>", "<p-x>", "<x:p>"),
    *('<a href="https://doi.org/10.1038/a&amp;b">', "<a href='u'>", "<a HREF=v>", "</a>"),
    *('<a Href="mixed">', '<img src="i.png" href="h">', "<img data-src=x>", '<a href=" ">'),
    *('</a href="z">', '<p title="<br>">', '<a title="x>y" href="t">', "<a href=&amp;>"),
    *("<!-- c -->", "<!-- <p> -->", "<!-- open", "<!DOCTYPE html>", "<![CDATA[x]]>", "-->"),
    *("<script>var a = '<p>';</script>", '<script src="s.js">', "</script>", "<SCRIPT>"),
    *("<style>p {}</style>", "</style >", "<a", '<a title="x', "<", ">", "</", "<!", "< p>"),
    *("&amp;", "&amp", "&am", "p;", "&lt;", "&nbsp;", "&#32;", "&#10;", "&#13;", "&#1;"),
    *("&#x80;", "&#38", "&#", "#38;", "&notit;", "&#x2003;", "&#8230;", "&", ";", "'", '"'),
    *(" ", "  ", "\n", "\r\n", "\r", "\t", "\xa0", "\u2003", "\u3000", "\x0b", "\x1c", "\x85"),
    *("word", "Smith", "10.1038/x", "é", "—", "p < 0.05", "x<y", "a", "1", "="),
    *("\x00", "\x01", "\x02", "\x03", "\x04", "\x05", "\x06", "\x07", "\x08", "\x081", "\x7f"),
]
# An entity cut by a tag, which must not be decoded across it: "&am<b>p;".
_CUT_ENTITY = st.tuples(
    st.sampled_from(["&am", "&amp", "&lt", "&#38", "&#x2", "&nbsp", "&"]),
    st.sampled_from(["<b>", "</em>", "<!-- c -->", "<a href='u'>", "<br>", "<p>", "\x01"]),
    st.sampled_from(["p;", ";", "0;", "t;", "b", " "]),
).map("".join)
_HTML = st.lists(
    st.one_of(
        st.sampled_from(_PIECES),
        _CUT_ENTITY,
        st.text(alphabet="<>/!&#;ab= \n\xa0\x01\x04\x08", max_size=4),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(_HTML)
def test_renders_as_the_old_renderer(html: str) -> None:
    assert render(html) == oracle_render(html)


def _feed_files() -> list[Path]:
    root = Path(__file__).parents[2]
    return sorted(
        path
        for folder in (root / "tests" / "data", root / "samples")
        for path in folder.rglob("*")
        if path.suffix in {".xml", ".rdf", ".atom"}
    )


@pytest.mark.parametrize("path", _feed_files(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_feed_texts_render_as_before(path: Path) -> None:
    values = [
        value
        for record in read_source(Source(str(path), SourceKind.FILE))
        if isinstance(record, FeedItem)
        for value in (*(text for _, text in record.texts), *(v for _, v in record.metadata))
    ]
    assert values
    for value in values:
        assert render(value) == oracle_render(value)
        # Cut where tags, entities and lines start and end, so they are also seen broken.
        for cut in {i for i, char in enumerate(value) if char in "<>&;\n"}:
            assert render(value[:cut]) == oracle_render(value[:cut])
            assert render(value[cut:]) == oracle_render(value[cut:])


def test_memo_of_tags_stays_bounded() -> None:
    many = "".join(f'<p class="c{number}">x' for number in range(2 * _html._CACHE_SIZE))
    assert render(many) == oracle_render(many)
    assert len(_html._TAGS) <= _html._CACHE_SIZE


# Runs of "<" that no ">" closes made the tokenizer try each "<" against all the rest:
# "<a" * 64,000 (128 KB) took 15 s, and a megabyte of it would take about 16 minutes.
_UNCLOSED = {
    "tags": "<a" * 100_000,
    "closing tags": "</b" * 100_000,
    "text then tags": "x" + "<p" * 100_000,
    "tags after a tag": "<p>text" + "<a" * 100_000,
    "quoted attributes": '<a href="x">' + '<a "' * 50_000,
    "declarations": "<!x" * 100_000,
    "controls": "<p>\x01" + "<a\x02" * 50_000,
    "comment after tags": "<p>" + "<a" * 50_000 + "<!--" + "<a" * 50_000,
    "open comment": "<!--" + "<a>" * 50_000 + "<a" * 50_000,
    "open script": "<p><script>" + "<a" * 100_000,
}


@pytest.mark.parametrize("html", _UNCLOSED.values(), ids=_UNCLOSED)
def test_unclosed_markup_renders_in_linear_time(html: str) -> None:
    small = html[:3_000]
    assert render(small) == oracle_render(small)
    start = time.perf_counter()
    render(html)
    assert time.perf_counter() - start < 2.0
