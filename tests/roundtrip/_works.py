"""Sample records shared by the round-trip tests: the six seed works plus hard cases.

The seed works carry real citation facts; the hard cases are made up for the project
and use Crossref's test prefix 10.5555 where they need a DOI.
"""

from __future__ import annotations

from doi_extract.model import Person, Provenance, Reference, Span, WorkType

FEED = "tests/data/feeds/lung-cancer.xml"


def _authors(*names: str) -> tuple[Person, ...]:
    """``"Family|Given"`` pairs, or a bare literal name."""
    people = []
    for name in names:
        family, _, given = name.partition("|")
        people.append(Person(family=family, given=given or None) if given else Person(literal=name))
    return tuple(people)


def _seen(item: int, *, field: str = "content:encoded", span: Span | None = None) -> Provenance:
    return Provenance(
        source=FEED,
        item=item,
        guid=f"https://example.org/news/{item}",
        link=f"https://example.org/news/{item}",
        field=field,
        label="Article References",
        span=span,
    )


SEEDS: tuple[Reference, ...] = (
    Reference(
        doi="10.1038/s41420-026-03181-0",
        doi_as_printed="10.1038/s41420-026-03181-0",
        kind=WorkType.ARTICLE,
        title=(
            "C/EBPγ induces epithelial-mesenchymal transition and facilitates DNA "  # noqa: RUF001
            "double-strand break repair in lung adenocarcinoma cells"
        ),
        authors=_authors("Terashima|M.", "Suzuki|R.", "Suphakhong|K."),
        et_al=True,
        container_title="Cell Death Discov.",
        issued=(2026,),
        raw=(
            "Terashima, M., Suzuki, R., Suphakhong, K. et al. C/EBPγ induces epithelial-"  # noqa: RUF001
            "mesenchymal transition and facilitates DNA double-strand break repair in lung "
            "adenocarcinoma cells. Cell Death Discov. (2026). "
            "https://doi.org/10.1038/s41420-026-03181-0"
        ),
        provenance=(_seen(0, span=Span(120, 391)), _seen(0, field="description")),
    ),
    Reference(
        doi="10.1038/s41586-025-09710-8",
        doi_as_printed="10.1038/s41586-025-09710-8",
        kind=WorkType.ARTICLE,
        title="Targeting FSP1 triggers ferroptosis in lung cancer",
        authors=_authors("Wu|K.", "Vaughan|A.J.", "Bossowski|J.P."),
        et_al=True,
        container_title="Nature",
        issued=(2025, 11, 5),
        provenance=(_seen(1),),
    ),
    Reference(
        doi="10.1038/s41571-025-01029-7",
        doi_as_printed="10.1038/s41571-025-01029-7",
        kind=WorkType.ARTICLE,
        title=(
            "Rechallenge with immune-checkpoint inhibitors in patients with "
            "advanced-stage lung cancer"
        ),
        authors=_authors("Tang|L.B.", "Peng|Y.L.", "Chen|J."),
        et_al=True,
        container_title="Nat Rev Clin Oncol",
        issued=(2025,),
        provenance=(_seen(2),),
    ),
    Reference(
        doi="10.1038/s41571-025-01021-1",
        doi_as_printed="10.1038/s41571-025-01021-1",
        kind=WorkType.ARTICLE,
        title="Tumour and microenvironment crosstalk in NSCLC progression and response to therapy",
        authors=_authors("Rahal|Z.", "El Darzi|R.", "Moghaddam|S.J."),
        et_al=True,
        container_title="Nat Rev Clin Oncol",
        issued=(2025,),
        provenance=(_seen(3),),
    ),
    Reference(
        doi="10.1186/s12885-025-14386-4",
        doi_as_printed="10.1186/s12885-025-14386-4",
        kind=WorkType.ARTICLE,
        title=(
            "Photodynamic therapeutic activity of novel porphyrins against lung squamous "
            "cell carcinoma"
        ),
        authors=_authors("Meng|H.", "Ding|R.Q.", "Jia|L."),
        et_al=True,
        container_title="BMC Cancer",
        issn=("1471-2407",),
        publisher="Springer Science and Business Media LLC",
        issued=(2025, 5, 28),
        volume="25",
        article_number="960",
        provenance=(_seen(4),),
    ),
    Reference(
        doi="10.1186/s12885-025-14125-9",
        doi_as_printed="10.1186/s12885-025-14125-9",
        kind=WorkType.ARTICLE,
        title=(
            "Genomic and clinical characterization of HER2 exon 20 mutations in non-small "
            "cell lung cancer: insights from a multicenter study in South China"
        ),
        authors=_authors("Hou|Y.", "Xue|X.", "Zhang|Z."),
        et_al=True,
        container_title="BMC Cancer",
        issued=(2025,),
        volume="25",
        article_number="752",
        provenance=(_seen(5), _seen(6)),
    ),
)

HARD: tuple[Reference, ...] = (
    Reference(
        doi="10.5555/specials.2020.1",
        doi_as_printed="10.5555/Specials.2020.1",
        kind=WorkType.ARTICLE,
        title=(
            "R&D at 50% off: $5 #assays, snake_case names, {braced} text, "
            "~tilde, ^caret and back\\slash"
        ),
        authors=_authors("Müller|Jürgen", "Østergaard|Anne-Marie", "Łukasiewicz|Jan"),
        container_title="Journal of Hard Cases",
        issn=("1234-5679", "2345-678X"),
        issued=(2020, 3),
        volume="12",
        issue="3",
        pages="123-130",
        publisher="Example & Sons",
        provenance=(_seen(7),),
    ),
    Reference(
        doi="10.5555/greek.2021.2",
        kind=WorkType.ARTICLE,
        title="TNF-α and NF-κB signalling in β-cell apoptosis",  # noqa: RUF001
        authors=_authors("Ñúñez|José", "Papadopoulos|Γιώργος"),
        container_title="Journal of Hard Cases",
        issued=(2021,),
        volume="13",
        issue="1",
        pages="e0231234",
        provenance=(_seen(8),),
    ),
    Reference(
        doi="10.5555/cjk.2022.3",
        kind=WorkType.ARTICLE,
        title="肺腺癌におけるC/EBPγの役割",  # noqa: RUF001
        authors=_authors("张|伟", "李|娜"),
        container_title="中华肿瘤杂志",
        issued=(2022,),
        volume="44",
        pages="15-22",
        provenance=(_seen(9),),
    ),
    Reference(
        doi="10.5555/rtl.2023.4",
        kind=WorkType.ARTICLE,
        title="Right-to-left titles: שלום עולם and مرحبا بالعالم in one line",
        authors=_authors("Cohen|Dana", "Haddad|Omar"),
        container_title="Journal of Hard Cases",
        issued=(2023,),
        volume="15",
        pages="1-9",
        provenance=(_seen(10),),
    ),
    Reference(
        doi="10.5555/combining.2019.5",
        kind=WorkType.ARTICLE,
        # Decomposed forms: "e" + U+0301 and "n" + U+0303.
        title="Cafe\u0301 culture and an\u0303o nuevo",
        authors=_authors("Pen\u0303a|Rene\u0301"),
        container_title="Journal of Hard Cases",
        issued=(2019,),
        volume="11",
        issue="2",
        pages="200-210",
        provenance=(_seen(11),),
    ),
    Reference(
        doi="10.1002/(sici)1097-4636(199706)35:4<451::aid-jbm5>3.0.co;2-g",
        doi_as_printed="10.1002/(SICI)1097-4636(199706)35:4<451::AID-JBM5>3.0.CO;2-G",
        kind=WorkType.ARTICLE,
        title="A SICI DOI with parentheses, a semicolon and angle brackets",
        authors=_authors("Doe|Jane"),
        container_title="Journal of Biomedical Materials Research",
        issued=(1997, 6),
        volume="35",
        issue="4",
        pages="451",
        provenance=(_seen(12),),
    ),
    Reference(
        doi="10.5555/test_doi_(2020)_01",
        kind=WorkType.ARTICLE,
        title="A DOI with underscores and parentheses",
        authors=_authors("Chen|Li", "Wang|Fang"),
        container_title="Test Journal of Identifiers",
        issued=(2020,),
        volume="1",
        issue="2",
        pages="77-80",
        article_number="e77",
        provenance=(_seen(13),),
    ),
    Reference(
        kind=WorkType.REPORT,
        title="Global tuberculosis report 2023",
        authors=_authors("World Health Organization"),
        publisher="World Health Organization",
        issued=(2023,),
        url="https://www.who.int/publications/i/item/9789240083851",
        raw="World Health Organization. Global tuberculosis report 2023. Geneva: WHO; 2023.",
        provenance=(_seen(14),),
    ),
    Reference(
        doi="10.5555/anonymous.2024.9",
        kind=WorkType.ARTICLE,
        title="Screening for lung cancer: where next?",
        container_title="The Lancet Respiratory Medicine",
        issued=(2024,),
        volume="12",
        issue="6",
        pages="421-422",
        provenance=(_seen(15),),
    ),
    Reference(
        doi="10.5555/undated.10",
        kind=WorkType.ARTICLE,
        title="An article whose year nobody printed",
        authors=_authors("van der Berg|Pieter", "Da Silva|Maria"),
        container_title="Journal of Hard Cases",
        volume="9",
        pages="5-6",
        provenance=(_seen(16),),
    ),
    Reference(
        doi="10.48550/arXiv.1706.03762",
        doi_as_printed="10.48550/arXiv.1706.03762",
        kind=WorkType.PREPRINT,
        title="Attention is all you need",
        authors=_authors("Vaswani|Ashish", "Shazeer|Noam", "Parmar|Niki"),
        et_al=True,
        container_title="arXiv",
        issued=(2017, 6, 12),
        provenance=(_seen(17),),
    ),
    Reference(
        doi="10.5555/chapter.11",
        kind=WorkType.CHAPTER,
        title="Escaping text for BibTeX",
        authors=_authors("Knuth|Donald E."),
        container_title="Collected Hard Cases",
        publisher="Example Press",
        issued=(2018,),
        pages="33-47",
        provenance=(_seen(18),),
    ),
    Reference(
        doi="10.5555/dataset.12",
        kind=WorkType.DATASET,
        title="Lung adenocarcinoma cell line RNA-seq counts",
        authors=_authors("Suzuki|Rika"),
        publisher="Zenodo",
        issued=(2024,),
        provenance=(_seen(19),),
    ),
    Reference(
        kind=WorkType.UNKNOWN,
        raw="Smith J. Unparsed reference text with 100% of its _quirks_ & no DOI. 2021.",
        provenance=(_seen(20),),
    ),
)

WORKS: tuple[Reference, ...] = SEEDS + HARD


def family_names(work: Reference) -> list[str]:
    """What a reader should get back as each author's family name (or literal name)."""
    return [person.literal or person.family or person.given or "" for person in work.authors]


def page(work: Reference) -> str | None:
    """The CSL ``page`` the writers derive: the range with a hyphen, or the article number."""
    if work.pages:
        return work.pages.replace("\u2013", "-")
    return work.article_number


STRESS: tuple[Reference, ...] = (
    Reference(
        doi="10.5555/stress.1",
        kind=WorkType.ARTICLE,
        title='A lone { brace, a "quote", @article{x, y = z}, 100% and \\textbf{bold}',
        authors=(
            Person(literal="Bill and Melinda Gates Foundation"),
            Person(family="Smith, Jr", given="John"),
            Person(family="Ng", given="Andrew and"),
            Person(given="Plato"),
            Person(family="de la Cruz"),
        ),
        container_title="Journal of R&D {Stress}",
        issued=(2023, 2, 30),
        volume="12 (Suppl 1)",
        pages="S1\u2013S9, S12",
        url="https://example.org/a b/{x}?q=1&r=50%#frag",
    ),
    Reference(
        doi="10.5555/stress.2",
        kind=WorkType.UNKNOWN,
        title="Closing } first, then { opening; and \\ a backslash at the end \\",
        et_al=True,
        container_title="  Whitespace\n\tand\x07 control   characters  ",
        issued=(2020, 13, 40),
    ),
    Reference(
        doi="10.5555/stress.3",
        kind=WorkType.PAPER_CONFERENCE,
        title="{{Nested}} braces and ~^ at the start of {words}",
        authors=(Person(family="O'Neil", given="Cathy"),),
        container_title="Proceedings of the 1st Workshop on {Hard} Cases",
        issued=(2022,),
        pages="1--9",
    ),
    Reference(
        doi="10.5555/stress.4",
        kind=WorkType.THESIS,
        title="A thesis",
        authors=(Person(family="Doe", given="Jane"),),
        container_title="Not written: a thesis has no container field",
        publisher="University of Examples",
        issued=(2021,),
    ),
)
"""Records that would break a careless writer: every reader must still parse them."""
