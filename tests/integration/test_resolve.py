"""The resolver against the fake Crossref and doi.org on 127.0.0.1 (tests/fake_crossref.py)."""

from __future__ import annotations

import itertools
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from doi_extract.model import Status, WorkType
from doi_extract.resolve import Outcome, Resolver, ResolverSettings
from doi_extract.resolve.cache import FOUND_TTL_S, Cache, CacheEntry
from doi_extract.resolve.mapping import CROSSREF_SELECT
from tests.fake_crossref import (
    TEST_MAILTO,
    FakeCrossref,
    Fault,
    LoggedRequest,
    max_in_window,
    quick_settings,
)

MAILTO = TEST_MAILTO
ARTICLE = "10.1038/srep16696"
DATACITE = "10.5438/4k3m-nyvg"
ALIAS, CANONICAL = "10.26434/chemrxiv.5406907", "10.26434/chemrxiv.5406907.v5"


def _resolve(fake: FakeCrossref, dois: list[str], **changes: Any) -> dict[str, Any]:
    with Resolver(quick_settings(fake, **changes)) as resolver:
        return resolver.resolve(dois)


def _works(count: int, prefix: str = "10.5555/gen.") -> list[dict[str, Any]]:
    return [
        {
            "DOI": f"{prefix}{i:04d}",
            "type": "journal-article",
            "title": [f"Generated work {i}"],
            "author": [{"given": "Test", "family": f"Author{i}", "sequence": "first"}],
            "container-title": ["Journal of Generated Results"],
            "issued": {"date-parts": [[2020, 1, 1]]},
        }
        for i in range(count)
    ]


@pytest.fixture
def generated() -> Iterator[FakeCrossref]:
    """A fake Crossref holding 60 generated journal articles."""
    with FakeCrossref(works=_works(60)) as fake:
        yield fake


def _gaps(entries: list[LoggedRequest]) -> list[float]:
    times = [entry.time for entry in entries]
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


# -- batching ------------------------------------------------------------------------------


def test_sixty_dois_take_two_batch_requests(generated: FakeCrossref) -> None:
    dois = [work["DOI"] for work in _works(60)]
    results = _resolve(generated, dois)
    assert all(r.outcome is Outcome.FOUND for r in results.values())
    assert len(results) == 60
    requests_made = generated.requests()
    assert [r.route for r in requests_made] == ["works", "works"]
    assert [r.query["rows"] for r in requests_made] == [["50"], ["10"]]
    assert [len(r.query["filter"][0].split(",")) for r in requests_made] == [50, 10]
    for request in requests_made:
        assert request.query["select"] == [",".join(CROSSREF_SELECT)]
        assert request.query["mailto"] == [MAILTO]
        user_agent = request.headers["User-Agent"]
        assert user_agent.startswith("doi-extract/")
        assert f"mailto:{MAILTO}" in user_agent
    assert len({r.peer_port for r in requests_made}) == 1  # one kept-alive connection


def test_without_mailto_no_mailto_is_sent(generated: FakeCrossref) -> None:
    results = _resolve(generated, ["10.5555/gen.0001"], mailto=None)
    assert results["10.5555/gen.0001"].outcome is Outcome.FOUND
    (request,) = generated.requests()
    assert "mailto" not in request.query
    assert "mailto" not in request.headers["User-Agent"]
    assert request.headers["User-Agent"].startswith("doi-extract/")


def test_results_are_keyed_by_lower_case_doi(fake_crossref: FakeCrossref) -> None:
    asked = ["10.1038/SREP16696", "10.1371/JOURNAL.pone.0033693", "10.1038/srep16696"]
    results = _resolve(fake_crossref, asked)
    assert set(results) == {ARTICLE, "10.1371/journal.pone.0033693"}
    for doi, resolution in results.items():
        assert resolution.doi == doi
        assert resolution.record.doi == doi
        assert resolution.record.status is Status.RESOLVED
        assert resolution.record.registry == "crossref"
    assert results[ARTICLE].record.article_number == "16696"
    assert len(fake_crossref.requests("works")) == 1


def test_found_records_replace_feed_stubs_with_full_author_lists(
    fake_crossref: FakeCrossref,
) -> None:
    results = _resolve(fake_crossref, ["10.1186/s12885-025-14386-4"])
    record = results["10.1186/s12885-025-14386-4"].record
    assert [a.family for a in record.authors][:3] == ["Meng", "Ding", "Jia"]
    assert len(record.authors) > 3
    assert (record.container_title, record.article_number) == ("BMC Cancer", "960")


# -- beyond the batch: agencies, aliases, other registries -----------------------------


def test_missing_doi_asks_doi_org_then_gets_datacite_csl(fake_crossref: FakeCrossref) -> None:
    results = _resolve(fake_crossref, [ARTICLE, DATACITE.upper()])
    record = results[DATACITE].record
    assert results[DATACITE].outcome is Outcome.FOUND
    assert (record.registry, record.kind, record.title) == (
        "datacite",
        WorkType.WEBPAGE,
        "Eating your own Dog Food",
    )
    assert [r.route for r in fake_crossref.requests()] == ["works", "doiRA", "cn"]
    (negotiation,) = fake_crossref.requests("cn")
    assert "application/vnd.citationstyles.csl+json" in negotiation.headers["Accept"]


def test_doi_nobody_registered_is_not_found(fake_crossref: FakeCrossref) -> None:
    results = _resolve(fake_crossref, ["10.5555/does-not-exist"])
    resolution = results["10.5555/does-not-exist"]
    assert resolution.outcome is Outcome.NOT_FOUND
    assert resolution.reason == "doi.org: DOI does not exist"
    assert [r.route for r in fake_crossref.requests()] == ["works", "doiRA"]


def test_invalid_doi_is_not_found_without_a_request(fake_crossref: FakeCrossref) -> None:
    results = _resolve(fake_crossref, ["not-a-doi"])
    assert results["not-a-doi"].outcome is Outcome.NOT_FOUND
    assert fake_crossref.requests() == []


def test_alias_is_followed_and_cached_under_both_dois(
    fake_crossref: FakeCrossref, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite3"
    results = _resolve(fake_crossref, [ALIAS], cache_path=cache)
    assert results[ALIAS].outcome is Outcome.FOUND
    assert results[ALIAS].record.doi == CANONICAL
    assert [r.status for r in fake_crossref.requests("work")] == [301, 200]
    fake_crossref.reset()
    again = _resolve(fake_crossref, [ALIAS, CANONICAL], cache_path=cache)
    assert fake_crossref.requests() == []
    assert all(r.from_cache and r.record.doi == CANONICAL for r in again.values())


def test_crossref_doi_missing_from_the_index_is_not_found_and_not_cached(
    tmp_path: Path,
) -> None:
    with FakeCrossref(agencies={"10.5555/lag": "crossref"}) as fake:
        cache = tmp_path / "cache.sqlite3"
        results = _resolve(fake, ["10.5555/lag"], cache_path=cache)
        assert results["10.5555/lag"].outcome is Outcome.NOT_FOUND
        assert "Crossref" in results["10.5555/lag"].reason
        assert [(r.route, r.status) for r in fake.requests()] == [
            ("works", 200),
            ("doiRA", 200),
            ("work", 404),  # one 404, never retried
        ]
        fake.reset()
        _resolve(fake, ["10.5555/lag"], cache_path=cache)
        assert fake.requests("work")  # asked again: indexing lag is short


def test_doi_with_a_comma_is_asked_alone() -> None:
    work = _works(1, prefix="10.5555/a,b")[0]
    with FakeCrossref(works=[work]) as fake:
        results = _resolve(fake, [work["DOI"]])
        assert results[work["DOI"].lower()].outcome is Outcome.FOUND
        assert [r.route for r in fake.requests()] == ["agency", "work"]


def test_doiora_failure_falls_back_to_crossref_agency(fake_crossref: FakeCrossref) -> None:
    fake_crossref.inject("doiRA", *[Fault.status(500)] * 5)
    results = _resolve(fake_crossref, [DATACITE])
    assert results[DATACITE].outcome is Outcome.FOUND
    assert [r.route for r in fake_crossref.requests()] == ["works"] + ["doiRA"] * 5 + [
        "agency",
        "cn",
    ]


def test_a_rejected_batch_is_not_retried_and_its_dois_are_asked_alone(
    fake_crossref: FakeCrossref,
) -> None:
    body = b'{"status":"failed","message-type":"validation-failure","message":[]}'
    fake_crossref.inject("works", Fault.status(400, body=body, content_type="application/json"))
    results = _resolve(fake_crossref, [ARTICLE])
    assert results[ARTICLE].outcome is Outcome.FOUND
    assert [r.route for r in fake_crossref.requests()] == ["works", "doiRA", "work"]


# -- retries ---------------------------------------------------------------------------


def test_429_with_retry_after_is_honoured(generated: FakeCrossref) -> None:
    generated.inject("works", *[Fault.status(429, retry_after="1")] * 2)
    started = time.monotonic()
    results = _resolve(generated, ["10.5555/gen.0001"])
    elapsed = time.monotonic() - started
    assert results["10.5555/gen.0001"].outcome is Outcome.FOUND
    made = generated.requests()
    assert [r.status for r in made] == [429, 429, 200]
    assert all(gap >= 0.95 for gap in _gaps(made))
    assert 1.9 <= elapsed < 4


def test_429_retry_after_as_http_date(generated: FakeCrossref) -> None:
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 2))
    generated.inject("works", Fault.status(429, retry_after=when))
    _resolve(generated, ["10.5555/gen.0001"])
    gaps = _gaps(generated.requests())
    assert len(gaps) == 1
    assert 0.5 <= gaps[0] <= 2.5  # whole seconds in the date: 1 to 2 s from now


def test_retry_after_is_capped(generated: FakeCrossref) -> None:
    generated.inject("works", Fault.status(429, retry_after="30"))
    started = time.monotonic()
    results = _resolve(generated, ["10.5555/gen.0001"], retry_after_cap_s=0.3)
    assert results["10.5555/gen.0001"].outcome is Outcome.FOUND
    assert 0.25 <= time.monotonic() - started < 2


def test_retry_after_beyond_the_deadline_gives_up_at_once(generated: FakeCrossref) -> None:
    generated.inject("works", Fault.status(429, retry_after="20"))
    started = time.monotonic()
    results = _resolve(generated, ["10.5555/gen.0001"], deadline_s=5)
    assert time.monotonic() - started < 1
    assert results["10.5555/gen.0001"].outcome is Outcome.FAILED
    assert results["10.5555/gen.0001"].reason == "deadline of 5 s reached"
    assert len(generated.requests()) == 1


@pytest.mark.parametrize(
    "fault",
    [
        Fault.status(429),
        Fault.status(500),
        Fault.status(502),
        Fault.status(503),
        Fault.status(504),
        Fault.drop(),
        Fault.truncated(),
        Fault.garbage(),
    ],
    ids=["429-no-retry-after", "500", "502", "503", "504", "drop", "truncated", "garbage"],
)
def test_transient_failures_are_retried(generated: FakeCrossref, fault: Fault) -> None:
    generated.inject("works", fault, fault)
    results = _resolve(generated, ["10.5555/gen.0001"])
    assert results["10.5555/gen.0001"].outcome is Outcome.FOUND
    assert len(generated.requests("works")) == 3


def test_slow_answer_times_out_and_is_retried(generated: FakeCrossref) -> None:
    generated.inject("works", Fault.slow(3))
    started = time.monotonic()
    results = _resolve(generated, ["10.5555/gen.0001"], request_timeout_s=0.5)
    assert results["10.5555/gen.0001"].outcome is Outcome.FOUND
    assert time.monotonic() - started < 2
    assert len(generated.requests("works")) == 2


def test_retries_are_bounded_and_broken_answers_neither_cached_nor_not_found(
    generated: FakeCrossref, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite3"
    generated.inject("works", *[Fault.truncated()] * 5)
    results = _resolve(generated, ["10.5555/gen.0001"], cache_path=cache, max_retries=4)
    assert results["10.5555/gen.0001"].outcome is Outcome.FAILED
    assert "malformed" in results["10.5555/gen.0001"].reason
    assert len(generated.requests("works")) == 5
    stored = Cache.open(cache)
    assert stored is not None
    assert stored.get(["10.5555/gen.0001"]) == {}
    stored.close()
    generated.reset()
    again = _resolve(generated, ["10.5555/gen.0001"], cache_path=cache)
    assert again["10.5555/gen.0001"].outcome is Outcome.FOUND
    assert not again["10.5555/gen.0001"].from_cache


def test_404_text_plain_is_not_retried(fake_crossref: FakeCrossref) -> None:
    fake_crossref.inject("work", Fault.not_found_text())
    results = _resolve(fake_crossref, [ALIAS])
    assert results[ALIAS].outcome is Outcome.NOT_FOUND
    assert [r.status for r in fake_crossref.requests("work")] == [404]


# -- pacing ----------------------------------------------------------------------------


def test_pacing_follows_a_low_advertised_limit() -> None:
    with FakeCrossref(works=_works(4), rate_limit=2, enforce_limits=True) as fake:
        results = _resolve(fake, [w["DOI"] for w in _works(4)], batch_size=1)
        assert all(r.outcome is Outcome.FOUND for r in results.values())
        made = fake.requests()
        assert [r.status for r in made] == [200] * 4  # no 429 from the enforced limit
        assert min(_gaps(made)) >= 0.48
        assert max_in_window(made, 1.0) <= 2


def _strip(*names: str) -> requests.Session:
    """A session that hides response headers from the resolver."""

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        for name in names:
            response.headers.pop(name, None)

    session = requests.Session()
    session.hooks["response"].append(hook)
    return session


@pytest.mark.parametrize(
    ("hidden", "low", "high"),
    [
        (("x-rate-limit-limit", "x-rate-limit-interval"), 0.48, 9.0),  # legacy names remain
        (
            (
                "x-rate-limit-limit",
                "x-rate-limit-interval",
                "x-ratelimit-limit",
                "x-ratelimit-interval",
            ),
            0.18,
            0.4,  # no limit advertised: the starting 5 per second
        ),
    ],
    ids=["legacy-names", "no-headers"],
)
def test_legacy_rate_limit_header_names_are_understood(
    hidden: tuple[str, ...], low: float, high: float
) -> None:
    with (
        FakeCrossref(works=_works(3), rate_limit=2, legacy_header_names=True) as fake,
        _strip(*hidden) as session,
        Resolver(quick_settings(fake, batch_size=1), session=session) as resolver,
    ):
        resolver.resolve([w["DOI"] for w in _works(3)])
        gaps = _gaps(fake.requests())
        assert len(gaps) == 2
        assert all(low <= gap <= high for gap in gaps), gaps


# -- giving up -------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_unreachable_crossref_fails_fast_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    dois = [f"10.5555/gen.{i:04d}" for i in range(6)]
    settings = ResolverSettings(crossref_url=url, doi_url=url, deadline_s=30, batch_size=2)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="doi_extract"), Resolver(settings) as resolver:
        results = resolver.resolve(dois)
        elapsed = time.monotonic() - started
        again = resolver.resolve(dois)
        assert resolver.stats.requests == 2  # one short retry, then the circuit opened
    assert elapsed < 2.5  # the bounded retry waits at most 1 s, not the 30 s deadline
    for resolution in [*results.values(), *again.values()]:
        assert resolution.outcome is Outcome.FAILED
        assert resolution.reason == "Crossref unreachable: connection refused"
    assert _warnings(caplog) == [
        "Crossref unreachable: connection refused; writing the feeds' own metadata for 6 works"
    ]


def test_deadline_holds_against_a_server_that_never_answers() -> None:
    with FakeCrossref(works=_works(60), latency_s=30) as fake:
        started = time.monotonic()
        results = _resolve(fake, [w["DOI"] for w in _works(60)], deadline_s=1.5)
        elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert {r.outcome for r in results.values()} == {Outcome.FAILED}
    assert {r.reason for r in results.values()} == {"deadline of 1.5 s reached"}
    assert len(fake.requests()) == 1


def test_circuit_breaker_stops_after_sustained_errors(generated: FakeCrossref) -> None:
    generated.inject("*", *[Fault.status(503)] * 100)
    dois = [w["DOI"] for w in _works(10)]
    results = _resolve(generated, dois, batch_size=1, max_retries=4)
    assert {r.outcome for r in results.values()} == {Outcome.FAILED}
    # Two requests of 5 attempts fill the 10-attempt window with errors; then no more.
    assert len(generated.requests()) == 10
    assert results[dois[-1]].reason == "Crossref failing: HTTP 503"


def test_circuit_breaker_opens_after_three_failed_requests_in_a_row(
    generated: FakeCrossref,
) -> None:
    generated.inject("*", *[Fault.status(500)] * 100)
    dois = [w["DOI"] for w in _works(10)]
    results = _resolve(generated, dois, batch_size=1, max_retries=0)
    assert {r.outcome for r in results.values()} == {Outcome.FAILED}
    assert len(generated.requests()) == 3


# -- cache -----------------------------------------------------------------------------


def test_second_run_is_answered_from_the_cache(fake_crossref: FakeCrossref, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    dois = [ARTICLE, DATACITE, "10.5555/does-not-exist"]
    first = _resolve(fake_crossref, dois, cache_path=cache)
    made = len(fake_crossref.requests())
    assert made == 3  # works, doiRA (for both DOIs the batch missed), cn
    with Resolver(quick_settings(fake_crossref, cache_path=cache)) as resolver:
        second = resolver.resolve(dois)
        assert resolver.stats.cache_hits == 3
        assert resolver.stats.requests == 0
    assert len(fake_crossref.requests()) == made
    assert all(r.from_cache for r in second.values())
    assert second["10.5555/does-not-exist"].outcome is Outcome.NOT_FOUND
    for doi in (ARTICLE, DATACITE):
        assert second[doi].record == first[doi].record


def test_expired_entries_are_fetched_again(generated: FakeCrossref, tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = Cache.open(path)
    assert cache is not None
    old = time.time() - FOUND_TTL_S - 60
    work = _works(2)
    cache.put(
        [
            CacheEntry(work[0]["DOI"], Outcome.FOUND, "crossref", work[0], old),
            CacheEntry(work[1]["DOI"], Outcome.FOUND, "crossref", work[1], time.time()),
        ]
    )
    cache.close()
    results = _resolve(generated, [w["DOI"] for w in work], cache_path=path)
    assert not results[work[0]["DOI"]].from_cache
    assert results[work[1]["DOI"]].from_cache
    (request,) = generated.requests()
    assert request.query["filter"] == [f"doi:{work[0]['DOI']}"]


def test_refresh_ignores_the_cache_but_stores_fresh_answers(
    generated: FakeCrossref, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite3"
    dois = ["10.5555/gen.0001"]
    _resolve(generated, dois, cache_path=cache)
    refreshed = _resolve(generated, dois, cache_path=cache, refresh=True)
    assert not refreshed["10.5555/gen.0001"].from_cache
    assert len(generated.requests()) == 2
    assert _resolve(generated, dois, cache_path=cache)["10.5555/gen.0001"].from_cache
    assert len(generated.requests()) == 2


def test_damaged_cache_is_set_aside_and_the_run_goes_on(
    generated: FakeCrossref, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache.sqlite3"
    cache.write_bytes(b"\x00garbage\xff" * 500)
    with caplog.at_level(logging.WARNING, logger="doi_extract"):
        results = _resolve(generated, ["10.5555/gen.0001"], cache_path=cache)
    assert results["10.5555/gen.0001"].outcome is Outcome.FOUND
    assert len(_warnings(caplog)) == 1
    assert len(list(tmp_path.glob("cache.sqlite3.corrupt-*"))) == 1
    assert _resolve(generated, ["10.5555/gen.0001"], cache_path=cache)[
        "10.5555/gen.0001"
    ].from_cache


def test_unwritable_cache_path_runs_without_a_cache(
    generated: FakeCrossref, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING, logger="doi_extract"):
        results = _resolve(generated, ["10.5555/gen.0001"], cache_path=blocker / "c.sqlite3")
    assert results["10.5555/gen.0001"].outcome is Outcome.FOUND
    assert len(_warnings(caplog)) == 1


# -- the caller's view -----------------------------------------------------------------


def test_progress_and_stats(fake_crossref: FakeCrossref) -> None:
    seen: list[tuple[int, int]] = []
    dois = [ARTICLE, DATACITE, "10.5555/does-not-exist", "bad"]
    with Resolver(quick_settings(fake_crossref)) as resolver:
        resolver.resolve(dois, on_progress=lambda done, total: seen.append((done, total)))
        stats = resolver.stats
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert (stats.found, stats.not_found, stats.failed, stats.cache_hits) == (2, 2, 0, 0)
    assert stats.requests == len(fake_crossref.requests()) == 3


def test_a_callers_session_is_used_and_left_open(fake_crossref: FakeCrossref) -> None:
    with requests.Session() as session:
        with Resolver(quick_settings(fake_crossref), session=session) as resolver:
            resolver.resolve([ARTICLE])
        assert session.adapters  # still usable after the resolver closed
        assert session.get(f"{fake_crossref.crossref_url}/works/{ARTICLE}").status_code == 200


@pytest.mark.parametrize(
    "changes",
    [{"batch_size": 51}, {"batch_size": 0}, {"deadline_s": 0}, {"max_retries": -1}],
    ids=["batch-51", "batch-0", "deadline-0", "retries-negative"],
)
def test_settings_out_of_range_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(changes))):
        ResolverSettings(**changes)
