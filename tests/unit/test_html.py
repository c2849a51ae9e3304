"""The HTML -> text rendering that every span points into."""

from __future__ import annotations

import pytest

from doi_extract._html import render


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
