"""Deterministic synthetic feeds for the benchmarks: science-news RSS 2.0 and RSS 1.0 ToC.

Every item plants known DOIs, so a benchmark can check that the tool found exactly them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

_PARAGRAPH = (
    "<p>Researchers report a study of cellular signalling in tissue samples, measured over "
    "several years with repeated imaging and sequencing; the effect held at p &lt; 0.05 in "
    "every cohort, and the authors discuss limits of the method and next steps.</p>\n"
)

_NEWS_HEAD = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Synthetic science news</title><link>https://news.example.org</link>
"""

_TOC_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/">
<channel rdf:about="https://journal.example.org/toc"><title>Synthetic journal</title></channel>
"""


def doi_for(index: int, distinct: int | None) -> str:
    """The DOI planted in item ``index``; with ``distinct`` only that many DOIs recur."""
    number = index if distinct is None else index % distinct
    return f"10.5555/bench.{number:07d}"


def _news_item(index: int, doi: str) -> str:
    body = _PARAGRAPH * 4
    # Vary how the DOI is printed, as real feeds do.
    shapes = (
        f'<a href="https://doi.org/{doi}">https://doi.org/{doi}</a>',
        f"doi:{doi}",
        f'<a href="https://doi.org/{doi.replace("/", "%2F")}">link</a>',
        f"https://dx.doi.org/{doi}.",
    )
    printed = shapes[index % len(shapes)]
    return (
        f"<item><title>Study {index} finds a signal</title>"
        f"<link>https://news.example.org/{index}/</link>"
        f'<guid isPermaLink="false">https://news.example.org/?p={index}</guid>'
        f"<dc:creator><![CDATA[Newsroom]]></dc:creator>"
        f"<pubDate>Tue, 03 Jun 2025 10:00:00 +0000</pubDate>"
        f"<description><![CDATA[Researchers report a study of signalling [&#8230;]]]></description>"
        f"<content:encoded><![CDATA[{body}<hr />\n"
        f"<p><strong>Article Title</strong>: Signalling study number {index}</p>\n"
        f"<p><strong>Article References</strong>:<br />\n"
        f"Smith, J., El Darzi, R., Lee, K.-H. <em>et al.</em> Signalling study number {index}. "
        f"<em>Journal of Examples</em> <strong>{index % 90 + 1}</strong>, {index % 900 + 100} "
        f"(2025). {printed}</p>\n"
        f"<p><strong>Image Credits</strong>: Newsroom</p>\n]]></content:encoded></item>\n"
    )


def _toc_item(index: int, doi: str) -> str:
    return (
        f'<item rdf:about="https://journal.example.org/{doi}">'
        f"<title>Article {index} on examples</title>"
        f"<link>https://journal.example.org/{doi}</link>"
        f"<description>Abstract of article {index}.</description>"
        f"<dc:creator>Smith, Jane</dc:creator><dc:creator>Lee, Kim</dc:creator>"
        f"<dc:identifier>doi:{doi}</dc:identifier><dc:date>2025-06-03</dc:date>"
        f"<prism:publicationName>Journal of Examples</prism:publicationName>"
        f"<prism:doi>{doi}</prism:doi><prism:volume>{index % 90 + 1}</prism:volume>"
        f"<prism:startingPage>{index % 900 + 100}</prism:startingPage></item>\n"
    )


def _lines(shape: str, items: int, distinct: int | None) -> Iterator[str]:
    if shape == "news":
        yield _NEWS_HEAD
        for index in range(items):
            yield _news_item(index, doi_for(index, distinct))
        yield "</channel></rss>\n"
    elif shape == "toc":
        yield _TOC_HEAD
        for index in range(items):
            yield _toc_item(index, doi_for(index, distinct))
        yield "</rdf:RDF>\n"
    else:
        raise ValueError(f"unknown feed shape {shape!r}")


def write_feed(path: Path, shape: str, items: int, distinct: int | None = None) -> set[str]:
    """Write a feed of ``items`` items to ``path``; return the DOIs planted in it."""
    with path.open("w", encoding="utf-8") as out:
        for line in _lines(shape, items, distinct):
            out.write(line)
    count = items if distinct is None else min(items, distinct)
    return {doi_for(index, None) for index in range(count)}
