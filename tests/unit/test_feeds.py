"""The feed reader: formats, fields, inputs, URLs and memory."""

from __future__ import annotations

import codecs
import contextlib
import gzip
import http.server
import io
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from doi_extract import _encoding, feeds
from doi_extract._encoding import Recoder
from doi_extract.errors import InputError
from doi_extract.feeds import (
    FEED_SUFFIXES,
    ReadLimits,
    Source,
    SourceKind,
    expand_inputs,
    read_bytes,
    read_source,
    read_stream,
)
from doi_extract.model import FeedItem, Problem
from tests.conftest import cut_into


def read_all(data: bytes | str, name: str = "feed.xml") -> list[FeedItem | Problem]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return list(read_bytes(data, name))


def items_of(data: bytes | str) -> list[FeedItem]:
    records = read_all(data)
    problems = [r for r in records if isinstance(r, Problem)]
    assert not problems, problems
    return [r for r in records if isinstance(r, FeedItem)]


# ---------------------------------------------------------------- formats

RSS_091 = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91">
<channel>
  <title>Letters</title>
  <link>https://example.org/</link>
  <description>Short letters</description>
  <language>en</language>
  <item>
    <title>Nanometre-scale thermometry in a living cell</title>
    <link>https://www.nature.com/articles/nature12373</link>
    <description>Kucsko G et al. Nature 500, 54&#8211;58 (2013).</description>
  </item>
  <item>
    <title>Second</title>
    <link>https://example.org/2</link>
  </item>
</channel>
</rss>
"""


def test_rss_091_items_in_order() -> None:
    first, second = items_of(RSS_091)
    assert (first.index, second.index) == (0, 1)
    assert first.source == "feed.xml"
    assert first.title == "Nanometre-scale thermometry in a living cell"
    assert first.link == "https://www.nature.com/articles/nature12373"
    assert first.links == (("alternate", "https://www.nature.com/articles/nature12373"),)
    assert first.texts == (("description", "Kucsko G et al. Nature 500, 54\u201358 (2013)."),)
    assert first.guid is None
    assert second.title == "Second"
    assert second.texts == ()


RDF_TOC = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/"
    xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns:dcel="http://purl.org/dc/elements/1.1/"
    xmlns:dct="http://purl.org/dc/terms/"
    xmlns:pr="http://prismstandard.org/namespaces/basic/2.0/"
    xmlns:cont="http://purl.org/rss/1.0/modules/content/">
  <channel rdf:about="https://www.nature.com/nature.rss">
    <title>Nature</title>
    <link>https://www.nature.com/nature</link>
    <description>Table of contents</description>
    <dcel:date>2013-08-01</dcel:date>
    <items>
      <rdf:Seq><rdf:li rdf:resource="https://doi.org/10.1038/nature12373"/></rdf:Seq>
    </items>
  </channel>
  <item rdf:about="https://doi.org/10.1038/nature12373">
    <title><![CDATA[Nanometre-scale thermometry in a living cell]]></title>
    <link>https://www.nature.com/articles/nature12373</link>
    <cont:encoded><![CDATA[<p>Nature 500, 54 (2013). doi:10.1038/nature12373</p>]]></cont:encoded>
    <dcel:description>Quantum thermometry with &lt;i&gt;nitrogen-vacancy&lt;/i&gt;
      centres</dcel:description>
    <dcel:title>Nanometre-scale thermometry in a living cell</dcel:title>
    <dcel:creator>G. Kucsko</dcel:creator>
    <dcel:creator>P. C. Maurer</dcel:creator>
    <dcel:identifier>doi:10.1038/nature12373</dcel:identifier>
    <dcel:source>Nature 500, 54-58 (2013)</dcel:source>
    <dcel:date>2013-07-31</dcel:date>
    <dcel:publisher>Nature Publishing Group</dcel:publisher>
    <dcel:type>Letter</dcel:type>
    <dct:issued>2013-08-01</dct:issued>
    <pr:publicationName>Nature</pr:publicationName>
    <pr:doi>10.1038/nature12373</pr:doi>
    <pr:volume>500</pr:volume>
    <pr:number>7460</pr:number>
    <pr:startingPage>54</pr:startingPage>
    <pr:endingPage>58</pr:endingPage>
    <pr:coverDate>2013-08-01</pr:coverDate>
    <pr:issn>0028-0836</pr:issn>
    <pr:eIssn>1476-4687</pr:eIssn>
    <pr:url>https://www.nature.com/articles/nature12373</pr:url>
    <pr:section>   </pr:section>
  </item>
  <item rdf:about="https://doi.org/10.1038/nature99999">
    <title>No guid but about</title>
  </item>
</rdf:RDF>
"""


def test_rss_10_rdf_with_prism_and_dc_metadata() -> None:
    item, second = items_of(RDF_TOC)
    assert item.guid == "https://doi.org/10.1038/nature12373"  # rdf:about
    assert item.title == "Nanometre-scale thermometry in a living cell"
    assert item.link == "https://www.nature.com/articles/nature12373"
    assert item.published == "2013-07-31"  # dc:date comes before prism:coverDate
    assert item.authors == ("G. Kucsko", "P. C. Maurer")
    assert item.texts == (
        ("content:encoded", "<p>Nature 500, 54 (2013). doi:10.1038/nature12373</p>"),
        ("dc:description", "Quantum thermometry with <i>nitrogen-vacancy</i>\n      centres"),
    )
    meta = dict(item.metadata)
    assert meta == {
        "dc:title": "Nanometre-scale thermometry in a living cell",
        "dc:creator": "G. Kucsko",  # the dict keeps the last; both are in the tuple
        "dc:identifier": "doi:10.1038/nature12373",
        "dc:source": "Nature 500, 54-58 (2013)",
        "dc:date": "2013-07-31",
        "dc:publisher": "Nature Publishing Group",
        "dc:type": "Letter",
        "dcterms:issued": "2013-08-01",
        "prism:publicationName": "Nature",
        "prism:doi": "10.1038/nature12373",
        "prism:volume": "500",
        "prism:number": "7460",
        "prism:startingPage": "54",
        "prism:endingPage": "58",
        "prism:coverDate": "2013-08-01",
        "prism:issn": "0028-0836",
        "prism:eIssn": "1476-4687",
        "prism:url": "https://www.nature.com/articles/nature12373",
    } | {"dc:creator": "P. C. Maurer"}
    assert [v for k, v in item.metadata if k == "dc:creator"] == ["G. Kucsko", "P. C. Maurer"]
    assert item.meta("prism:doi") == "10.1038/nature12373"
    assert "prism:section" not in meta  # empty values are skipped
    assert second.guid == "https://doi.org/10.1038/nature99999"
    assert second.index == 1


@pytest.mark.parametrize(
    "uri",
    [
        "http://prismstandard.org/namespaces/basic/1.2/",
        "http://prismstandard.org/namespaces/basic/2.1/",
        "http://prismstandard.org/namespaces/basic/3.0/",
    ],
)
def test_any_prism_basic_version_gets_the_prism_prefix(uri: str) -> None:
    (item,) = items_of(
        f'<rss xmlns:p="{uri}"><channel><item><p:doi> 10.1038/nature12373 </p:doi>'
        "</item></channel></rss>"
    )
    assert item.metadata == (("prism:doi", "10.1038/nature12373"),)


def test_unknown_namespaces_are_ignored_even_with_familiar_local_names() -> None:
    (item,) = items_of(
        '<rss xmlns:media="http://search.yahoo.com/mrss/" xmlns:x="urn:x"><channel><item>'
        "<media:title>not the title</media:title><x:description>no</x:description>"
        "<title>the title</title></item></channel></rss>"
    )
    assert item.title == "the title"
    assert item.texts == ()
    assert item.metadata == ()


RSS_20 = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Physics news</title>
  <atom:link href="https://example.org/feed" rel="self" type="application/rss+xml"/>
  <item>
    <title>  Gravitational waves  </title>
    <link>https://example.org/news/gw</link>
    <comments>https://example.org/news/gw#comments</comments>
    <guid isPermaLink="false">gw-2016</guid>
    <pubDate>Thu, 11 Feb 2016 15:30:00 +0000</pubDate>
    <dc:date>2016-02-11</dc:date>
    <author>editor@example.org (The Editor)</author>
    <dc:creator><![CDATA[B. P. Abbott]]></dc:creator>
    <category>Physics</category>
    <category><![CDATA[Astronomy]]></category>
    <description>&lt;p&gt;Abbott &lt;i&gt;et al.&lt;/i&gt; &amp;amp; LIGO&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>Phys. Rev. Lett. 116, 061102 &amp; <a href="https://doi.org/10.1103/PhysRevLett.116.061102">doi</a></p>]]></content:encoded>
    <enclosure url="https://example.org/gw.mp3" length="123" type="audio/mpeg"/>
    <atom:link rel="related" href="https://doi.org/10.1103/PhysRevLett.116.061102"/>
  </item>
</channel>
</rss>
"""


def test_rss_20_fields() -> None:
    (item,) = items_of(RSS_20)
    assert item.title == "Gravitational waves"
    assert item.guid == "gw-2016"
    assert item.link == "https://example.org/news/gw"
    assert item.published == "Thu, 11 Feb 2016 15:30:00 +0000"  # pubDate before dc:date
    assert item.authors == ("editor@example.org (The Editor)", "B. P. Abbott")
    assert item.texts == (
        # escaped HTML arrives as HTML source; CDATA arrives exactly as written
        ("description", "<p>Abbott <i>et al.</i> &amp; LIGO</p>"),
        (
            "content:encoded",
            '<p>Phys. Rev. Lett. 116, 061102 &amp; <a href="https://doi.org/10.1103/'
            'PhysRevLett.116.061102">doi</a></p>',
        ),
    )
    assert item.links == (
        ("alternate", "https://example.org/news/gw"),
        ("enclosure", "https://example.org/gw.mp3"),
        ("related", "https://doi.org/10.1103/PhysRevLett.116.061102"),
    )
    assert ("category", "Physics") in item.metadata
    assert ("category", "Astronomy") in item.metadata
    assert ("dc:date", "2016-02-11") in item.metadata


def test_rss_description_with_inline_markup_becomes_html() -> None:
    (item,) = items_of(
        '<rss><channel><item><description>See <a href="https://doi.org/10.1000/1">'
        "this</a> &amp; <b>that</b> &lt;ok&gt;</description></item></channel></rss>"
    )
    assert item.texts == (
        (
            "description",
            'See <a href="https://doi.org/10.1000/1">this</a> &amp; <b>that</b> &lt;ok&gt;',
        ),
    )


ATOM_03 = """<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old Atom</title>
  <entry>
    <title>Atom 0.3 entry</title>
    <link rel="alternate" type="text/html" href="https://example.org/03/1"/>
    <id>tag:example.org,2004:1</id>
    <modified>2004-01-03T00:00:00Z</modified>
    <issued>2004-01-01T00:00:00Z</issued>
    <created>2004-01-02T00:00:00Z</created>
    <author><name>Mark Pilgrim</name><email>mark@example.org</email></author>
    <summary type="text/plain">A summary</summary>
    <content type="text/html" mode="escaped">&lt;p&gt;escaped &amp;amp; HTML&lt;/p&gt;</content>
    <content type="text/html" mode="base64">PHA+YmFzZTY0IGNvbnRlbnQ8L3A+</content>
  </entry>
</feed>
"""


def test_atom_03_fields() -> None:
    (item,) = items_of(ATOM_03)
    assert item.title == "Atom 0.3 entry"
    assert item.guid == "tag:example.org,2004:1"
    assert item.link == "https://example.org/03/1"
    assert item.published == "2004-01-01T00:00:00Z"  # issued comes before created
    assert item.authors == ("Mark Pilgrim",)
    assert item.texts == (
        ("summary", "A summary"),
        ("content", "<p>escaped &amp; HTML</p>"),
        ("content", "<p>base64 content</p>"),
    )


ATOM_10 = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom 1.0</title>
  <entry>
    <title type="html">Black holes &amp;lt;merge&amp;gt;</title>
    <link href="https://example.org/self" rel="self"/>
    <link href="https://example.org/entry/1"/>
    <link href="https://example.org/entry/1.pdf" rel="enclosure" type="application/pdf"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2016-02-12T00:00:00Z</updated>
    <published>2016-02-11T00:00:00Z</published>
    <author><name>B. P. Abbott</name><uri>https://example.org/abbott</uri></author>
    <author><name>R. Abbott</name></author>
    <category term="gr-qc" scheme="http://arxiv.org/schemas/atom"/>
    <summary type="html">&lt;p&gt;We observed &lt;b&gt;GW150914&lt;/b&gt;.&lt;/p&gt;</summary>
    <content type="xhtml">
      <div xmlns="http://www.w3.org/1999/xhtml"><p>See <a
        href="https://doi.org/10.1103/PhysRevLett.116.061102">PRL</a> &amp; more &lt;here&gt;.</p>
      </div>
    </content>
  </entry>
</feed>
"""


def test_atom_10_fields() -> None:
    (item,) = items_of(ATOM_10)
    assert item.title == "Black holes &lt;merge&gt;"  # html title: its text, still HTML
    assert item.guid == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert item.link == "https://example.org/entry/1"  # the link without rel is alternate
    assert item.links == (
        ("self", "https://example.org/self"),
        ("alternate", "https://example.org/entry/1"),
        ("enclosure", "https://example.org/entry/1.pdf"),
    )
    assert item.published == "2016-02-11T00:00:00Z"  # published before updated
    assert item.authors == ("B. P. Abbott", "R. Abbott")
    assert item.metadata == (("category", "gr-qc"),)
    summary, content = item.texts
    assert summary == ("summary", "<p>We observed <b>GW150914</b>.</p>")
    # xhtml content: the children of the wrapper div, serialised without namespace noise
    assert content == (
        "content",
        '<p>See <a href="https://doi.org/10.1103/PhysRevLett.116.061102">PRL</a>'
        " &amp; more &lt;here&gt;.</p>\n      ",
    )


def test_atom_xhtml_text_only_content_is_escaped_as_html() -> None:
    (item,) = items_of(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="xhtml">'
        '<div xmlns="http://www.w3.org/1999/xhtml">the &lt;blink&gt; tag</div>'
        "</content></entry></feed>"
    )
    assert item.texts == (("content", "the &lt;blink&gt; tag"),)


def test_atom_media_content_is_skipped() -> None:
    (item,) = items_of(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        '<content type="application/octet-stream">RXhhbXBsZQ==</content>'
        '<content src="https://example.org/x.pdf" type="application/pdf"/>'
        "</entry></feed>"
    )
    assert item.texts == ()


def test_atom_link_priority_alternate_then_first() -> None:
    (only_others,) = items_of(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        '<link rel="self" href="https://example.org/a"/><link rel="related" href="https://example.org/b"/>'
        "</entry></feed>"
    )
    assert only_others.link == "https://example.org/a"
    (alternate_later,) = items_of(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        '<link rel="self" href="https://example.org/a"/>'
        '<link rel="alternate" href="https://example.org/c"/></entry></feed>'
    )
    assert alternate_later.link == "https://example.org/c"


def test_rss_link_wins_over_atom_links() -> None:
    (item,) = items_of(
        '<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel><item>'
        '<atom:link href="https://example.org/atom"/><link>https://example.org/rss</link>'
        "</item></channel></rss>"
    )
    assert item.link == "https://example.org/rss"


ARXIV = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>arXiv Query</title>
  <entry>
    <id>http://arxiv.org/abs/1602.03837v1</id>
    <updated>2016-02-11T15:59:50Z</updated>
    <published>2016-02-11T15:59:50Z</published>
    <title>Observation of Gravitational Waves from a Binary Black Hole Merger</title>
    <summary>  On September 14, 2015 ...  </summary>
    <author><name>The LIGO Scientific Collaboration</name>
      <arxiv:affiliation>LIGO</arxiv:affiliation></author>
    <arxiv:doi>10.1103/PhysRevLett.116.061102</arxiv:doi>
    <link title="doi" href="http://dx.doi.org/10.1103/PhysRevLett.116.061102" rel="related"/>
    <arxiv:comment>16 pages</arxiv:comment>
    <arxiv:journal_ref>Phys. Rev. Lett. 116, 061102 (2016)</arxiv:journal_ref>
    <link href="http://arxiv.org/abs/1602.03837v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/1602.03837v1" rel="related"
      type="application/pdf"/>
    <arxiv:primary_category term="gr-qc" scheme="http://arxiv.org/schemas/atom"/>
    <category term="gr-qc" scheme="http://arxiv.org/schemas/atom"/>
    <category term="astro-ph.HE" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
"""


def test_arxiv_metadata() -> None:
    (item,) = items_of(ARXIV)
    assert item.guid == "http://arxiv.org/abs/1602.03837v1"
    assert item.link == "http://arxiv.org/abs/1602.03837v1"
    assert item.authors == ("The LIGO Scientific Collaboration",)
    assert item.meta("arxiv:doi") == "10.1103/PhysRevLett.116.061102"
    assert item.meta("arxiv:journal_ref") == "Phys. Rev. Lett. 116, 061102 (2016)"
    assert item.meta("arxiv:primary_category") == "gr-qc"
    assert [v for k, v in item.metadata if k == "category"] == ["gr-qc", "astro-ph.HE"]
    assert item.texts == (("summary", "  On September 14, 2015 ...  "),)


@pytest.mark.parametrize(
    ("root", "ok"),
    [
        ("<rss><channel>{}</channel></rss>", True),
        ("<channel>{}</channel>", True),
        ('<feed xmlns="http://www.w3.org/2005/Atom">{}</feed>', True),
        ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">{}</rdf:RDF>', True),
        ("<html><body>{}</body></html>", False),
        ("<opml>{}</opml>", False),
    ],
)
def test_root_element_decides_what_is_a_feed(root: str, ok: bool) -> None:
    document = root.format("<item><title>t</title></item>")
    if ok:
        assert [i.title for i in items_of(document)] == ["t"]
    else:
        with pytest.raises(InputError, match=r"^feed\.xml: not a feed: root element <\w+>$"):
            read_all(document)


def test_items_in_any_namespace_and_entries_in_rss() -> None:
    document = (
        '<rss xmlns:n="urn:other"><channel><n:item><title>one</title></n:item>'
        "<item><title>two</title></item></channel></rss>"
    )
    assert [(i.index, i.title) for i in items_of(document)] == [(0, "one"), (1, "two")]


def test_html_entities_and_undefined_entities() -> None:
    (item,) = items_of(
        "<rss><channel><item><title>caf&eacute;&nbsp;&mdash; &unknownthing; &#233;</title>"
        "</item></channel></rss>"
    )
    assert item.title == "caf\u00e9\u00a0\u2014 &unknownthing; \u00e9"


def test_bare_ampersands_in_urls_are_kept() -> None:
    records = read_all(
        "<rss><channel><item><link>https://example.org/?a=1&b=2&c</link></item>"
        "<item><title>next</title></item></channel></rss>"
    )
    assert [r.link for r in records if isinstance(r, FeedItem)] == [
        "https://example.org/?a=1&b=2&c",
        None,
    ]
    assert not [r for r in records if isinstance(r, Problem)]


def test_empty_items_are_still_items() -> None:
    (item,) = items_of("<rss><channel><item/></channel></rss>")
    assert item == FeedItem(source="feed.xml", index=0)


# ---------------------------------------------------------------- characters, fast paths


def recode(chunks: list[bytes]) -> tuple[bytes, Recoder]:
    """Recode ``chunks`` as they come, the encoding decided on the first four bytes."""
    recoder = Recoder()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_encoding, "SNIFF_BYTES", 4)
        out = list(recoder.recode(chunks))
    for chunk in out:
        chunk.decode("utf-8")  # each chunk whole characters, as libxml2 is fed them
    return b"".join(out), recoder


def test_forbidden_characters_found_in_utf8_bytes_are_dropped() -> None:
    data = "<a>x\x00y\x0bz\ufffe!\uffff?\x1f</a>".encode()
    assert b"\xef\xbf\xbe" in data and b"\x00" in data
    out, recoder = recode([data])
    assert out == b"<a>xyz!?</a>"
    assert (recoder.codec, recoder.dropped) == ("utf-8", 5)


def test_utf8_characters_that_only_look_like_forbidden_ones_are_kept() -> None:
    # EF-led like U+FFFE, but allowed: U+FFEF, U+FF01, U+FFFD, a BOM inside the text.
    text = "<a>\uffef \uff01 \ufffd \ufeff \u00e9\t\n\r</a>"
    out, recoder = recode([text.encode()])
    assert out == text.encode()
    assert recoder.dropped == 0


def test_forbidden_characters_in_a_legacy_encoding_are_dropped() -> None:
    data = b'<?xml version="1.0" encoding="windows-1252"?><a>caf\xe9\x01 \x96\x00</a>'
    recoder = Recoder()
    out = b"".join(recoder.recode([data]))
    assert out.endswith("<a>caf\u00e9 \u2013</a>".encode())
    assert (recoder.codec, recoder.dropped) == ("cp1252", 2)
    (item,) = items_of(
        b'<?xml version="1.0" encoding="windows-1252"?>'
        b"<rss><channel><item><title>caf\xe9\x01 \x96\x00</title></item></channel></rss>"
    )
    assert item.title == "caf\u00e9 \u2013"


def test_forbidden_character_split_across_chunks() -> None:
    # U+FFFE is EF BF BE: no chunk holds the whole of it.
    out, recoder = recode([b"<a>x\xef", b"\xbf", b"\xbey\xef\xbf", b"\xaf\xc3", b"\xa9</a>"])
    assert out == "<a>xy\uffef\u00e9</a>".encode()
    assert recoder.dropped == 1


def test_invalid_utf8_next_to_a_control_character() -> None:
    # The byte the decoder rejects is read as cp1252 and the control is still dropped.
    out, recoder = recode([b"<a>\xff\x01\xc3\xa9\x81</a>"])
    assert out == "<a>\u00ff\u00e9\u0081</a>".encode()
    assert recoder.dropped == 1


def test_cdata_with_brackets_that_do_not_close_it() -> None:
    (item,) = items_of(
        "<rss><channel><item><description><![CDATA[x] & y]] ]]]> &amp; z &nbsp;"
        "</description></item></channel></rss>"
    )
    assert item.texts == (("description", "x] & y]] ] & z \u00a0"),)


_RECODED_PIECES = st.sampled_from(
    [
        "a",
        "<",
        "]",
        "]]>",
        "<![CDATA[",
        "&",
        "&amp;",
        "&eacute;",
        "&#x41;",
        "\u00e9",
        "\u20ac",
        "\U0001f600",
        "\x00",
        "\x0c",
        "\ufffe",
        "\uffff",
        "\uffef",
        "\ufeff",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(_RECODED_PIECES, max_size=60).map("".join),
    cuts=st.lists(st.integers(min_value=1, max_value=9), max_size=30),
)
def test_utf8_bytes_are_cleaned_as_decoded_text_is(text: str, cuts: list[int]) -> None:
    """Valid UTF-8 is cleaned on its bytes; UTF-16 is decoded first. The results agree."""

    sizes = [4, *cuts]  # the first chunk holds all that `recode` sniffs
    document = "<a>" + text
    utf8, as_bytes = recode(cut_into(document.encode("utf-8"), sizes))
    utf16 = codecs.BOM_UTF16_LE + document.encode("utf-16-le")
    decoded, as_text = recode(cut_into(utf16, sizes))
    assert (as_bytes.codec, as_text.codec) == ("utf-8", "utf-16-le")
    assert utf8 == decoded
    assert as_bytes.dropped == as_text.dropped == sum(map(text.count, "\x00\x0c\ufffe\uffff"))


def test_items_do_not_depend_on_read_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (
        "<rss xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
        "<item><title>caf\u00e9 \ufffe\x00&eacute;</title><dc:creator>A. \u00c5berg</dc:creator>"
        "<description><![CDATA[<p>x] & \u20ac\uffff]]> &amp; &#150;</description></item>"
        "<item><title>two\U0001f600</title><link>https://example.org/?a=1&b=2</link></item>"
        "</channel></rss>"
    ).encode()
    whole = read_all(data)
    assert [r.title for r in whole if isinstance(r, FeedItem)] == [
        "caf\u00e9 \u00e9",
        "two\U0001f600",
    ]
    monkeypatch.setattr(_encoding, "SNIFF_BYTES", 4)  # so that the chunks stay apart
    for size in (1, 2, 3, 5, 64):
        monkeypatch.setattr(feeds, "_CHUNK", size)
        assert read_all(data) == whole, size


def test_content_module_elements_other_than_encoded_are_not_metadata() -> None:
    (item,) = items_of(
        "<rss xmlns:content='http://purl.org/rss/1.0/modules/content/'"
        " xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><channel><item>"
        "<content:format rdf:resource='http://www.w3.org/1999/xhtml'/>"
        "<content:items>x</content:items><content:encoded>body</content:encoded>"
        "</item></channel></rss>"
    )
    assert item.texts == (("content:encoded", "body"),)
    assert item.metadata == ()


def test_rss_description_is_not_read_as_atom_content() -> None:
    """Atom's ``type`` and ``mode`` mean nothing on an RSS description."""
    (item,) = items_of(
        "<rss><channel><item><description mode='base64' type='image/png'>aGk=</description>"
        "</item></channel></rss>"
    )
    assert item.texts == (("description", "aGk="),)


def test_endless_made_up_tags_do_not_grow_the_tag_cache() -> None:
    children = "".join(f"<x:t{i} xmlns:x='urn:n{i}'>v</x:t{i}><t{i}/>" for i in range(2_000))
    (item,) = items_of(f"<rss><channel><item><title>t</title>{children}</item></channel></rss>")
    assert item.title == "t"
    cache = feeds._reading.cache_info()
    assert cache.maxsize is not None
    assert cache.currsize <= cache.maxsize < 4_000


# ---------------------------------------------------------------- inputs


def test_expand_inputs_kinds() -> None:
    assert expand_inputs(
        ["-", "https://x.org/f", "HTTP://X.ORG/G", "missing.xml", "notes.txt"]
    ) == [
        Source("-", SourceKind.STDIN),
        Source("https://x.org/f", SourceKind.URL),
        Source("HTTP://X.ORG/G", SourceKind.URL),
        Source("missing.xml", SourceKind.FILE),
        Source("notes.txt", SourceKind.FILE),
    ]


def test_expand_inputs_directory_is_recursive_sorted_and_filtered(tmp_path: Path) -> None:
    for name in [
        "b.xml",
        "a.RSS",
        "c.atom",
        "d.rdf",
        "skip.txt",
        "skip.json",
        "sub/z.xml",
        "sub/y.XML",
    ]:
        path = tmp_path / "feeds" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<rss/>")
    (tmp_path / "feeds" / "dir.xml").mkdir()  # a directory with a feed suffix is no file
    base = str(tmp_path / "feeds")
    sources = expand_inputs([base, "-"])
    assert [s.name for s in sources] == [
        f"{base}/a.RSS",
        f"{base}/b.xml",
        f"{base}/c.atom",
        f"{base}/d.rdf",
        f"{base}/sub/y.XML",
        f"{base}/sub/z.xml",
        "-",
    ]
    assert {s.kind for s in sources[:-1]} == {SourceKind.FILE}
    assert FEED_SUFFIXES == (".xml", ".rss", ".atom", ".rdf")


def test_read_source_file(tmp_path: Path) -> None:
    path = tmp_path / "f.rss"
    path.write_text(RSS_20, encoding="utf-8")
    (item,) = read_source(Source(str(path), SourceKind.FILE))
    assert isinstance(item, FeedItem)
    assert item.source == str(path)


def test_missing_file(tmp_path: Path) -> None:
    name = str(tmp_path / "nope.xml")
    with pytest.raises(InputError, match=r": no such file$") as error:
        list(read_source(Source(name, SourceKind.FILE)))
    assert str(error.value) == f"{name}: no such file"


def test_directory_given_as_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r": is a directory$"):
        list(read_source(Source(str(tmp_path), SourceKind.FILE)))


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.xml"
    path.write_text(RSS_091)
    real_open = Path.open

    def deny(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(InputError) as error:
        list(read_source(Source(str(path), SourceKind.FILE)))
    assert str(error.value) == f"{path}: permission denied"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.xml: empty input$"):
        list(read_source(Source(str(path), SourceKind.FILE)))


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStdin:
        buffer = io.BytesIO(RSS_091.encode("latin-1"))

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    records = list(read_source(Source("-", SourceKind.STDIN)))
    assert [r.source for r in records] == ["-", "-"]


def test_read_errors_mid_stream_become_a_problem() -> None:
    class Failing(io.RawIOBase):
        def __init__(self) -> None:
            self.sent = False

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            if self.sent:
                raise OSError(5, "Input/output error")
            self.sent = True
            return (
                b"<rss><channel><item><title>one</title></item>"
                + b"<item><title>two</title></item>" * 2
                + b" " * 70_000
            )

    records = list(read_stream(cast(BinaryIO, Failing()), "disk.xml"))
    assert [r.title for r in records if isinstance(r, FeedItem)] == ["one", "two", "two"]
    (problem,) = [r for r in records if isinstance(r, Problem)]
    assert "read error: Input/output error" in problem.message
    assert "kept 3 items" in problem.message


def test_read_error_before_anything_is_an_input_error() -> None:
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            raise OSError(5, "Input/output error")

    with pytest.raises(
        InputError, match=r"^disk\.xml: not XML \(read error: Input/output error\)$"
    ):
        list(read_stream(cast(BinaryIO, Broken()), "disk.xml"))


# ---------------------------------------------------------------- URLs


def _gzip_bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    block = bytes(1024 * 1024)
    parts = [compressor.compress(b"<rss><channel><item><title>")]
    parts += [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


class _Handler(http.server.BaseHTTPRequestHandler):
    stop: threading.Event
    bomb: bytes

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def handle(self) -> None:
        # the reader hangs up on purpose (cap, deadline)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def do_GET(self) -> None:
        self._route()

    def _route(self) -> None:
        path = self.path
        if path == "/feed":
            self._send(200, RSS_20.encode(), Content_Type="application/rss+xml")
        elif path == "/feed.gz":
            self._send(200, gzip.compress(RSS_20.encode()), Content_Encoding="gzip")
        elif path == "/cp1252":
            body = RSS_091.replace('encoding="ISO-8859-1"', "").replace("&#8211;", "\u2013")
            self._send(200, body.encode("cp1252"), Content_Type="text/xml; charset=windows-1252")
        elif path == "/missing":
            self._send(404, b"not here")
        elif path == "/redirect":
            self._send(302, b"", Location="/feed")
        elif path.startswith("/loop"):
            self._send(302, b"", Location="/loop")
        elif path == "/html":
            self._send(200, b"<!DOCTYPE html><html><body>Hi</body></html>")
        elif path == "/bomb":
            self._send(200, self.bomb, Content_Encoding="gzip")
        elif path == "/big":
            self._send(200, b"x" * 2_000_000)
        elif path == "/endless":
            self.send_response(200)
            self.end_headers()  # no length: the body ends when the connection does
            chunk = b"<rss><channel><item><title>" + b"z" * 65_536
            while not self.stop.is_set():
                self.wfile.write(chunk)
        elif path == "/slow":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<rss><channel>")
            while not self.stop.wait(0.05):
                self.wfile.write(b" ")
                self.wfile.flush()
        elif path == "/silent":
            self.stop.wait(10)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    stop = threading.Event()
    handler = type("Handler", (_Handler,), {"stop": stop, "bomb": _gzip_bomb(200 * 1024 * 1024)})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    stop.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as http_session:
        http_session.trust_env = False  # no proxy from the environment for 127.0.0.1
        yield http_session


def fetch(url: str, session: requests.Session, **limits: Any) -> list[FeedItem | Problem]:
    return list(
        read_source(Source(url, SourceKind.URL), limits=ReadLimits(**limits), session=session)
    )


def test_url_plain(server: str, session: requests.Session) -> None:
    (item,) = fetch(server + "/feed", session)
    assert isinstance(item, FeedItem)
    assert item.source == server + "/feed"
    assert item.guid == "gw-2016"


def test_url_gzip(server: str, session: requests.Session) -> None:
    (item,) = fetch(server + "/feed.gz", session)
    assert isinstance(item, FeedItem)
    assert item.title == "Gravitational waves"


def test_url_without_a_session(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    records = list(read_source(Source(server + "/feed", SourceKind.URL)))
    assert [type(r) for r in records] == [FeedItem]


def test_url_http_charset_applies(server: str, session: requests.Session) -> None:
    first, _ = fetch(server + "/cp1252", session)
    assert isinstance(first, FeedItem)
    assert first.texts == (("description", "Kucsko G et al. Nature 500, 54\u201358 (2013)."),)


def test_url_redirect_is_followed(server: str, session: requests.Session) -> None:
    (item,) = fetch(server + "/redirect", session)
    assert isinstance(item, FeedItem)
    assert item.source == server + "/redirect"


def test_url_404(server: str, session: requests.Session) -> None:
    with pytest.raises(InputError) as error:
        fetch(server + "/missing", session)
    assert str(error.value) == f"{server}/missing: HTTP 404 Not Found"


def test_url_html_page(server: str, session: requests.Session) -> None:
    with pytest.raises(InputError, match=r"/html: not a feed: root element <html>$"):
        fetch(server + "/html", session)


def test_url_redirect_loop(server: str, session: requests.Session) -> None:
    with pytest.raises(InputError) as error:
        fetch(server + "/loop", session, max_redirects=3)
    assert str(error.value) == f"{server}/loop: too many redirects (more than 3)"


def test_url_gzip_bomb_stops_at_the_cap(server: str, session: requests.Session) -> None:
    tracemalloc.start()
    try:
        started = time.monotonic()
        with pytest.raises(InputError) as error:
            fetch(server + "/bomb", session, max_download_bytes=1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(error.value) == f"{server}/bomb: more than 1 MB"
    assert time.monotonic() - started < 5
    assert peak < 20 * 1024 * 1024  # nowhere near the 200 MB the bomb expands to


def test_url_declared_length_over_the_cap(server: str, session: requests.Session) -> None:
    with pytest.raises(InputError, match=r"/big: more than 1000 KB$"):
        fetch(server + "/big", session, max_download_bytes=1000 * 1024)


def test_url_endless_body_stops_at_the_cap(server: str, session: requests.Session) -> None:
    with pytest.raises(InputError, match=r"/endless: more than 3 MB$"):
        fetch(server + "/endless", session, max_download_bytes=3 * 1024 * 1024)


def test_url_slow_body_stops_at_the_deadline(server: str, session: requests.Session) -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match=r"/slow: timed out after 0\.5 s$"):
        fetch(server + "/slow", session, total_timeout=0.5, read_timeout=5)
    assert time.monotonic() - started < 3


def test_url_server_that_never_answers(server: str, session: requests.Session) -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match=r"/silent: timed out after 0\.3 s$"):
        fetch(server + "/silent", session, read_timeout=0.3)
    assert time.monotonic() - started < 3


def test_url_connection_refused(session: requests.Session) -> None:
    with socket_closed_port() as port:
        url = f"http://127.0.0.1:{port}/feed"
    with pytest.raises(InputError, match=r"^http://127\.0\.0\.1:\d+/feed: cannot connect: .+"):
        fetch(url, session)


class socket_closed_port:
    """A port that was just free: nothing listens on it."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        port: int = self.sock.getsockname()[1]
        return port

    def __exit__(self, *args: object) -> None:
        self.sock.close()


def test_url_invalid(session: requests.Session) -> None:
    with pytest.raises(InputError, match=r"^http://\[::1: "):
        fetch("http://[::1", session)


# ---------------------------------------------------------------- memory


class GeneratedFeed(io.RawIOBase):
    """An RSS feed of ``count`` items, produced on demand so it is never all in memory."""

    def __init__(self, count: int) -> None:
        self.parts = self._generate(count)
        self.pending = b""

    @staticmethod
    def _generate(count: int) -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>'
        for i in range(count):
            yield (
                f"<item><title>Item {i}</title><guid>urn:item:{i}</guid>"
                f"<description>&lt;p&gt;Text {i} citing doi:10.1000/{i} and "
                f"{'lorem ipsum ' * 40}&lt;/p&gt;</description></item>"
            ).encode()
        yield b"</channel></rss>"

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while len(self.pending) < size:
            part = next(self.parts, None)
            if part is None:
                break
            self.pending += part
        data, self.pending = self.pending[:size], self.pending[size:]
        return data


def _peak_while_reading(count: int) -> tuple[int, int]:
    tracemalloc.start()
    try:
        seen = 0
        for record in read_stream(cast(BinaryIO, GeneratedFeed(count)), "big.xml"):
            assert isinstance(record, FeedItem)
            seen += 1
        return seen, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_items() -> None:
    small_count, small_peak = _peak_while_reading(2_000)
    large_count, large_peak = _peak_while_reading(20_000)
    assert (small_count, large_count) == (2_000, 20_000)
    assert large_peak < small_peak * 1.5 + 256 * 1024


def test_finished_items_are_removed_from_the_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """What tracemalloc cannot see: libxml2's own memory for elements left in the tree."""
    before: list[int] = []
    after: list[int] = []
    real_build = feeds._build_item

    def spy(item: Any, *args: Any) -> FeedItem:
        before.append(sum(1 for _ in item.itersiblings(preceding=True)))
        after.append(sum(1 for _ in item.itersiblings()))
        return real_build(item, *args)

    monkeypatch.setattr(feeds, "_build_item", spy)
    records = read_stream(cast(BinaryIO, GeneratedFeed(5_000)), "big.xml")
    assert sum(1 for _ in records) == 5_000
    assert max(before) <= 1  # only the channel <title>, before the first item
    # Items parsed ahead of the one being built: at most one input chunk's worth.
    item_size = len(next(p for p in GeneratedFeed._generate(1) if p.startswith(b"<item>")))
    assert max(after) <= 2 * 256 * 1024 // item_size < 5_000
