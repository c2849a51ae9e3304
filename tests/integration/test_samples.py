"""Every sample feed, end to end offline, against the works its expectation file lists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from doi_extract import cli
from tests.conftest import DATA, SAMPLES

EXPECTED = sorted((DATA / "expected").glob("*.json"))


def _sample_for(expected: Path) -> Path:
    matches = [p for p in SAMPLES.iterdir() if p.stem == expected.stem and p.suffix != ".md"]
    assert len(matches) == 1, f"no single sample feed for {expected.name}"
    return matches[0]


def _families(item: dict[str, Any]) -> list[str]:
    return [a.get("family") or a.get("literal") for a in item.get("author", [])]


@pytest.mark.parametrize("expected_file", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_sample_gives_the_expected_works(expected_file: Path, tmp_path: Path) -> None:
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    out = tmp_path / "refs.jsonl"
    report = tmp_path / "report.jsonl"
    code = cli.main(
        [str(_sample_for(expected_file)), "--offline", "-o", str(out), "--report", str(report)]
    )
    assert code == 0
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_doi = {(w.get("DOI") or "").lower() or None: w for w in written}
    assert len(written) == len(expected["works"])
    for want in expected["works"]:
        got = by_doi.get(want["doi"])
        if want["doi"] is None:
            got = next(w for w in written if not w.get("DOI") and want["title"] in w["title"])
        assert got is not None, f"missing work {want['doi']}"
        assert got.get("title") == want["title"]
        assert _families(got) == want["families"]
        assert got.get("et-al", False) == want["et_al"]
        assert got.get("container-title") == want["container"]
        year = got.get("issued", {}).get("date-parts", [[None]])[0][0]
        assert year == want["year"]
        assert got.get("volume") == want["volume"]
        assert got.get("issue") == want["issue"]
        page = want["pages"] or want["article_number"]
        assert got.get("page") == page


@pytest.mark.parametrize("expected_file", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_sample_report_statuses(expected_file: Path, tmp_path: Path) -> None:
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    report = tmp_path / "report.jsonl"
    cli.main(
        [
            str(_sample_for(expected_file)),
            "--offline",
            "-q",
            "-o",
            str(tmp_path / "r.bib"),
            "--report",
            str(report),
        ]
    )
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(expected["items"])
    for line, want in zip(lines, expected["items"], strict=True):
        assert line["item"] == want["item"]
        assert line["status"] == want["status"]
        assert sorted(line["dois"]) == sorted(want["dois"])
