"""Citation keys: stable, unique, ASCII, never empty."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doi_extract.keys import base_key, fold_ascii, keyed
from doi_extract.model import Person, Reference

BIBTEX_KEY = re.compile(r"[A-Za-z0-9_:-]+")


def work(
    family: str | None = "Smith",
    year: int | None = 2020,
    title: str | None = "Lung cancer screening",
    *,
    doi: str | None = None,
    literal: str | None = None,
    container: str | None = None,
) -> Reference:
    if literal:
        authors: tuple[Person, ...] = (Person(literal=literal),)
    elif family:
        authors = (Person(family=family, given="J."),)
    else:
        authors = ()
    return Reference(
        doi=doi,
        title=title,
        authors=authors,
        issued=(year,) if year else (),
        container_title=container,
    )


def test_key_is_author_year_and_first_significant_title_word() -> None:
    terashima = work(
        "Terashima",
        2026,
        "C/EBPγ induces epithelial-mesenchymal transition and facilitates DNA repair",  # noqa: RUF001
    )
    assert base_key(terashima) == "Terashima2026Cebpg"
    assert base_key(work("Hou", 2025, "The genomic characterization of HER2")) == "Hou2025Genomic"


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("Müller", "Muller"),
        ("Østergaard", "Ostergaard"),
        ("Łukasz", "Lukasz"),
        ("Ñúñez", "Nunez"),
        ("Straße", "Strasse"),
        ("Ærø", "AEro"),
        ("Đorđević", "Dordevic"),
        ("Þórsdóttir", "Thorsdottir"),
        ("O'Brien-Smith", "OBrienSmith"),
        ("van der Berg", "vanderBerg"),
        ("Pen\u0303a", "Pena"),  # decomposed n + combining tilde
    ],
)
def test_family_names_fold_to_ascii_letters(family: str, expected: str) -> None:
    assert base_key(work(family, 2020, None)) == f"{expected}2020"


def test_fold_ascii_keeps_ascii_and_drops_what_it_cannot_fold() -> None:
    assert fold_ascii("Østergaard Łukasz Ñúñez C/EBPγ") == "Ostergaard Lukasz Nunez C/EBPg"  # noqa: RUF001
    assert fold_ascii("张伟") == ""


def test_chinese_only_name_falls_back_to_container_then_anon() -> None:
    cjk = work("张", 2022, "肺腺癌", container="Cell Death Discovery")
    assert base_key(cjk) == "Cell2022"
    assert base_key(work("张", 2022, "肺腺癌")) == "anon2022"


def test_organisation_author_gives_its_first_significant_word() -> None:
    assert base_key(work(literal="World Health Organization", year=2023, title=None)) == (
        "World2023"
    )
    assert base_key(work(literal="The Cochrane Collaboration", year=2019, title=None)) == (
        "Cochrane2019"
    )


def test_no_author_uses_the_container_and_no_year_gives_nd() -> None:
    anonymous = work(None, 2024, "Screening: where next?", container="The Lancet")
    assert base_key(anonymous) == "Lancet2024Screening"
    assert base_key(work(None, None, None)) == "anonnd"
    assert base_key(work("Doe", None, "An undated article")) == "DoendUndated"
    assert base_key(work("Doe", -5, None)) == "Doend"


def test_title_words_skip_stopwords_and_words_without_letters() -> None:
    assert base_key(work("Doe", 2020, "The 2019 novel coronavirus")) == "Doe2020Novel"
    assert base_key(work("Doe", 2020, "A 3D model")) == "Doe20203d"
    assert base_key(work("Doe", 2020, "of the and")) == "Doe2020"


def test_colliding_keys_all_get_suffixes_in_identity_order() -> None:
    first = work("Smith", 2020, "Lung cancer", doi="10.1000/a")
    second = work("Smith", 2020, "Lung disease", doi="10.1000/b")
    other = work("Smith", 2020, "Kidney cancer", doi="10.1000/c")
    pairs = keyed([second, other, first])
    assert pairs == [
        ("Smith2020Kidney", other),
        ("Smith2020Lunga", first),
        ("Smith2020Lungb", second),
    ]


def test_collisions_are_case_insensitive_like_bibtex() -> None:
    upper = work("VanDerBerg", 2020, None, doi="10.1000/a")
    lower = work("vanderberg", 2020, None, doi="10.1000/b")
    keys = [key for key, _ in keyed([upper, lower])]
    assert keys == ["VanDerBerg2020a", "vanderberg2020b"]


def test_a_suffix_skips_a_key_another_work_already_has() -> None:
    # Title "B cells" gives "Doe2020B", which BibTeX cannot tell from "Doe2020b".
    b_cells = work("Doe", 2020, "B cells", doi="10.1000/3")
    untitled = [work("Doe", 2020, None, doi=f"10.1000/{n}") for n in (1, 2)]
    pairs = keyed([*untitled, b_cells])
    assert pairs == [("Doe2020a", untitled[0]), ("Doe2020B", b_cells), ("Doe2020c", untitled[1])]


def test_more_than_26_collisions_continue_with_double_letters() -> None:
    works = [work("Lee", 2021, None, doi=f"10.1000/{n:02d}") for n in range(28)]
    keys = [key for key, _ in keyed(works)]
    assert keys[:2] == ["Lee2021a", "Lee2021aa"]
    assert sorted(keys, key=str.casefold) == keys
    assert {"Lee2021z", "Lee2021ab"} <= set(keys)
    assert len(set(keys)) == 28


def test_keys_and_order_do_not_depend_on_input_order() -> None:
    works = [
        work("Smith", 2020, "Lung cancer", doi="10.1000/a"),
        work("Smith", 2020, "Lung cancer", doi="10.1000/b"),
        work("Müller", 2019, "Tumour", doi="10.1000/c"),
        work(None, None, None),
        work("张", 2022, "肺腺癌", doi="10.1000/d"),
    ]
    expected = keyed(works)
    for seed in range(5):
        shuffled = works[:]
        random.Random(seed).shuffle(shuffled)
        assert keyed(shuffled) == expected
    assert [key for key, _ in expected] == sorted((key for key, _ in expected), key=str.casefold)


names = st.text(min_size=0, max_size=12)


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), names),
            st.one_of(st.none(), st.integers(min_value=-10, max_value=12000)),
            st.one_of(st.none(), st.text(max_size=30)),
            st.one_of(st.none(), st.text(max_size=20)),
        ),
        max_size=8,
    )
)
def test_keys_are_never_empty_unique_and_bibtex_safe(
    specs: list[tuple[str | None, int | None, str | None, str | None]],
) -> None:
    works = [
        work(family, year, title, doi=f"10.1000/{index}", container=container)
        for index, (family, year, title, container) in enumerate(specs)
    ]
    keys = [key for key, _ in keyed(works)]
    assert len(keys) == len(works)
    assert len({key.casefold() for key in keys}) == len(keys)
    for key in keys:
        assert BIBTEX_KEY.fullmatch(key), key
        assert key.isascii()
