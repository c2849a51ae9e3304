"""validate(): each check, each decoy kind, the margin rule and missing fields (offline)."""

from __future__ import annotations

import dataclasses

import pytest

from doi_extract.model import Person, Reference, Status, WorkType
from doi_extract.resolve.match import Verdict, validate

TITLE = "Early warning signals: the charted and uncharted territories"


def _work(doi: str = "10.1007/s12080-013-0192-6", **changes: object) -> Reference:
    """A registry record, as resolve.mapping makes it."""
    fields: dict[str, object] = {
        "doi": doi,
        "kind": WorkType.ARTICLE,
        "title": TITLE,
        "authors": (Person("Boettiger", "Carl"), Person("Ross", "Noam")),
        "container_title": "Theoretical Ecology",
        "issued": (2013, 6, 21),
        "volume": "6",
        "pages": "255-264",
        "status": Status.RESOLVED,
        "registry": "crossref",
    }
    return Reference(**(fields | changes))  # type: ignore[arg-type]


def _cited(**changes: object) -> Reference:
    """The reference as parsed from an APA string."""
    fields: dict[str, object] = {
        "kind": WorkType.ARTICLE,
        "title": "Early warning signals: The charted and uncharted territories",
        "authors": (Person("Boettiger", "C."), Person("Ross", "N.")),
        "container_title": "Theoretical Ecology",
        "issued": (2013,),
        "volume": "6",
        "pages": "255-264",
        "raw": (
            "Boettiger, C., Ross, N., & Hastings, A. (2013). Early warning signals: The charted"
            " and uncharted territories. Theoretical Ecology, 6(3), 255-264."
        ),
    }
    return Reference(**(fields | changes))  # type: ignore[arg-type]


def _accepted(verdict: Verdict) -> str | None:
    return verdict.record.doi if verdict.accepted and verdict.record else None


def test_clean_match_is_accepted_with_reasons() -> None:
    verdict = validate(_cited(), [_work()])
    assert _accepted(verdict) == "10.1007/s12080-013-0192-6"
    assert verdict.match.score == pytest.approx(1.0)
    assert verdict.match.reasons[0] == "title 1.00"
    assert "year 2013" in verdict.match.reasons
    assert "author boettiger" in verdict.match.reasons
    assert verdict.match.reasons[-1] == "only candidate"


def test_no_candidates() -> None:
    verdict = validate(_cited(), [])
    assert (verdict.accepted, verdict.record, verdict.match.reasons) == (
        False,
        None,
        ("no candidates",),
    )


def test_best_is_taken_from_among_unrelated_candidates() -> None:
    other = _work("10.5555/other", title="Ecological management of stochastic systems")
    verdict = validate(_cited(), [other, _work()])
    assert _accepted(verdict) == "10.1007/s12080-013-0192-6"
    assert verdict.match.reasons[-1].startswith("margin 0.")


def test_different_title_is_rejected_with_the_similarity() -> None:
    verdict = validate(_cited(), [_work(title="Early warning signals in ecological time series")])
    assert not verdict.accepted
    assert verdict.record is None
    assert verdict.match.reasons[0].endswith("< 0.90")
    assert 0 < verdict.match.score < 1


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [
        ("Correction: ", "correction"),
        ("Author Correction: ", "author correction"),
        ("Erratum: ", "erratum"),
        ("Retraction: ", "retraction"),
        ("Reply to: ", "reply to"),
        ("Comment on “", "comment on"),
    ],
)
def test_notices_about_the_work_are_disqualified(prefix: str, kind: str) -> None:
    notice = _work("10.5555/notice", title=prefix + TITLE)
    verdict = validate(_cited(title=None), [notice])
    assert not verdict.accepted
    assert f"a {kind} notice" in verdict.match.reasons


def test_a_cited_correction_can_match_a_correction() -> None:
    notice = _work("10.5555/notice", title="Correction: " + TITLE)
    cited = _cited(title="Correction: " + TITLE, raw=None)
    assert _accepted(validate(cited, [notice])) == "10.5555/notice"


def test_notice_next_to_the_work_does_not_block_it() -> None:
    notice = _work("10.5555/notice", title="Author Correction: " + TITLE, issued=(2013, 9))
    assert _accepted(validate(_cited(), [notice, _work()])) == "10.1007/s12080-013-0192-6"


@pytest.mark.parametrize(
    ("year", "accepted"), [(2012, True), (2014, True), (2011, False), (2015, False)]
)
def test_year_one_off_is_accepted_two_off_is_not(year: int, accepted: bool) -> None:
    verdict = validate(_cited(issued=(year,), raw=None), [_work()])
    assert verdict.accepted is accepted
    if not accepted:
        assert f"year {year} != 2013" in verdict.match.reasons


def test_preprint_of_a_journal_reference_is_rejected_and_journal_version_wins() -> None:
    preprint = _work(
        "10.5555/preprint",
        kind=WorkType.PREPRINT,
        container_title=None,
        issued=(2013, 1),
        volume=None,
        pages=None,
    )
    alone = validate(_cited(), [preprint])
    assert not alone.accepted
    assert "type: preprint for a journal reference" in alone.match.reasons
    both = validate(_cited(), [preprint, _work()])
    assert _accepted(both) == "10.1007/s12080-013-0192-6"


def test_journal_version_of_a_preprint_reference_is_rejected() -> None:
    preprint = _work("10.5555/preprint", kind=WorkType.PREPRINT, container_title=None)
    cited = _cited(container_title="bioRxiv", volume=None, pages=None, raw=None)
    assert not validate(cited, [_work()]).accepted
    assert _accepted(validate(cited, [_work(), preprint])) == "10.5555/preprint"


def test_preprint_and_article_without_container_is_ambiguous() -> None:
    preprint = _work("10.5555/preprint", kind=WorkType.PREPRINT, container_title=None)
    cited = _cited(container_title=None, kind=WorkType.UNKNOWN, raw=None)
    verdict = validate(cited, [_work(), preprint])
    assert not verdict.accepted
    assert any(reason.startswith("ambiguous") for reason in verdict.match.reasons)


def test_same_title_by_other_authors_is_rejected() -> None:
    other = _work("10.5555/other", authors=(Person("Okafor", "Chidi"),))
    verdict = validate(_cited(), [other])
    assert not verdict.accepted
    assert "author boettiger != okafor" in verdict.match.reasons


def test_same_title_twice_with_reference_lacking_authors_is_no_match() -> None:
    other = _work("10.5555/other", authors=(Person("Okafor", "Chidi"),))
    cited = _cited(authors=(), raw=None)
    assert not validate(cited, [_work(), other]).accepted


def test_same_authors_other_paper_is_rejected() -> None:
    other = _work(
        "10.5555/other", title="Ecological management of stochastic systems with long transients"
    )
    assert not validate(_cited(), [other]).accepted


def test_runner_up_within_margin_blocks_the_match() -> None:
    # Same title, authors, year and journal, another volume: fails only the volume check.
    twin = _work("10.5555/twin", volume="9")
    verdict = validate(_cited(volume=None, raw=None), [_work(), twin])
    assert not verdict.accepted
    assert any(r.startswith("ambiguous") for r in verdict.match.reasons)
    verdict = validate(_cited(raw=None), [_work(), twin])
    assert not verdict.accepted
    assert "margin 0.00 < 0.15 over 10.5555/twin" in verdict.match.reasons


def test_runner_up_in_another_journal_is_a_margin_of_the_container_weight() -> None:
    reprint = _work("10.5555/reprint", container_title="Ecological Complexity")
    verdict = validate(_cited(raw=None), [reprint, _work()])
    assert _accepted(verdict) == "10.1007/s12080-013-0192-6"
    assert verdict.match.reasons[-1] == "margin 0.15"
    # Cited without its journal, the two cannot be told apart.
    assert not validate(_cited(container_title=None, raw=None), [_work(), reprint]).accepted


def test_abbreviated_container_agrees_with_the_full_name() -> None:
    work = _work(container_title="Nature Reviews Clinical Oncology")
    assert validate(_cited(container_title="Nat Rev Clin Oncol", raw=None), [work]).accepted
    assert validate(_cited(container_title="Nat. Rev. Clin. Oncol.", raw=None), [work]).accepted
    pnas = _work(
        container_title="Proceedings of the National Academy of Sciences"
        " of the United States of America"
    )
    assert validate(_cited(container_title="Proc Natl Acad Sci USA", raw=None), [pnas]).accepted
    assert validate(_cited(container_title="Theor. Ecol.", raw=None), [_work()]).accepted


def test_other_container_is_rejected() -> None:
    for name in ("Nature Communications", "Theoretical Computer Science", "Nature"):
        verdict = validate(_cited(container_title=name, raw=None), [_work()])
        assert not verdict.accepted, name


def test_volume_or_first_page_disagreeing_rejects() -> None:
    assert not validate(_cited(volume="7", raw=None), [_work()]).accepted
    assert not validate(_cited(pages="300-310", raw=None), [_work()]).accepted
    assert validate(_cited(volume=None, pages=None, raw=None), [_work()]).accepted


def test_without_year_only_a_near_exact_match_with_author_and_container_passes() -> None:
    cited = _cited(issued=(), raw=None)
    assert validate(cited, [_work()]).accepted
    assert not validate(dataclasses.replace(cited, container_title=None), [_work()]).accepted
    assert not validate(dataclasses.replace(cited, authors=()), [_work()]).accepted
    slightly = dataclasses.replace(
        cited, title="Early warning signals: the charted and uncharted territory"
    )
    verdict = validate(slightly, [_work()])
    assert not verdict.accepted
    assert "no year: needs title 0.98, author and container" in verdict.match.reasons


def test_first_author_names_are_folded() -> None:
    work = _work(authors=(Person("Weihermüller", "Johannes"),))
    assert validate(_cited(authors=(Person("Weihermuller", "J"),), raw=None), [work]).accepted
    work = _work(authors=(Person("van der Berg", "Anna"),))
    assert validate(_cited(authors=(Person("Berg", "A."),), raw=None), [work]).accepted
    work = _work(authors=(Person("El Darzi", "R."),))
    assert validate(_cited(authors=(Person("Darzi", "R."),), raw=None), [work]).accepted


def test_unparsed_reference_is_checked_against_the_printed_string() -> None:
    raw = (
        "Carl Boettiger et al, Early warning signals: the charted and uncharted territories,"
        " Theoretical Ecology (2013)."
    )
    bare = Reference(raw=raw)
    assert validate(bare, [_work()]).accepted
    other = _work(authors=(Person("Okafor", "Chidi"),))
    assert "author okafor not in text" in validate(bare, [other]).match.reasons
    elsewhere = _work(container_title="Ecological Complexity")
    assert not validate(bare, [elsewhere]).accepted
    preprint = _work(kind=WorkType.PREPRINT, container_title=None)
    assert not validate(bare, [preprint]).accepted


def test_part_of_a_printed_title_is_not_the_title() -> None:
    raw = (
        "Boettiger, C. et al. Early warning signals: the charted and uncharted territories."
        " Theor. Ecol. 6, 255 (2013)."
    )
    subtitle = _work(title="The charted and uncharted territories")
    assert not validate(Reference(raw=raw), [subtitle]).accepted


def test_given_name_read_as_family_name_is_recovered_from_the_text() -> None:
    raw = (
        "Carl Boettiger, Noam Ross. Early warning signals: the charted and uncharted"
        " territories. Theoretical Ecology, 2013; 6 (3): 255"
    )
    misread = Reference(raw=raw, title=TITLE, authors=(Person("Carl"),), issued=(2013,))
    assert validate(misread, [_work()]).accepted
    other = _work(authors=(Person("Ross", "Noam"),))
    assert not validate(misread, [other]).accepted
