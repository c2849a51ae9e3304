"""DOI grammar: find DOIs in text or links, clean them, normalise them for identity.

A DOI is ``10.`` + a registrant code (4-9 digits, optionally dotted sub-codes) + ``/`` +
a suffix. DOIs are case-insensitive, so identity is the lower-cased form; the form
"as printed" keeps the case the feed used.

An arXiv identifier names a DOI too: arXiv registers ``10.48550/arXiv.<id>`` for every
paper, so ``arXiv:1706.03762v5`` and ``arxiv.org/abs/1706.03762`` cite
``10.48550/arXiv.1706.03762`` (`find_arxiv`, `arxiv_doi`). So do some publishers' page
addresses: ``nature.com/articles/nature14539`` is ``10.1038/nature14539`` (`find_page_dois`,
`page_doi`).
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

import regex

# Characters that are never part of a DOI found in running text or a URL: whitespace,
# quotes, markup and URL query/fragment delimiters. "10.1038/nature12373?af=R" stops at "?".
_SUFFIX_CHAR = r"""[^\s"'<>?#&\[\]{}|\\^`\u00ab\u00bb\u201c\u201d\u2018\u2019]"""
# Old Wiley SICI DOIs hold angle brackets after a digit:
# 10.1002/(SICI)1097-4636(199706)35:4<451::AID-JBM5>3.0.CO;2-G, but never "</p>" nor
# an escaped "&lt;" (which normalise_doi would unescape).
_SICI_PART = r"<\d[^\s<>\"'/&]{0,40}>"
# The "/" may be URL-encoded in links: 10.1038%2Fnature12373.
_DOI = regex.compile(
    rf"(?<![\w.])10\.\d{{4,9}}(?:\.\d+)*(?:/|%2[Ff])(?:{_SICI_PART}|{_SUFFIX_CHAR})+",
)
_VALID = regex.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+")
# A percent-escape still present after decoding once: the "%2F" of "a%252Fb".
_ESCAPE = regex.compile(r"%[0-9A-Fa-f]{2}")
# Publisher landing-page tails that follow a DOI in a URL: ".../10.1002/ab.123/full".
_URL_TAIL = regex.compile(
    r"(?:/(?:full|abstract|pdf|epdf|pdfdirect|fulltext|full-text))+$", regex.IGNORECASE
)
# How far from the end a landing-page tail is looked for: more than the longest one.
_TAIL_WINDOW = 64
# Soft hyphen, zero-width space/joiners, word joiner, BOM: invisible, yet break copy-paste.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_TRAILING = ".,;:!'\"*"
_PAIRS = {")": "(", "]": "[", "}": "{"}
MAX_DOI_LENGTH = 300
# An arXiv identifier in text or a link, new style or old, its version dropped ("arXiv"
# or "arxiv", never in capitals, so that two substring tests rule a text out: see
# `mentions_arxiv`):
# "arXiv:1706.03762v5", "arxiv.org/abs/1706.03762", "arxiv.org/pdf/hep-th/9901001v1",
# "oai:arXiv.org:hep-th/9901001"; an old identifier's subject class goes too:
# "math.GT/0309136" is "math/0309136".
_ARXIV = regex.compile(
    r"\b[aA][rR][xX]iv(?::\s?|\.(?i:org)(?:/abs/|/pdf/|:))"
    r"(?:(?P<id>\d{4}\.\d{4,5})|(?P<archive>[a-z-]+)(?:\.[A-Z]{2})?/(?P<number>\d{7}))"
    r"(?:v\d+)?(?![\d.]*\d)",
)
_ARXIV_PREFIX = "10.48550/arXiv."
# Publisher pages whose address names a DOI without printing it: the publisher's prefix
# and the page's article id. "nature.com/articles/s41586-021-03819-2" is
# 10.1038/s41586-021-03819-2 (every nature.com journal: Nature, Scientific Reports, Nature
# Communications…), "elifesciences.org/articles/12345" is 10.7554/eLife.12345.
_PUBLISHER_PAGES = (
    (regex.compile(r"\bnature\.com/articles/([A-Za-z][A-Za-z0-9.-]*[A-Za-z0-9])"), "10.1038/"),
    (regex.compile(r"\belifesciences\.org/articles/(\d{4,6})(?!\d)"), "10.7554/eLife."),
)
_PAGE_HINT = "/articles/"  # in every address above: a text without it holds none
# What follows a bioRxiv or medRxiv DOI in its page address: a version, a view.
# "10.1101/2024.01.01.123456v2.full" is 10.1101/2024.01.01.123456 (medRxiv's ids have
# eight digits: 10.1101/2020.03.04.20030395).
_PREPRINT_SERVER_TAIL = regex.compile(
    r"^(10\.1101/(?:\d{4}\.\d{2}\.\d{2}\.\d{6,8}|\d{6}))(?:v\d+|\.\w+)+$"
)


@dataclass(frozen=True, slots=True)
class DoiMatch:
    """One DOI found in a text: its identity, the form printed, and where it was."""

    doi: str
    """Normalised: lower-case, no prefix, decoded, trimmed."""
    as_printed: str
    """The same DOI in the feed's own case."""
    start: int
    end: int


def find_dois(text: str) -> Iterator[DoiMatch]:
    """Yield every valid DOI in ``text`` with its span; ``doi:`` and doi.org forms included."""
    for match in _DOI.finditer(text):
        printed = clean_doi(match.group())
        if printed is None:
            continue
        yield DoiMatch(
            doi=printed.lower(),
            as_printed=printed,
            start=match.start(),
            end=match.start() + _printed_length(match.group(), printed),
        )


def mentions_arxiv(text: str) -> bool:
    """Whether ``text`` may name an arXiv paper: a fast check before `find_arxiv`."""
    return "Xiv" in text or "xiv" in text


def find_arxiv(text: str) -> Iterator[DoiMatch]:
    """Yield the arXiv DOI of every arXiv identifier in ``text``, spanning the identifier."""
    for match in _ARXIV.finditer(text):
        identifier = match.group("id") or f"{match.group('archive')}/{match.group('number')}"
        printed = _ARXIV_PREFIX + identifier
        yield DoiMatch(
            doi=printed.lower(), as_printed=printed, start=match.start(), end=match.end()
        )


def is_arxiv_doi(doi: str) -> bool:
    """Whether ``doi`` (normalised or as printed) is the DOI arXiv registered for a paper."""
    return doi[:15].lower() == "10.48550/arxiv."


def arxiv_doi(value: str) -> str | None:
    """The arXiv DOI, as printed, of the first arXiv identifier in ``value``; else None."""
    match = next(find_arxiv(value), None) if mentions_arxiv(value) else None
    return match.as_printed if match else None


def find_page_dois(text: str) -> Iterator[DoiMatch]:
    """Yield the DOI of every publisher page in ``text`` whose address names it, with the
    span of the page's host and path."""
    if _PAGE_HINT not in text:
        return
    for pattern, prefix in _PUBLISHER_PAGES:
        for match in pattern.finditer(text):
            printed = _strip_end(prefix + match.group(1).removesuffix(".pdf"))
            if is_valid_doi(printed):
                yield DoiMatch(printed.lower(), printed, match.start(), match.end())


def page_doi(url: str) -> str | None:
    """The DOI, as printed, that a publisher page's address names; else None."""
    match = next(find_page_dois(url), None) if _PAGE_HINT in url else None
    return match.as_printed if match else None


def find_unprinted_dois(text: str) -> list[DoiMatch]:
    """The DOIs that publisher page addresses and arXiv identifiers in ``text`` name
    without printing them: the pages' first, then the arXiv ones."""
    found = list(find_page_dois(text)) if _PAGE_HINT in text else []
    if mentions_arxiv(text):
        found += find_arxiv(text)
    return found


def link_doi(url: str) -> str | None:
    """The DOI a link names, as printed: in its address, else the one of the publisher page
    or arXiv paper it points to."""
    printed = display_doi(url) if "10." in url else None
    if printed is None and (_PAGE_HINT in url or mentions_arxiv(url)):
        found = find_unprinted_dois(url)
        printed = found[0].as_printed if found else None
    return printed


def normalise_doi(value: str) -> str | None:
    """The identity form of a DOI given in any notation, or None if there is no DOI in it.

    >>> normalise_doi("https://doi.org/10.1038/S41586-025-09710-8.")
    '10.1038/s41586-025-09710-8'
    """
    printed = display_doi(value)
    return printed.lower() if printed else None


def display_doi(value: str) -> str | None:
    """The DOI in ``value`` as printed (case kept), without prefix, query or tail."""
    if "&" in value:
        value = html.unescape(value)
    match = _DOI.search(value)
    return clean_doi(match.group()) if match else None


@functools.lru_cache(maxsize=4096)  # an item prints its DOIs several times: text, link, block
def clean_doi(candidate: str) -> str | None:
    """Decode and trim a raw DOI match; None when what remains is not a valid DOI."""
    doi = candidate.translate(_INVISIBLE)
    if "%" in doi:
        # Decoded only if the result is a DOI whole with no escape left, so normalising
        # twice changes nothing: "10.1038%2Fnature1" decodes, "10.1234/a%22b" stays.
        decoded = unquote(doi).translate(_INVISIBLE)
        if _DOI.fullmatch(decoded) and not _ESCAPE.search(decoded):
            doi = decoded
    doi = _strip_end(doi)
    if doi.startswith("10.1101/"):
        doi = _PREPRINT_SERVER_TAIL.sub(r"\1", doi)
    return doi if is_valid_doi(doi) else None


def is_valid_doi(doi: str) -> bool:
    """True for a syntactically valid DOI without prefix (``10.1234/abc``)."""
    return len(doi) <= MAX_DOI_LENGTH and _VALID.fullmatch(doi) is not None


def _strip_end(doi: str) -> str:
    """Drop landing-page tails and sentence punctuation from the end until none is left.

    Balanced brackets stay: "10.1016/0001-8708(73)90001-4)." ends at "-4". Removing until
    nothing changes means cleaning twice changes nothing either ("x/abstract./abstract.").
    The bracket counts are kept, not recounted, so hostile input costs linear time.
    """
    counts = {char: doi.count(char) for char in "()[]{}"}
    end = len(doi)
    while end:
        last = doi[end - 1]
        if last in _TRAILING or (last in _PAIRS and counts[_PAIRS[last]] < counts[last]):
            if last in counts:
                counts[last] -= 1
            end -= 1
        elif tail := _URL_TAIL.search(doi, max(0, end - _TAIL_WINDOW), end):
            end = tail.start()  # a tail holds no bracket
        else:
            break
    return doi[:end]


def _printed_length(raw: str, printed: str) -> int:
    """How much of the raw match the printed DOI covers (trimmed punctuation excluded)."""
    if raw.startswith(printed):
        return len(printed)
    # Decoding changed the text: the span ends where the shortest raw prefix decodes to
    # the printed DOI ("10.1234/x%28a)." covers "10.1234/x%28a)"). A printed character
    # takes at most twelve visible ones ("%F0%9F%A7%AC"), so few prefixes are tried.
    visible = [index for index, char in enumerate(raw) if ord(char) not in _INVISIBLE]
    text = raw.translate(_INVISIBLE)
    ends = range(len(printed), len(text) + 1)
    # clean_doi leaves the escapes of some DOIs as they are ("a%22b"), so both forms count.
    end = next((end for end in ends if printed in (text[:end], unquote(text[:end]))), len(text))
    return visible[end - 1] + 1
