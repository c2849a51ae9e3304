"""Deterministic synthetic feeds for the benchmarks: science-news RSS 2.0 and RSS 1.0 ToC.

The science-news shape is sized like the real thing (about 7 KB an item, as on WordPress
science-news sites): a figure, several paragraphs of prose with ordinary links, then a
rule and the labelled blocks (``Article Title``, ``Article References``, sometimes
``DOI``, ``Image Credits``, ``Keywords``). Each item prints its DOI in one of the shapes
the extractor handles (doi.org links and text, ``doi:``, URL-encoded, publisher landing
pages with tails and queries, a ``DOI:`` block), and some items mention a second,
earlier DOI in their prose. Every planted DOI is returned, so a benchmark can check that
the tool found exactly them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

_VOCABULARY = (
    "the researchers found that cells tissue signalling protein gene expression measured "
    "over several years with repeated imaging sequencing cohort patients mice model effect "
    "climate ocean temperature carbon samples data analysis suggests method limits next "
    "steps team university laboratory study results show increase decrease response "
    "treatment early late stage population species habitat energy battery material "
    "quantum particle detector galaxy star planet orbit telescope observation signal "
    "noise network learning algorithm training accuracy field survey record trend"
)
_WORDS = _VOCABULARY.split()
_PARAGRAPHS = 256
_NEWS_HEAD = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Synthetic science news</title><link>https://news.example.org</link>
<description>Generated for benchmarks</description>
"""
_TOC_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/">
<channel rdf:about="https://journal.example.org/toc"><title>Synthetic journal</title></channel>
"""


def _prose(seed: int) -> list[str]:
    """A fixed pool of distinct paragraphs (about 110 words each) with links and markup."""
    rng = random.Random(seed)
    pool = []
    for number in range(_PARAGRAPHS):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(90, 130))]
        words[0] = words[0].capitalize()
        words[rng.randrange(10, 40)] += f" (p &lt; 0.0{rng.randint(1, 5)})"
        link = rng.randrange(45, 80)
        words[link] = f'<a href="https://news.example.org/tag/{words[link]}/">{words[link]}</a>'
        words[rng.randrange(82, 89)] = f"<em>{rng.choice(_WORDS)}</em>"
        pool.append(f"<p>{' '.join(words)}, the team said in paper {number}.</p>\n")
    return pool


_POOL = _prose(20250603)


def doi_for(index: int, distinct: int | None) -> str:
    """The DOI planted in item ``index``; with ``distinct`` only that many DOIs recur."""
    number = index if distinct is None else index % distinct
    return f"10.5555/bench.{number:07d}"


def _printed(index: int, doi: str) -> tuple[str, str]:
    """How item ``index`` prints its DOI: (end of the reference line, extra DOI block)."""
    encoded = doi.replace("/", "%2F")
    shapes = (
        (f'<a href="https://doi.org/{doi}">https://doi.org/{doi}</a>', ""),
        (f"doi:{doi}", ""),
        (f'<a href="https://doi.org/{encoded}">Link</a>', ""),
        (f"https://dx.doi.org/{doi.upper()}.", ""),
        ("", f"<p><strong>DOI</strong>: https://doi.org/{doi}</p>\n"),
        (f'<a href="https://onlinelibrary.wiley.com/doi/full/{doi}">Full text</a>', ""),
        (
            f'<a href="https://journals.example.org/doi/abs/{doi}?af=R&amp;utm_source=rss">'
            "Abstract</a>",
            "",
        ),
        (f"DOI: {doi}", ""),
    )
    return shapes[index % len(shapes)]


def _news_item(index: int, distinct: int | None) -> tuple[str, set[str]]:
    doi = doi_for(index, distinct)
    planted = {doi}
    paragraphs = [_POOL[(index * 7 + step * 31) % _PARAGRAPHS] for step in range(5 + index % 3)]
    if index % 5 == 1:
        earlier = doi_for(index // 2, distinct)
        planted.add(earlier)
        paragraphs.insert(
            2, f"<p>It builds on the group's earlier report (doi:{earlier}) from 2023.</p>\n"
        )
    in_reference, doi_block = _printed(index, doi)
    volume, page = index % 90 + 1, index % 900 + 100
    body = "".join(paragraphs)
    return (
        f"<item><title>Study {index} finds a signal in tissue samples</title>"
        f"<link>https://news.example.org/{index}/</link>"
        f"<dc:creator><![CDATA[Newsroom]]></dc:creator>"
        f"<pubDate>Tue, 03 Jun 2025 10:00:00 +0000</pubDate>"
        f"<category><![CDATA[Biology]]></category><category><![CDATA[Health]]></category>"
        f'<guid isPermaLink="false">https://news.example.org/?p={index}</guid>'
        f"<description><![CDATA[Researchers report study {index} on signalling [&#8230;]]]>"
        f"</description>"
        f"<content:encoded><![CDATA["
        f'<figure><img src="https://news.example.org/img/{index}.jpg" alt="Sample {index}" />'
        f"<figcaption>Samples under the microscope.</figcaption></figure>\n"
        f"{body}<hr />\n"
        f"<p><strong>Article Title</strong>: Signalling study number {index}</p>\n"
        f"<p><strong>Article References</strong>:<br />\n"
        f"Smith, J., El Darzi, R., Lee, K.-H. <em>et al.</em> Signalling study number {index}. "
        f"<em>Journal of Examples</em> <strong>{volume}</strong>, {page} (2025). "
        f"{in_reference}</p>\n{doi_block}"
        f"<p><strong>Image Credits</strong>: Newsroom</p>\n"
        f"<p><strong>Keywords</strong>: signalling, tissue, imaging</p>\n"
        f"]]></content:encoded></item>\n",
        planted,
    )


def _toc_item(index: int, distinct: int | None) -> tuple[str, set[str]]:
    doi = doi_for(index, distinct)
    return (
        f'<item rdf:about="https://journal.example.org/{doi}">'
        f"<title>Article {index} on examples</title>"
        f"<link>https://journal.example.org/{doi}</link>"
        f"<description>Abstract of article {index}.</description>"
        f"<dc:creator>Smith, Jane</dc:creator><dc:creator>Lee, Kim</dc:creator>"
        f"<dc:identifier>doi:{doi}</dc:identifier><dc:date>2025-06-03</dc:date>"
        f"<prism:publicationName>Journal of Examples</prism:publicationName>"
        f"<prism:doi>{doi}</prism:doi><prism:volume>{index % 90 + 1}</prism:volume>"
        f"<prism:startingPage>{index % 900 + 100}</prism:startingPage></item>\n",
        {doi},
    )


def _items(shape: str, indices: range, distinct: int | None) -> Iterator[tuple[str, set[str]]]:
    if shape == "news":
        yield _NEWS_HEAD, set()
        for index in indices:
            yield _news_item(index, distinct)
        yield "</channel></rss>\n", set()
    elif shape == "toc":
        yield _TOC_HEAD, set()
        for index in indices:
            yield _toc_item(index, distinct)
        yield "</rdf:RDF>\n", set()
    else:
        raise ValueError(f"unknown feed shape {shape!r}")


def write_feed(
    path: Path, shape: str, items: int, distinct: int | None = None, *, first: int = 0
) -> set[str]:
    """Write a feed of ``items`` items to ``path``; return the DOIs planted in it.

    Items are numbered from ``first``, so feeds written with different ``first`` values
    cite different works.
    """
    planted: set[str] = set()
    with path.open("w", encoding="utf-8") as out:
        for text, dois in _items(shape, range(first, first + items), distinct):
            out.write(text)
            planted |= dois
    return planted
