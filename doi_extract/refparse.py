"""PARSE: split one reference string into bibliographic fields, offline.

The main target is the Springer Nature style that science-news feeds copy::

    Wu, K., Vaughan, A.J., Bossowski, J.P. et al. Targeting FSP1 triggers ferroptosis in
    lung cancer. Nature 648, 110-118 (2025). https://doi.org/10.1038/s41586-025-09710-8

APA (``Family, A. B., & Family, C. (2021). Title. Journal, 12(3), 45-67.``) and Vancouver
(``Family AB, Family CD. Title. J Abbrev. 2021;12(3):45-67.``) are read on a best-effort
basis. The method, in order:

1. DOIs and URLs are taken out of the string (the first DOI is the work's DOI, the first
   other URL its ``url``).
2. The author list is read from the start: ``Family, I.`` names (or Vancouver
   ``Family IN``) joined by commas, ``&`` or ``and``, and an optional ``et al.``
3. The tail is anchored at the end: ``Vol(Issue), pages (Year)`` (Springer Nature),
   ``Year;Vol(Issue):pages`` (Vancouver) or, after an APA ``(Year).``,
   ``, Vol(Issue), pages``.
4. What lies between is split at sentence ends: the journal is the last segment,
   extended backwards over abbreviated segments (``Proc. Natl Acad. Sci. USA``); the title
   is everything before it.

Whatever cannot be read stays None; `parse_reference` never raises.
"""

from __future__ import annotations

import logging

import regex

from doi_extract.doi import find_dois
from doi_extract.model import Person, Reference, WorkType

log = logging.getLogger(__name__)

_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|dos|das|du|la|le|ter|ten|zu|al|el|bin|ibn|y)"
# One capitalised name word: "Darzi", "O'Neil", "Smith-Jones", "Ødegård".
_WORD = r"\p{Lu}[\p{L}\p{M}'\u2019]*(?:-\p{L}[\p{L}\p{M}'\u2019]*)*"
# A family name: "Wu", "El Darzi", "van der Berg", "d'Alembert".
_FAMILY = rf"(?:{_PARTICLE}\s+|d['\u2019])*{_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_WORD})*"
# One initial with its dot: "J.", "LB.", "Y-L.", "Ch.".
_INITIAL = r"(?:\p{Lu}(?:-?\p{Lu}){0,2}|\p{Lu}\p{Ll}{1,2})\."
# Initials as printed: "J.P.", "S.J.", "Y.-L.", "A. B.".
_INITIALS = rf"{_INITIAL}(?:\s?-?{_INITIAL})*"
# "Bossowski, J.P." (Springer Nature, APA).
_AUTHOR = regex.compile(rf"(?P<family>{_FAMILY}),\s*(?P<given>{_INITIALS})")
# "Moghaddam SJ" (Vancouver): initials without dots, then "," "." or the end.
_AUTHOR_VANCOUVER = regex.compile(rf"(?P<family>{_FAMILY})\s+(?P<given>\p{{Lu}}{{1,4}})(?=[,.;]|$)")
# Between two authors: ", ", ", & ", " and ".
_SEPARATOR = regex.compile(r"\s*,\s*(?:(?:&|and)\s+)?|\s+(?:&|and)\s+")
# The end of a cut-short list: " et al.", ", et al", " et al".
_ET_AL = regex.compile(r"\s*,?\s*et\s+al\b\.?")

_YEAR = r"(?:1[89]|20)\d{2}"
_VOLUME = r"[A-Z]?\d+[A-Za-z]?"
# Pages or an article number: "1070-1074", "e1234", "960", "S12-S19".
_PAGES = r"[A-Za-z]{0,2}\d+[A-Za-z]?(?:\s*[-\u2010-\u2015]\s*[A-Za-z]{0,2}\d+[A-Za-z]?)?"
# Springer Nature tail: " 25, 960 (2025)", " 462(7276), 1070-1074 (2009)", " (2025)".
_TAIL_SPRINGER = regex.compile(
    rf"(?:\s+(?P<volume>{_VOLUME})(?:\s*\((?P<issue>[^()]{{1,20}})\))?"
    rf"(?:\s*[,:]\s*(?P<pages>{_PAGES}))?)?\s*\((?P<year>{_YEAR})[a-z]?\)$"
)
# Vancouver tail: ". 2021;12(3):45-67", ". 2020 Mar 5;9:e1234".
_TAIL_VANCOUVER = regex.compile(
    rf"[.,]?\s+(?P<year>{_YEAR})(?:\s+[A-Z][a-z]{{2}}(?:\s+\d{{1,2}})?)?\s*;\s*"
    rf"(?P<volume>{_VOLUME})?(?:\s*\((?P<issue>[^()]{{1,20}})\))?(?::\s*(?P<pages>{_PAGES}))?$"
)
# APA tail, after the "(Year)." that follows the authors: ", 12(3), 45-67", ", 9, Article 12".
_TAIL_APA = regex.compile(
    rf",\s*(?P<volume>{_VOLUME})(?:\s*\((?P<issue>[^()]{{1,20}})\))?"
    rf"(?:,\s*(?:Article\s+)?(?P<pages>{_PAGES}))?$"
)
# APA year after the authors: "(2021). ", "(2021a, March 3). ".
_APA_YEAR = regex.compile(rf"\((?P<year>{_YEAR})[a-z]?(?:,[^)]*)?\)\.?\s*")
# A year anywhere, as a last resort: "Personal communication, 2020" -> 2020.
_ANY_YEAR = regex.compile(rf"(?<!\d){_YEAR}(?!\d)")
# Links and DOIs to take out: "https://doi.org/10.…", "doi:10.…", "DOI: 10.…", "www.…".
_LINK = regex.compile(
    r"(?:\bdoi\s*:?\s*)?(?:(?:https?://|www\.)\S+|\b10\.\d{4,9}(?:\.\d+)*/\S+)"
    r"|\s*\b(?:Available\s+(?:at|from)|Retrieved\s+from)\s*:?\s*(?=\S*$)",
    regex.IGNORECASE,
)
# Where a sentence ends inside the title/journal part: after ". ", "? " or "! ".
_SENTENCE_GAP = regex.compile(r"(?<=[.?!])\s+")
# A segment of an abbreviated journal name, 1-3 words ending in a dot: "Nat.", "Natl Acad.",
# "Lancet Infect.", "J. of"; not "on lung cancer." (a title's lower-case words).
_ABBREVIATED = regex.compile(r"(?:(?:\p{Lu}\p{L}*|of|and|&)\s+){0,2}\p{Lu}\p{L}*\.")
# The end of an abbreviated journal name: "Oncol.", or a short code: "USA", "B".
_ABBREVIATED_END = regex.compile(r"(?:\.|(?<!\S)\p{Lu}{1,3})$")
# A title ending in an initialism keeps its period: "… in the U.S.".
_INITIALISM_END = regex.compile(r"\.\p{Lu}\.$")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015", "-"))


def parse_reference(text: str) -> Reference:
    """Parse a reference string into a Reference (status PARSED, ``raw`` = ``text``)."""
    try:
        return _parse(text)
    except Exception:  # a parser bug must not lose the reference
        log.debug("could not parse reference %r", text, exc_info=True)
        return Reference(raw=text)


def _parse(text: str) -> Reference:
    line = " ".join(text.split())
    match = next(find_dois(line), None)
    url = None
    for link in _LINK.finditer(line):
        if link.group().startswith(("http", "www")) and not any(find_dois(link.group())):
            url = link.group().rstrip(".,;")
            break
    line = _tidy_end(_LINK.sub("", line))

    authors, et_al, position = _authors(line)
    rest = line[position:].lstrip(" .,;:")
    year = None
    tail = None
    apa_year = _APA_YEAR.match(rest) if authors else None
    if apa_year:
        year = int(apa_year.group("year"))
        rest = rest[apa_year.end() :].rstrip(" .")
        tail = _TAIL_APA.search(rest)
    else:
        tail = _TAIL_SPRINGER.search(rest) or _TAIL_VANCOUVER.search(rest)

    title = container = volume = issue = pages = article_number = None
    if tail is not None:
        year = int(tail.group("year")) if "year" in tail.groupdict() else year
        volume, issue = tail.group("volume"), tail.group("issue")
        pages = _clean_pages(tail.group("pages"))
        if pages and "-" not in pages:
            pages, article_number = None, pages
        title, container = _title_and_journal(rest[: tail.start()], volume, bool(authors))
    elif authors:
        title = _strip_period(rest.strip(" ,;:")) or None
    if year is None:
        found = _ANY_YEAR.findall(line)
        year = int(found[-1]) if found else None

    return Reference(
        doi=match.doi if match else None,
        doi_as_printed=match.as_printed if match else None,
        kind=WorkType.ARTICLE if container else WorkType.UNKNOWN,
        title=title,
        authors=tuple(authors),
        et_al=et_al,
        container_title=container,
        issued=(year,) if year else (),
        volume=volume,
        issue=issue.strip() if issue else None,
        pages=pages,
        article_number=article_number,
        url=url,
        raw=text,
    )


def _tidy_end(line: str) -> str:
    """Drop what removing links left at the end: spaces, commas, a period after "(2025)"."""
    line = line.rstrip(" ,;:")
    while line.endswith(".") and len(line) > 1 and (line[-2] == ")" or line[-2].isdigit()):
        line = line[:-1].rstrip(" ,;:")
    return line


def _authors(line: str) -> tuple[list[Person], bool, int]:
    """The author list at the start of ``line``, whether it ends in et al., and its end."""
    for pattern in (_AUTHOR, _AUTHOR_VANCOUVER):
        authors: list[Person] = []
        match = pattern.match(line)
        position = 0
        while match is not None:
            authors.append(Person(family=match.group("family"), given=match.group("given")))
            position = match.end()
            separator = _SEPARATOR.match(line, position)
            match = pattern.match(line, separator.end()) if separator else None
        if authors:
            et_al = _ET_AL.match(line, position)
            return authors, et_al is not None, et_al.end() if et_al else position
    return [], False, 0


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
    if _ABBREVIATED_END.search(head):
        while first > (1 if has_authors else 0) and _ABBREVIATED.fullmatch(
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
