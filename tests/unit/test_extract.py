"""Extraction: labelled blocks, DOIs everywhere, works and their provenance."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doi_extract._html import render
from doi_extract.extract import (
    _LABEL_LINE,
    _LINK_LINE,
    _SENTENCE_END,
    _SEPARATOR,
    _TRUNCATION,
    LABELS,
    LabelKind,
    _Candidate,
    _complete,
    _drop_truncated,
    _entries,
    _find,
    _incomplete,
    _label_lines,
    _lines,
    extract,
)
from doi_extract.model import Extraction, FeedItem, Person, Reference, Span, WorkType

Entry = tuple[int, int, str]

WU = (
    "Wu, K., Vaughan, A.J., Bossowski, J.P. <em>et al.</em> Targeting FSP1 triggers "
    "ferroptosis in lung cancer. <em>Nature</em> (2025). "
    '<a href="https://doi.org/10.1038/s41586-025-09710-8">'
    "https://doi.org/10.1038/s41586-025-09710-8</a>"
)
WU_TEXT = (
    "Wu, K., Vaughan, A.J., Bossowski, J.P. et al. Targeting FSP1 triggers ferroptosis in "
    "lung cancer. Nature (2025). https://doi.org/10.1038/s41586-025-09710-8"
)
WU_DOI = "10.1038/s41586-025-09710-8"
LECUN = "LeCun, Y., Bengio, Y. & Hinton, G. Deep learning. Nature 521, 436\u2013444 (2015)."
LECUN_DOI = "10.1038/nature14539"
SILVER = (
    "Silver, D., Huang, A., Maddison, C. et al. Mastering the game of Go with deep neural "
    "networks and tree search. Nature 529, 484\u2013489 (2016)."
)
INTRO = "<p>Researchers report a new way to starve tumours of a protective enzyme.</p>"


def item(
    content: str = "",
    *,
    field: str = "content:encoded",
    **fields: object,
) -> FeedItem:
    values: dict[str, object] = {
        "source": "feed.xml",
        "index": 3,
        "guid": "g-3",
        "link": "https://news.example/story",
        "texts": ((field, content),) if content else (),
    }
    values.update(fields)
    return FeedItem(**values)  # type: ignore[arg-type]


def only_work(extraction: Extraction) -> Reference:
    assert len(extraction.works) == 1, extraction.works
    return extraction.works[0]


def text_of(content: str, extraction: Extraction, work: Reference) -> str:
    """The reference string as its span cuts it out of the rendered field."""
    provenance = next(p for p in work.provenance if p.label and p.span)
    assert provenance.span is not None
    return render(content).text[provenance.span.start : provenance.span.end]


# The science-news shapes -------------------------------------------------------------------


def test_label_then_br_block_with_title_and_doi_blocks() -> None:
    content = (
        INTRO + "<hr />\n"
        "<p><strong>Subject of Research</strong>:<br />\nThe role of FSP1 in lung tumours.</p>\n"
        "<p><strong>Article Title</strong>:<br />\n"
        "Targeting FSP1 triggers ferroptosis in lung cancer.</p>\n"
        f"<p><strong>Article References</strong>:<br />\n{WU}</p>\n"
        "<p><strong>Image Credits</strong>: AI Generated</p>\n"
        "<p><strong>DOI</strong>:<br />\n"
        f'<a href="https://doi.org/{WU_DOI}">https://doi.org/{WU_DOI}</a></p>\n'
    )
    extraction = extract(item(content))
    assert extraction.dois == (WU_DOI,)
    assert extraction.references == (WU_TEXT,)
    work = only_work(extraction)
    assert work.doi == WU_DOI
    assert work.raw == WU_TEXT
    assert work.title == "Targeting FSP1 triggers ferroptosis in lung cancer"
    assert work.authors == ()  # left to the parser
    labels = [p.label for p in work.provenance]
    assert labels == ["Article References", "DOI"]
    first = work.provenance[0]
    assert (first.source, first.item, first.guid, first.link, first.field) == (
        "feed.xml",
        3,
        "g-3",
        "https://news.example/story",
        "content:encoded",
    )
    assert text_of(content, extraction, work) == WU_TEXT


def test_label_then_text_on_the_same_line_and_doi_label_with_link() -> None:
    content = (
        INTRO + "<hr />"
        "<p><strong>Subject of Research</strong>: Ferroptosis and FSP1, 2025 review.</p>"
        "<p><strong>Article Title</strong>: Targeting FSP1 triggers ferroptosis in lung cancer.</p>"
        f"<p><strong>Article References</strong>: {WU}</p>"
        f'<p><strong>DOI</strong>: <a href="https://doi.org/{WU_DOI}">https://doi.org/{WU_DOI}</a></p>'
    )
    work = only_work(extract(item(content)))
    assert work.raw == WU_TEXT
    assert work.title == "Targeting FSP1 triggers ferroptosis in lung cancer"


def test_no_doi_block_and_plain_text_reference_after_em_dash_separator() -> None:
    reference = (
        "Hou, Y., Xue, X., Zhang, Z. et al. Genomic and clinical characterization of HER2 exon "
        "20 mutations in non-small cell lung cancer: insights from a multicenter study in South "
        "China. BMC Cancer 25, 752 (2025). https://doi.org/10.1186/s12885-025-14125-9"
    )
    content = (
        INTRO + "<p>&#8212;</p>"
        "<p><strong>Subject of Research</strong>: Genomic profiling of HER2 exon 20.</p>"
        "<p><strong>Article Title</strong>: Genomic and clinical characterization of HER2 exon "
        "20 mutations in non-small cell lung cancer: insights from a multicenter study in South "
        "China</p>"
        f"<p><strong>Article References</strong>:<br />\n{reference}</p>"
        "<p><strong>Image Credits</strong>: Example News</p>"
    )
    extraction = extract(item(content))
    work = only_work(extraction)
    assert extraction.dois == ("10.1186/s12885-025-14125-9",)
    assert work.raw == reference
    assert work.doi == "10.1186/s12885-025-14125-9"
    assert work.title is not None and work.title.endswith("in South China")


def test_plain_text_doi_block_without_link() -> None:
    content = (
        f"<p><strong>Article References</strong>:<br />\n{WU_TEXT}</p>"
        f"<p><strong>DOI</strong>: https://doi.org/{WU_DOI}</p>"
    )
    work = only_work(extract(item(content)))
    assert work.doi == WU_DOI
    assert [p.label for p in work.provenance] == ["Article References", "DOI"]


def test_doi_block_names_the_one_reference_printed_without_doi() -> None:
    content = (
        "<p><strong>Article Title</strong>: Deep learning</p>"
        f"<p><strong>Article References</strong>:<br />\n{LECUN}</p>"
        f"<p><strong>DOI</strong>: https://doi.org/{LECUN_DOI}</p>"
    )
    work = only_work(extract(item(content)))
    assert (work.raw, work.doi, work.title) == (LECUN, LECUN_DOI, "Deep learning")


def test_bold_volume_is_kept_in_the_reference_string() -> None:
    content = (
        "<p><strong>Article References</strong>:<br />\nMeng, H., Ding, RQ., Jia, L. "
        "<em>et al.</em> Photodynamic therapeutic activity of novel porphyrins against lung "
        "squamous cell carcinoma. <em>BMC Cancer</em> <strong>25</strong>, 960 (2025). "
        '<a href="https://doi.org/10.1186/s12885-025-14386-4">'
        "https://doi.org/10.1186/s12885-025-14386-4</a></p>"
    )
    work = only_work(extract(item(content)))
    assert work.raw is not None and "BMC Cancer 25, 960 (2025)." in work.raw


def test_subject_of_research_and_image_credits_are_not_citations() -> None:
    content = (
        "<p><strong>Subject of Research</strong>: Smith, J. et al. studied mice in 2020. "
        "A long description of the research follows here.</p>"
        "<p><strong>Image Credits</strong>: Jones, K. Photography. Studio (2021).</p>"
    )
    extraction = extract(item(content))
    assert extraction.references == ()
    assert extraction.works == ()


def test_doi_block_with_a_new_doi_is_a_work_and_takes_the_title() -> None:
    content = (
        "<p><strong>Article Title</strong>: Deep learning.</p>"
        f"<p><strong>Reference</strong>: {SILVER}</p>"
        f"<p><strong>DOI</strong>: 10.1038/nature14539</p>"
    )
    extraction = extract(item(content))
    assert [w.doi for w in extraction.works] == [None, LECUN_DOI]
    assert extraction.works[0].raw == SILVER
    assert extraction.works[0].title is None
    assert extraction.works[1].title == "Deep learning"


def test_title_goes_to_the_reference_containing_it() -> None:
    content = (
        "<p><strong>Article Title</strong>: Mastering the game of Go with deep neural "
        "networks and tree search</p>"
        f"<p><strong>References</strong>:<br>{LECUN}<br>{SILVER}</p>"
    )
    works = extract(item(content)).works
    assert [w.title for w in works] == [
        None,
        "Mastering the game of Go with deep neural networks and tree search",
    ]


# Multi-reference blocks and label forms ---------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(f"<p><strong>References</strong>:<br>{LECUN}<br />{SILVER}</p>", id="br"),
        pytest.param(f"<h3>References</h3><p>{LECUN}</p><p>{SILVER}</p>", id="h3-paragraphs"),
        pytest.param(f"<h2>References</h2><ol><li>{LECUN}</li><li>{SILVER}</li></ol>", id="li"),
        pytest.param(f"<dl><dt>References</dt><dd>{LECUN}</dd><dd>{SILVER}</dd></dl>", id="dt-dd"),
        pytest.param(f"<p><b>References:</b> {LECUN}<br>{SILVER}</p>", id="b-with-colon"),
        pytest.param(f"References:\n1. {LECUN}\n2. {SILVER}", id="plain-text-numbered"),
        pytest.param(
            f"<h4>References</h4><ul><li>[1] {LECUN}</li><li>[2] {SILVER}</li></ul>",
            id="bracket-numbers",
        ),
    ],
)
def test_multi_reference_blocks(content: str) -> None:
    extraction = extract(item(content))
    assert extraction.references == (LECUN, SILVER)
    assert [w.raw for w in extraction.works] == [LECUN, SILVER]
    for work in extraction.works:
        assert work.raw is not None
        assert text_of(content, extraction, work) == work.raw
        assert work.provenance[0].label == "References"


def test_standalone_label_block_ends_at_the_next_label_rule_or_separator() -> None:
    content = (
        f"<h3>References</h3><p>{LECUN}</p><hr /><p>Follow us on social media for more news.</p>"
        f"<h3>Citation</h3><p>{SILVER}</p><p>*</p><p>Share this story with your friends.</p>"
    )
    extraction = extract(item(content))
    assert extraction.references == (LECUN, SILVER)


@pytest.mark.parametrize(
    "content",
    [
        "<p>Source: University of Oxford</p>",
        "<p><strong>Source</strong>: Press office, University of Oxford, 2024</p>",
        "<p><b>More information:</b> contact the press office.</p>",
        "<h3>Study</h3><p>The study took place in Oxford.</p>",
        "<p>Reference genome assemblies improved in 2021, Smith, J. said.</p>",
    ],
)
def test_generic_labels_without_a_citation_give_nothing(content: str) -> None:
    extraction = extract(item(content))
    assert extraction.references == ()
    assert extraction.works == ()


def test_generic_label_with_a_citation() -> None:
    content = (
        "<p>More information: Kai Wu et al, Targeting FSP1 triggers ferroptosis in lung cancer, "
        f"<i>Nature</i> (2025). DOI: {WU_DOI}</p>"
        f"<p>Source: {LECUN}</p>"
    )
    extraction = extract(item(content))
    assert len(extraction.references) == 2
    assert extraction.references[1] == LECUN
    assert [w.doi for w in extraction.works] == [WU_DOI, None]
    assert extraction.works[0].provenance[0].label == "More information"


def test_doi_line_under_a_reference_belongs_to_it() -> None:
    content = f"<p><strong>Reference</strong>: {LECUN}<br>DOI: {LECUN_DOI}</p>"
    extraction = extract(item(content))
    work = only_work(extraction)
    assert (work.raw, work.doi) == (LECUN, LECUN_DOI)


@pytest.mark.parametrize(
    "access",
    [
        "Open access.<br>",
        "Closed access.<br>",
        "Open access. ",
        "OPEN-ACCESS.<br>",
        "Free access<br>",
    ],
)
def test_a_note_on_access_before_the_reference_is_left_out(access: str) -> None:
    content = f"<p><strong>Original Research:</strong> {access}{LECUN}</p>"
    work = only_work(extract(item(content)))
    assert work.raw == LECUN
    assert text_of(content, extract(item(content)), work) == LECUN


def test_a_reference_that_starts_with_open_access_words_is_kept() -> None:
    reference = "Open access publishing in physics. Smith, J. Phys. World 12, 3 (2019)."
    content = f"<p><strong>References:</strong><br>{reference}</p>"
    assert only_work(extract(item(content))).raw == reference


@pytest.mark.parametrize(
    ("kind", "labels"),
    [
        (
            LabelKind.CITATION,
            "article references, article reference, journal references, journal reference, "
            "references, reference, citations, citation, original publications, "
            "original publication, original research, bibliography, works cited, literature",
        ),
        (
            LabelKind.GENERIC,
            "more information, sources, source, publications, publication, papers, paper, "
            "studies, study",
        ),
        (LabelKind.TITLE, "article title"),
        (LabelKind.JOURNAL, "journal, journal information"),
        (LabelKind.DOI, "doi"),
        (LabelKind.OTHER, "subject of research, image credits, cite this page, story source"),
        (
            LabelKind.CITATION,
            "originalpublikation, originalveröffentlichung, literatur, référence, références, "
            "publication originale, referencia, referencias, publicación original",
        ),
        (LabelKind.GENERIC, "quelle, quellen, weitere informationen, fuente"),
        (LabelKind.OTHER, "wissenschaftliche ansprechpartner, kontakt"),
    ],
    ids=lambda value: value.name if isinstance(value, LabelKind) else None,
)
def test_labels_table_covers_the_issue_labels(kind: LabelKind, labels: str) -> None:
    for label in labels.split(", "):
        assert LABELS[label] is kind, label


def test_labels_table_is_read_only_and_case_folded() -> None:
    assert all(label == label.casefold().strip() for label in LABELS)
    with pytest.raises(TypeError):
        LABELS["x"] = LabelKind.OTHER  # type: ignore[index]


@pytest.mark.parametrize(
    "template",
    [
        pytest.param("<p><strong>{label}</strong>: {ref}</p>", id="strong-colon-outside"),
        pytest.param("<p><b>{label}:</b> {ref}</p>", id="b-colon-inside"),
        pytest.param("<h2>{label}</h2><p>{ref}</p>", id="h2"),
        pytest.param("<h6>{label}</h6><p>{ref}</p>", id="h6"),
        pytest.param("<dl><dt>{label}</dt><dd>{ref}</dd></dl>", id="dt-dd"),
        pytest.param("<p>{label}: {ref}</p>", id="plain-in-html"),
        pytest.param("Story.\n\n{label}: {ref}", id="plain-text"),
        pytest.param("Story.\n\n{label}\n{ref}", id="plain-text-own-line"),
    ],
)
@pytest.mark.parametrize(
    "label",
    [
        "Journal Reference",
        "JOURNAL REFERENCES",
        "references",
        "Citation",
        "Original Publication",
        "Works Cited",
        "Literature",
        "More information",
        "Source",
        "Paper",
        "Study",
        "Publication",
    ],
)
def test_label_forms_and_case_variants(template: str, label: str) -> None:
    extraction = extract(item(template.format(label=label, ref=LECUN)))
    assert extraction.references == (LECUN,)
    assert extraction.works[0].provenance[0].label == label


def test_journal_and_title_fields_describe_the_doi_block_work() -> None:
    content = (
        "<p>Story.</p><p><strong>Journal</strong></p><p>Nature</p>"
        f"<p><strong>DOI</strong></p><p>{LECUN_DOI}</p>"
        "<p><strong>Article Title</strong></p><p>Deep learning</p>"
        "<p><strong>Article Publication Date</strong></p><p>27-May-2015</p>"
    )
    extraction = extract(item(content))
    assert extraction.references == ()
    work = only_work(extraction)
    assert (work.doi, work.title, work.container_title) == (LECUN_DOI, "Deep learning", "Nature")


def test_journal_information_goes_to_the_one_reference() -> None:
    content = (
        f"<p><b>More information:</b> Y. LeCun et al. Deep learning, Nature (2015). "
        f"DOI: {LECUN_DOI}</p><p><b>Journal information:</b> <a href='/j/nature'>Nature</a></p>"
    )
    work = only_work(extract(item(content)))
    assert (work.doi, work.container_title, work.title) == (LECUN_DOI, "Nature", None)


def test_journal_names_no_work_among_several_references_without_a_doi_block() -> None:
    content = f"<p><b>References:</b><br>{LECUN}<br>{SILVER}</p><p>Journal: Nature</p>"
    works = extract(item(content)).works
    assert [w.container_title for w in works] == [None, None]


def test_block_under_a_heading_stops_at_the_next_heading() -> None:
    content = (
        f"<h2>References</h2><ol><li>{LECUN}</li></ol>"
        "<h2>Comments</h2><p>Smith, J. wrote in 2024: I read this. Great post, thanks.</p>"
    )
    assert extract(item(content)).references == (LECUN,)


@pytest.mark.parametrize(
    "footer",
    [
        pytest.param("Thanks for reading! Subscribe for more posts like this one.", id="prose"),
        pytest.param("\u00a9 2024 Example Lab. All rights reserved. Built with care.", id="copy"),
        pytest.param("Copyright 2024 Example Press. Terms. Privacy.", id="copyright"),
    ],
)
def test_footer_after_a_reference_list_is_not_a_reference(footer: str) -> None:
    content = f"<h3>References</h3><ol><li>{LECUN}</li><li>{SILVER}</li></ol><p>{footer}</p>"
    assert extract(item(content)).references == (LECUN, SILVER)


def test_inline_label_takes_following_paragraphs_that_look_like_citations() -> None:
    content = (
        f"<p><strong>More information:</strong> {LECUN} DOI: {LECUN_DOI}<br><br>"
        f"{SILVER} DOI: 10.1038/nature16961</p>"
        "<p>Provided by Example University</p>"
        f'<p>Link: <a href="https://doi.org/{LECUN_DOI}">the paper</a></p>'
    )
    extraction = extract(item(content))
    assert extraction.references == (
        f"{LECUN} DOI: {LECUN_DOI}",
        f"{SILVER} DOI: 10.1038/nature16961",
    )


def test_self_citation_of_the_news_page_is_not_a_reference() -> None:
    content = (
        "<p><strong>Citation</strong>: Deep learning explained (2015, May 27) retrieved "
        "28 May 2015 from https://news.example/2015-05-deep-learning.html</p>"
    )
    assert extract(item(content)).references == ()


def test_wrapped_lines_of_a_numbered_entry_are_one_reference() -> None:
    content = (
        "References\n"
        "1. LeCun Y, Bengio Y, Hinton G. Deep\n   learning. Nature. 2015;521(7553):436-44.\n"
        "2. Silver D, Huang A, Maddison CJ, et al. Mastering the game of Go with deep\n"
        "neural networks and tree search. Nature. 2016;529(7587):484-9."
    )
    extraction = extract(item(content, field="description"))
    assert extraction.references == (
        "LeCun Y, Bengio Y, Hinton G. Deep learning. Nature. 2015;521(7553):436-44.",
        "Silver D, Huang A, Maddison CJ, et al. Mastering the game of Go with deep neural "
        "networks and tree search. Nature. 2016;529(7587):484-9.",
    )
    span = extraction.works[0].provenance[0].span
    assert span is not None
    assert render(content).text[span.start : span.end].startswith("LeCun Y")
    assert render(content).text[span.start : span.end].endswith("436-44.")


def test_reference_printed_one_field_per_line_is_one_reference() -> None:
    content = (
        "<h3>Original publication</h3><p>Yann LeCun, Yoshua Bengio, Geoffrey Hinton<br>"
        "<strong>Deep learning</strong><br>Nature 521, 436\u2013444 (2015)<br>"
        f"https://doi.org/{LECUN_DOI}</p>"
    )
    work = only_work(extract(item(content)))
    assert work.raw == (
        "Yann LeCun, Yoshua Bengio, Geoffrey Hinton. Deep learning. Nature 521, "
        f"436\u2013444 (2015) https://doi.org/{LECUN_DOI}"
    )
    assert work.doi == LECUN_DOI


def test_complete_references_on_consecutive_lines_stay_apart() -> None:
    link = "https://doi.org/10.1038/nature16961"
    content = f"<p><b>References</b><br>{LECUN}<br>{SILVER}<br>{link}</p>"
    extraction = extract(item(content))
    assert extraction.references == (LECUN, f"{SILVER} {link}")
    assert [w.doi for w in extraction.works] == [None, "10.1038/nature16961"]


# DOIs everywhere ----------------------------------------------------------------------------


def test_dois_in_hrefs_encoded_and_with_landing_page_tails() -> None:
    content = (
        '<p>Read <a href="https://doi.org/10.1038%2Fnature14539">the paper</a> and '
        '<a href="https://onlinelibrary.wiley.com/doi/full/10.1002/anie.201915678?af=R">this</a>'
        ' or <a href="https://example.org/doi/10.1126/science.1225829/abstract">that</a>.</p>'
    )
    extraction = extract(item(content))
    assert extraction.dois == (LECUN_DOI, "10.1002/anie.201915678", "10.1126/science.1225829")
    assert all(w.provenance[0].span is None for w in extraction.works)
    assert all(w.raw is None for w in extraction.works)


ATTENTION = "Vaswani, A. et al. Attention is all you need. arXiv:1706.03762 (2017)."
ATTENTION_DOI = "10.48550/arxiv.1706.03762"


def test_a_link_to_an_arxiv_paper_cites_its_arxiv_doi() -> None:
    story = item('<p>The <a href="https://arxiv.org/abs/1706.03762v5">preprint</a> says.</p>')
    extraction = extract(story)
    assert extraction.dois == (ATTENTION_DOI,)
    assert only_work(extraction).doi_as_printed == "10.48550/arXiv.1706.03762"


def test_a_reference_to_an_arxiv_paper_gets_its_arxiv_doi() -> None:
    extraction = extract(item(f"<p><strong>References:</strong><br>{ATTENTION}</p>"))
    assert extraction.dois == (ATTENTION_DOI,)
    assert (only_work(extraction).raw, only_work(extraction).doi) == (ATTENTION, ATTENTION_DOI)


def test_a_link_to_a_nature_article_page_cites_its_doi() -> None:
    story = item('<p>The <a href="https://www.nature.com/articles/nature14539">review</a>.</p>')
    assert extract(story).dois == (LECUN_DOI,)


def test_a_reference_that_prints_only_its_nature_page_gets_that_doi() -> None:
    reference = f"{LECUN} https://www.nature.com/articles/nature14539"
    extraction = extract(item(f"<p><strong>References:</strong><br>{reference}</p>"))
    assert extraction.dois == (LECUN_DOI,)
    assert (only_work(extraction).raw, only_work(extraction).doi) == (reference, LECUN_DOI)


def test_an_arxiv_identifier_in_running_text_without_a_link_is_not_searched_for() -> None:
    assert extract(item("<p>The preprint (arXiv:1706.03762) is new.</p>")) == Extraction()


def test_a_reference_that_prints_a_doi_and_an_arxiv_identifier_is_one_work() -> None:
    published = f"{LECUN} doi:{LECUN_DOI}. arXiv:1706.03762"
    content = (
        f"<p><strong>References:</strong><br>{LECUN} doi:{LECUN_DOI}. "
        '<a href="https://arxiv.org/abs/1706.03762">arXiv:1706.03762</a></p>'
    )
    extraction = extract(item(content))
    assert extraction.dois == (LECUN_DOI,)
    assert (only_work(extraction).raw, only_work(extraction).doi) == (published, LECUN_DOI)


def test_dois_only_in_running_text() -> None:
    content = (
        "<p>The team (doi:10.1038/nature14539) built on earlier work, DOI: "
        "10.1126/science.1225829.</p>"
    )
    extraction = extract(item(content))
    assert extraction.dois == (LECUN_DOI, "10.1126/science.1225829")
    assert extraction.references == ()
    spans = [w.provenance[0].span for w in extraction.works]
    text = render(content).text
    assert [text[s.start : s.end] for s in spans if s] == [
        "10.1038/nature14539",
        "10.1126/science.1225829",
    ]
    assert all(w.provenance[0].label is None for w in extraction.works)


def test_dois_from_links_guid_and_metadata_come_first() -> None:
    extraction = extract(
        item(
            f"<p>See doi:{LECUN_DOI}</p>",
            links=(("related", "https://doi.org/10.1126/science.1225829"),),
            metadata=(("dc:relation", f"https://doi.org/{WU_DOI}"),),
        )
    )
    assert extraction.dois == (WU_DOI, "10.1126/science.1225829", LECUN_DOI)
    fields = [w.provenance[0].field for w in extraction.works]
    assert fields == ["dc:relation", "link", "content:encoded"]


def test_description_copy_is_read_once_and_truncated_copy_dropped() -> None:
    full = f"<p><strong>References</strong>:<br>{LECUN}<br>{SILVER}</p>"
    truncated = (
        f"References:\n{LECUN}\nSilver, D., Huang, A., Maddison, C. et al. Mastering [&#8230;]"
    )
    extraction = extract(
        item(
            texts=(
                ("description", truncated),
                ("content:encoded", full),
                ("summary", full),
            )
        )
    )
    assert extraction.references == (LECUN, SILVER)
    assert len(extraction.works) == 2
    assert {p.field for p in extraction.works[0].provenance} == {"description", "content:encoded"}


def test_same_doi_twice_is_one_work() -> None:
    content = (
        f"<p>The study (https://doi.org/{WU_DOI}) ...</p>"
        f"<p><strong>Reference</strong>: {WU}</p>"
        f'<p>Link: <a href="https://doi.org/{WU_DOI.upper()}">paper</a></p>'
    )
    extraction = extract(item(content))
    assert extraction.dois == (WU_DOI,)
    work = only_work(extraction)
    assert work.raw == WU_TEXT
    assert [p.label for p in work.provenance] == ["Reference"]


def test_item_without_labels_or_dois() -> None:
    extraction = extract(item("<p>A story about p < 0.05 and 10.5 percent.</p>"))
    assert extraction == Extraction()


# Items that describe a work through their metadata ----------------------------------------


def test_rss1_toc_item_becomes_a_full_work() -> None:
    toc = FeedItem(
        source="toc.rdf",
        index=0,
        guid="https://www.nature.com/articles/nature14539",
        link="https://www.nature.com/articles/nature14539",
        title="Deep learning",
        authors=("Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"),
        texts=(("description", f"Nature, Published online: 27 May 2015; doi:{LECUN_DOI}"),),
        metadata=(
            ("dc:identifier", f"doi:{LECUN_DOI}"),
            ("dc:source", "Nature, Published online: 27 May 2015; doi:10.1038/nature14539"),
            ("dc:date", "2015-05-27"),
            ("prism:publicationName", "Nature"),
            ("prism:doi", LECUN_DOI),
            ("prism:volume", "521"),
            ("prism:number", "7553"),
            ("prism:startingPage", "436"),
            ("prism:endingPage", "444"),
            ("prism:issn", "0028-0836"),
            ("prism:eIssn", "1476-4687"),
            ("dc:publisher", "Nature Publishing Group"),
        ),
    )
    extraction = extract(toc)
    assert extraction.dois == (LECUN_DOI,)
    work = only_work(extraction)
    assert work.kind is WorkType.ARTICLE
    assert work.title == "Deep learning"
    assert work.authors == (
        Person(family="LeCun", given="Yann"),
        Person(family="Bengio", given="Yoshua"),
        Person(family="Hinton", given="Geoffrey"),
    )
    assert work.container_title == "Nature"
    assert (work.volume, work.issue, work.pages) == ("521", "7553", "436-444")
    assert work.issued == (2015, 5, 27)
    assert work.issn == ("0028-0836", "1476-4687")
    assert work.publisher == "Nature Publishing Group"
    assert work.url == "https://www.nature.com/articles/nature14539"
    assert work.provenance[0].field == "prism:doi"


def test_dc_identifier_doi_and_rfc822_date_and_family_given_authors() -> None:
    toc = item(
        title="Hallmarks of cancer: the <i>next</i> generation",
        published="Fri, 04 Mar 2011 00:00:00 GMT",
        authors=("Hanahan, Douglas", "Weinberg, Robert A."),
        metadata=(
            ("dc:identifier", "doi:10.1016/j.cell.2011.02.013"),
            ("dc:source", "Cell"),
        ),
    )
    work = only_work(extract(toc))
    assert work.doi == "10.1016/j.cell.2011.02.013"
    assert work.title == "Hallmarks of cancer: the next generation"
    assert work.authors == (
        Person(family="Hanahan", given="Douglas"),
        Person(family="Weinberg", given="Robert A."),
    )
    assert work.container_title == "Cell"
    assert work.issued == (2011, 3, 4)


def test_one_creator_string_listing_several_people_and_an_organisation() -> None:
    toc = item(
        authors=("Laurens van der Maaten, Geoffrey Hinton and The ENCODE Project Consortium",),
        metadata=(("prism:doi", "10.1000/xyz123"),),
    )
    work = only_work(extract(toc))
    assert work.authors == (
        Person(family="van der Maaten", given="Laurens"),
        Person(family="Hinton", given="Geoffrey"),
        Person(literal="The ENCODE Project Consortium"),
    )


def test_arxiv_entry_without_doi_cites_its_arxiv_doi() -> None:
    entry = FeedItem(
        source="arxiv.atom",
        index=1,
        guid="http://arxiv.org/abs/1706.03762v7",
        link="http://arxiv.org/abs/1706.03762v7",
        title="Attention Is All You Need",
        published="2017-06-12T17:57:34Z",
        authors=("Ashish Vaswani", "Noam Shazeer"),
        texts=(("summary", "The dominant sequence transduction models are complex."),),
        metadata=(("arxiv:primary_category", "cs.CL"),),
    )
    extraction = extract(entry)
    work = only_work(extraction)
    assert extraction.dois == ("10.48550/arxiv.1706.03762",)
    assert work.doi_as_printed == "10.48550/arXiv.1706.03762"
    assert work.kind is WorkType.PREPRINT
    assert work.title == "Attention Is All You Need"
    assert work.authors[0] == Person(family="Vaswani", given="Ashish")
    assert work.container_title is None
    assert work.issued == (2017, 6, 12)


def test_arxiv_entry_with_doi_cites_the_published_version() -> None:
    entry = item(
        guid="http://arxiv.org/abs/1512.03385v1",
        link="http://arxiv.org/abs/1512.03385v1",
        title="Deep Residual Learning for Image Recognition",
        authors=("Kaiming He", "Xiangyu Zhang"),
        metadata=(
            ("arxiv:doi", "10.1109/CVPR.2016.90"),
            ("arxiv:journal_ref", "CVPR 2016"),
        ),
    )
    extraction = extract(entry)
    work = only_work(extraction)
    assert extraction.dois == ("10.1109/cvpr.2016.90",)
    assert work.kind is WorkType.ARTICLE
    assert work.raw == "CVPR 2016"
    assert work.title == "Deep Residual Learning for Image Recognition"


@pytest.mark.parametrize(
    ("field", "own_id"),
    [
        ("guid", "info:doi/10.1371/journal.pone.0297000"),  # PLOS's Atom id
        ("link", "https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0297000"),
    ],
)
def test_an_item_whose_own_id_or_link_is_a_doi_describes_that_work(field: str, own_id: str) -> None:
    toc = item(
        "<p>by Ana Silva, Ben Okafor</p><p>Background: sleep and memory.</p>",
        **{field: own_id},
        title="Sleep duration and memory in older adults",
        published="2024-03-01T14:00:00Z",
        authors=("Ana Silva", "Ben Okafor"),
    )
    extraction = extract(toc)
    work = only_work(extraction)
    assert extraction.dois == ("10.1371/journal.pone.0297000",)
    assert work.title == "Sleep duration and memory in older adults"
    assert work.authors == (
        Person(family="Silva", given="Ana"),
        Person(family="Okafor", given="Ben"),
    )
    assert (work.issued, work.kind) == ((2024, 3, 1), WorkType.ARTICLE)
    assert work.provenance[0].field == field


def test_a_story_with_a_reference_block_does_not_describe_the_work_its_link_names() -> None:
    story = item(
        f"<p>A new way to learn.</p><p><strong>Reference:</strong> {LECUN}</p>",
        link=f"https://doi.org/{LECUN_DOI}",
        title="Machines that learn like us",
    )
    works = extract(story).works
    assert [(work.doi, work.raw) for work in works] == [(None, LECUN), (LECUN_DOI, None)]
    assert [work.title for work in works] == [None, None]


@pytest.mark.parametrize(
    ("doi", "kind"),
    [
        ("10.1101/2024.03.01.582000", WorkType.PREPRINT),  # bioRxiv, medRxiv
        ("10.1101/067890", WorkType.PREPRINT),  # bioRxiv before 2019
        ("10.1101/gr.123456.111", WorkType.ARTICLE),  # Genome Research, same prefix
        ("10.2139/ssrn.4700001", WorkType.PREPRINT),
        ("10.31234/osf.io/abcde", WorkType.PREPRINT),  # PsyArXiv
        ("10.1038/nature14539", WorkType.ARTICLE),
    ],
)
def test_a_preprint_servers_doi_makes_the_described_work_a_preprint(
    doi: str, kind: WorkType
) -> None:
    toc = item(metadata=(("dc:identifier", f"doi:{doi}"),), title="A result")
    assert only_work(extract(toc)).kind is kind


def test_a_pubmed_item_names_its_doi_in_its_second_identifier() -> None:
    toc = item(
        "<p>Deep learning allows computational models to learn.</p>",
        link="https://pubmed.ncbi.nlm.nih.gov/26017442/?utm_source=Other&utm_medium=rss",
        title="Deep learning",
        authors=("Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"),
        metadata=(
            ("dc:date", "2015-05-28"),
            ("dc:source", "Nature"),
            ("dc:identifier", "pmid:26017442"),
            ("dc:identifier", f"doi:{LECUN_DOI}"),
        ),
    )
    work = only_work(extract(toc))
    assert (work.doi, work.title, work.container_title) == (LECUN_DOI, "Deep learning", "Nature")
    assert [person.family for person in work.authors] == ["LeCun", "Bengio", "Hinton"]
    assert work.url == "https://pubmed.ncbi.nlm.nih.gov/26017442/"
    assert work.provenance[0].field == "dc:identifier"


@pytest.mark.parametrize(
    ("link", "url"),
    [
        (
            "https://x.example/a?id=10.1371/j.p.1&utm_source=rss",
            "https://x.example/a?id=10.1371/j.p.1",
        ),
        ("https://x.example/doi/10.1002/a.1?af=R", "https://x.example/doi/10.1002/a.1"),
        (
            "https://x.example/b/10.1101/067890v1?rss=1#abstract",
            "https://x.example/b/10.1101/067890v1#abstract",
        ),
        ("https://x.example/c/10.1000/c.1?page=2", "https://x.example/c/10.1000/c.1?page=2"),
    ],
)
def test_the_described_works_url_loses_the_feeds_click_counters(link: str, url: str) -> None:
    assert only_work(extract(item(link=link, title="A title"))).url == url


def test_biorxiv_lists_every_author_in_one_creator_string_family_first() -> None:
    toc = item(
        authors=("Silva, A., Li, X.-Y., van der Berg, J. P.",),
        metadata=(("dc:identifier", "doi:10.1101/2024.03.01.582000"),),
    )
    assert only_work(extract(toc)).authors == (
        Person(family="Silva", given="A."),
        Person(family="Li", given="X.-Y."),
        Person(family="van der Berg", given="J. P."),
    )


SCIENCEDIRECT_PAGE = "https://www.sciencedirect.com/science/article/pii/S0092867424001234"
SCIENCEDIRECT_ITEM = (
    "<p>Publication date: Available online 5 March 2024</p>"
    "<p><b>Source:</b> Cell, Volume 187, Issue 7</p>"
    "<p>Author(s): Ana Silva, Ben Okafor, Chen Li</p>"
)


def test_a_sciencedirect_item_describes_its_article_without_a_doi() -> None:
    toc = item(
        SCIENCEDIRECT_ITEM,
        field="description",
        link=f"{SCIENCEDIRECT_PAGE}?dgcid=rss_sd_all",
        title="A cell atlas of the human liver",
        published="Tue, 05 Mar 2024 00:00:00 GMT",
    )
    extraction = extract(toc)
    work = only_work(extraction)
    assert (extraction.dois, work.doi, work.kind) == ((), None, WorkType.ARTICLE)
    assert work.title == "A cell atlas of the human liver"
    assert [person.family for person in work.authors] == ["Silva", "Okafor", "Li"]
    assert (work.container_title, work.volume, work.issue) == ("Cell", "187", "7")
    assert (work.issued, work.url) == ((2024, 3, 5), SCIENCEDIRECT_PAGE)
    assert work.provenance[0].field == "link"


@pytest.mark.parametrize(
    ("source", "journal", "volume", "issue", "pages"),
    [
        ("Cell", "Cell", None, None, None),
        ("Applied Geography, Volume 160", "Applied Geography", "160", None, None),
        (
            "The Lancet, Volume 403, Issue 10429, Pages 801-812",
            "The Lancet",
            "403",
            "10429",
            "801-812",
        ),
    ],
)
def test_the_source_line_of_a_sciencedirect_item_gives_the_journal_and_locators(
    source: str, journal: str, volume: str | None, issue: str | None, pages: str | None
) -> None:
    content = (
        f"<p>Publication date: April 2024</p><p>Source: {source}</p><p>Author(s): Ana Silva</p>"
    )
    toc = item(content, link=SCIENCEDIRECT_PAGE.replace("/pii/", "/abs/pii/"), title="A title")
    work = only_work(extract(toc))
    assert (work.container_title, work.volume, work.issue, work.pages) == (
        journal,
        volume,
        issue,
        pages,
    )
    assert work.issued == (2024, 4)


def test_a_story_linking_to_a_sciencedirect_article_does_not_become_it() -> None:
    story = item(
        f'<p>The <a href="{SCIENCEDIRECT_PAGE}">study</a> maps the liver.</p>'
        f"<p><strong>Reference:</strong> {LECUN}</p>",
        title="Scientists map the liver",
    )
    assert [work.raw for work in extract(story).works] == [LECUN]
    cited = item(f"<p><strong>Reference:</strong> {LECUN}</p>", link=SCIENCEDIRECT_PAGE)
    assert [work.raw for work in extract(cited).works] == [LECUN]


def test_news_item_with_a_link_to_arxiv_is_not_an_arxiv_entry() -> None:
    news = item(link="https://news.example/arxiv.org:1706.03762", guid="g")
    assert extract(news) == Extraction()


# Provenance spans -------------------------------------------------------------------------


def test_spans_point_into_each_field_rendering() -> None:
    description = f"Intro text.\n\nReferences: {LECUN}"
    content = f"<p>Intro</p><p><b>References</b><br>&nbsp; {SILVER}</p>"
    extraction = extract(item(texts=(("description", description), ("content:encoded", content))))
    for work in extraction.works:
        provenance = work.provenance[0]
        field_value = description if provenance.field == "description" else content
        assert isinstance(provenance.span, Span)
        assert render(field_value).text[provenance.span.start : provenance.span.end] == work.raw


_LINE_PIECES = st.sampled_from(
    [
        *LABELS,
        "Article  References",
        ":",
        " ",
        "\t",
        "\n",
        "\n\n",
        "x",
        "The study",
        "DOIs",
        "\u017fources",
        "\u212aeywords",
        "\u0130mage",
        "Referencesx",
        "\u00e9",
        "SOURCE",
    ]
)


@given(st.lists(_LINE_PIECES, max_size=12).map("".join))
def test_label_lines_finds_what_the_label_pattern_finds(text: str) -> None:
    # The fast scan skips line starts that cannot begin a label; it must skip no label.
    expected = [(m.start(), m.end()) for m in _LABEL_LINE.finditer(text)]
    assert [(m.start(), m.end()) for m in _label_lines(text)] == expected


_COPY_PIECES = st.sampled_from(["Smith J", " ", "Title", ".", "Nature", "2015", "\u2026", "..."])


@given(
    st.lists(st.tuples(st.lists(_COPY_PIECES, max_size=6).map("".join), st.booleans()), max_size=8)
)
def test_truncated_copies_are_found_as_by_comparing_every_pair(
    texts: list[tuple[str, bool]],
) -> None:
    candidates = [
        _Candidate(text, "description", "References", Span(0, 1), "10.1/x" if doi else None, None)
        for text, doi in texts
    ]
    folded = [" ".join(c.text.casefold().split()) for c in candidates]
    expected = [
        candidate
        for candidate, text in zip(candidates, folded, strict=True)
        if candidate.doi is not None
        or not any(
            other != text and len(other) > len(stem) and other.startswith(stem)
            for stem in [_TRUNCATION.sub("", text)]
            for other in folded
        )
    ]
    assert _drop_truncated(candidates) == expected


@given(st.text(alphabet="ab\n", max_size=12), st.data())
def test_find_finds_what_searching_to_the_end_finds_before_the_end(
    text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    for needle in ("\n", "\n\n"):
        found = text.find(needle, start)
        expected = end if found < 0 else min(found, end)
        assert _find(text, needle, start, end) == expected


def _entries_joined_as_before(text: str, start: int, end: int) -> tuple[list[Entry], bool]:
    """How `_entries` read a paragraph before it kept entries in pieces (the oracle)."""
    entries: list[Entry] = []
    numbered = False
    for line_start, line_end, enumerated in _lines(text, start, end):
        line = text[line_start:line_end]
        if _SEPARATOR.fullmatch(line):
            return entries, True
        if entries and not enumerated:
            entry_start, _, entry_text = entries[-1]
            link = _LINK_LINE.fullmatch(line) is not None
            fields = not numbered and _incomplete(entry_text) and not _complete(line)
            if numbered or link or fields:
                plain = numbered or link or entry_text[-1] in _SENTENCE_END or line[0].islower()
                joined = entry_text + (" " if plain else ". ") + line
                entries[-1] = (entry_start, line_end, joined)
                continue
        entries.append((line_start, line_end, line))
        numbered = enumerated
    return entries, False


_ENTRY_LINES = st.sampled_from(
    [
        "Smith J",
        "Smith, J., Lee, K.",
        "vol 10",
        "Title of a paper",
        "title in lower case",
        "Nature 521, 436-444 (2015).",
        "2015",
        "10.1038/nature14539",
        "doi:10.1038/x",
        "https://example.org/a",
        "1. Smith J. A study. 2020.",
        "[2] Lee K",
        "(3)",
        "* * *",
        "---",
        "ends with 10",
        "0. x",
        "",
        "  ",
    ]
)


@given(st.lists(_ENTRY_LINES, max_size=12).map("\n".join), st.data())
def test_entries_are_read_as_before_they_were_kept_in_pieces(
    text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert _entries(text, start, end) == _entries_joined_as_before(text, start, end)


@pytest.mark.parametrize(
    "text",
    [
        "Smith J\nvol 10\nTitle of a paper\nmore of the title",  # "vol 10. Title" holds "10."
        "Smith J\nvol 10.\nTitle of a paper\nmore of the title",
        "Smith J\nTitle\nNature (2015)\nLee K",
        "1. Smith J\nwrapped line\n2. Lee K\n* * *\nafter",
    ],
)
def test_entries_of_fields_printed_line_by_line_are_read_as_before(text: str) -> None:
    assert _entries(text, 0, len(text)) == _entries_joined_as_before(text, 0, len(text))
