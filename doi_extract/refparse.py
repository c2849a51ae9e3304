"""PARSE: split one reference string into bibliographic fields, offline.

Eleven shapes that science-news sites and blogs print are read, for example::

    springer      Wu, K., Vaughan, A.J. et al. Title. Nature 648, 110-118 (2025). https://doi.org/…
    apa           Wu, K., & Vaughan, A. J. (2025). Title. Nature, 648(7), 110-118. https://doi.org/…
    harvard       Wu, K. and Vaughan, A.J. (2025) 'Title', Nature, 648(7), pp. 110-118. doi:10.…
    vancouver     Wu K, Vaughan AJ, et al. Title. Nature. 2025 Jan;648(7):110-8. doi:10.… PMID: 1
    chicago-ad    Wu, Kai, and Anna J. Vaughan. 2025. "Title." Nature 648 (7): 110-18.
    chicago-nb    Wu, Kai, and Anna J. Vaughan. "Title." Nature 648, no. 7 (2025): 110-18.
    ieee          K. Wu and A. J. Vaughan, "Title," Nature, vol. 648, no. 7, pp. 110-118, Jan. 2025.
    sciencedaily  Kai Wu, Anna J. Vaughan. Title. Nature, 2025; 648 (7): 110 DOI: 10.…
    physorg       Kai Wu et al, Title, Nature (2025). DOI: 10.…
    sciencenews   K. Wu et al. Title. Nature. Vol. 648, November 5, 2025, p. 110. doi: 10.…
    scitechdaily  “Title” by Kai Wu, Anna J. Vaughan and Wei Li, 4 January 2025, Nature.

The method, in order (docs/parsing.md has the details and what is known to fail):

1. Clean: collapse white space, drop labels (``More information:``), take out DOIs, arXiv
   identifiers and links (the first DOI is the work's DOI, else the arXiv identifier's, the
   first other link its ``url``), and drop tails
   that are not bibliographic (``PMID: 1``, ``[Online]``, ``(Accessed: …)``).
2. Authors: four name grammars are tried at the start of the string and the one that reads
   the longest list wins: ``Family, I.`` (Springer Nature, APA, Harvard), ``Family IN``
   (Vancouver), ``Family, Given`` then ``Given Family`` (Chicago), ``Given Family``
   (IEEE, ScienceDaily, phys.org). ``et al.`` and APA's ``. . .`` mark a cut list. A quoted
   title followed by ``by`` (SciTechDaily, Neuroscience News) has its authors after ``by``,
   then an optional date and the journal.
3. What follows the authors picks the style: ``(2021)`` (APA, Harvard), ``2021.`` (Chicago
   author-date), a quotation mark (Chicago notes, IEEE), or else a tail anchored at the end
   of the string (``Vol, pages (Year)``; ``Vol. 12, May 5, 2021, p. 3``;
   ``Year;Vol(Issue):pages``; ``Journal (Year)``).
4. The text between is split into title and journal: at the closing quotation mark, at the
   last sentence end (extended backwards over abbreviated journal words), or at the last
   comma (phys.org).

A lone locator (``960``, ``e124``) is an article number; a range is ``pages``. Whatever
cannot be read stays None; `parse_reference` never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import regex

from doi_extract.doi import find_arxiv, find_dois, find_unprinted_dois, is_arxiv_doi, mentions_arxiv
from doi_extract.model import Person, Reference, WorkType

log = logging.getLogger(__name__)

_PARTICLE = (
    r"(?:van|von|der|den|de|del|della|di|da|do|dos|das|du|la|le|ter|ten|zu|al|el|bin|ibn|ul|y)"
)
# One capitalised name word: "Darzi", "O'Neil", "Smith-Jones", "Ødegård".
_WORD = r"\p{Lu}[\p{L}\p{M}'\u2019]*(?:[-\u2010\u2011]\p{L}[\p{L}\p{M}'\u2019]*)*"
# A family name: "Wu", "El Darzi", "van der Berg", "d'Alembert". Five capitalised words at
# most: the regex module backtracks through an unbounded run of words in time that grows
# with the square of its length ("Aa Bb " * 8,000: 0.3 s per match).
_FAMILY = rf"(?:{_PARTICLE}\s+|d['\u2019])*{_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_WORD}){{0,4}}"
# One initial with its dot: "J.", "LB.", "Y-L.", "Ch.".
_INITIAL = r"(?:\p{Lu}(?:-?\p{Lu}){0,2}|\p{Lu}\p{Ll}{1,2})\."
# Initials as printed: "J.P.", "S.J.", "Y.-L.", "A. B.".
_INITIALS = rf"{_INITIAL}(?:\s?-?{_INITIAL})*"
# "Bossowski, J.P." (Springer Nature, APA, Harvard).
_AUTHOR = regex.compile(rf"(?P<family>{_FAMILY}),\s*(?P<given>{_INITIALS})")
# "Moghaddam SJ" (Vancouver): initials without dots, then "," "." or the end.
_AUTHOR_VANCOUVER = regex.compile(rf"(?P<family>{_FAMILY})\s+(?P<given>\p{{Lu}}{{1,6}})(?=[,.;]|$)")
# "Weihermüller, Johannes", "Norman, Kari E. A." or "Medeiros, Elias Silva de" (the first
# Chicago author): full given names, not only initials.
# Words come before initials ("Kari E. A."), so "Renear, A. Theory and Practice" stops at "A.".
_GIVEN_FULL = (
    rf"(?:\p{{Lu}}\.|{_WORD}(?:[\s-]+(?!\p{{Lu}}\.){_WORD}){{0,4}})(?:[\s-]*\p{{Lu}}\.){{0,3}}"
    rf"(?:\s+{_PARTICLE}(?=[\s,.])){{0,2}}"
)
_AUTHOR_INVERTED_FULL = regex.compile(
    rf"(?P<family>{_FAMILY}),\s*(?P<given>{_GIVEN_FULL})(?=[,.]|\s+(?:and|&)\s)"
)
# "Jane Q. Doe", "A. B. Family", "Sidnei Azevedo de Souza", "BO VAHLQUIST": given names or
# initials, then the family name, which is not a bare initial ("Smura EJ" is Vancouver).
# It must end where a list goes on or stops: ",", ".", " and ", " et al".
_AUTHOR_NATURAL = regex.compile(
    rf"(?P<given>(?:(?:{_WORD}|(?:\p{{Lu}}\p{{Ll}}?\.-?)+|\p{{Lu}})\s+)"
    rf"(?:(?:{_WORD}|(?:\p{{Lu}}\.-?)+|\p{{Lu}}|{_PARTICLE})\s+){{0,5}}?)"
    rf"(?P<family>(?:{_PARTICLE}\s+){{0,3}}(?!\p{{Lu}}{{1,3}}\b){_WORD})"
    r"(?=,|\.|;|\s+(?:and|&)\s|\s+et\s+al\b)"
)
# A list that stops before " and " lost its last name: "Renear A. Theory and Practice".
_DANGLING = regex.compile(r"\s*,?\s*(?:&|and)\s")
_ELLIPSIS = regex.compile(r"\s*,?\s*(?:\.\s*){3}|\s*,?\s*\u2026\s*")
# Where `_ELLIPSIS` can match, found faster than by searching with it: ". . ." or "…".
_ELLIPSIS_MARK = regex.compile(r"(?:\.\s*){3}|\u2026")
# Between two authors: APA's ", . . . " before the last one, or ", ", ", & ", " and "; group
# "last" holds the "&" or "and" before the last name.
_JOIN = regex.compile(rf"{_ELLIPSIS.pattern}|\s*,\s*(?:(?P<last>&|and)\s+)?|\s+(?P<last>&|and)\s+")
# The end of a cut-short list: " et al.", ", et al", " et al".
_ET_AL = regex.compile(r"\s*,?\s*et\s+al\b\.?")
# Words that make a name an organisation's: "Climate Editorial Office", "OLYMPUS Collaboration".
_GROUP_WORD = regex.compile(
    r"\b(?:Office|Group|Consortium|Collaboration|Committee|Society|Association|Institute"
    r"|Organi[sz]ation|Council|Agency|Foundation|Network|Team|Board|Editorial|Initiative"
    r"|Centre|Center|Department|University|Project|Working|Investigators)\b"
)
# APA's last author after ". . ." may be a group: ", . . . OLYMPUS Collaboration. (2021)".
_LAST_GROUP = regex.compile(r"(?P<name>\p{Lu}[^.()]{1,80}?)\.?\s+(?=\()")
# An organisation (or a one-word name) as author, recognised only before a year or a quoted
# title: "Climate Editorial Office. (2021)", "Stravopodis, \u201cHuman bladder…\u201d".
_ORGANISATION = regex.compile(
    r"(?P<name>[\p{Lu}\p{Lo}][^.()\"\u201c\u201d,;:]{1,80}?)(?:\.?\s+(?=\((?:1[89]|20)\d\d|(?:1[89]|20)\d\d\.)"
    r"|(?=,\s*[\"\u201c]))"
)

_YEAR = r"(?:1[89]|20)\d{2}"
# A volume: "12", "B45", "12a", "199-200".
_VOLUME = r"[A-Z]?\d+[A-Za-z]?(?:-\d+)?"
# Pages or an article number: "1070-1074", "e1234", "960", "S12-S19".
_PAGES = r"[A-Za-z]{0,2}\d+[A-Za-z]?(?:\s*[-\u2010-\u2015]\s*[A-Za-z]{0,2}\d+[A-Za-z]?)?"
_ISSUE = r"[^()]{1,20}"
_MONTH = r"\p{Lu}\p{Ll}{2,8}\.?"
# Springer Nature tail: " 25, 960 (2025)", " 462(7276), 1070-1074 (2009)", " (2025)".
_TAIL_SPRINGER = regex.compile(
    rf"(?:\s+(?P<volume>{_VOLUME})(?:\s*\((?P<issue>{_ISSUE})\))?"
    rf"(?:\s*[,:]\s*(?P<pages>{_PAGES}))?)?\s*\((?P<year>{_YEAR})[a-z]?\)$"
)
# Vancouver and ScienceDaily tail: ". 2021;12(3):45-67", ". 2020 Mar 5;9:e1234",
# ", 2024; 15 (1): 500", ", 2019" (ScienceDaily without a volume).
_TAIL_YEAR_FIRST = regex.compile(
    rf"[.,]?\s+(?P<year>{_YEAR})(?:\s+{_MONTH}(?:\s+\d{{1,2}})?)?\s*(?P<semicolon>;\s*"
    rf"(?P<volume>{_VOLUME})?(?:\s*\((?P<issue>{_ISSUE})\))?(?:\s*:\s*(?P<pages>{_PAGES}))?)?$"
)
# Science News tail: ". Vol. 596, August 26, 2021, p. 583", ". Published online November 5,
# 2025", ". Vol. 132, January 12, 2024, 021001".
_TAIL_DATED = regex.compile(
    rf"\.\s+(?:Vol\.\s*(?P<volume>{_VOLUME}),\s+)?(?:(?:Published|Posted)\s+online\s+)?"
    rf"{_MONTH}\s+\d{{1,2}},\s+(?P<year>{_YEAR})(?:,\s*(?:pp?\.\s*)?(?P<pages>{_PAGES}))?$"
)
# APA and Harvard tail, after "(Year)": ", 12(3), 45-67", ", 9, Article 12", ", 5(2), pp. 1-9".
_TAIL_COMMA = regex.compile(
    rf",\s*(?:[Vv]ol\.\s*)?(?P<volume>{_VOLUME})(?:\s*\((?P<issue>{_ISSUE})\))?"
    rf"(?:,\s*(?:pp?\.\s*|Article\s+|Art\.\s*no\.\s*)?(?P<pages>{_PAGES}))?$"
)
# After "(Year)" some print the Springer Nature way, no comma before the volume (German
# institutes' "Originalpublikation"): "… (2004): Title. Science 306, 666-669".
_TAIL_SPACED = regex.compile(
    rf"(?<![,\s])\s+(?P<volume>{_VOLUME})(?:\s*\((?P<issue>{_ISSUE})\))?\s*[,:]\s*"
    rf"(?P<pages>{_PAGES})$"
)
# The same without a volume: ", Article e36", ", pp. 1-6", ", e03651"; not ", 2021".
_TAIL_COMMA_LOCATOR = regex.compile(
    rf",\s*(?:(?:pp?\.\s*|Article\s+)(?P<pages>{_PAGES})|(?P<pages>[A-Za-z]{{1,2}}\d+|\d+-\d+))$"
)
# Chicago author-date tail: " 12 (3): 45-67", " 68: 33-46", ": e36".
_TAIL_CHICAGO_AD = regex.compile(
    rf"(?:\s+(?P<volume>{_VOLUME})(?:\s*\((?P<issue>{_ISSUE})\))?)?"
    rf"(?:\s*:\s*(?P<pages>{_PAGES}))?$"
)
# Chicago notes-bibliography tail: " 12, no. 3 (2021): 45-67", " 295 (June 2016): 195-249".
_TAIL_CHICAGO_NB = regex.compile(
    rf"(?:\s+(?P<volume>{_VOLUME})(?:,\s*no\.\s*(?P<issue>[^()\s,]{{1,20}}))?)?"
    rf"\s*\((?:[^()]{{0,20}}\s)?(?P<year>{_YEAR})\)(?:\s*:\s*(?P<pages>{_PAGES}))?$"
)
# What may follow the authors: APA/Harvard "(2021). ", "(2021a, March 3) ".
_PAREN_YEAR = regex.compile(rf"\((?P<year>{_YEAR})[a-z]?(?:,[^)]*)?\)\.?\s*")
# Chicago author-date "2021. ", "2021a. ".
_BARE_YEAR = regex.compile(rf"(?P<year>{_YEAR})[a-z]?\.\s+")
# A quoted title and what follows it: “Title,” / "Title." / 'Title', (or in curly singles).
# Curly quotes may nest: “… Research Group “Urban Water” of …”.
# The closing mark is followed by punctuation or a capitalised word, so a title that only
# starts with a quotation ("Ecology" and "Plant Ecology". Ecology 8) is not cut short.
_QUOTED = regex.compile(
    r"(?:\u201c(?P<curly>(?:[^\u201c\u201d]|\u201c[^\u201c\u201d]*\u201d)+)\u201d|\"(?P<straight>[^\"]+)\""
    r"|['\u2018](?P<single>.+?)['\u2019](?=[,.]))"
    r"(?=\s*[,.]|\s*$|\s+(?!(?:and|or|in|of|for|on|to|with|from|by|as|at|vs)\b)\S)[,.]?\s*"
)
# A quoted title, then "by" and the authors (SciTechDaily, Neuroscience News):
# “Title” by Kai Wu, Anna J. Vaughan and Wei Li, 4 January 2024, Nature Energy.
_QUOTED_BY = regex.compile(
    r"(?:\u201c(?P<curly>(?:[^\u201c\u201d]|\u201c[^\u201c\u201d]*\u201d)+)\u201d"
    r"|\"(?P<straight>[^\"]+)\"|\u2018(?P<single>[^\u2018\u2019]+)\u2019)[,.]?\s+by\s+"
)
# The date between those authors and the journal: "4 January 2024, ", "Jan. 4, 2024, ".
_DATE_BEFORE_JOURNAL = regex.compile(
    rf"(?:\d{{1,2}}\s+{_MONTH}\s+|{_MONTH}\s+\d{{1,2}},?\s+)?(?P<year>{_YEAR})(?!\d)[,.]?\s*"
)
# Around the journal before a date at the end: "in Neuron. Published online April 3, 2019".
_IN_AND_PUBLISHED = regex.compile(r"^[\s.,;:]*in\s+|[\s.,;:]*\bPublished(?:\s+online)?[\s.,;:]*$")
# "et al." closing a name: "Smith et al".
_ET_AL_END = regex.compile(_ET_AL.pattern + "$")
# arXiv printed where a journal would be.
_ARXIV_VENUE = regex.compile(
    r"arxiv(?:\s+preprint|\s*\[preprint\]|\s+e-?prints?)?", regex.IGNORECASE
)
# IEEE parts after the title: "vol. 12", "no. 3", "pp. 45-67", "Art. no. 5", "Mar. 2021".
_IEEE_VOLUME = regex.compile(rf"[Vv]ol\.?\s*(?P<v>{_VOLUME})")
_IEEE_ISSUE = regex.compile(r"[Nn]o\.?\s*(?P<v>[^\s,]{1,20})")
_IEEE_PAGES = regex.compile(rf"(?:pp?\.\s*|Art(?:icle)?\.?\s*(?:no\.\s*)?)?(?P<v>{_PAGES})")
_IEEE_DATE = regex.compile(
    rf"(?:{_MONTH}(?:\s*[-/\u2013]\s*{_MONTH})?\s+)?(?:\d{{1,2}},?\s+)?(?P<v>{_YEAR})"
)
# A year anywhere, as a last resort: "Personal communication, 2020" -> 2020.
_ANY_YEAR = regex.compile(rf"(?<!\d){_YEAR}(?!\d)")
# Labels news sites print before a reference: "More information: ", "Journal Reference: ".
_LABEL = regex.compile(r"^(?:More\s+information|Journal\s+[Rr]eference|Reference)\s*:\s*")
# Links and DOIs to take out: "https://doi.org/10.…", "doi.org/10.…", "doi:10.…",
# "DOI: 10.…", "www.…".
# Two patterns, not one alternation, which the regex module scans five times slower; `_links`
# merges their matches as the alternation "_LINK_WEB|_LINK_DOI_PATH" would find them.
_LINK_WEB = regex.compile(
    r"(?:\bdoi\s*:?\s*)?(?:(?:https?://|www\.)\S+|\b(?:dx\.)?doi\.org/(?=10\.)\S+"
    r"|\b10\.\d{4,9}(?:\.\d+)*/\S+)",
    regex.IGNORECASE,
)
# A publisher's DOI path without a scheme: "onlinelibrary.wiley.com/doi/10.…"; not "a/doi/b".
_LINK_DOI_PATH = regex.compile(r"(?<!\S)[a-z][\w-]*(?:\.[\w-]+)+/doi/\S+", regex.IGNORECASE)
# Literal parts of the two, looked for first because most references hold no link.
_WWW_HINT = regex.compile(r"www\.", regex.IGNORECASE)
_DOI_PATH_HINT = regex.compile(r"/doi/", regex.IGNORECASE)
# Tails that are not bibliographic: "PMID: 34265844", "PMCID: PMC8371605", "[Online].",
# "Available at:", "(Accessed: 3 June 2024)", "Epub 2021 Jul 15.", "Retrieved from".
_NOISE = regex.compile(
    r"\b(?:PMID|PMCID)\s*:?\s*(?:PMC)?\d+\.?|\[Online\]\.?|\(Accessed:?[^)]*\)"
    r"|\bEpub\s+(?:ahead\s+of\s+print\.?|\d{4}(?:\s+\p{L}{3}(?:\s+\d{1,2})?)?\.?)"
    r"|\b(?:Available(?:\s+(?:at|from|online))?|Retrieved\s+from)\s*:?(?=\s*$|\s*[;.]\s*$)",
    regex.IGNORECASE,
)
# Where a sentence ends inside the title/journal part: after ". ", "? " or "! " (the end
# of the match).
_SENTENCE_GAP = regex.compile(r"[.?!]\s+")
# A segment of an abbreviated journal name, 1-3 words ending in a dot: "Nat.", "Natl Acad.",
# "Lancet Infect.", "J. of"; not "on lung cancer." (a title's lower-case words).
_ABBREVIATED = regex.compile(r"(?:(?:\p{Lu}\p{L}*|of|and|&)\s+){0,2}\p{Lu}\p{L}*\.")
# One to three short abbreviated words: "Phys.", "J. Am.", "Proc. Natl."; not "Cancer.".
_SHORT_ABBREVIATIONS = regex.compile(r"\p{Lu}\p{Ll}{0,3}\.(?:\s+\p{Lu}\p{Ll}{0,3}\.){0,2}")
# The end of an abbreviated journal name: "Oncol.", or a short code: "USA", "B".
_ABBREVIATED_END = regex.compile(r"(?:\.|(?<!\S)\p{Lu}{1,3})$")
# A title ending in an initialism keeps its period: "… in the U.S.".
_INITIALISM_END = regex.compile(r"\.\p{Lu}\.$")
# How one name's match becomes a Person.
_Split = Callable[[regex.Match[str]], Person]
_OPENING_QUOTES = ("\u201c", '"', "\u2018")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015", "-"))


@dataclass(slots=True)
class _Fields:
    """What the style-specific readers found after the authors."""

    title: str | None = None
    container: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    locator: str | None = None


def parse_reference(text: str) -> Reference:
    """Parse a reference string into a Reference (status PARSED, ``raw`` = ``text``)."""
    try:
        return _parse(text)
    except Exception:  # a parser bug must not lose the reference
        log.debug("could not parse reference %r", text, exc_info=True)
        return Reference(raw=text)


def _parse(text: str) -> Reference:
    line = _LABEL.sub("", " ".join(text.split()))
    # Every DOI begins "10.", so a string without it is not searched. Without a DOI, a
    # publisher page ("nature.com/articles/…") or an arXiv identifier names it.
    match = next(find_dois(line), None) if "10." in line else None
    if match is None:
        match = next(iter(find_unprinted_dois(line)), None)
    links = _links(line)
    url = None
    for link in links:
        found = link.group()
        if found.lower().startswith(("http", "www")) and not any(find_dois(found)):
            url = found.rstrip(".,;")
            break
    if links:
        line = _cut(line, [link.span() for link in links])
    if mentions_arxiv(line):  # an identifier, not a journal: "Title. arXiv:1706.03762 (2017)"
        line = _cut(line, [(found.start, found.end) for found in find_arxiv(line)])
    if _may_hold_noise(line):
        # Twice: "Available at:" is a dangling label only once "(Accessed: …)" is gone.
        line = _NOISE.sub("", _NOISE.sub("", line))
    line = _tidy_end(line)

    quoted_by = _QUOTED_BY.match(line) if line.startswith(_OPENING_QUOTES) else None
    if quoted_by:
        authors, et_al, fields = _title_by_authors(line, quoted_by)
    else:
        authors, et_al, position, natural = _authors(line)
        rest = line[position:].lstrip(" .,;:")
        fields = _after_authors(rest, bool(authors), natural)
    year = fields.year
    if year is None:
        # Not from a quoted title: "“Lessons of 2020” by …" gives no year.
        found_years = _ANY_YEAR.findall(line[quoted_by.end() :] if quoted_by else line)
        year = int(found_years[-1]) if found_years else None
    pages = article_number = None
    locator = _clean_pages(fields.locator)
    if locator and "-" in locator:
        pages = locator
    else:
        article_number = locator

    kind = WorkType.ARTICLE if fields.container else WorkType.UNKNOWN
    container = fields.container
    if match and is_arxiv_doi(match.doi) and _on_arxiv_only(container):
        kind, container = WorkType.PREPRINT, "arXiv" if container else None
    return Reference(
        doi=match.doi if match else None,
        doi_as_printed=match.as_printed if match else None,
        kind=kind,
        title=fields.title,
        authors=authors,
        et_al=et_al,
        container_title=container,
        issued=(year,) if year else (),
        volume=fields.volume,
        issue=fields.issue.strip() if fields.issue else None,
        pages=pages,
        article_number=article_number,
        url=url,
        raw=text,
    )


def _on_arxiv_only(container: str | None) -> bool:
    """No journal, or only arXiv named as one: "arXiv", "arXiv preprint", "arXiv [Preprint]"."""
    return container is None or _ARXIV_VENUE.fullmatch(container) is not None


def _links(line: str) -> list[regex.Match[str]]:
    """The links and DOIs in ``line``, as ``_LINK_WEB|_LINK_DOI_PATH`` would find them.

    Each pattern's next match is kept until the other's overtakes it; on a tie the first
    pattern wins, as the first branch of an alternation does.
    """
    web = None
    if "://" in line or "10." in line or _WWW_HINT.search(line):
        web = _LINK_WEB.search(line)
    path = _LINK_DOI_PATH.search(line) if _DOI_PATH_HINT.search(line) else None
    links: list[regex.Match[str]] = []
    while True:
        if web is not None and (path is None or web.start() <= path.start()):
            found = web
        elif path is not None:
            found = path
        else:
            return links
        links.append(found)
        end = found.end()
        if web is not None and web.start() < end:
            web = _LINK_WEB.search(line, end)
        if path is not None and path.start() < end:
            path = _LINK_DOI_PATH.search(line, end)


def _cut(line: str, spans: list[tuple[int, int]]) -> str:
    """``line`` without the text of ``spans`` (left to right, not overlapping)."""
    pieces = []
    start = 0
    for span_start, span_end in spans:
        pieces.append(line[start:span_start])
        start = span_end
    pieces.append(line[start:])
    return "".join(pieces)


def _may_hold_noise(line: str) -> bool:
    """False when `_NOISE` cannot match: none of the words its tails start with is in ``line``.

    `_NOISE` ignores case as `regex` does, which also reads "İ" as "i"; casefold() does not.
    """
    folded = line.casefold()
    return (
        "pmid" in folded
        or "pmcid" in folded
        or "[online]" in folded
        or "(accessed" in folded
        or "epub" in folded
        or "available" in folded
        or "retrieved" in folded
        or "\u0130" in line
    )


def _tidy_end(line: str) -> str:
    """Drop what removing links and tails left at the end: spaces, commas, final periods."""
    line = line.rstrip(" ,;:")
    while line.endswith(".") and len(line) > 1 and (line[-2] in ")];" or line[-2].isdigit()):
        line = line[:-1].rstrip(" ,:")
    return line


# --- authors -----------------------------------------------------------------------------


def _authors(line: str) -> tuple[tuple[Person, ...], bool, int, bool]:
    """The longest author list at the start of ``line``: people, et al., end, given-first."""
    names: list[regex.Match[str]] = []
    person: _Split = _inverted
    end = 0
    natural = False
    for first, more, split, given_first in _READINGS:
        found, found_end = _repeat(line, first, more)
        # On a tie the reading with more people wins: "Song Tan, Debraj De, …" is two names.
        longer = found_end > end or (found_end == end and len(found) > len(names))
        if found and longer and not _DANGLING.match(line, found_end):
            names, end, person, natural = found, found_end, split, given_first
    if not names:
        organisation = _ORGANISATION.match(line)
        if organisation is None:
            return (), False, 0, False
        name = organisation.group("name").strip()
        author = Person(family=name) if " " not in name else Person(literal=name)
        return (author,), False, organisation.end("name"), False
    people = [person(name) for name in names]
    et_al = _ET_AL.match(line, end)
    if et_al:
        return tuple(people), True, et_al.end(), natural
    ellipsis = _ELLIPSIS.match(line, end)
    group = _LAST_GROUP.match(line, ellipsis.end()) if ellipsis else None
    if group:
        people.append(Person(literal=group.group("name")))
        end = group.end("name")
    return tuple(people), bool(group or _ELLIPSIS_MARK.search(line, 0, end)), end, natural


def _repeat(
    line: str, first: regex.Pattern[str], more: regex.Pattern[str]
) -> tuple[list[regex.Match[str]], int]:
    """Read ``first`` then ``more`` names joined by separators; the names and where they end.

    Only the names of the longest reading become `Person` records, in `_authors`.
    """
    names: list[regex.Match[str]] = []
    position = 0
    last = False
    match = first.match(line)
    while match is not None:
        names.append(match)
        position = match.end()
        if last:
            break  # the name after "and" or "&" ends every style's list
        join = _JOIN.match(line, position)
        if join is None:
            break
        last = join.group("last") is not None
        match = more.match(line, join.end())
    return names, position


def _inverted(match: regex.Match[str]) -> Person:
    family, given = match.group("family", "given")
    return Person(family=family, given=given)


def _natural_or_inverted(match: regex.Match[str]) -> Person:
    given = " ".join(match.group("given").split())
    if _GROUP_WORD.search(given):
        # "Climate Editorial Office" reads like a person's name but is an organisation.
        return Person(literal=f"{given} {match.group('family')}")
    return Person(family=match.group("family"), given=given or None)


# The four name grammars: first name, further names, how a name becomes a Person, given-first.
_READINGS: tuple[tuple[regex.Pattern[str], regex.Pattern[str], _Split, bool], ...] = (
    (_AUTHOR, _AUTHOR, _inverted, False),
    (_AUTHOR_VANCOUVER, _AUTHOR_VANCOUVER, _inverted, False),
    (_AUTHOR_INVERTED_FULL, _AUTHOR_NATURAL, _natural_or_inverted, False),
    (_AUTHOR_NATURAL, _AUTHOR_NATURAL, _natural_or_inverted, True),
)


# --- what follows the authors ------------------------------------------------------------


def _after_authors(rest: str, has_authors: bool, natural: bool) -> _Fields:
    """Pick the style from what follows the authors and read the rest."""
    if has_authors:
        paren = _PAREN_YEAR.match(rest)
        if paren:
            fields = _comma_style(rest[paren.end() :].rstrip(" ."))
            fields.year = int(paren.group("year"))
            return fields
        bare = _BARE_YEAR.match(rest)
        if bare:
            fields = _chicago_author_date(rest[bare.end() :].rstrip(" ."))
            fields.year = int(bare.group("year"))
            return fields
        quoted = _QUOTED.match(rest)
        if quoted:
            return _quoted_title_first(rest, quoted)
    return _tail_anchored(rest, has_authors, natural)


def _title_by_authors(
    line: str, quoted: regex.Match[str]
) -> tuple[tuple[Person, ...], bool, _Fields]:
    """SciTechDaily and Neuroscience News: ``“Title” by Authors[, Date], Journal``."""
    fields = _Fields(title=_quote_text(quoted))
    rest = line[quoted.end() :]
    authors, et_al, position, _ = _authors(rest)
    if not authors:
        # A name no grammar reads, up to the date or the first sentence end:
        # "by The ENCODE Project Consortium, 5 September 2012, Nature", "by Govindjee. …",
        # "by Smith et al. Neuron".
        ends = (_DATE_BEFORE_JOURNAL.search(rest), _SENTENCE_GAP.search(rest))
        position = min((end.start() for end in ends if end), default=0)
        name = rest[:position].strip(" ,;.")
        cut = _ET_AL_END.search(name)
        if cut:
            name, et_al = name[: cut.start()], True
        if name:
            authors = (Person(family=name) if " " not in name else Person(literal=name),)
    rest = rest[position:]
    # The journal follows the date; what may stand before the date is not the journal:
    # "… et al. (LIGO Scientific Collaboration), 11 February 2016, Physical Review Letters",
    # unless nothing follows it: "… et al. in Neuron. Published April 3, 2019".
    date = _DATE_BEFORE_JOURNAL.search(rest)
    if date is not None:
        fields.year = int(date.group("year"))
        before, rest = rest[: date.start()], rest[date.end() :]
        if not rest.strip(" .,;:"):
            rest = _IN_AND_PUBLISHED.sub("", before)
    fields.container = _strip_period(rest.strip(" .,;:")) or None
    return authors, et_al, fields


def _comma_style(rest: str) -> _Fields:
    """APA and Harvard after ``(Year)``: ``Title. Journal, 12(3), 45-67``."""
    quoted = _QUOTED.match(rest)
    title = None
    if quoted:
        title = _quote_text(quoted)
        rest = rest[quoted.end() :]
    tail = _TAIL_SPACED.search(rest) or _TAIL_COMMA.search(rest) or _TAIL_COMMA_LOCATOR.search(rest)
    head = rest[: tail.start()] if tail else rest
    fields = _Fields()
    if tail:
        groups = tail.groupdict()
        fields.volume, fields.issue = groups.get("volume"), groups.get("issue")
        fields.locator = groups.get("pages")
    if quoted:
        fields.title, fields.container = title, head.strip(" ,.;:") or None
    else:
        fields.title, fields.container = _title_and_journal(head, fields.volume, True)
    return fields


def _chicago_author_date(rest: str) -> _Fields:
    """Chicago author-date after ``Year.``: ``"Title." Journal 12 (3): 45-67``."""
    quoted = _QUOTED.match(rest)
    body = rest[quoted.end() :] if quoted else rest
    tail = _TAIL_CHICAGO_AD.search(body)
    fields = _Fields()
    head = body
    if tail and tail.group():
        head = body[: tail.start()]
        fields.volume, fields.issue = tail.group("volume"), tail.group("issue")
        fields.locator = tail.group("pages")
    if quoted:
        fields.title, fields.container = _quote_text(quoted), head.strip(" ,.;:") or None
    else:
        fields.title, fields.container = _title_and_journal(head, fields.volume, True)
    return fields


def _quoted_title_first(rest: str, quoted: regex.Match[str]) -> _Fields:
    """Chicago notes (``"Title." Journal 12, no. 3 (2021): 45-67``) or IEEE (``"Title," …``)."""
    fields = _Fields(title=_quote_text(quoted))
    body = rest[quoted.end() :].strip(" ,.")
    tail = _TAIL_CHICAGO_NB.search(body)
    if tail:
        fields.year = int(tail.group("year"))
        fields.volume, fields.issue = tail.group("volume"), tail.group("issue")
        fields.locator = tail.group("pages")
        fields.container = body[: tail.start()].strip(" ,.;:") or None
        return fields
    parts = [part.strip() for part in regex.split(r",\s+", body) if part.strip()]
    journal_end = len(parts)
    for index, part in enumerate(parts):
        if index == 0:
            continue
        if _ieee_part(part, fields) and journal_end == len(parts):
            journal_end = index
    fields.container = ", ".join(parts[:journal_end]).strip(" ,") or None
    return fields


def _ieee_part(part: str, fields: _Fields) -> bool:
    """Read one comma-separated IEEE part into ``fields``; False when it is none of them."""
    for pattern, name in (
        (_IEEE_VOLUME, "volume"),
        (_IEEE_ISSUE, "issue"),
        (_IEEE_DATE, "year"),
        (_IEEE_PAGES, "locator"),
    ):
        match = pattern.fullmatch(part)
        if match:
            value = match.group("v")
            if name == "year":
                fields.year = int(value)
            else:
                setattr(fields, name, value)
            return True
    return False


def _tail_anchored(rest: str, has_authors: bool, natural: bool) -> _Fields:
    """Springer Nature, phys.org, Vancouver and ScienceDaily: read the tail from the end."""
    fields = _Fields()
    # The tail ends with "(2025)"; "$" also matches before a final newline.
    springer = _TAIL_SPRINGER.search(rest) if rest.endswith((")", ")\n")) else None
    if springer:
        fields.year = int(springer.group("year"))
        if natural and not springer.group("volume"):
            # phys.org: "Title, Journal (Year)"; the journal is the last comma's segment.
            head = rest[: springer.start("year") - 1].strip(" ,.")
            title, _, journal = head.rpartition(", ")
            fields.title = _strip_period(title.strip()) or None
            fields.container = journal.strip() or None
            if not title:
                fields.title, fields.container = fields.container, None
            return fields
        fields.volume, fields.issue = springer.group("volume"), springer.group("issue")
        fields.locator = springer.group("pages")
        fields.title, fields.container = _title_and_journal(
            rest[: springer.start()], fields.volume, has_authors
        )
        return fields
    dated = _TAIL_DATED.search(rest) if "," in rest else None
    if dated:
        fields.year = int(dated.group("year"))
        fields.volume, fields.locator = dated.group("volume"), dated.group("pages")
        fields.title, fields.container = _title_and_journal(
            rest[: dated.start()], fields.volume or "?", has_authors
        )
        return fields
    year_first = _TAIL_YEAR_FIRST.search(rest)
    if year_first and (year_first.group("semicolon") or has_authors):
        fields.year = int(year_first.group("year"))
        fields.volume, fields.issue = year_first.group("volume"), year_first.group("issue")
        fields.locator = year_first.group("pages")
        fields.title, fields.container = _title_and_journal(
            rest[: year_first.start()], fields.volume or "?", has_authors
        )
        return fields
    if has_authors:
        fields.title = _strip_period(rest.strip(" ,;:")) or None
    return fields


# --- title and journal -------------------------------------------------------------------


def _quote_text(quoted: regex.Match[str]) -> str | None:
    """The title inside quotation marks, without the comma or period styles put there."""
    text = quoted.group("curly") or quoted.group("straight") or quoted.group("single") or ""
    return _strip_period(text.strip().rstrip(",").rstrip()) or None


def _title_and_journal(
    head: str, volume: str | None, has_authors: bool
) -> tuple[str | None, str | None]:
    """Split "Title. Journal" at the sentence end where the journal name begins.

    Without authors the string may be a bare journal reference ("Phys. Rev. D 76, 013009
    (2007)"), so the journal may then take every segment.
    """
    head = head.strip(" ,;:")
    starts = [0, *(gap.end() for gap in _SENTENCE_GAP.finditer(head))]
    if len(starts) == 1:
        # One segment: a journal when a volume follows and it is short, else a title.
        if volume and len(head.split()) <= 6 and head[:1].isupper():
            return None, head or None
        return _strip_period(head) or None, None
    first = len(starts) - 1
    # "Nat. Rev. Clin. Oncol." or "Phys. World": the journal began with abbreviated words.
    # Any match of `_ABBREVIATED_END` starts in the last four characters.
    abbreviated = _ABBREVIATED_END.search(head, max(0, len(head) - 4))
    abbreviation = _ABBREVIATED if abbreviated else _SHORT_ABBREVIATIONS
    while first > (1 if has_authors else 0) and abbreviation.fullmatch(
        head[starts[first - 1] : starts[first]].rstrip()
    ):
        first -= 1
    title = _strip_period(head[: starts[first]].rstrip())
    journal = head[starts[first] :].strip(" ,;:")
    return title or None, journal or None


def _strip_period(text: str) -> str:
    """Drop a sentence's final period, but not an abbreviation's ("in the U.S.")."""
    if text.endswith(".") and not text.endswith("..") and not _INITIALISM_END.search(text):
        return text[:-1].rstrip()
    return text


def _clean_pages(pages: str | None) -> str | None:
    if not pages:
        return None
    return "".join(pages.translate(_DASHES).split())
