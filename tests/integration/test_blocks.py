"""Reference blocks as real sites print them: each feed in data/feeds/blocks, end to end.

Every item's reference strings are asserted exactly (count, order and text), so a block
that takes page furniture, or loses a reference, fails here.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from doi_extract import Extraction, FeedItem, collect, expand_inputs, extract, read_bytes
from doi_extract._html import render
from tests.conftest import DATA, SAMPLES

BLOCKS = DATA / "feeds" / "blocks"

# Two references, each followed by its "DOI:" line (SciTechDaily's "References:").
TWO_QUOTED_BY = (
    "\u201cHighly accurate protein structure prediction with AlphaFold\u201d by John Jumper et "
    "al., 15 July 2021, Nature.",
    "\u201cDeep learning\u201d by Yann LeCun, Yoshua Bengio and Geoffrey Hinton, 27 May 2015, "
    "Nature.",
)

EXPECTED: dict[str, dict[str, tuple[str, ...]]] = {
    "sciencedaily.xml": {
        "sd-1": (
            "Martin Jinek, Krzysztof Chylinski, Ines Fonfara, Michael Hauer, Jennifer A. Doudna, "
            "Emmanuelle Charpentier. A Programmable Dual-RNA\u2013Guided DNA Endonuclease in "
            "Adaptive Bacterial Immunity. Science, 2012; 337 (6096): 816 DOI: "
            "10.1126/science.1225829",
        ),
        "sd-2": (
            "Yann LeCun, Yoshua Bengio, Geoffrey Hinton. Deep learning. Nature, 2015; 521 (7553): "
            "436 DOI: 10.1038/nature14539",
            "David Silver, Aja Huang, Chris J. Maddison et al. Mastering the game of Go with deep "
            "neural networks and tree search. Nature, 2016; 529 (7587): 484 DOI: "
            "10.1038/nature16961",
        ),
        "sd-3": (
            "Douglas Hanahan, Robert A. Weinberg. Hallmarks of Cancer: The Next Generation. Cell, "
            "2011; 144 (5): 646 DOI: 10.1016/j.cell.2011.02.013",
        ),
    },
    "physorg.xml": {
        "px-1": (
            "Kai Wu et al, Targeting FSP1 triggers ferroptosis in lung cancer, Nature (2025). "
            "DOI: 10.1038/s41586-025-09710-8",
        ),
        "px-2": (
            "B. P. Abbott et al. Observation of Gravitational Waves from a Binary Black Hole "
            "Merger, Physical Review Letters (2016). DOI: 10.1103/PhysRevLett.116.061102",
        ),
        "px-3": (
            "K. S. Novoselov et al. Electric Field Effect in Atomically Thin Carbon Films, Science "
            "(2004). DOI: 10.1126/science.1102896",
            "Yann LeCun et al. Deep learning, Nature (2015). DOI: 10.1038/nature14539",
        ),
    },
    "eurekalert.xml": {"ea-1": (), "ea-2": (), "ea-3": ()},
    "university.xml": {
        "uni-1": (
            "Jinek, M., Chylinski, K., Fonfara, I., Hauer, M., Doudna, J. A., & Charpentier, E. "
            "(2012). A programmable dual-RNA-guided DNA endonuclease in adaptive bacterial "
            "immunity. Science, 337(6096), 816\u2013821. https://doi.org/10.1126/science.1225829",
        ),
        "uni-2": (
            "Hanahan, D., & Weinberg, R. A. (2011). Hallmarks of cancer: The next generation. "
            "Cell, 144(5), 646\u2013674. https://doi.org/10.1016/j.cell.2011.02.013",
        ),
        "uni-3": (
            "The Event Horizon Telescope Collaboration. (2019). First M87 Event Horizon Telescope "
            "Results. I. The Shadow of the Supermassive Black Hole. The Astrophysical Journal "
            "Letters, 875(1), L1. https://doi.org/10.3847/2041-8213/ab0ec7",
        ),
    },
    "blog-apa.xml": {
        "apa-1": (
            "Krizhevsky, A., Sutskever, I., & Hinton, G. E. (2017). ImageNet classification with "
            "deep convolutional neural networks. Communications of the ACM, 60(6), 84\u201390. "
            "https://doi.org/10.1145/3065386",
            "LeCun, Y., Bengio, Y., & Hinton, G. (2015). Deep learning. Nature, 521(7553), "
            "436\u2013444.",
            "Silver, D., Huang, A., Maddison, C. J., et al. (2016). Mastering the game of Go with "
            "deep neural networks and tree search. Nature, 529(7587), 484\u2013489. "
            "https://doi.org/10.1038/nature16961",
        ),
        "apa-2": (
            "Jumper, J., Evans, R., Pritzel, A., et al. (2021). Highly accurate protein structure "
            "prediction with AlphaFold. Nature, 596(7873), 583\u2013589. "
            "https://doi.org/10.1038/s41586-021-03819-2",
            "Watson, J. D., & Crick, F. H. C. (1953). Molecular structure of nucleic acids: A "
            "structure for deoxyribose nucleic acid. Nature, 171(4356), 737\u2013738.",
        ),
    },
    "blog-ieee.xml": {
        "ieee-1": (
            "A. Vaswani, N. Shazeer, N. Parmar, J. Uszkoreit, L. Jones, A. N. Gomez, \u0141. "
            "Kaiser, and I. Polosukhin, \u201cAttention is all you need,\u201d in Proc. Adv. "
            "Neural Inf. Process. Syst., 2017, pp. 5998\u20136008.",
            "K. He, X. Zhang, S. Ren, and J. Sun, \u201cDeep residual learning for image "
            "recognition,\u201d in Proc. IEEE Conf. Comput. Vis. Pattern Recognit., 2016, pp. "
            "770\u2013778, doi: 10.1109/CVPR.2016.90.",
        ),
        "ieee-2": (
            "B. P. Abbott et al., \u201cObservation of gravitational waves from a binary black "
            "hole merger,\u201d Phys. Rev. Lett., vol. 116, no. 6, Art. no. 061102, 2016.",
            "K. S. Novoselov et al., \u201cElectric field effect in atomically thin carbon "
            "films,\u201d Science, vol. 306, no. 5696, pp. 666\u2013669, 2004.",
        ),
    },
    "vancouver.xml": {
        "van-1": (
            "Hanahan D, Weinberg RA. Hallmarks of cancer: the next generation. Cell. "
            "2011;144(5):646-74. doi:10.1016/j.cell.2011.02.013",
            "Jinek M, Chylinski K, Fonfara I, Hauer M, Doudna JA, Charpentier E. A programmable "
            "dual-RNA-guided DNA endonuclease in adaptive bacterial immunity. Science. "
            "2012;337(6096):816-21.",
        ),
        "van-2": (
            "Jumper J, Evans R, Pritzel A, et al. Highly accurate protein structure prediction "
            "with AlphaFold. Nature. 2021;596(7873):583-9.",
            "Watson JD, Crick FH. Molecular structure of nucleic acids; a structure for "
            "deoxyribose nucleic acid. Nature. 1953;171(4356):737-8.",
        ),
    },
    "source-only.xml": {"src-1": (), "src-2": (), "src-3": ()},
    "original-publication.xml": {
        "op-1": (
            "Novoselov, K. S., Geim, A. K., Morozov, S. V., Jiang, D., Zhang, Y., Dubonos, S. V., "
            "Grigorieva, I. V., Firsov, A. A. (2004): Electric field effect in atomically thin "
            "carbon films. Science 306, 666\u2013669. DOI: 10.1126/science.1102896",
        ),
        "op-2": (
            "Yann LeCun, Yoshua Bengio, Geoffrey Hinton. Deep learning. Nature 521, 436\u2013444 "
            "(2015)",
        ),
        "op-3": (
            "ATLAS Collaboration, Observation of a new particle in the search for the Standard "
            "Model Higgs boson with the ATLAS detector at the LHC, Phys. Lett. B 716 (2012) "
            "1-29, DOI: 10.1016/j.physletb.2012.08.020",
        ),
    },
    "scitechdaily.xml": {
        "std-1": (
            "\u201cA Programmable Dual-RNA\u2013Guided DNA Endonuclease in Adaptive Bacterial "
            "Immunity\u201d by Martin Jinek, Krzysztof Chylinski, Ines Fonfara, Michael Hauer, "
            "Jennifer A. Doudna and Emmanuelle Charpentier, 28 June 2012, Science.",
        ),
        "std-2": (
            "\u201cObservation of Gravitational Waves from a Binary Black Hole Merger\u201d by "
            "B. P. Abbott et al. (LIGO Scientific Collaboration and Virgo Collaboration), "
            "11 February 2016, Physical Review Letters.",
        ),
        "std-3": (
            "\u201cAn integrated encyclopedia of DNA elements in the human genome\u201d by The "
            "ENCODE Project Consortium, 5 September 2012, Nature.",
        ),
        "std-4": TWO_QUOTED_BY,
        "std-5": TWO_QUOTED_BY,
    },
    "german-institutes.xml": {
        "de-1": (
            "Novoselov, K. S., Geim, A. K., Morozov, S. V., Jiang, D., Zhang, Y., Dubonos, S. V., "
            "Grigorieva, I. V., Firsov, A. A. (2004): Electric field effect in atomically thin "
            "carbon films. Science 306, 666\u2013669. DOI: 10.1126/science.1102896",
        ),
        "de-2": (
            "LeCun, Y., Bengio, Y., Hinton, G. (2015): Deep learning. Nature 521, 436\u2013444. "
            "https://doi.org/10.1038/nature14539",
        ),
        "fr-1": (
            "The ENCODE Project Consortium. An integrated encyclopedia of DNA elements in the "
            "human genome. Nature 489, 57\u201374 (2012). https://doi.org/10.1038/nature11247",
        ),
    },
    "sciencenews.xml": {
        "snm-1": (
            "J.M. Jumper et al. Highly accurate protein structure prediction with AlphaFold. "
            "Nature. Vol. 596, August 26, 2021, p. 583. doi: 10.1038/s41586-021-03819-2.",
            "Y. LeCun, Y. Bengio and G. Hinton. Deep learning. Nature. Vol. 521, May 28, 2015, "
            "p. 436. doi: 10.1038/nature14539.",
        ),
        "snm-2": (
            "K. Wu et al. Targeting FSP1 triggers ferroptosis in lung cancer. Nature. Published "
            "online November 5, 2025. doi: 10.1038/s41586-025-09710-8.",
        ),
    },
    "neuroscience-news.xml": {
        "nn-1": (
            "\u201cHighly accurate protein structure prediction with AlphaFold\u201d by John "
            "Jumper et al. Nature",
        ),
        "nn-2": (
            "\u201cHallmarks of Cancer: The Next Generation\u201d by Douglas Hanahan and Robert "
            "A. Weinberg. Cell",
        ),
        "nn-3": (
            "\u201cDeep learning\u201d by Yann LeCun, Yoshua Bengio and Geoffrey Hinton. Nature",
        ),
    },
}

CASES = [
    pytest.param(feed, guid, references, id=f"{Path(feed).stem}-{guid}")
    for feed, items in EXPECTED.items()
    for guid, references in items.items()
]


def _items(feed: str) -> dict[str, FeedItem]:
    found = list(read_bytes((BLOCKS / feed).read_bytes(), feed))
    items = {item.guid: item for item in found if isinstance(item, FeedItem)}
    assert len(items) == len(found), found
    return {guid: item for guid, item in items.items() if guid is not None}


def _letters(text: str) -> str:
    return "".join(text.replace(".", "").split())


def _extraction(feed: str, guid: str) -> Extraction:
    return extract(_items(feed)[guid])


def test_every_feed_and_item_is_covered() -> None:
    feeds = {path.name for path in BLOCKS.glob("*.xml")}
    assert feeds == set(EXPECTED)
    for feed, items in EXPECTED.items():
        assert set(_items(feed)) == set(items), feed


@pytest.mark.parametrize(("feed", "guid", "references"), CASES)
def test_reference_strings_found(feed: str, guid: str, references: tuple[str, ...]) -> None:
    extraction = _extraction(feed, guid)
    assert extraction.references == references
    raws = [work.raw for work in extraction.works if work.raw is not None]
    assert raws == list(references)


@pytest.mark.parametrize(("feed", "guid", "references"), CASES)
def test_spans_cover_each_reference(feed: str, guid: str, references: tuple[str, ...]) -> None:
    item = _items(feed)[guid]
    values = dict(item.texts)
    for work in extract(item).works:
        if work.raw is None:
            continue
        where = next(p for p in work.provenance if p.label and p.span)
        assert where.span is not None
        cut = render(values[where.field]).text[where.span.start : where.span.end]
        # A reference printed over several lines is joined (with " " or ". "), and its span
        # covers all of them: the same characters, spaces and full stops aside.
        assert _letters(cut) == _letters(work.raw)
        assert cut == work.raw or "\n" in cut


@pytest.mark.parametrize(
    ("feed", "guid", "doi", "title", "journal"),
    [
        pytest.param(
            "eurekalert.xml",
            "ea-1",
            "10.1038/s41586-021-03819-2",
            "Highly accurate protein structure prediction with AlphaFold",
            "Nature",
            id="eurekalert-paragraph-fields",
        ),
        pytest.param(
            "eurekalert.xml",
            "ea-2",
            "10.1126/science.1102896",
            "Electric Field Effect in Atomically Thin Carbon Films",
            "Science",
            id="eurekalert-inline-fields",
        ),
        pytest.param(
            "eurekalert.xml",
            "ea-3",
            "10.1016/j.physletb.2012.08.020",
            "Observation of a new particle in the search for the Standard Model Higgs boson "
            "with the ATLAS detector at the LHC",
            "Physics Letters B",
            id="eurekalert-definition-list",
        ),
        pytest.param(
            "physorg.xml",
            "px-1",
            "10.1038/s41586-025-09710-8",
            None,
            "Nature",
            id="physorg-journal-information",
        ),
        pytest.param(
            "physorg.xml",
            "px-2",
            "10.1103/physrevlett.116.061102",
            None,
            "Physical Review Letters",
            id="medicalxpress-journal-information",
        ),
    ],
)
def test_the_reported_work_gets_its_fields(
    feed: str, guid: str, doi: str, title: str | None, journal: str
) -> None:
    extraction = _extraction(feed, guid)
    assert extraction.dois == (doi,)
    (work,) = extraction.works
    assert (work.doi, work.title, work.container_title) == (doi, title, journal)


def test_a_doi_link_under_a_field_per_line_reference_names_it() -> None:
    (work,) = _extraction("original-publication.xml", "op-2").works
    assert work.doi == "10.1038/nature14539"
    assert [p.label for p in work.provenance] == ["Original publication", "DOI"]


@pytest.mark.parametrize(
    ("feed", "guid", "doi", "families", "title", "journal", "year"),
    [
        pytest.param(
            "scitechdaily.xml",
            "std-1",
            "10.1126/science.1225829",
            ["Jinek", "Chylinski", "Fonfara", "Hauer", "Doudna", "Charpentier"],
            "A Programmable Dual-RNA\u2013Guided DNA Endonuclease in Adaptive Bacterial Immunity",
            "Science",
            (2012,),
            id="scitechdaily-doi-line",
        ),
        pytest.param(
            "scitechdaily.xml",
            "std-2",
            "10.1103/physrevlett.116.061102",
            ["Abbott"],
            "Observation of Gravitational Waves from a Binary Black Hole Merger",
            "Physical Review Letters",
            (2016,),
            id="scitechdaily-group-in-brackets",
        ),
        pytest.param(
            "neuroscience-news.xml",
            "nn-1",
            "10.1038/s41586-021-03819-2",
            ["Jumper"],
            "Highly accurate protein structure prediction with AlphaFold",
            "Nature",
            (),
            id="neuroscience-news-linked-title",
        ),
        pytest.param(
            "neuroscience-news.xml",
            "nn-3",
            "10.1038/nature14539",
            ["LeCun", "Bengio", "Hinton"],
            "Deep learning",
            "Nature",
            (),
            id="neuroscience-news-doi-line",
        ),
    ],
)
def test_a_quoted_title_by_authors_is_parsed_into_its_fields(
    feed: str,
    guid: str,
    doi: str,
    families: list[str],
    title: str,
    journal: str,
    year: tuple[int, ...],
) -> None:
    works = collect(expand_inputs([str(BLOCKS / feed)])).works
    (work,) = [work for work in works if work.doi == doi]
    assert guid in {where.guid for where in work.provenance}
    assert [person.family for person in work.authors] == families
    assert (work.title, work.container_title, work.issued) == (title, journal, year)


@pytest.mark.parametrize("guid", ["std-4", "std-5"])
def test_each_doi_line_goes_to_the_reference_above_it(guid: str) -> None:
    extraction = _extraction("scitechdaily.xml", guid)
    works = {work.raw: work.doi for work in extraction.works}
    assert works == {
        TWO_QUOTED_BY[0]: "10.1038/s41586-021-03819-2",
        TWO_QUOTED_BY[1]: "10.1038/nature14539",
    }


def test_source_lines_name_no_work() -> None:
    for item in _items("source-only.xml").values():
        assert extract(item) == Extraction()


FEEDS = sorted(
    [
        *BLOCKS.glob("*.xml"),
        *(BLOCKS.parent / "toc").iterdir(),
        *SAMPLES.glob("*.*[lmf]"),
        BLOCKS.parent / "seed-shapes.xml",
    ]
)


@pytest.mark.parametrize("path", FEEDS, ids=lambda path: path.name)
def test_extraction_without_provenance_finds_the_same(path: Path) -> None:
    found = read_bytes(path.read_bytes(), path.name)
    items = [item for item in found if isinstance(item, FeedItem)]
    assert items
    for item in items:
        full = extract(item)
        bare = extract(item, provenance=False)
        assert all(work.provenance for work in full.works)
        assert bare == dataclasses.replace(
            full, works=tuple(dataclasses.replace(w, provenance=()) for w in full.works)
        )
