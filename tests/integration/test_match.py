"""Resolver.match against the fake Crossref: request shape, cache, retries, deadline, quality."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.match_eval import evaluate, load_cases
from doi_extract.model import Person, Reference
from doi_extract.refparse import parse_reference
from doi_extract.resolve import Resolver, search_text
from doi_extract.resolve.crossref import SEARCH_SELECT
from tests.fake_crossref import TEST_MAILTO, FakeCrossref, Fault, quick_settings

MAILTO = TEST_MAILTO
FSP1 = (
    "Wu, K., Vaughan, A.J., Bossowski, J.P. et al. Targeting FSP1 triggers ferroptosis in"
    " lung cancer. Nature 648, 412\u2013420 (2025)."
)
FRET = (
    "Tosatto L, Horrocks MH, Dear AJ, et al. Single-molecule FRET studies on alpha-synuclein"
    " oligomerization of Parkinson's disease genetically related mutants. Sci Rep."
    " 2015;5:16696."
)


@pytest.fixture
def fake() -> Iterator[FakeCrossref]:
    """The fake Crossref holding every fixture, decoys included."""
    with FakeCrossref.with_fixtures() as server:
        yield server


def _match(fake: FakeCrossref, texts: list[str], **changes: Any) -> dict[str, Any]:
    with Resolver(quick_settings(fake, **changes)) as resolver:
        verdicts = resolver.match([parse_reference(text) for text in texts])
        return {"verdicts": verdicts, "stats": resolver.stats}


def _doi(verdict: Any) -> str | None:
    return verdict.record.doi if verdict.accepted and verdict.record else None


def test_one_bibliographic_request_per_reference(fake: FakeCrossref) -> None:
    result = _match(fake, [FSP1])
    (request,) = fake.requests("works")
    assert request.query["query.bibliographic"] == [FSP1]
    assert request.query["rows"] == ["5"]
    assert request.query["select"] == [",".join(SEARCH_SELECT)]
    assert request.query["mailto"] == [MAILTO]
    assert "filter" not in request.query
    (verdict,) = result["verdicts"].values()
    assert _doi(verdict) == "10.1038/s41586-025-09710-8"
    assert verdict.match.score > 0.9
    assert (result["stats"].searches, result["stats"].requests) == (1, 1)


def test_verdicts_are_keyed_by_identity_and_skip_what_cannot_be_searched(
    fake: FakeCrossref,
) -> None:
    with_doi = Reference(doi="10.1038/srep16696", raw=FRET)
    short = Reference(raw="Nature 2025")
    fields_only = Reference(
        title="Charges ride the spin wave",
        authors=(Person("Kuschel", "T."),),
        container_title="Nature Nanotechnology",
        issued=(2014,),
    )
    fret = parse_reference(FRET)
    with Resolver(quick_settings(fake)) as resolver:
        verdicts = resolver.match([with_doi, short, fields_only, fret, fret])
    assert set(verdicts) == {fields_only.identity, fret.identity}
    assert _doi(verdicts[fields_only.identity]) == "10.1038/nnano.2014.279"
    assert _doi(verdicts[fret.identity]) == "10.1038/srep16696"
    assert len(fake.requests("works")) == 2
    searched = [r.query["query.bibliographic"][0] for r in fake.requests("works")]
    assert "Kuschel Charges ride the spin wave Nature Nanotechnology 2014" in searched


def test_search_text_prefers_the_printed_string() -> None:
    assert (
        search_text(Reference(raw="  A  reference of   five words ")) == "A reference of five words"
    )
    assert search_text(Reference(raw="Too short", title="A title")) == "A title"
    assert search_text(Reference(raw="Too short")) is None
    assert search_text(Reference(doi="10.1/x", raw="A reference of five words")) is None


def test_second_run_is_answered_by_the_cache(fake: FakeCrossref, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    unknown = "Hoyt, S. F. (1957). The ecology of the pileated woodpecker. Ecology, 38(2), 246."
    first = _match(fake, [FSP1, unknown], cache_path=cache)
    assert len(fake.requests("works")) == 2
    fake.reset()
    second = _match(fake, [FSP1, unknown], cache_path=cache)
    assert fake.requests() == []
    assert (second["stats"].requests, second["stats"].searches) == (0, 0)
    assert second["stats"].search_cache_hits == 2
    assert {k: _doi(v) for k, v in second["verdicts"].items()} == {
        k: _doi(v) for k, v in first["verdicts"].items()
    }
    refreshed = _match(fake, [FSP1], cache_path=cache, refresh=True)
    assert refreshed["stats"].searches == 1


def test_429_and_503_are_retried_by_the_polite_client(fake: FakeCrossref) -> None:
    fake.inject("works", Fault.status(429, retry_after="0"), Fault.status(503))
    result = _match(fake, [FSP1])
    statuses = [r.status for r in fake.requests("works")]
    assert statuses == [429, 503, 200]
    assert _doi(next(iter(result["verdicts"].values()))) == "10.1038/s41586-025-09710-8"
    assert result["stats"].requests == 3


def test_failed_search_is_reported_not_guessed_and_not_cached(
    fake: FakeCrossref, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite3"
    fake.inject("works", *[Fault.status(500)] * 3)
    result = _match(fake, [FSP1], cache_path=cache, max_retries=2)
    (verdict,) = result["verdicts"].values()
    assert not verdict.accepted
    assert verdict.failed == "Crossref: HTTP 500 after 3 attempts"
    assert verdict.match.reasons == ("not searched: Crossref: HTTP 500 after 3 attempts",)
    fake.reset()
    again = _match(fake, [FSP1], cache_path=cache)
    assert _doi(next(iter(again["verdicts"].values()))) == "10.1038/s41586-025-09710-8"


def test_deadline_is_respected(fake: FakeCrossref) -> None:
    fake.inject("works", Fault.slow(3.0))
    started = time.monotonic()
    result = _match(fake, [FSP1, FRET], deadline_s=1.0, request_timeout_s=5.0)
    assert time.monotonic() - started < 2.5
    verdicts = list(result["verdicts"].values())
    assert all(not v.accepted and v.failed for v in verdicts)
    assert any("deadline" in (v.failed or "") for v in verdicts)


def test_open_circuit_stops_searching(fake: FakeCrossref) -> None:
    fake.inject("works", *[Fault.status(503)] * 20)
    texts = [FSP1, FRET, "Boer, G. J., & Yu, B. (2003). Climate sensitivity and climate state."]
    result = _match(fake, texts, max_retries=0)
    assert len(fake.requests("works")) == 3  # the breaker opens after 3 failed requests
    assert all(v.failed for v in result["verdicts"].values())


def test_progress_is_reported(fake: FakeCrossref) -> None:
    seen: list[tuple[int, int]] = []
    with Resolver(quick_settings(fake)) as resolver:
        resolver.match(
            [parse_reference(FSP1), parse_reference(FRET)], on_progress=lambda *a: seen.append(a)
        )
    assert seen == [(1, 2), (2, 2)]


def test_labelled_set_precision_is_one_and_recall_at_least_ninety_percent(
    fake: FakeCrossref,
) -> None:
    cases = load_cases()
    assert sum(1 for c in cases if c["doi"]) >= 30
    assert sum(1 for c in cases if not c["in_index"]) >= 10
    result = evaluate(fake)
    wrong = [o.case["text"] for o in result.matched if not o.correct]
    assert wrong == []
    assert result.precision == 1.0
    assert result.recall >= 0.9
    assert result.searches == len(cases)
