"""Validate bibliographic-search candidates: accept one only when the evidence is clear.

Crossref's ``query.bibliographic`` search always returns *something*; its relevance
``score`` is unbounded and grows with the query, so it cannot say whether the top hit is
the work cited. `validate` decides offline, from the reference as parsed and as printed
(``raw``), and never guesses: the best candidate is accepted only if ALL these checks
pass, otherwise the reference stays without a DOI.

1. **Title**: similarity >= 0.90 between the normalised titles (casefolded, diacritics,
   markup and punctuation removed, compared as word sequences with `difflib`). When the
   parser missed or mis-split the title, the candidate's title may instead be found in
   the printed string, as a run of whole segments between punctuation (``. , " “ ”``), so
   a shorter title that is only part of a longer one never counts. A candidate whose title
   starts with "Correction", "Erratum", "Retraction", "Reply to", "Comment on",
   "Author Correction" (and a few more notice words) when the reference's does not is
   disqualified.
2. **Year**: the candidate's year is within one of the reference's (parsed, or printed
   anywhere in the string). Without a year on either side a candidate is accepted only
   with title similarity >= 0.98 and the first author and the container both compared and
   agreeing.
3. **First author**: the family names agree after ASCII folding, with particles (van,
   de, El…) and spacing ignored; one may hold only some of the other's words (Spanish
   double names). With no author parsed, or a given name parsed as the family name
   ("Kate L. Laskowski"), the candidate's first author must be printed ahead of the
   title. Skipped when the candidate has no author.
4. **Container**: the journal names agree, also as abbreviation and full name (each
   abbreviated word is an initial-anchored subsequence of a full word, ``Natl`` ~
   ``National``; capitals may stand for several words, ``USA``; small words skipped).
   With no container parsed, the candidate's container must appear in the printed string.
5. **Type**: a preprint (posted-content) is not accepted for a reference that names no
   preprint server (bioRxiv, arXiv…), nor a journal article for one that names one.
6. **Volume and first page**, when both sides print them as numbers, are equal.
7. **Margin**: no other candidate passes all checks too (two near-identical candidates,
   such as a preprint and its article cited without a journal, or the same title by the
   same authors twice, mean no match), and the runner-up scores at least 0.15 lower or is
   clearly another work (it fails the title, notice, year, author or type check).

The score (0 to 1) weighs title similarity 0.5, first author 0.2, year 0.15 and
container 0.15 (1 agree, 0.5 for a year one off or a check that could not be made, 0
disagree). Reasons carry one short phrase per check, for the accepted candidate or for
the best rejected one.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

from doi_extract.model import Match, Reference, WorkType

TITLE_MIN = 0.90
"""Title similarity a candidate needs."""
TITLE_MIN_WITHOUT_YEAR = 0.98
"""Title similarity a candidate needs when no year can be compared."""
MARGIN = 0.15
"""How much lower than the best the runner-up must score (unless it fails a main check)."""
_WEIGHTS = {"title": 0.5, "author": 0.2, "year": 0.15, "container": 0.15}

_NOTICES = (
    "author correction",
    "publisher correction",
    "correction",
    "corrigendum",
    "erratum",
    "retraction",
    "retracted",
    "expression of concern",
    "reply to",
    "response to",
    "comment on",
    "addendum",
)
"""Title openings of notices about another work (normalised, so no punctuation)."""
_PREPRINT_SERVERS = (
    "arxiv",
    "biorxiv",
    "medrxiv",
    "chemrxiv",
    "research square",
    "ssrn",
    "preprints",
    "ess open archive",
    "essoar",
    "authorea",
    "osf preprints",
    "psyarxiv",
    "socarxiv",
    "eartharxiv",
    "techrxiv",
)
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la"}
    | {"le", "ter", "ten", "zu", "al", "el", "bin", "ibn", "y"}
)
_SMALL_WORDS = frozenset(
    {"the", "of", "and", "for", "in", "on", "at", "to", "a", "an", "de", "des", "la", "le"}
    | {"du", "der", "die", "und", "fur", "et"}
)
# Letters folded by hand: NFKD leaves them whole ("Ødegård" -> "odegard", "Łukasz").
_FOLD = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE", "đ": "d"}
)
_WORDS = regex.compile(r"[\p{L}\p{N}]+")
# Where a title may begin or end in a printed reference: ". ", ", ", "? ", quotes,
# brackets. "Wu, K. et al. Targeting FSP1 triggers ferroptosis. Nature 648" splits at
# ". " and ", "; "C/EBP-beta", "immune-checkpoint" and "signals: the charted" do not split,
# so a decoy titled with only the subtitle never matches a segment.
_SEGMENT_BREAK = regex.compile(
    r"(?<=[.?!;])\s+|,\s+|\s*[\"\u201c\u201d\u00ab\u00bb\u2018\u2019]\s*|\s*[()\[\]]\s*"
)
_YEAR = regex.compile(r"(?<!\d)(?:1[89]|20)\d{2}(?!\d)")
_NUMBER = regex.compile(r"\d+")
_MAX_SEGMENTS = 12


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of a bibliographic search for one reference.

    ``match`` always says why: the score and reasons of the accepted candidate, or of the
    best rejected one (``("no candidates",)`` when the search found none).
    """

    accepted: bool
    record: Reference | None
    """The accepted candidate (a registry record), or None."""
    match: Match
    failed: str | None = None
    """Why the search could not be made (unreachable, deadline); such verdicts are not cached."""


@dataclass(frozen=True, slots=True)
class _Checked:
    """One candidate's checks."""

    record: Reference
    score: float
    passed: bool
    other_work: bool
    """A title, notice, year, author or type check failed: clearly not the work cited."""
    reasons: tuple[str, ...]


def validate(reference: Reference, candidates: Sequence[Reference]) -> Verdict:
    """Accept the best candidate only if every check passes; see the module docstring.

    Args:
        reference: the work as cited: parsed fields and, ideally, the printed ``raw`` string.
        candidates: registry records mapped to References, best first as the search ranked.
    """
    if not candidates:
        return Verdict(False, None, Match(0.0, ("no candidates",)))
    text = _Text.of(reference)
    checked = [_check(reference, text, candidate) for candidate in candidates]
    # Stable sort: equal scores keep the search engine's order.
    ranked = sorted(checked, key=lambda c: c.score, reverse=True)
    passing = [c for c in ranked if c.passed]
    if not passing:
        return Verdict(False, None, Match(ranked[0].score, ranked[0].reasons))
    best = passing[0]
    if len(passing) > 1:
        reason = f"ambiguous: {passing[1].record.doi} passes too"
        return Verdict(False, None, Match(best.score, (*best.reasons, reason)))
    others = [c for c in ranked if c is not best]
    if not others:
        return Verdict(True, best.record, Match(best.score, (*best.reasons, "only candidate")))
    runner = others[0]
    gap = round(best.score - runner.score, 3)
    if gap < MARGIN and not runner.other_work:
        reason = f"margin {gap:.2f} < {MARGIN:.2f} over {runner.record.doi}"
        return Verdict(False, None, Match(best.score, (*best.reasons, reason)))
    return Verdict(True, best.record, Match(best.score, (*best.reasons, f"margin {gap:.2f}")))


@dataclass(frozen=True, slots=True)
class _Text:
    """The printed reference, prepared once for every candidate."""

    raw: str | None
    words: tuple[str, ...]
    """Normalised words of the whole string."""
    segments: tuple[str, ...]
    """Normalised segments between punctuation, in order."""
    years: tuple[int, ...]

    @classmethod
    def of(cls, reference: Reference) -> _Text:
        raw = reference.raw
        if not raw:
            return cls(None, (), (), ())
        segments = tuple(s for s in (_normal(part) for part in _SEGMENT_BREAK.split(raw)) if s)
        years = tuple(int(y) for y in _YEAR.findall(raw))
        return cls(raw, tuple(_normal(raw).split()), segments, years)


def _check(reference: Reference, text: _Text, candidate: Reference) -> _Checked:
    reasons: list[str] = []
    failed: list[str] = []

    title, where = _title_similarity(reference, text, candidate)
    reasons.append(f"title {title:.2f}{where}")
    if title < TITLE_MIN:
        failed.append("title")
        reasons[-1] = f"title {title:.2f} < {TITLE_MIN:.2f}"
    notice = _notice(candidate.title)
    if notice and not _cites_notice(reference, text, notice):
        failed.append("notice")
        reasons.append(f"a {notice} notice")

    year_value, year_ok = _year(reference, text, candidate, reasons)
    if year_ok is False:
        failed.append("year")
    author_value, author_ok = _author(reference, text, candidate, title_at=where, reasons=reasons)
    if author_ok is False:
        failed.append("author")
    container_value, container_ok = _container(reference, text, candidate, reasons)
    if container_ok is False:
        failed.append("container")
    if not _type_agrees(reference, text, candidate, reasons):
        failed.append("type")
    for name, ours, theirs in (
        ("volume", reference.volume, candidate.volume),
        ("page", reference.pages or reference.article_number, _first_page(candidate)),
    ):
        a, b = _number(ours), _number(theirs)
        if a is not None and b is not None and a != b:
            failed.append(name)
            reasons.append(f"{name} {a} != {b}")
    if year_ok is None and not (
        title >= TITLE_MIN_WITHOUT_YEAR and author_ok is True and container_ok is True
    ):
        failed.append("no year")
        reasons.append("no year: needs title 0.98, author and container")

    score = (
        _WEIGHTS["title"] * title
        + _WEIGHTS["author"] * author_value
        + _WEIGHTS["year"] * year_value
        + _WEIGHTS["container"] * container_value
    )
    main = {"title", "notice", "year", "author", "type"}
    return _Checked(
        record=candidate,
        score=round(score, 3),
        passed=not failed,
        other_work=bool(main.intersection(failed)),
        reasons=tuple(reasons),
    )


# -- title -------------------------------------------------------------------------------


def _title_similarity(reference: Reference, text: _Text, candidate: Reference) -> tuple[float, str]:
    """The best similarity of the candidate's title, and where it was found ('' or ' in text')."""
    theirs = _normal(candidate.title)
    if not theirs:
        return 0.0, ""
    parsed = _similarity(_normal(reference.title), theirs)
    printed = _best_segment_run(text.segments, theirs)
    if printed > parsed:
        return printed, " in text"
    return parsed, ""


def _best_segment_run(segments: Sequence[str], title: str) -> float:
    """The best similarity of ``title`` to a run of whole consecutive segments."""
    best = 0.0
    limit = len(title) * 1.5 + 10
    for start in range(len(segments)):
        run = ""
        for end in range(start, min(len(segments), start + _MAX_SEGMENTS)):
            run = f"{run} {segments[end]}" if run else segments[end]
            if len(run) > limit:
                break
            best = max(best, _similarity(run, title))
    return best


def _similarity(a: str, b: str) -> float:
    """Word-sequence similarity of two normalised strings, 0 to 1."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    words = difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()
    chars = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    # Words catch a changed word ("lung" vs "liver") that characters forgive; characters
    # forgive spelling variants ("tumour" vs "tumor") that words punish. Take the lower.
    return min(max(words, chars - 0.05), chars)


def _notice(title: str | None) -> str | None:
    normal = _normal(title)
    return next((n for n in _NOTICES if normal.startswith(n + " ") or normal == n), None)


def _cites_notice(reference: Reference, text: _Text, notice: str) -> bool:
    """The reference itself cites such a notice (its title opens with it, or it is printed)."""
    if reference.title:
        return _notice(reference.title) == notice
    return f" {notice} " in f" {' '.join(text.words)} "


# -- year, author, container, type -------------------------------------------------------


def _year(
    reference: Reference, text: _Text, candidate: Reference, reasons: list[str]
) -> tuple[float, bool | None]:
    theirs = candidate.year
    ours = (reference.year,) if reference.year else text.years
    if theirs is None or not ours:
        reasons.append("year not compared")
        return 0.5, None
    closest = min(ours, key=lambda y: abs(y - theirs))
    gap = abs(closest - theirs)
    if gap == 0:
        reasons.append(f"year {closest}")
        return 1.0, True
    if gap == 1:
        reasons.append(f"year {closest} ~ {theirs}")
        return 0.5, True
    reasons.append(f"year {closest} != {theirs}")
    return 0.0, False


def _author(
    reference: Reference, text: _Text, candidate: Reference, *, title_at: str, reasons: list[str]
) -> tuple[float, bool | None]:
    theirs = _name_words(candidate.authors[0] if candidate.authors else None)
    if not theirs:
        reasons.append("author not compared")
        return 0.5, None
    first = reference.authors[0] if reference.authors else None
    ours = _name_words(first)
    if ours:
        if _names_agree(ours, theirs):
            reasons.append(f"author {' '.join(theirs)}")
            return 1.0, True
        if _swapped(ours, candidate) and _contains(_head_words(text, candidate), theirs):
            # "Kate L. Laskowski" read as family "Kate": the candidate's given name, and
            # its family name printed before the title.
            reasons.append(f"author {' '.join(theirs)} in text")
            return 1.0, True
        reasons.append(f"author {' '.join(ours)} != {' '.join(theirs)}")
        return 0.0, False
    if text.raw is None:
        reasons.append("author not compared")
        return 0.5, None
    # No author parsed: the candidate's first author must be printed before its title.
    head = _head_words(text, candidate)
    if _contains(head, theirs):
        reasons.append(f"author {' '.join(theirs)} in text")
        return 1.0, True
    reasons.append(f"author {' '.join(theirs)} not in text")
    return 0.0, False


def _head_words(text: _Text, candidate: Reference) -> tuple[str, ...]:
    """The printed words before the candidate's title (the first 12 if it is not found)."""
    title = _normal(candidate.title).split()
    words = text.words
    if title:
        for i in range(len(words)):
            if words[i : i + min(3, len(title))] == tuple(title[:3]):
                return words[:i]
    return words[:12]


def _swapped(ours: tuple[str, ...], candidate: Reference) -> bool:
    """The parsed family name is the candidate's first given name (name order misread)."""
    given = _normal(candidate.authors[0].given).split() if candidate.authors else []
    return bool(given) and ours[0] == given[0] and len(given[0]) > 1


def _name_words(person: object) -> tuple[str, ...]:
    """The family name's words, folded, without particles; a literal name's words otherwise."""
    family = getattr(person, "family", None) or getattr(person, "literal", None)
    if not family:
        return ()
    return tuple(w for w in _normal(family).split() if w not in _PARTICLES)


def _names_agree(ours: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    if "".join(ours) == "".join(theirs):
        return True
    return set(ours) <= set(theirs) or set(theirs) <= set(ours)


def _contains(words: Sequence[str], part: Sequence[str]) -> bool:
    n = len(part)
    return n > 0 and any(tuple(words[i : i + n]) == tuple(part) for i in range(len(words)))


def _container(
    reference: Reference, text: _Text, candidate: Reference, reasons: list[str]
) -> tuple[float, bool | None]:
    theirs = _container_words(candidate.container_title)
    ours = _container_words(reference.container_title)
    if ours:
        if not theirs:
            if _is_preprint(candidate) and _names_preprint_server(reference.container_title):
                reasons.append("container: preprint server")
                return 1.0, True
            reasons.append("container not on candidate")
            return 0.0, False
        if _containers_agree(ours, theirs):
            reasons.append(f"container {' '.join(theirs)}")
            return 1.0, True
        reasons.append(f"container {' '.join(ours)} != {' '.join(theirs)}")
        return 0.0, False
    if text.raw is None:
        reasons.append("container not compared")
        return 0.5, None
    # No container parsed: the candidate's must be printed (in full or abbreviated).
    if not theirs:
        if _is_preprint(candidate) and _names_preprint_server(text.raw):
            reasons.append("container: preprint server in text")
            return 1.0, True
        reasons.append("container not compared")
        return 0.5, None
    words = [w for w in text.words if w not in _SMALL_WORDS]
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + len(theirs) + 2) + 1):
            if _containers_agree(tuple(words[start:end]), theirs):
                reasons.append(f"container {' '.join(theirs)} in text")
                return 1.0, True
    reasons.append(f"container {' '.join(theirs)} not in text")
    return 0.0, False


def _container_words(name: str | None) -> tuple[str, ...]:
    return tuple(w for w in _normal(name).split() if w not in _SMALL_WORDS)


def _containers_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Same journal: equal, or one an abbreviation of the other (ISO 4 style)."""
    return a == b or _abbreviates(a, b) or _abbreviates(b, a)


@lru_cache(maxsize=4096)
def _abbreviates(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Every word of ``short`` stands for the next word(s) of ``full``, using them all up.

    ``nat rev clin oncol`` ~ ``nature reviews clinical oncology``; ``proc natl acad sci usa``
    ~ ``proceedings national academy sciences united states america``.
    """
    if not short:
        return not full
    if not full:
        return False
    word, rest = short[0], short[1:]
    if _shortens(word, full[0]) and _abbreviates(rest, full[1:]):
        return True
    # Capitals standing for several words: "usa", "pnas"-like initialisms of 2-5 words.
    n = len(word)
    if 2 <= n <= 5 and n <= len(full) and "".join(w[0] for w in full[:n]) == word:
        return _abbreviates(rest, full[n:])
    return False


def _shortens(short: str, full: str) -> bool:
    """``short`` is ``full`` or an initial-anchored subsequence of it (``natl`` ~ ``national``)."""
    if short == full:
        return True
    if short[0] != full[0] or len(short) >= len(full) or short.isdigit() or full.isdigit():
        return False
    rest = iter(full[1:])
    return all(letter in rest for letter in short[1:])


def _type_agrees(
    reference: Reference, text: _Text, candidate: Reference, reasons: list[str]
) -> bool:
    """A preprint for a journal reference, or a journal article for a preprint one, fails."""
    named = reference.container_title
    if named:
        cites_preprint = reference.kind is WorkType.PREPRINT or _names_preprint_server(named)
    elif reference.kind is WorkType.PREPRINT or _names_preprint_server(text.raw):
        cites_preprint = True
    elif text.raw or reference.kind is WorkType.ARTICLE:
        # A printed reference that names no preprint server does not cite a preprint.
        cites_preprint = False
    else:
        return True
    if _is_preprint(candidate) and not cites_preprint:
        reasons.append("type: preprint for a journal reference")
        return False
    if cites_preprint and candidate.kind is WorkType.ARTICLE:
        reasons.append("type: journal article for a preprint reference")
        return False
    return True


def _is_preprint(candidate: Reference) -> bool:
    return candidate.kind is WorkType.PREPRINT or _names_preprint_server(candidate.container_title)


def _names_preprint_server(name: str | None) -> bool:
    normal = f" {_normal(name)} "
    return any(f" {server} " in normal for server in _PREPRINT_SERVERS)


# -- numbers and normalisation -----------------------------------------------------------


def _first_page(record: Reference) -> str | None:
    return record.pages or record.article_number


def _number(value: str | None) -> int | None:
    """The first number in a volume or page (``e33693`` -> 33693), or None."""
    if not value:
        return None
    match = _NUMBER.search(value)
    return int(match.group()) if match else None


@lru_cache(maxsize=8192)
def _normal(value: str | None) -> str:
    """Casefolded words, no diacritics or punctuation: ``Ökologie & Co.`` -> ``okologie and co``."""
    if not value:
        return ""
    folded = unicodedata.normalize("NFKD", value.translate(_FOLD))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return " ".join(_WORDS.findall(folded.replace("&", " and ")))
