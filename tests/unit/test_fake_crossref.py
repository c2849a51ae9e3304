"""The fake Crossref + doi.org server behaves like the recorded services, faults included."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fake_crossref import (
    FIXTURES,
    FakeCrossref,
    Fault,
    LoggedRequest,
    max_in_flight,
    max_in_window,
)

CSL = {"Accept": "application/vnd.citationstyles.csl+json"}
PLOS = "10.1371/journal.pone.0033693"
SREP = "10.1038/srep16696"
NNANO = "10.1038/nnano.2014.279"
DATACITE = "10.5438/4k3m-nyvg"
ALIAS = "10.26434/chemrxiv.5406907"
SEED = "10.1186/s12885-025-14125-9"


def _work(n: int) -> dict[str, Any]:
    return {"DOI": f"10.5555/fake.{n:04d}", "type": "journal-article", "title": [f"Work {n}"]}


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment for 127.0.0.1
    return session


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with _session() as session:
        yield session


@pytest.fixture
def fake(fake_crossref: FakeCrossref) -> FakeCrossref:
    return fake_crossref


def _list(
    http: requests.Session, fake: FakeCrossref, dois: list[str], **params: str
) -> requests.Response:
    params = {"filter": ",".join(f"doi:{d}" for d in dois), **params}
    return http.get(f"{fake.crossref_url}/works", params=params, timeout=5)


def _one(http: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return http.get(url, timeout=5, **kwargs)


# -- GET /works?filter=doi:… -----------------------------------------------------------


def test_batch_is_an_or_of_dois_matched_case_insensitively(
    http: requests.Session, fake: FakeCrossref
) -> None:
    response = _list(http, fake, [PLOS.upper(), SREP, "10.9999/not-registered"], rows="3")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["message-type"] == "work-list"
    assert body["message-version"] == "1.0.0"
    message = body["message"]
    assert message["total-results"] == 2
    assert message["items-per-page"] == 3
    assert message["facets"] == {}
    assert message["query"] == {"start-index": 0, "search-terms": None}
    assert sorted(item["DOI"] for item in message["items"]) == [SREP, PLOS]


def test_rows_truncates_and_defaults_to_20(http: requests.Session) -> None:
    with FakeCrossref(works=[_work(n) for n in range(25)]) as fake:
        dois = [f"10.5555/fake.{n:04d}" for n in range(25)]
        default = _list(http, fake, dois).json()["message"]
        assert default["total-results"] == 25
        assert default["items-per-page"] == 20
        assert len(default["items"]) == 20
        two = _list(http, fake, dois, rows="2").json()["message"]
        assert (two["total-results"], len(two["items"])) == (25, 2)
        none = _list(http, fake, dois, rows="0").json()["message"]
        assert (none["total-results"], none["items"]) == (25, [])


def test_items_come_in_a_seeded_shuffled_order(http: requests.Session) -> None:
    works = [_work(n) for n in range(10)]
    dois = [w["DOI"] for w in works]
    orders = []
    for _ in range(2):
        with FakeCrossref(works=works, seed=7) as fake:
            first = [i["DOI"] for i in _list(http, fake, dois).json()["message"]["items"]]
            second = [i["DOI"] for i in _list(http, fake, dois).json()["message"]["items"]]
            orders.append((first, second))
    assert orders[0] == orders[1]  # the same seed gives the same orders
    first, second = orders[0]
    assert sorted(first) == sorted(second) == dois
    assert first != dois or second != dois


def test_select_trims_items_to_the_named_fields(http: requests.Session, fake: FakeCrossref) -> None:
    response = _list(http, fake, [SREP, PLOS], rows="2", select="DOI,title,page")
    items = {item["DOI"]: item for item in response.json()["message"]["items"]}
    assert set(items[PLOS]) == {"DOI", "title", "page"}
    assert set(items[SREP]) == {"DOI", "title"}  # an article number, no page


@pytest.mark.parametrize(
    ("params", "kind", "value"),
    [
        ({"rows": "1001"}, "integer-not-valid", "1001"),
        ({"rows": "many"}, "integer-not-valid", "many"),
        ({"select": "DOI,colour"}, "select-not-available", "colour"),
        ({"filter": "type:journal-article"}, "filter-not-available", "type"),
        ({"filter": "doi:not-a-doi"}, "doi-not-valid", "not-a-doi"),
    ],
)
def test_bad_list_parameters_give_the_400_validation_body(
    http: requests.Session, fake: FakeCrossref, params: dict[str, str], kind: str, value: str
) -> None:
    params = {"filter": f"doi:{PLOS}", **params}
    response = _one(http, f"{fake.crossref_url}/works", params=params)
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["message-type"]) == ("failed", "validation-failure")
    (failure,) = body["message"]
    assert (failure["type"], failure["value"]) == (kind, value)
    assert value in failure["message"]


def test_rows_1000_is_allowed(http: requests.Session, fake: FakeCrossref) -> None:
    assert _list(http, fake, [PLOS], rows="1000").status_code == 200


def test_bibliographic_query_ranks_the_index_by_relevance(
    http: requests.Session, fake: FakeCrossref
) -> None:
    query = (
        "Sadasivan S, Pond BB, Pani AK. Methylphenidate exposure induces dopamine neuron loss "
        "and activation of microglia in the basal ganglia of mice. PLoS ONE. 2012;7:e33693."
    )
    params = {"query.bibliographic": query, "rows": "2"}
    response = _one(http, f"{fake.crossref_url}/works", params=params)
    message = response.json()["message"]
    # The real article and its correction notice (a decoy) outrank everything else.
    top = {item["DOI"] for item in message["items"]}
    assert "10.1371/journal.pone.0033693" in top
    assert len(message["items"]) == 2
    scores = [item["score"] for item in message["items"]]
    assert scores == sorted(scores, reverse=True)
    assert message["query"]["search-terms"] == params["query.bibliographic"]


# -- GET /works/{doi} and /works/{doi}/agency -------------------------------------------


@pytest.mark.parametrize("path", [PLOS, PLOS.replace("/", "%2F"), PLOS.upper()])
def test_single_work_by_literal_or_encoded_path(
    http: requests.Session, fake: FakeCrossref, path: str
) -> None:
    response = _one(http, f"{fake.crossref_url}/works/{path}")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["message-type"]) == ("ok", "work")
    assert body["message"]["DOI"] == PLOS
    assert body["message"]["page"] == "e33693"
    assert fake.log[-1].path == f"/works/{path}"


def test_fixture_notes_are_not_served(http: requests.Session, fake: FakeCrossref) -> None:
    message = _one(http, f"{fake.crossref_url}/works/{SEED}").json()["message"]
    assert not [key for key in message if key.startswith("_")]
    assert message["author"][4]["ORCID"] == "https://orcid.org/0000-0002-1825-0097"


def test_unknown_work_is_404_plain_text(http: requests.Session, fake: FakeCrossref) -> None:
    response = _one(http, f"{fake.crossref_url}/works/10.1371/notarealdoi")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/plain"
    assert response.content == b"Resource not found."


def test_alias_redirects_to_the_canonical_record(
    http: requests.Session, fake: FakeCrossref
) -> None:
    response = _one(http, f"{fake.crossref_url}/works/{ALIAS}", allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"] == f"/works/{ALIAS}.v5"
    followed = _one(http, f"{fake.crossref_url}/works/{ALIAS}")
    assert followed.json()["message"]["DOI"] == f"{ALIAS}.v5"
    assert [r.status for r in fake.requests("work")] == [301, 301, 200]


@pytest.mark.parametrize(
    ("params", "value"), [({"rows": "2"}, "rows"), ({"query.author": "gill"}, "query.*")]
)
def test_list_parameters_on_a_single_work_are_refused(
    http: requests.Session, fake: FakeCrossref, params: dict[str, str], value: str
) -> None:
    response = _one(http, f"{fake.crossref_url}/works/{PLOS}", params=params)
    assert response.status_code == 400
    (failure,) = response.json()["message"]
    assert (failure["type"], failure["value"]) == ("parameter-not-allowed", value)


def test_head_gives_the_status_without_a_body(http: requests.Session, fake: FakeCrossref) -> None:
    assert http.head(f"{fake.crossref_url}/works/{PLOS}", timeout=5).status_code == 200
    missing = http.head(f"{fake.crossref_url}/works/10.9999/none", timeout=5)
    assert (missing.status_code, missing.content) == (404, b"")
    assert [r.method for r in fake.log] == ["HEAD", "HEAD"]


@pytest.mark.parametrize(
    ("doi", "agency", "label"),
    [
        (SREP, "crossref", "Crossref"),
        (DATACITE, "datacite", "DataCite"),
        (ALIAS, "crossref", "Crossref"),
    ],
)
def test_agency(
    http: requests.Session, fake: FakeCrossref, doi: str, agency: str, label: str
) -> None:
    body = _one(http, f"{fake.crossref_url}/works/{doi}/agency").json()
    assert body["message-type"] == "work-agency"
    assert body["message"] == {"DOI": doi, "agency": {"id": agency, "label": label}}


def test_agency_of_unknown_doi_is_404_plain_text(
    http: requests.Session, fake: FakeCrossref
) -> None:
    response = _one(http, f"{fake.crossref_url}/works/10.9999/none/agency")
    assert (response.status_code, response.content) == (404, b"Resource not found.")
    assert fake.log[-1].route == "agency"


def test_medra_agency_from_the_table(http: requests.Session) -> None:
    with FakeCrossref(agencies={"10.1430/8105": "medra"}) as fake:
        body = _one(http, f"{fake.crossref_url}/works/10.1430/8105/agency").json()
        assert body["message"]["agency"] == {"id": "medra", "label": "mEDRA"}
        ra = _one(http, f"{fake.doi_url}/doiRA/10.1430/8105").json()
        assert ra == [{"DOI": "10.1430/8105", "RA": "mEDRA"}]


# -- doi.org ----------------------------------------------------------------------------


def test_which_ra_answers_each_doi(http: requests.Session, fake: FakeCrossref) -> None:
    dois = [SREP, DATACITE.upper(), "10.9999/none", "nonsense"]
    response = _one(http, f"{fake.doi_url}/doiRA/{','.join(dois)}")
    assert response.status_code == 200
    assert response.json() == [
        {"DOI": SREP, "RA": "Crossref"},
        {"DOI": DATACITE.upper(), "RA": "DataCite"},
        {"DOI": "10.9999/none", "status": "DOI does not exist"},
        {"DOI": "nonsense", "status": "Invalid DOI"},
    ]
    assert fake.log[-1].route == "doiRA"
    assert "x-api-pool" not in response.headers


def test_content_negotiation_serves_datacite_csl(
    http: requests.Session, fake: FakeCrossref
) -> None:
    response = _one(http, f"{fake.doi_url}/{DATACITE}", headers=CSL)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(CSL["Accept"])
    expected = json.loads((FIXTURES / "datacite-csl.json").read_text(encoding="utf-8"))
    assert response.json() == expected
    assert fake.log[-1].route == "cn"


def test_content_negotiation_renders_crossref_records(
    http: requests.Session, fake: FakeCrossref
) -> None:
    record = _one(http, f"{fake.doi_url}/{NNANO}", headers=CSL).json()
    assert record["type"] == "article-journal"
    assert record["title"] == "Charges ride the spin wave"
    assert record["container-title"] == "Nature Nanotechnology"
    assert record["page"] == "22-24"
    assert record["author"] == [
        {"given": "Timo", "family": "Kuschel"},
        {"given": "Günter", "family": "Reiss"},
    ]
    assert _one(http, f"{fake.doi_url}/{SREP}", headers=CSL).json()["number"] == "16696"


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [("10.1126/foo", CSL, 404), ("foo", CSL, 400), (DATACITE, {"Accept": "text/html"}, 406)],
)
def test_content_negotiation_failures_are_html(
    http: requests.Session, fake: FakeCrossref, path: str, headers: dict[str, str], status: int
) -> None:
    response = _one(http, f"{fake.doi_url}/{path}", headers=headers)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")


# -- faults -----------------------------------------------------------------------------


def test_status_fault_with_retry_after(http: requests.Session, fake: FakeCrossref) -> None:
    fake.inject("works", Fault.status(429, retry_after="2"))
    limited = _list(http, fake, [PLOS])
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert limited.headers["Content-Type"] == "text/html"
    assert b"429 Too Many Requests" in limited.content
    assert _list(http, fake, [PLOS]).status_code == 200  # one fault, one request
    assert [r.status for r in fake.requests("works")] == [429, 200]


def test_status_faults_queue_in_order_with_their_own_bodies(
    http: requests.Session, fake: FakeCrossref
) -> None:
    fake.inject(
        "work",
        Fault.status(503),
        Fault.status(500, body=b'{"status":"error"}', content_type="application/json"),
    )
    unavailable = _one(http, f"{fake.crossref_url}/works/{PLOS}")
    assert (unavailable.status_code, unavailable.headers["Content-Type"]) == (503, "text/html")
    assert "Retry-After" not in unavailable.headers
    assert b"Service Unavailable" in unavailable.content
    broken = _one(http, f"{fake.crossref_url}/works/{PLOS}")
    assert (broken.status_code, broken.json()) == (500, {"status": "error"})
    assert _one(http, f"{fake.crossref_url}/works/{PLOS}").status_code == 200


def test_faults_only_hit_their_route(http: requests.Session, fake: FakeCrossref) -> None:
    fake.inject("work", Fault.status(503))
    assert _list(http, fake, [PLOS]).status_code == 200
    assert _one(http, f"{fake.doi_url}/{DATACITE}", headers=CSL).status_code == 200
    assert _one(http, f"{fake.crossref_url}/works/{PLOS}").status_code == 503


def test_wildcard_fault_hits_any_route(http: requests.Session, fake: FakeCrossref) -> None:
    fake.inject("*", Fault.status(502), Fault.status(502))
    assert _one(http, f"{fake.doi_url}/doiRA/{SREP}").status_code == 502
    assert _one(http, f"{fake.crossref_url}/works/{SREP}/agency").status_code == 502
    assert _one(http, f"{fake.crossref_url}/works/{SREP}/agency").status_code == 200


def test_slow_fault_makes_a_client_time_out(http: requests.Session, fake: FakeCrossref) -> None:
    fake.inject("work", Fault.slow(2.0))
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        http.get(f"{fake.crossref_url}/works/{PLOS}", timeout=0.3)
    assert time.monotonic() - started < 1.5
    with _session() as fresh:
        assert _one(fresh, f"{fake.crossref_url}/works/{PLOS}").status_code == 200


def test_slow_fault_sends_the_normal_answer_late(
    http: requests.Session, fake: FakeCrossref
) -> None:
    fake.inject("work", Fault.slow(0.4))
    started = time.monotonic()
    response = _one(http, f"{fake.crossref_url}/works/{PLOS}")
    assert time.monotonic() - started >= 0.4
    assert response.json()["message"]["DOI"] == PLOS


def test_drop_closes_without_an_answer(http: requests.Session, fake: FakeCrossref) -> None:
    fake.inject("works", Fault.drop())
    with pytest.raises(requests.ConnectionError):
        _list(http, fake, [PLOS])
    assert [r.status for r in fake.requests("works")] == [0]
    assert _list(http, fake, [PLOS]).status_code == 200


def test_truncated_body_has_a_matching_length(fake: FakeCrossref) -> None:
    with _session() as plain:
        plain.headers["Accept-Encoding"] = "identity"
        whole = _one(plain, f"{fake.crossref_url}/works/{PLOS}").content
        fake.inject("work", Fault.truncated())
        cut = _one(plain, f"{fake.crossref_url}/works/{PLOS}")
    assert cut.status_code == 200
    assert cut.headers["Content-Type"] == "application/json"
    assert int(cut.headers["Content-Length"]) == len(cut.content) > 0
    assert whole.startswith(cut.content)
    assert len(cut.content) < len(whole)
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.content)


def test_truncated_body_of_a_404_is_still_cut_json(
    http: requests.Session, fake: FakeCrossref
) -> None:
    fake.inject("work", Fault.truncated())
    cut = _one(http, f"{fake.crossref_url}/works/10.9999/none")
    assert cut.status_code == 200
    assert cut.content.startswith(b'{"status"')
    with pytest.raises(requests.JSONDecodeError):
        cut.json()


def test_garbage_is_200_json_that_is_not_json(http: requests.Session, fake: FakeCrossref) -> None:
    fake.inject("works", Fault.garbage())
    response = _list(http, fake, [PLOS])
    assert (response.status_code, response.headers["Content-Type"]) == (200, "application/json")
    with pytest.raises(requests.JSONDecodeError):
        response.json()


def test_not_found_text_fault_hides_a_known_work(
    http: requests.Session, fake: FakeCrossref
) -> None:
    fake.inject("work", Fault.not_found_text())
    response = _one(http, f"{fake.crossref_url}/works/{PLOS}")
    assert (response.status_code, response.content) == (404, b"Resource not found.")
    assert response.headers["Content-Type"] == "text/plain"


def test_reset_clears_log_and_faults(http: requests.Session, fake: FakeCrossref) -> None:
    fake.inject("*", Fault.status(503))
    _list(http, fake, [PLOS])
    fake.inject("*", Fault.status(503))
    fake.reset()
    assert fake.log == []
    assert _list(http, fake, [PLOS]).status_code == 200


def test_unknown_route_names_are_refused(fake: FakeCrossref) -> None:
    with pytest.raises(ValueError, match="unknown route"):
        fake.inject("work-list", Fault.drop())
    with pytest.raises(ValueError, match="unknown route"):
        fake.requests("doi")


# -- headers, pools, limits ----------------------------------------------------------------


def test_pool_headers_follow_mailto(http: requests.Session, fake: FakeCrossref) -> None:
    public = _list(http, fake, [PLOS]).headers
    by_param = _list(http, fake, [PLOS], mailto="tests@example.org").headers
    ua = {"User-Agent": "doi-extract/0 (https://example.org; mailto:tests@example.org)"}
    by_agent = _one(http, f"{fake.crossref_url}/works/{PLOS}", headers=ua).headers
    assert (public["x-api-pool"], public["x-rate-limit-limit"]) == ("public", "5")
    assert (public["x-rate-limit-interval"], public["x-concurrency-limit"]) == ("1s", "1")
    for polite in (by_param, by_agent):
        assert (polite["x-api-pool"], polite["x-rate-limit-limit"]) == ("polite", "10")
        assert (polite["x-rate-limit-interval"], polite["x-concurrency-limit"]) == ("1s", "3")
        assert polite["Server"].startswith("Jetty")
    assert "x-ratelimit-limit" not in by_param
    assert fake.log[-1].headers["User-Agent"] == ua["User-Agent"]


def test_constructor_limits_and_legacy_header_names(http: requests.Session) -> None:
    with FakeCrossref(rate_limit=50, interval_s=2, concurrency=5, legacy_header_names=True) as fake:
        headers = _one(http, f"{fake.crossref_url}/works/10.9999/none?mailto=a%40b.org").headers
        assert headers["x-rate-limit-limit"] == headers["x-ratelimit-limit"] == "50"
        assert headers["x-rate-limit-interval"] == headers["x-ratelimit-interval"] == "2s"
        assert headers["x-concurrency-limit"] == "5"


def _burst(fake: FakeCrossref, count: int, **params: str) -> list[int]:
    def one(_: int) -> int:
        with _session() as session:
            return _list(session, fake, [PLOS], **params).status_code

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_enforced_concurrency_refuses_a_burst() -> None:
    with FakeCrossref(enforce_limits=True, latency_s=0.5) as fake:
        statuses = _burst(fake, 6, mailto="tests@example.org")
        assert statuses.count(200) == 3  # x-concurrency-limit: 3
        assert statuses.count(429) == 3
        refused = [r for r in fake.requests("works") if r.status == 429]
        assert all(r.in_flight > 3 for r in refused)
        assert max_in_flight(fake.requests("works")) == 6


def test_enforced_public_pool_allows_one_at_a_time() -> None:
    with FakeCrossref(enforce_limits=True, latency_s=0.5) as fake:
        assert sorted(_burst(fake, 3)) == [200, 429, 429]


def test_enforced_rate_refuses_requests_beyond_the_bucket(http: requests.Session) -> None:
    # 10 a minute: the bucket holds 10 tokens and barely refills during the loop.
    with FakeCrossref(works=[_work(1)], enforce_limits=True, interval_s=60) as fake:
        statuses = [_list(http, fake, ["10.5555/fake.0001"], mailto="a@b.org") for _ in range(15)]
        codes = [response.status_code for response in statuses]
    assert codes == [200] * 10 + [429] * 5
    refused = statuses[codes.index(429)]
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["Content-Type"] == "text/html"
    assert refused.content.startswith(b"<html><body><h1>429 Too Many Requests</h1>")


def test_a_paced_client_is_never_refused(http: requests.Session) -> None:
    with FakeCrossref(enforce_limits=True, rate_limit=20) as fake:
        for _ in range(30):
            assert _list(http, fake, [PLOS], mailto="a@b.org").status_code == 200
            time.sleep(0.05)
        assert max_in_window(fake.log) <= 20


def test_doiorg_is_not_limited(http: requests.Session) -> None:
    with FakeCrossref(works=[_work(1)], enforce_limits=True) as fake:
        codes = {
            _one(http, f"{fake.doi_url}/doiRA/10.5555/fake.0001").status_code for _ in range(12)
        }
    assert codes == {200}


def test_latency_delays_every_answer(http: requests.Session) -> None:
    with FakeCrossref(latency_s=0.2) as fake:
        for url in (f"{fake.crossref_url}/works/10.9999/x", f"{fake.doi_url}/doiRA/10.9999/x"):
            started = time.monotonic()
            _one(http, url)
            assert time.monotonic() - started >= 0.2


# -- connections, compression, lifecycle -----------------------------------------------------


def test_keep_alive_reuse_shows_one_peer_port(http: requests.Session, fake: FakeCrossref) -> None:
    for _ in range(3):
        _list(http, fake, [PLOS])
    _one(http, f"{fake.doi_url}/{DATACITE}", headers=CSL)
    assert len({r.peer_port for r in fake.log}) == 1
    for _ in range(2):
        with _session() as fresh:
            _list(fresh, fake, [PLOS])
    assert len({r.peer_port for r in fake.log}) == 3


def test_json_is_gzipped_only_when_accepted(fake: FakeCrossref) -> None:
    with _session() as session:
        zipped = session.get(f"{fake.crossref_url}/works/{PLOS}", timeout=5, stream=True)
        raw = zipped.raw.read(decode_content=False)
        zipped.close()
        session.headers["Accept-Encoding"] = "identity"
        plain = session.get(f"{fake.crossref_url}/works/{PLOS}", timeout=5)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(raw) == plain.content
    assert "Content-Encoding" not in plain.headers
    assert json.loads(plain.content)["message"]["DOI"] == PLOS


def test_stop_wakes_a_slow_answer_and_closes_the_connection() -> None:
    fake = FakeCrossref(works=[_work(1)])
    fake.start()
    fake.inject("work", Fault.slow(30))
    errors: list[BaseException] = []

    def client() -> None:
        with _session() as session:
            try:
                session.get(f"{fake.crossref_url}/works/10.5555/fake.0001", timeout=20)
            except requests.RequestException as error:
                errors.append(error)

    thread = threading.Thread(target=client)
    thread.start()
    while not fake.log:
        time.sleep(0.01)
    started = time.monotonic()
    fake.stop()
    thread.join(5)
    assert time.monotonic() - started < 3
    assert not thread.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], requests.ConnectionError)


def test_in_flight_counts_concurrent_requests_per_service() -> None:
    with FakeCrossref(latency_s=0.3) as fake:
        _burst(fake, 4)
        with _session() as session:
            _one(session, f"{fake.doi_url}/doiRA/10.9999/x")
        assert max_in_flight(fake.requests("works")) == 4
        assert fake.requests("doiRA")[0].in_flight == 1


def test_window_and_in_flight_helpers() -> None:
    def at(t: float, in_flight: int = 1) -> LoggedRequest:
        return LoggedRequest(t, "GET", "/works", {}, {}, 200, in_flight, 1, "works")

    entries = [at(0.0), at(0.5, 2), at(0.99), at(1.0), at(1.2, 3), at(3.0)]
    assert max_in_window(entries, 1.0) == 4  # 0.5, 0.99, 1.0, 1.2
    assert max_in_window(entries[:3], 1.0) == 3
    assert max_in_window([], 1.0) == 0
    assert max_in_flight(entries) == 3


# -- fixtures ----------------------------------------------------------------------------------


def test_every_fixture_work_is_served(http: requests.Session, fake: FakeCrossref) -> None:
    paths = sorted((FIXTURES / "works").glob("*.json"))
    works = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    seeds = json.loads((FIXTURES / "seed-works.json").read_text(encoding="utf-8"))
    dois = [w["DOI"] for w in works + seeds]
    assert len(dois) == len(set(dois)) == 13
    message = _list(http, fake, dois, rows="50").json()["message"]
    assert message["total-results"] == 13
    types = {item["type"] for item in message["items"]}
    assert types >= {"journal-article", "posted-content", "book-chapter", "proceedings-article"}
    assert "dataset" in types


def test_seed_works_have_more_authors_than_the_feed_lists() -> None:
    seeds = json.loads((FIXTURES / "seed-works.json").read_text(encoding="utf-8"))
    for work in seeds:
        assert len(work["author"]) > 3
        assert work["volume"]
        assert work.get("page") or work.get("article-number")
        assert work["_synthetic"]  # every invented value is listed


def test_fixtures_are_small_and_documented() -> None:
    files = [p for p in FIXTURES.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 200_000
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    for path in files:
        if path.name != "README.md":
            assert path.name in readme, f"{path.name} is not described in the README"


def test_with_fixtures_reads_another_folder(tmp_path: Path, http: requests.Session) -> None:
    (tmp_path / "works").mkdir()
    (tmp_path / "works" / "one.json").write_text(json.dumps(_work(3)), encoding="utf-8")
    (tmp_path / "seed-works.json").write_text("[]", encoding="utf-8")
    (tmp_path / "datacite-csl.json").write_text(
        json.dumps({"DOI": "10.5072/one", "type": "dataset"}), encoding="utf-8"
    )
    agency = {"DOI": "10.5072/one", "agency": {"id": "datacite", "label": "DataCite"}}
    (tmp_path / "datacite-agency.json").write_text(json.dumps(agency), encoding="utf-8")
    (tmp_path / "aliases.json").write_text("{}", encoding="utf-8")
    with FakeCrossref.with_fixtures(tmp_path) as fake:
        ra = _one(http, f"{fake.doi_url}/doiRA/10.5555/fake.0003,10.5072/one,{PLOS}").json()
    assert [entry.get("RA") for entry in ra] == ["Crossref", "DataCite", None]
