"""Property-based tests: DOI normalisation, writer round trips and citation keys.

The writers' deliberate normal forms (docs/robustness.md) are applied to the generated
text before comparing: NFC, control characters dropped, whitespace runs folded to one
space, leading and trailing whitespace gone.
"""

from __future__ import annotations

import io
import json
import string
import unicodedata

import regex
import rispy  # type: ignore[import-untyped]
from bibtexparser import middlewares
from bibtexparser.entrypoint import parse_string
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

from doi_extract.doi import is_valid_doi, normalise_doi
from doi_extract.keys import keyed
from doi_extract.model import Person, Reference, WorkType
from doi_extract.writers import make_writer
from doi_extract.writers.bibtex import _keeps_case
from doi_extract.writers.csljson import clean

PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------- DOIs

_REGISTRANT = st.from_regex(r"\A10\.[0-9]{4,9}(\.[0-9]{1,3})?\Z")
# Suffix characters that survive every printed form unchanged (no "%", "&", quotes,
# brackets or whitespace), with a letter or digit at each end, so no trimming applies.
_SUFFIX_CHARS = string.ascii_letters + string.digits + "-._;:/"
_SUFFIX = st.from_regex(rf"\A[A-Za-z0-9](?:[{regex.escape(_SUFFIX_CHARS)}]{{0,30}}[A-Za-z0-9])?\Z")
# A landing-page tail ("/full", "/pdf") is cut from DOIs found in URLs.
_PAGE_TAIL = regex.compile(r"/(?:full|abstract|pdf|epdf|pdfdirect|fulltext|full-text)$", regex.I)


@st.composite
def dois(draw: st.DrawFn) -> str:
    """A syntactically valid DOI in mixed case."""
    suffix = draw(_SUFFIX)
    assume(not _PAGE_TAIL.search(suffix) and "//" not in suffix)
    return f"{draw(_REGISTRANT)}/{suffix}"


_PREFIXES = st.sampled_from(
    [
        "",
        "doi:",
        "DOI: ",
        "doi.org/",
        "https://doi.org/",
        "http://dx.doi.org/",
        "https://www.nature.com/articles/",
        "See https://doi.org/",
        "(",
    ]
)
_ENDINGS = st.sampled_from(["", ".", ",", ";", ")", ").", " and more", "?af=R", "#ref-1", '"'])


@st.composite
def printed(draw: st.DrawFn) -> tuple[str, str]:
    """A DOI and one way a feed prints it: prefix, encoded slash, soft hyphen, punctuation."""
    doi = draw(dois())
    text = doi
    if draw(st.booleans()) and len(doi) > doi.index("/") + 2:
        at = draw(st.integers(min_value=doi.index("/") + 2, max_value=len(doi) - 1))
        text = text[:at] + "\u00ad" + text[at:]  # a soft hyphen from a hyphenating CMS
    if draw(st.booleans()):
        text = text.replace("/", "%2F", 1)
    return doi, draw(_PREFIXES) + text + draw(_ENDINGS)


@PROPERTIES
@given(printed())
def test_a_printed_doi_normalises_to_the_doi(case: tuple[str, str]) -> None:
    doi, text = case
    assert normalise_doi(text) == doi.lower()


@PROPERTIES
@given(st.one_of(st.text(), printed().map(lambda case: case[1] + "%2F%252F&amp;x")))
def test_normalisation_is_idempotent_and_valid(text: str) -> None:
    doi = normalise_doi(text)
    if doi is not None:
        assert is_valid_doi(doi)
        assert doi == doi.lower()
        assert normalise_doi(doi) == doi


# ---------------------------------------------------------------- writers

# The hard characters for each format, mixed with any Unicode (surrogates excluded:
# nothing that decodes bytes produces them).
_HARD = st.sampled_from(
    [
        *"{}\\%#&$_~^@,=\"'",
        " ",
        "\t",
        "\n",
        "\x00",
        "\x07",
        "\x1b",
        "\u0301",  # combining acute accent
        "\u0303",  # combining tilde
        "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
        "\u0645\u0631\u062d\u0628\u0627",  # Arabic
        "\u200f",  # right-to-left mark
        "\u00e9",
        "\u03b3",
        "\u4e2d",
        "\U0001f600",
        " and ",
        "and",
        "\\textbf{x}",
        "$x^2$",
    ]
)
_TEXT = st.lists(
    st.one_of(_HARD, st.text(st.characters(blacklist_categories=["Cs"]), max_size=3)),
    max_size=12,
).map("".join)
_NAME = _TEXT.filter(lambda text: _normal(text) is not None)


def _normal(text: str | None) -> str | None:
    """The documented normal form: NFC, controls dropped, whitespace folded and trimmed."""
    if text is None:
        return None
    kept = "".join(
        char
        for char in unicodedata.normalize("NFC", text)
        if char.isspace() or unicodedata.category(char) != "Cc"
    )
    return " ".join(kept.split()) or None


@st.composite
def works(draw: st.DrawFn) -> Reference:
    """One work with arbitrary title and author names (family + given, or literal)."""
    people = draw(
        st.lists(
            st.one_of(
                st.builds(Person, family=_NAME, given=_NAME),
                st.builds(Person, literal=_NAME),
            ),
            max_size=3,
        )
    )
    return Reference(
        doi="10.5555/property",
        kind=WorkType.ARTICLE,
        title=draw(_TEXT.filter(lambda text: _normal(text) is not None)),
        authors=tuple(people),
        container_title="Journal of Properties",
        issued=(2024,),
    )


def _expected_names(work: Reference) -> list[str]:
    """Each author as one string: the literal, or "given family"."""
    return [
        _normal(person.literal)
        or " ".join(filter(None, (_normal(person.given), _normal(person.family))))
        for person in work.authors
    ]


def _written(fmt: str, work: Reference) -> str:
    out = io.StringIO()
    make_writer(fmt).write([work], out)
    return out.getvalue()


_DECODE = LatexNodes2Text()


def _caret(text: str | None) -> str | None:
    # pylatexenc decodes \textasciicircum as U+02C6 (a modifier letter), not "^".
    return text.replace("\u02c6", "^") if text else text


# TeX's input ligatures, read back as what LaTeX prints: "--" is an en dash.
_LIGATURES = {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d", "!`": "¡", "?`": "¿"}
_LIGATURE = regex.compile("|".join(map(regex.escape, _LIGATURES)))


def _as_latex_reads(text: str | None) -> str | None:
    """What bibtexparser's LaTeX decoder gives back for text the BibTeX writer wrote.

    Two deliberate normal forms on top of `_normal`: a brace without a partner in its
    value is lost (the writer spells it ``\\textbraceleft{}``, which LaTeX typesets but
    the decoder and pandoc drop), and TeX's input ligatures read as what LaTeX prints.
    """
    text = _normal(text)
    if text is None:
        return None
    paired: set[int] = set()
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "{":
            opened.append(index)
        elif char == "}" and opened:
            paired.update((opened.pop(), index))
    # The macro still separates what stood on either side of it: "'{'" stays "''".
    marked = "".join("\0" if c in "{}" and i not in paired else c for i, c in enumerate(text))
    joined = _LIGATURE.sub(lambda match: _LIGATURES[match.group()], marked)
    return _normal(_caret(joined.replace("\0", "")))


def _bibtex_names(work: Reference) -> list[str | None]:
    """Each author as bibtexparser gives it back: "given family", or the literal name."""
    names = []
    for person in work.authors:
        parts = (person.literal,) if _normal(person.literal) else (person.given, person.family)
        names.append(_normal(" ".join(filter(None, map(_as_latex_reads, parts)))))
    return names


@PROPERTIES
@given(works())
def test_bibtex_round_trips_titles_and_names(work: Reference) -> None:
    library = parse_string(
        _written("bibtex", work),
        append_middleware=[
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
            middlewares.LatexDecodingMiddleware(),
        ],
    )
    assert library.failed_blocks == []
    (entry,) = library.entries
    assert _caret(_normal(entry.fields_dict["title"].value)) == _as_latex_reads(work.title)
    authors = entry.fields_dict["author"].value if work.authors else []
    names = [
        _DECODE.latex_to_text(" ".join(parts.first + parts.von + parts.last + parts.jr))
        for parts in authors
    ]
    assert [_caret(_normal(name)) for name in names] == _bibtex_names(work)


@PROPERTIES
@given(works())
def test_ris_round_trips_titles_and_names(work: Reference) -> None:
    (record,) = rispy.loads(_written("ris", work))
    assert record["title"] == _normal(work.title)
    # RIS has one string per author; the writer's form is "Family, Given".
    expected = []
    for person in work.authors:
        literal, family, given = map(_normal, (person.literal, person.family, person.given))
        single = literal or family or given
        if family and given and not literal:
            expected.append(f"{family}, {given}")
        elif single:
            expected.append(single + "," if " " in single else single)
    assert record.get("authors", []) == expected


@PROPERTIES
@given(works())
def test_csljson_and_jsonl_round_trip_titles_and_names(work: Reference) -> None:
    (item,) = json.loads(_written("csljson", work))
    (line,) = _written("jsonl", work).splitlines()
    record = json.loads(line)
    for value in (item, record):
        assert value["title"] == _normal(work.title)
        names = [
            name.get("literal") or " ".join(filter(None, (name.get("given"), name.get("family"))))
            for name in value.get("author", [])
        ]
        assert names == _expected_names(work)


# ---------------------------------------------------------------- citation keys

# BibTeX ends a key at whitespace, a comma or a brace; biber also refuses these.
_BIBTEX_KEY = regex.compile(r"[A-Za-z][A-Za-z0-9]*")


@st.composite
def similar_works(draw: st.DrawFn) -> list[Reference]:
    """Works drawn from few names, titles and years, so keys collide often."""
    family = st.sampled_from(["Smith", "smith", "Müller", "Muller", "张", "", "O'Neil"])
    title = st.sampled_from(
        ["DNA repair", "dna Repair", "The end", "", "\u03b3-rays", "2024", None]
    )
    count = draw(st.integers(min_value=1, max_value=40))
    result = []
    for index in range(count):
        name = draw(family)
        result.append(
            Reference(
                doi=f"10.5555/k.{index}" if draw(st.booleans()) else None,
                raw=f"reference {index}",
                title=draw(title),
                authors=(Person(family=name, given="A."),) if name else (),
                container_title=draw(st.sampled_from([None, "Nature", "中华"])),
                issued=draw(st.sampled_from([(), (2024,), (0,), (12345,)])),
            )
        )
    return result


@PROPERTIES
@given(similar_works(), st.randoms(use_true_random=False))
def test_keys_are_unique_valid_and_independent_of_order(
    works: list[Reference], random: st.SearchStrategy[object]
) -> None:
    pairs = keyed(works)
    keys = [key for key, _ in pairs]
    assert len(keys) == len(works)
    assert len({key.casefold() for key in keys}) == len(keys)  # BibTeX ignores case
    assert all(_BIBTEX_KEY.fullmatch(key) for key in keys), keys
    assert sorted(map(id, (work for _, work in pairs))) == sorted(map(id, works))
    shuffled = list(works)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert [key for key, _ in keyed(shuffled)] == keys


# ---------------------------------------------------------------- writer shortcuts

# Words of any characters between runs of spaces, controls and decomposed accents.
_WRITER_TEXT = st.lists(
    st.one_of(
        st.text(max_size=4),
        st.sampled_from(["word", "Zo\u00eb", "\u03b2-cell", "\u2019s"]),
        st.sampled_from(
            [" ", "  ", "\t", "\n", "\u00a0", "\u2003", "\x00", "\x1b", "\x85", "e\u0301"]
        ),
    ),
    max_size=8,
).map("".join)


@PROPERTIES
@given(_WRITER_TEXT)
def test_clean_is_nfc_without_controls_with_whitespace_folded(text: str) -> None:
    normal = unicodedata.normalize("NFC", text)
    visible = "".join(
        char for char in normal if unicodedata.category(char) != "Cc" or char.isspace()
    )
    assert clean(text) == (" ".join(visible.split()) or None)


@PROPERTIES
@given(st.text(st.characters(blacklist_categories=["Zs", "Cc"]), min_size=1), st.booleans())
def test_a_word_keeps_its_case_when_it_has_a_capital_or_mixes_digits_and_letters(
    word: str, first: bool
) -> None:
    capitals = word[1:] if first else word
    has_capital = any(char.isupper() for char in capitals)
    mixed = any(char.isdigit() for char in word) and any(char.isalpha() for char in word)
    assert _keeps_case(word, first=first) == (has_capital or mixed)
