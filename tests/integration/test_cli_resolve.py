"""The command line with Crossref enrichment, against the fake Crossref on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from doi_extract import cli
from tests.conftest import DATA, SAMPLES
from tests.fake_crossref import FakeCrossref, Fault

SCIENCE_NEWS = SAMPLES / "science-news.xml"
# The sample's first six items: the seed feed's six block shapes and citations.
SEED_SHAPES = DATA / "feeds" / "seed-shapes.xml"
SEED_DOIS = {
    "10.1038/s41420-026-03181-0",
    "10.1038/s41586-025-09710-8",
    "10.1038/s41571-025-01029-7",
    "10.1038/s41571-025-01021-1",
    "10.1186/s12885-025-14386-4",
    "10.1186/s12885-025-14125-9",
}


def _run(fake: FakeCrossref, *args: str | Path, cache: Path | None = None) -> int:
    options = ["--crossref-url", fake.crossref_url, "--doi-url", fake.doi_url]
    options += ["--cache", str(cache)] if cache else ["--no-cache"]
    options += ["--mailto", "tests@example.org"]
    return cli.main([str(a) for a in args] + options)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_seed_works_get_the_registry_record_in_one_request(
    fake_crossref: FakeCrossref, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = SEED_SHAPES
    out = tmp_path / "refs.jsonl"
    cache = tmp_path / "cache.sqlite3"
    assert _run(fake_crossref, feed, "-o", out, cache=cache) == 0
    works = _jsonl(out)
    assert {w["DOI"].lower() for w in works} == SEED_DOIS
    served = {
        w["DOI"].lower(): w
        for w in json.loads((DATA / "crossref" / "seed-works.json").read_text("utf-8"))
    }
    for work in works:
        record = served[work["DOI"].lower()]
        assert [a.get("family") for a in work["author"]] == [a["family"] for a in record["author"]]
        assert work["et-al"] is False
        assert work["container-title"] == record["container-title"][0]
        assert work["volume"] == record["volume"]
        assert work["page"] == record.get("page") or record.get("article-number")
        assert work["status"] == "resolved"
    assert len(fake_crossref.requests("*")) == 1
    assert "6 resolved (0 from the cache)" in capsys.readouterr().err

    fake_crossref.reset()
    assert _run(fake_crossref, feed, "-o", tmp_path / "again.jsonl", cache=cache) == 0
    assert fake_crossref.requests("*") == []
    assert "6 resolved (6 from the cache), 0 unresolved, 0 requests" in capsys.readouterr().err
    assert (tmp_path / "again.jsonl").read_text("utf-8") == out.read_text("utf-8")


def test_rate_limited_twice_then_served(fake_crossref: FakeCrossref, tmp_path: Path) -> None:
    feed = SEED_SHAPES
    fake_crossref.inject(
        "works", Fault.status(429, retry_after="1"), Fault.status(429, retry_after="1")
    )
    started = time.monotonic()
    assert _run(fake_crossref, feed, "-o", tmp_path / "refs.json") == 0
    elapsed = time.monotonic() - started
    assert 1.9 <= elapsed < 6
    assert len(fake_crossref.requests("*")) == 3
    works = json.loads((tmp_path / "refs.json").read_text("utf-8"))
    assert len(works) == 6
    assert all(len(w["author"]) > 3 for w in works)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_crossref_writes_the_feed_metadata_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = SEED_SHAPES
    dead = f"http://127.0.0.1:{_closed_port()}"
    out = tmp_path / "refs.bib"
    report = tmp_path / "report.jsonl"
    started = time.monotonic()
    code = cli.main(
        [
            str(feed),
            "-o",
            str(out),
            "--report",
            str(report),
            "--no-cache",
            "--timeout",
            "10",
            "--crossref-url",
            dead,
            "--doi-url",
            dead,
        ]
    )
    assert time.monotonic() - started < 10
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("@article{") == 6
    assert "and others" in text
    err = capsys.readouterr().err
    assert err.count("warning") == 1
    lines = _jsonl(report)
    assert [line["status"] for line in lines] == ["unresolved"] * 6
    assert all(line["reason"] for line in lines)


def test_offline_makes_no_request(fake_crossref: FakeCrossref, tmp_path: Path) -> None:
    feed = SEED_SHAPES
    assert _run(fake_crossref, feed, "--offline", "-o", tmp_path / "r.bib") == 0
    assert fake_crossref.requests("*") == []


@pytest.mark.parametrize(
    "options",
    [
        ["--crossref-url", "ftp://x"],
        ["--timeout", "0"],
        ["--mailto", "not-an-address"],
        ["--cache", "c.sqlite3", "--no-cache"],
    ],
    ids=["bad-url", "zero-timeout", "bad-mailto", "cache-and-no-cache"],
)
def test_bad_resolver_options_are_usage_errors(
    tmp_path: Path, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.bib"
    assert cli.main([str(SCIENCE_NEWS), "-o", str(out), *options]) == 2
    assert not out.exists()
    assert capsys.readouterr().err.count("\n") == 1


def test_mailto_from_the_environment(
    fake_crossref: FakeCrossref, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOI_EXTRACT_MAILTO", "env@example.org")
    feed = SEED_SHAPES
    code = cli.main(
        [
            str(feed),
            "-o",
            str(tmp_path / "r.bib"),
            "--no-cache",
            "--crossref-url",
            fake_crossref.crossref_url,
            "--doi-url",
            fake_crossref.doi_url,
        ]
    )
    assert code == 0
    (request,) = fake_crossref.requests("works")
    assert request.query["mailto"] == ["env@example.org"]
    assert "mailto:env@example.org" in request.headers["User-Agent"]


DOI_LESS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title>
<item><title>Rechallenge study</title><guid>g1</guid><description><![CDATA[
<p>News prose about immunotherapy.</p>
<p><strong>References</strong>:<br />
Tang LB, Peng YL, Chen J, et al. Rechallenge with immune-checkpoint inhibitors in patients with
advanced-stage lung cancer. Nat Rev Clin Oncol. 2025;22(9):631-648.<br />
Willighagen, E. (2008). The SWT JChemPaint (viewing) widget.</p>]]></description></item>
</channel></rss>
"""


def test_doi_less_references_are_matched_only_when_validated(
    fake_crossref: FakeCrossref, tmp_path: Path
) -> None:
    feed = tmp_path / "doi-less.xml"
    feed.write_text(DOI_LESS, encoding="utf-8")
    out = tmp_path / "refs.jsonl"
    report = tmp_path / "report.jsonl"
    assert _run(fake_crossref, feed, "-o", out, "--report", report) == 0
    (line,) = _jsonl(report)
    matched, unmatched = line["works"]
    assert (matched["doi"], matched["how"]) == ("10.1038/s41571-025-01029-7", "matched")
    assert matched["score"] > 0.9
    assert matched["reasons"]
    assert (unmatched["doi"], unmatched["how"]) == (None, "unmatched")
    assert unmatched["text"].startswith("Willighagen")
    written = {w.get("DOI", "").lower() or None: w for w in _jsonl(out)}
    assert written["10.1038/s41571-025-01029-7"]["how"] == "matched"
    assert written["10.1038/s41571-025-01029-7"]["status"] == "resolved"
    assert written[None]["how"] == "unmatched"
    assert written[None]["title"].startswith("The SWT JChemPaint")


# A ScienceDirect ToC item: no DOI anywhere, only its article page (a real article the fake
# Crossref holds), and one about an article the fake does not hold.
SCIENCEDIRECT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>ScienceDirect Publication: Pediatric Neurology</title>
<item><title>Delay in Diagnosis of Spinal Muscular Atrophy: A Systematic Literature Review</title>
<link>https://www.sciencedirect.com/science/article/pii/S0887899415002933?dgcid=rss_sd_all</link>
<description><![CDATA[<p>Publication date: October 2015</p><p><b>Source:</b> Pediatric Neurology,
Volume 53, Issue 4</p><p>Author(s): Chia-Wei Lin, Stephanie J. Kalb, Wei-Shi Yeh</p>]]>
</description>
</item>
<item><title>An article no registry knows</title>
<link>https://www.sciencedirect.com/science/article/pii/S0887899415009999?dgcid=rss_sd_all</link>
<description><![CDATA[<p>Publication date: October 2015</p><p><b>Source:</b> Pediatric Neurology</p>
<p>Author(s): Ana Silva</p>]]></description>
</item>
</channel></rss>
"""


def test_an_article_a_feed_describes_without_doi_is_matched(
    fake_crossref: FakeCrossref, tmp_path: Path
) -> None:
    feed = tmp_path / "sciencedirect.xml"
    feed.write_text(SCIENCEDIRECT, encoding="utf-8")
    out = tmp_path / "refs.jsonl"
    report = tmp_path / "report.jsonl"
    assert _run(fake_crossref, feed, "-o", out, "--report", report) == 0
    found, unknown = _jsonl(report)
    ((matched,), (unmatched,)) = found["works"], unknown["works"]
    assert (matched["doi"], matched["how"], matched["text"]) == (
        "10.1016/j.pediatrneurol.2015.06.002",
        "matched",
        None,
    )
    assert matched["score"] > 0.9
    assert (unmatched["doi"], unmatched["how"]) == (None, "unmatched")
    assert unmatched["reasons"]  # searched, and the verdict says why nothing was taken
    written = {w["title"]: w for w in _jsonl(out)}
    article = written[
        "Delay in Diagnosis of Spinal Muscular Atrophy: A Systematic Literature Review"
    ]
    assert (article["DOI"].lower(), article["status"]) == (
        "10.1016/j.pediatrneurol.2015.06.002",
        "resolved",
    )
    assert article["page"] == "293-300"
    assert "DOI" not in written["An article no registry knows"]


def test_no_match_makes_no_search(fake_crossref: FakeCrossref, tmp_path: Path) -> None:
    feed = tmp_path / "doi-less.xml"
    feed.write_text(DOI_LESS, encoding="utf-8")
    report = tmp_path / "report.jsonl"
    assert (
        _run(fake_crossref, feed, "--no-match", "-o", tmp_path / "r.bib", "--report", report) == 0
    )
    assert fake_crossref.requests("*") == []
    (line,) = _jsonl(report)
    assert [w["how"] for w in line["works"]] == ["unmatched", "unmatched"]
