"""Build the labelled reference strings in this directory from stored Crossref records.

Run once by hand, never at test time::

    python tests/data/references/build_data.py /path/to/crossref-json-dir [OUT_DIR SEED]

``OUT_DIR`` and ``SEED`` (default: this directory, 0) build a fresh held-out set with other
random choices, to check that the parser was not tuned to these exact strings.

It reads every Crossref ``work`` message found in the JSON files under the given directory
(journal articles with authors and a journal title), prints each record in the eleven citation
styles the way real sites print them, with seeded random variation (truncation, initials,
journal abbreviations, dash kinds, DOI forms, missing parts, PMID tails, stray spaces), and
writes ``<style>.jsonl`` next to this script together with the expected fields. The
hand-written lines in ``hand.jsonl`` are appended to their style's file unchanged.
"""

from __future__ import annotations

import html
import json
import random
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
STYLES = (
    "springer",
    "apa",
    "vancouver",
    "chicago-ad",
    "chicago-nb",
    "harvard",
    "ieee",
    "sciencedaily",
    "physorg",
    "scitechdaily",
    "sciencenews",
)
PER_STYLE = 36
# Publisher landing pages phys.org prints after the DOI: "www.science.org/doi/10.1126/…".
LANDING = {
    "10.1126/": "www.science.org",
    "10.1111/": "onlinelibrary.wiley.com",
    "10.1002/": "onlinelibrary.wiley.com",
    "10.1021/": "pubs.acs.org",
    "10.1080/": "www.tandfonline.com",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FULL_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass
class Author:
    family: str | None
    given: str | None
    literal: str | None = None


@dataclass
class Work:
    authors: list[Author]
    title: str
    journal: str
    short: str | None
    year: int
    month: int | None
    volume: str | None
    issue: str | None
    page: str | None
    article_number: str | None
    doi: str


def _works(root: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if "DOI" in node and "title" in node:
                    yield node
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)


def regex_letter(name: str | None) -> bool:
    return bool(name) and any(c.isalpha() for c in str(name))


def _clean(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", html.unescape(text))
    return " ".join(text.replace("\u2009", " ").split())


def _year_month(message: dict[str, Any]) -> tuple[int, int | None] | None:
    for key in ("published-print", "published-online", "issued", "published"):
        parts = (message.get(key) or {}).get("date-parts") or [[None]]
        if parts[0] and parts[0][0]:
            return parts[0][0], parts[0][1] if len(parts[0]) > 1 else None
    return None


def load(root: Path) -> list[Work]:
    """Every usable journal article under ``root``, once, in DOI order."""
    seen: dict[str, Work] = {}
    for m in _works(root):
        if m.get("type") != "journal-article" or not m.get("author"):
            continue
        if not m.get("container-title") or not m.get("title"):
            continue
        raw_title = m["title"][0]
        # Markup inside a word ("an<scp>R</scp>package") cannot be printed faithfully.
        if re.search(r"\w<(?!/)|<sup>", raw_title):
            continue
        date = _year_month(m)
        if date is None:
            continue
        authors = [
            Author(
                _clean(a["family"]) if a.get("family") else None,
                _clean(a["given"]) if a.get("given") else None,
                _clean(a["name"]) if a.get("name") else None,
            )
            for a in m["author"]
        ]
        if any(not regex_letter(a.family or a.literal) for a in authors):
            continue
        if m.get("page") and not re.search(r"\d", m["page"]):
            continue
        short = m.get("short-container-title") or [None]
        page = m.get("page")
        number = m.get("article-number")
        if number and page and page.split("-")[0] == number:
            page = None
        if page and "-" in page and page.split("-")[0] == page.split("-")[1]:
            page = page.split("-")[0]
        if page and "-" not in page:
            page, number = None, number or page
        title = _clean(raw_title).rstrip(".")
        seen.setdefault(
            m["DOI"].lower(),
            Work(
                authors=authors,
                title=title,
                journal=_clean(m["container-title"][0]),
                short=_clean(short[0]) if short[0] else None,
                year=date[0],
                month=date[1],
                volume=m["volume"] if re.search(r"\d", m.get("volume") or "") else None,
                issue=m.get("issue") or None,
                page=page,
                article_number=number,
                doi=m["DOI"],
            ),
        )
    return [seen[k] for k in sorted(seen)]


# --- name forms --------------------------------------------------------------------------


def initials(given: str | None, dots: bool = True, space: bool = False) -> str:
    """``"Dilano K."`` -> ``"D.K."`` (or ``"D. K."``, or ``"DK"`` without dots)."""
    if not given:
        return ""
    out = []
    for word in given.replace(".", ". ").split():
        parts = [p for p in word.split("-") if p]
        if not parts or not parts[0][0].isalpha():
            continue
        if dots:
            out.append("-".join(p[0].upper() + "." for p in parts))
        else:
            out.append("".join(p[0].upper() for p in parts))
    if dots:
        return (" " if space else "").join(out)
    return "".join(out)


def inverted(a: Author, given: str) -> str:
    if a.literal:
        return a.literal
    return f"{a.family}, {given}" if given else str(a.family)


def natural(a: Author, given: str | None) -> str:
    if a.literal:
        return a.literal
    return f"{given} {a.family}" if given else str(a.family)


def families(authors: list[Author]) -> list[str]:
    return [str(a.literal or a.family) for a in authors]


# --- pieces ------------------------------------------------------------------------------


def dash(rng: random.Random) -> str:
    return rng.choice(["\u2013", "\u2013", "-"])


def pages_printed(work: Work, rng: random.Random, abbreviate: bool = False) -> str | None:
    if not work.page:
        return None
    first, _, last = work.page.partition("-")
    if abbreviate and len(first) == len(last) and len(first) > 1:
        keep = 0
        while keep < len(first) - 1 and first[keep] == last[keep]:
            keep += 1
        last = last[keep:]
    return f"{first}-{last}"


def doi_form(work: Work, rng: random.Random, forms: list[str]) -> str:
    form = rng.choice(forms)
    doi = work.doi
    return {
        "url": f"https://doi.org/{doi}",
        "dxurl": f"http://dx.doi.org/{doi}",
        "doi:": f"doi:{doi}",
        "doi: ": f"doi: {doi}",
        "DOI: ": f"DOI: {doi}",
        "DOI:": f"DOI:{doi}",
        "none": "",
    }[form]


def title_end(title: str) -> str:
    """A title as a sentence: ``"Title."``, but ``"Why?"`` keeps its own mark."""
    return title if title[-1] in "?!." else title + "."


def expected(
    work: Work,
    *,
    authors: list[Author],
    et_al: bool,
    container: str | None,
    pages: str | None,
    article_number: str | None,
    doi: bool,
    volume: str | None = "",
    issue: str | None = "",
    url: str | None = None,
    title: str | None = "",
) -> dict[str, Any]:
    return {
        "families": families(authors),
        "et_al": et_al,
        "title": work.title if title == "" else title,
        "container": container,
        "year": work.year,
        "volume": work.volume if volume == "" else volume,
        "issue": work.issue if issue == "" else issue,
        "pages": pages,
        "article_number": article_number,
        "doi": work.doi.lower() if doi else None,
        "url": url,
    }


def quirks(text: str, rng: random.Random) -> str:
    """Copy-paste noise real pages carry: a doubled space, a lost final period."""
    if rng.random() < 0.12:
        spaces = [m.start() for m in re.finditer(" ", text)]
        if spaces:
            at = rng.choice(spaces)
            text = text[:at] + " " + text[at:]
    if rng.random() < 0.15 and text.endswith("."):
        text = text[:-1]
    return text


# --- the eleven styles ---------------------------------------------------------------------


def springer(w: Work, rng: random.Random) -> tuple[str, dict[str, Any]]:
    limit = rng.choice([3, 3, 3, 5, 6])
    cut = len(w.authors) > limit
    shown = w.authors[: (3 if limit == 3 else 1)] if cut else w.authors
    spaced = rng.random() < 0.4
    names = [inverted(a, initials(a.given, space=spaced)) for a in shown]
    if cut:
        people = ", ".join(names) + " et al."
    elif len(names) > 1:
        people = ", ".join(names[:-1]) + rng.choice([" & ", ", "]) + names[-1]
    else:
        people = names[0]
    if not people.endswith("."):
        people += "."
    journal = w.short if (w.short and rng.random() < 0.6) else w.journal
    locator = w.page.replace("-", dash(rng)) if w.page else w.article_number
    tail = " ".join(x for x in [journal, w.volume or ""] if x)
    if locator and w.volume:
        tail += f", {locator}"
    else:
        locator = None
    doi = rng.random() < 0.85
    text = f"{people} {title_end(w.title)} {tail} ({w.year})."
    if doi:
        text += " " + doi_form(w, rng, ["url", "url", "url", "doi:"])
    exp = expected(
        w,
        authors=shown,
        et_al=cut,
        container=journal,
        pages=w.page if locator and w.page else None,
        article_number=w.article_number if locator and not w.page else None,
        doi=doi,
        volume=w.volume,
        issue=None,
    )
    return quirks(text, rng), exp


def apa(w: Work, rng: random.Random) -> tuple[str, dict[str, Any]]:
    names = [inverted(a, initials(a.given, space=True)) for a in w.authors]
    shown = w.authors
    cut = False
    if len(names) > 20:
        shown = w.authors[:19] + w.authors[-1:]
        people = ", ".join(names[:19]) + ", . . . " + names[-1]
        cut = True
    elif len(names) > 1:
        people = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        people = names[0]
    year = f"({w.year})."
    if rng.random() < 0.1 and w.month:
        year = f"({w.year}, {FULL_MONTHS[w.month - 1]})."
    tail = w.journal
    issue = w.issue if rng.random() < 0.85 else None
    if w.volume:
        tail += f", {w.volume}"
        if issue:
            tail += f"({issue})"
    else:
        issue = None
    pages = number = None
    if w.page:
        pages = w.page
        tail += ", " + w.page.replace("-", dash(rng))
    elif w.article_number:
        number = w.article_number
        tail += f", Article {number}" if rng.random() < 0.7 else f", {number}"
    doi = rng.random() < 0.85
    text = f"{people} {year} {title_end(w.title)} {tail}."
    if doi:
        text += " " + doi_form(w, rng, ["url"] * 6 + ["dxurl", "doi:"])
    sep = "" if people.endswith(".") else "."
    text = text.replace(f"{people} {year}", f"{people}{sep} {year}", 1) if sep else text
    exp = expected(
        w,
        authors=shown,
        et_al=cut,
        container=w.journal,
        pages=pages,
        article_number=number,
        doi=doi,
        issue=issue,
        volume=w.volume,
    )
    return quirks(text, rng), exp


def _nlm_abbrev(w: Work) -> str:
    short = w.short or w.journal
    return short.replace(".", "")


def vancouver(w: Work, rng: random.Random) -> tuple[str, dict[str, Any]]:
    limit = rng.choice([6, 6, 3])
    cut = len(w.authors) > 6
    shown = w.authors[:limit] if cut else w.authors
    names = [a.literal or f"{a.family} {initials(a.given, dots=False)}".strip() for a in shown]
    people = ", ".join(names) + (", et al." if cut else ".")
    if people.endswith("..") and not cut:
        people = people[:-1]
    journal = _nlm_abbrev(w) if rng.random() < 0.8 else w.journal
    date = str(w.year)
    if w.month and rng.random() < 0.4:
        date += f" {MONTHS[w.month - 1]}"
    issue = w.issue if rng.random() < 0.9 else None
    loc = f"{date};"
    if w.volume:
        loc += w.volume
        if issue:
            loc += f"({issue})"
    else:
        issue = None
    pages = pages_printed(w, rng, abbreviate=rng.random() < 0.6)
    number = None
    if pages:
        loc += f":{pages}"
    elif w.article_number:
        number = w.article_number
        loc += f":{number}"
    doi = rng.random() < 0.8
    text = f"{people} {title_end(w.title)} {journal}. {loc}."
    if doi:
        text += " " + doi_form(w, rng, ["doi:", "doi: ", "doi: ", "url"])
        if not text.endswith("."):
            text += rng.choice([".", ""])
    if rng.random() < 0.3:
        text += f" PMID: {3 * 10**7 + rng.randrange(10**6)}."
        if rng.random() < 0.5:
            text += f"; PMCID: PMC{8 * 10**6 + rng.randrange(10**5)}."
            text = text.replace(".;", ";")
    exp = expected(
        w,
        authors=shown,
        et_al=cut,
        container=journal,
        pages=pages,
        article_number=number,
        doi=doi,
        issue=issue,
        volume=w.volume,
    )
    return quirks(text, rng), exp


def _chicago_people(w: Work, rng: random.Random) -> tuple[str, list[Author], bool]:
    full = rng.random() < 0.8

    def given(a: Author) -> str | None:
        return a.given if full else initials(a.given, space=True)

    shown = w.authors
    cut = len(w.authors) > 10
    if cut:
        shown = w.authors[:7]
    first = inverted(shown[0], given(shown[0]) or "")
    rest = [natural(a, given(a)) for a in shown[1:]]
    if cut:
        people = ", ".join([first, *rest]) + ", et al."
    elif not rest:
        people = first
    elif len(rest) == 1:
        people = f"{first}, and {rest[0]}" if rng.random() < 0.3 else f"{first} and {rest[0]}"
        if len(w.authors) == 2 and rng.random() < 0.5:
            people = f"{first}, and {rest[0]}"
    else:
        people = ", ".join([first, *rest[:-1]]) + f", and {rest[-1]}"
    if not people.endswith("."):
        people += "."
    return people, shown, cut


def _quoted(title: str, inside: str) -> str:
    """A title in curly quotes, with ``inside`` (the style's period) unless it ends in ? or !."""
    if title[-1] in "?!":
        return f"\u201c{title}\u201d"
    return f"\u201c{title}{inside}\u201d"


def _chicago_locator(w: Work, rng: random.Random) -> tuple[str, str | None, str | None]:
    """``": 161-163"`` or ``": e0123"``, and the pages or article number it prints."""
    if w.page:
        return ": " + w.page.replace("-", dash(rng)), w.page, None
    if w.article_number:
        return f": {w.article_number}", None, w.article_number
    return "", None, None


def _chicago_end(
    w: Work,
    rng: random.Random,
    text: str,
    shown: list[Author],
    cut: bool,
    issue: str | None,
    pages: str | None,
    number: str | None,
) -> tuple[str, dict[str, Any]]:
    """A Chicago reference with its DOI (most of the time) and its expected fields."""
    doi = rng.random() < 0.85
    if doi:
        text += " " + doi_form(w, rng, ["url", "url", "url", "doi:"]) + "."
    exp = expected(
        w,
        authors=shown,
        et_al=cut,
        container=w.journal,
        pages=pages,
        article_number=number,
        doi=doi,
        issue=issue,
        volume=w.volume,
    )
    return quirks(text, rng), exp


def chicago_ad(w: Work, rng: random.Random) -> tuple[str, dict[str, Any]]:
    people, shown, cut = _chicago_people(w, rng)
    q = rng.random() < 0.75
    title = _quoted(w.title, ".") if q else f'"{title_end(w.title)}"'
    tail = w.journal
    issue = w.issue
    if w.volume:
        tail += f" {w.volume}"
        if issue:
            tail += f" ({issue})"
    else:
        issue = None
    locator, pages, number = _chicago_locator(w, rng)
    return _chicago_end(
        w, rng, f"{people} {w.year}. {title} {tail}{locator}.", shown, cut, issue, pages, number
    )


def chicago_nb(w: Work, rng: random.Random) -> tuple[str, dict[str, Any]]:
    people, shown, cut = _chicago_people(w, rng)
    title = _quoted(w.title, ".") if rng.random() < 0.75 else f'"{title_end(w.title)}"'
    tail = w.journal
    issue = w.issue
    if w.volume:
        tail += f" {w.volume}"
        if issue:
            tail += f", no. {issue}"
    else:
        issue = None
    date = str(w.year)
    if w.month and rng.random() < 0.3:
        date = f"{FULL_MONTHS[w.month - 1]} {w.year}"
    tail += f" ({date})"
    locator, pages, number = _chicago_locator(w, rng)
    return _chicago_end(
        w, rng, f"{people} {title} {tail}{locator}.", shown, cut, issue, pages, number
    )


def harvard(w: Work, rng: random.Random) -> tuple[str, dict[str, Any]]:
    cut = len(w.authors) > 3 and rng.random() < 0.8
    shown = w.authors[:1] if cut else w.authors
    names = [inverted(a, initials(a.given)) for a in shown]
    if cut:
        people = names[0] + " et al."
    elif len(names) > 1:
        people = ", ".join(names[:-1]) + " and " + names[-1]
    else:
        people = names[0]
    quote = rng.choice(["'{}'", "\u2018{}\u2019", "'{}'"])
    title = quote.format(w.title)
    tail = w.journal
    issue = w.issue
    if w.volume:
        tail += f", {w.volume}"
        if issue:
            tail += f"({issue})"
    else:
        issue = None
    pages = number = None
    if w.page:
        pages = w.page
        tail += (", pp. " if rng.random() < 0.8 else ", ") + w.page.replace("-", dash(rng))
    elif w.article_number:
        number = w.article_number
        tail += f", {number}" if rng.random() < 0.6 else f", Article {number}"
    doi = rng.random() < 0.8
    url = None
    text = f"{people} ({w.year}) {title}, {tail}."
    if doi:
        form = rng.random()
        if form < 0.6:
            text += " doi:" + w.doi + "."
        elif form < 0.8:
            text += f" Available at: https://doi.org/{w.doi}."
        else:
            text += f" https://doi.org/{w.doi}"
    exp = expected(
        w,
        authors=shown,
        et_al=cut,
        container=w.journal,
        pages=pages,
        article_number=number,
        doi=doi,
        issue=issue,
        volume=w.volume,
        url=url,
    )
    return quirks(text, rng), exp


def ieee(w: Work, rng: random.Random) -> tuple[str, dict[str, Any]]:
    cut = len(w.authors) > 6
    shown = w.authors[:1] if cut else w.authors
    names = [natural(a, initials(a.given, space=True)) for a in shown]
    if cut:
        people = names[0] + " et al."
    elif len(names) == 2:
        people = f"{names[0]} and {names[1]}"
    elif len(names) > 2:
        people = ", ".join(names[:-1]) + ", and " + names[-1]
    else:
        people = names[0]
    journal = w.short if (w.short and rng.random() < 0.6) else w.journal
    parts = [journal]
    volume, issue = w.volume, w.issue
    if volume:
        parts.append(f"vol. {volume}" if rng.random() < 0.9 else f"Vol. {volume}")
    if issue and rng.random() < 0.9:
        parts.append(f"no. {issue}")
    else:
        issue = None
    pages = number = None
    if w.page:
        pages = w.page
        p = w.page.replace("-", dash(rng))
        parts.append(f"pp. {p}")
    elif w.article_number:
        number = w.article_number
        parts.append(f"Art. no. {number}" if rng.random() < 0.6 else f"{number}")
    date = str(w.year)
    if w.month and rng.random() < 0.7:
        date = f"{MONTHS[w.month - 1]}. {w.year}".replace("May.", "May")
    parts.append(date)
    doi = rng.random() < 0.8
    comma = "," if not w.title.endswith(("?", "!")) else ""
    text = f"{people}, \u201c{w.title}{comma}\u201d " + ", ".join(parts)
    if rng.random() < 0.5:
        text = text.replace("\u201c", '"').replace("\u201d", '"')
    if doi:
        text += ", doi: " + w.doi + "."
    else:
        text += "."
    if rng.random() < 0.1:
        text += " [Online]."
    exp = expected(
        w,
        authors=shown,
        et_al=cut,
        container=journal,
        pages=pages,
        article_number=number,
        doi=doi,
        issue=issue,
        volume=volume,
    )
    return quirks(text, rng), exp


def sciencedaily(w: Work, rng: random.Random) -> tuple[str, dict[str, Any]]:
    cut = len(w.authors) > 8 or (len(w.authors) > 2 and rng.random() < 0.3)
    shown = w.authors[: rng.choice([1, 2, 3])] if cut else w.authors
    names = [natural(a, a.given) for a in shown]
    people = ", ".join(names) + (", et al." if cut else ".")
    if people.endswith("..") and not cut:
        people = people[:-1]
    tail = f"{w.journal}, {w.year};"
    issue = w.issue
    volume = w.volume
    if volume:
        tail += f" {volume}"
        if issue:
            tail += f" ({issue})"
    else:
        issue = None
    pages = number = None
    if w.page:
        first = w.page.split("-")[0]
        tail += f": {first}" if rng.random() < 0.5 else ""
        number = first if tail.endswith(first) else None
    elif w.article_number:
        number = w.article_number if rng.random() < 0.5 else None
        if number:
            tail += f": {number}"
    text = f"{people} {title_end(w.title)} {tail}"
    text += " " + doi_form(w, rng, ["DOI: ", "DOI: ", "DOI: ", "DOI:"])
    exp = expected(
        w,
        authors=shown,
        et_al=cut,
        container=w.journal,
        pages=pages,
        article_number=number,
        doi=True,
        issue=issue,
        volume=volume,
    )
    return quirks(text, rng), exp


def physorg(w: Work, rng: random.Random) -> tuple[str, dict[str, Any]]:
    if len(w.authors) > 2:
        shown, people = w.authors[:1], natural(w.authors[0], w.authors[0].given) + " et al"
        cut = True
    elif len(w.authors) == 2:
        shown, cut = w.authors, False
        people = " and ".join(natural(a, a.given) for a in shown)
    else:
        shown, cut = w.authors, False
        people = natural(shown[0], shown[0].given)
    text = f"{people}, {w.title}, {w.journal} ({w.year}). "
    text += doi_form(w, rng, ["DOI: "] * 5 + ["DOI:"])
    host = next((h for p, h in LANDING.items() if w.doi.startswith(p)), None)
    if host and rng.random() < 0.5:
        # The landing page holds the DOI, so it is not a separate URL.
        text += f". {host}/doi/{w.doi}"
    exp = expected(
        w,
        authors=shown,
        et_al=cut,
        container=w.journal,
        pages=None,
        article_number=None,
        doi=True,
        issue=None,
        volume=None,
        url=None,
    )
    return quirks(text, rng), exp


def scitechdaily(w: Work, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """SciTechDaily's "Reference:" line, or Neuroscience News's "Original Research:" one."""
    names = [natural(a, a.given) for a in w.authors]
    if rng.random() < 0.5:
        # SciTechDaily: every author, the publication date, the journal; a DOI may follow.
        people = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        date = f"{w.year}"
        if w.month:
            date = f"{rng.randint(1, 28)} {FULL_MONTHS[w.month - 1]} {w.year}"
        text = f"\u201c{w.title}\u201d by {people}, {date}, {w.journal}."
        with_doi = rng.random() < 0.5
        if with_doi:
            text += " " + doi_form(w, rng, ["DOI: "])
        exp = expected(
            w,
            authors=w.authors,
            et_al=False,
            container=w.journal,
            pages=None,
            article_number=None,
            doi=with_doi,
            volume=None,
            issue=None,
        )
        return quirks(text, rng), exp
    # Neuroscience News: the first author and "et al." (or both of two), then the journal.
    cut = len(names) > 2
    shown = w.authors[:1] if cut else w.authors
    people = f"{names[0]} et al." if cut else " and ".join(names) + "."
    text = f"\u201c{w.title}\u201d by {people} {w.journal}"
    exp = expected(
        w,
        authors=shown,
        et_al=cut,
        container=w.journal,
        pages=None,
        article_number=None,
        doi=False,
        volume=None,
        issue=None,
    )
    exp["year"] = None  # not printed
    return text, exp


def sciencenews(w: Work, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """Science News's "Citations": initials, title, journal, volume, date, first page."""
    names = [natural(a, initials(a.given)) for a in w.authors]
    cut = len(names) > 2
    shown = w.authors[:1] if cut else w.authors
    people = f"{names[0]} et al." if cut else " and ".join(names) + "."
    month = w.month or rng.randint(1, 12)
    date = f"{FULL_MONTHS[month - 1]} {rng.randint(1, 28)}, {w.year}"
    first = w.page.split("-")[0] if w.page else w.article_number
    volume = w.volume if w.volume and first and rng.random() < 0.7 else None
    if volume:
        tail = f"Vol. {volume}, {date}, " + (f"p. {first}" if w.page else str(first))
    else:
        tail = f"Published online {date}"
    text = f"{people} {title_end(w.title)} {w.journal}. {tail}. doi: {w.doi}."
    exp = expected(
        w,
        authors=shown,
        et_al=cut,
        container=w.journal,
        pages=None,
        article_number=first if volume else None,
        doi=True,
        volume=volume,
        issue=None,
    )
    return quirks(text, rng), exp


FORMATTERS: dict[str, Callable[[Work, random.Random], tuple[str, dict[str, Any]]]] = {
    "springer": springer,
    "apa": apa,
    "vancouver": vancouver,
    "chicago-ad": chicago_ad,
    "chicago-nb": chicago_nb,
    "harvard": harvard,
    "ieee": ieee,
    "sciencedaily": sciencedaily,
    "physorg": physorg,
    "scitechdaily": scitechdaily,
    "sciencenews": sciencenews,
}


def main(root: Path, out: Path = HERE, seed: int = 0) -> None:
    works = load(root)
    hand: dict[str, list[str]] = {}
    hand_path = HERE / "hand.jsonl"
    if hand_path.exists():
        for line in hand_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                hand.setdefault(json.loads(line)["style"], []).append(line)
    for number, style in enumerate(STYLES):
        rng = random.Random(seed * 100 + number)
        sample = rng.sample(works, min(PER_STYLE, len(works)))
        lines = []
        for work in sample:
            text, exp = FORMATTERS[style](work, rng)
            lines.append(json.dumps({"text": text, "expected": exp}, ensure_ascii=False))
        for line in hand.get(style, []) if out == HERE else []:
            record = json.loads(line)
            del record["style"]
            lines.append(json.dumps(record, ensure_ascii=False))
        path = out / f"{style}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main(Path(sys.argv[1]))
