"""Stable citation keys: the same works give the same keys, in the same order, on every run.

A key is ``<Author><year><Word>``, e.g. ``Terashima2026Cebpg`` for Terashima et al. (2026)
"C/EBPγ induces epithelial-mesenchymal transition ...":

- *Author*: the first author's family name (for an organisation or an unsplit name,
  its first significant word), folded to ASCII letters with its case kept
  (``Müller`` -> ``Muller``, ``van der Berg`` -> ``vanderBerg``). With no author, or
  a name with no Latin letters (``张``), the first significant word of the container
  title stands in; failing that, ``anon``.
- *year*: the year of publication, or ``nd`` when it is unknown (or not a year 1-9999).
- *Word*: the first significant word of the title (stopwords and words without
  letters are skipped), folded to ASCII letters and digits and capitalised:
  ``Cebpg``, ``Her2``. Left out when the title has no such word.

Folding is Unicode NFKD with combining marks dropped, plus a small table for letters
that do not decompose (``ß`` -> ``ss``, ``Ø`` -> ``O``, ``Ł`` -> ``L``...) and for Greek
letters, common in gene and protein names (``γ`` -> ``g``). Keys therefore only hold
``[A-Za-z0-9]``, a subset of what BibTeX accepts.

Two works with the same key (compared case-insensitively, as BibTeX and biber do) *all*
get a suffix ``a``, ``b``, ``c``... (``z`` is followed by ``aa``) in the order of their
`Reference.identity`, so a key without a suffix is always the only one of its kind.
"""  # noqa: RUF002

from __future__ import annotations

import itertools
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from doi_extract.model import Person, Reference

# Letters NFKD does not decompose into ASCII letters.
_LATIN = {
    "ß": "ss",
    "ẞ": "SS",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "Th",
    "\u0131": "i",  # dotless i
}
# Greek small letters alpha (U+03B1) to omega (U+03C9), final sigma included, in order.
_GREEK = (
    *("a", "b", "g", "d", "e", "z", "e", "th", "i", "k", "l", "m", "n"),
    *("x", "o", "p", "r", "s", "s", "t", "u", "ph", "ch", "ps", "o"),
)
_FOLD = str.maketrans(
    {
        **_LATIN,
        **{chr(0x3B1 + index): latin for index, latin in enumerate(_GREEK)},
        # Capitals sit 0x20 lower; U+03A2 (the final sigma's place) is unassigned.
        **{chr(0x391 + index): latin.capitalize() for index, latin in enumerate(_GREEK)},
    }
)
_STOPWORDS = frozenset(
    (
        *("a", "an", "the", "and", "or", "of", "on", "in", "at", "to", "for", "from", "by"),
        *("with", "without", "via", "into", "onto", "over", "under", "about", "after"),
        *("before", "between", "through", "towards", "toward", "is", "are", "be", "its"),
        *("their", "our", "we", "do", "does", "how", "what", "when", "where", "which", "who"),
        *("why", "whether", "not", "no", "using", "der", "die", "das", "le", "la", "les"),
        *("de", "des", "du", "el", "los", "las", "un", "une"),
    )
)
# Hyphens and dashes (U+2010 to U+2014, minus U+2212) split title words:
# "epithelial-mesenchymal" -> "epithelial".
_DASHES = str.maketrans(dict.fromkeys("-\u2010\u2011\u2012\u2013\u2014\u2212", " "))
_ANON = "anon"
_NO_YEAR = "nd"


def keyed(works: Sequence[Reference]) -> list[tuple[str, Reference]]:
    """Give every work a unique citation key; return the pairs sorted by key.

    The result is the output order of every writer. It depends only on the works,
    never on the order they come in.
    """
    groups: defaultdict[str, list[tuple[str, Reference]]] = defaultdict(list)
    for work in _ordered(works):
        base = base_key(work)
        groups[base.casefold()].append((base, work))
    taken = {folded for folded, members in groups.items() if len(members) == 1}
    pairs: list[tuple[str, Reference]] = []
    for folded in sorted(groups):
        members = groups[folded]
        if len(members) == 1:
            pairs.append(members[0])
            continue
        number = 0
        for base, work in members:
            number += 1
            while (base + _suffix(number)).casefold() in taken:
                number += 1
            key = base + _suffix(number)
            taken.add(key.casefold())
            pairs.append((key, work))
    pairs.sort(key=lambda pair: (pair[0].casefold(), pair[0]))
    return pairs


def _ordered(works: Sequence[Reference]) -> list[Reference]:
    """The works sorted by identity, then by their whole content: the same as sorting by
    ``(identity, repr)``, with the costly repr made only for the rare equal identities."""
    ordered: list[Reference] = []
    for _, same in itertools.groupby(sorted(works, key=_identity), key=_identity):
        group = list(same)
        ordered.extend(sorted(group, key=repr) if len(group) > 1 else group)
    return ordered


def _identity(work: Reference) -> str:
    return work.identity


def base_key(work: Reference) -> str:
    """The key a work gets before collisions are resolved: author, year, title word."""
    year = str(work.year) if work.year is not None and 0 < work.year < 10000 else _NO_YEAR
    return _name_part(work) + year + _first_word(work.title or "").capitalize()


def fold_ascii(text: str) -> str:
    """Transliterate ``text`` to ASCII the way keys do; what cannot be folded is dropped.

    >>> fold_ascii("Østergaard Łukasz Ñúñez C/EBPγ")
    'Ostergaard Lukasz Nunez C/EBPg'
    """  # noqa: RUF002
    if text.isascii():  # most names and titles: nothing to fold
        return text
    folded = unicodedata.normalize("NFKD", text).translate(_FOLD)
    return "".join(char for char in folded if char.isascii() and not unicodedata.combining(char))


def _name_part(work: Reference) -> str:
    if work.authors:
        name = _person_part(work.authors[0])
        if name:
            return name
    return _first_word(work.container_title or "", letters_only=True) or _ANON


def _person_part(person: Person) -> str:
    if person.family:
        return _letters(fold_ascii(person.family))
    return _first_word(person.literal or person.given or "", letters_only=True)


def _first_word(text: str, *, letters_only: bool = False) -> str:
    """The first word of ``text`` that is not a stopword and has a letter, folded."""
    for raw in text.translate(_DASHES).split():
        folded = fold_ascii(raw)
        word = _letters(folded) if letters_only else "".join(c for c in folded if c.isalnum())
        if word.casefold() in _STOPWORDS or not any(c.isalpha() for c in word):
            continue
        return word
    return ""


def _letters(text: str) -> str:
    return "".join(char for char in text if char.isalpha())


def _suffix(number: int) -> str:
    """Bijective base-26: 1 -> ``a``, 26 -> ``z``, 27 -> ``aa``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters
