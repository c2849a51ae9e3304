"""``--jobs``: items extracted in worker processes give the same output, byte for byte."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from doi_extract import _workers, cli, pipeline
from doi_extract.model import FeedItem

FORMATS = ["bib", "ris", "json", "jsonl"]


def _feed_of_many(path: Path, count: int) -> Path:
    items = "".join(
        f"<item><title>Study {index}</title><guid>urn:study:{index}</guid>"
        f"<description>Smith J, Lee K. Signalling study {index}. J Examples. 2025;"
        f"{index % 9 + 1}:{index % 90 + 100}. doi:10.5555/study.{index % 40}</description></item>\n"
        for index in range(count)
    )
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>\n{items}'
        "</channel></rss>\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def inputs(tmp_path: Path, data_dir: Path, samples_dir: Path) -> list[str]:
    """Every test and sample feed, a damaged one, one that is not XML, a missing one, and one
    with many items citing few works: with workers, each file but the missing one is read
    by a worker."""
    damaged = tmp_path / "damaged.xml"
    damaged.write_text(
        "<rss><channel><item><title>Cut</title><description>doi:10.1000/cut1 and "
        "<b>unclosed</description></item><item><title>Two</title>",
        encoding="utf-8",
    )
    not_xml = tmp_path / "notes.xml"
    not_xml.write_text("these are notes, not a feed\n", encoding="utf-8")
    return [
        str(not_xml),
        str(data_dir / "feeds"),
        str(samples_dir),
        str(_feed_of_many(tmp_path / "many.xml", 300)),
        str(damaged),
        str(tmp_path / "missing.xml"),
    ]


def _run(inputs: list[str], folder: Path, suffix: str, jobs: int) -> tuple[int, bytes, bytes]:
    folder.mkdir(exist_ok=True)
    output, report = folder / f"refs.{suffix}", folder / "report.jsonl"
    args = [*inputs, "--offline", "-q", "-j", str(jobs), "-o", str(output), "--report", str(report)]
    code = cli.main(args)
    return code, output.read_bytes(), report.read_bytes()


@pytest.mark.parametrize("suffix", FORMATS)
def test_output_and_report_are_the_same_for_any_number_of_jobs(
    inputs: list[str], tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "_BATCH", 5)  # many batches, so the workers share them
    serial = _run(inputs, tmp_path / "j1", suffix, 1)
    assert serial[0] == 3  # the damaged, the unreadable and the missing input
    assert len(serial[2].splitlines()) > 300
    for jobs in (2, 3):
        assert _run(inputs, tmp_path / f"j{jobs}", suffix, jobs) == serial


def test_one_feed_gives_the_same_output_when_its_batches_go_to_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A lone input is read here and its items sent to the workers in batches.
    monkeypatch.setattr(pipeline, "_BATCH", 7)
    inputs = [str(_feed_of_many(tmp_path / "many.xml", 300))]
    serial = _run(inputs, tmp_path / "j1", "jsonl", 1)
    assert serial[0] == 0
    assert len(serial[2].splitlines()) == 300
    for jobs in (2, 3):
        assert _run(inputs, tmp_path / f"j{jobs}", "jsonl", jobs) == serial


def test_a_failing_item_in_a_worker_is_reported_and_the_others_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pipeline, "_BATCH", 4)
    real_extract = pipeline.extract

    def fails_on_item_7(item: FeedItem, *, provenance: bool = True) -> object:
        if item.index == 7:
            raise ValueError("odd markup")
        return real_extract(item, provenance=provenance)

    monkeypatch.setattr(pipeline, "extract", fails_on_item_7)  # the forked workers inherit it
    feed = _feed_of_many(tmp_path / "feed.xml", 30)
    code, output, report = _run([str(feed)], tmp_path / "out", "jsonl", 2)
    assert code == 3
    lines = [json.loads(line) for line in report.splitlines()]
    assert [line["item"] for line in lines] == list(range(30))
    assert lines[7]["status"] == "error"
    assert lines[7]["reason"] == "could not extract citations: ValueError: odd markup"
    assert {line["status"] for line in lines[:7] + lines[8:]} == {"ok"}
    assert "feed.xml item 7" in capsys.readouterr().err
    assert len(output.splitlines()) == 29  # one work per item, but for item 7


def test_jobs_below_one_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["-j", "0", str(tmp_path / "feed.xml")]) == 2
    assert capsys.readouterr().err == "doi-extract: error: --jobs must be at least 1, not 0\n"


# ---------------------------------------------------------------- map_in_order


def _pid_and_double(number: int) -> tuple[int, int]:
    return os.getpid(), 2 * number


def test_map_in_order_keeps_the_order_and_uses_other_processes() -> None:
    answers = list(_workers.map_in_order(_pid_and_double, iter(range(60)), 3))
    assert [double for _, double in answers] == [2 * n for n in range(60)]
    assert {pid for pid, _ in answers} - {os.getpid()}


def test_a_single_task_is_done_in_this_process() -> None:
    assert list(_workers.map_in_order(_pid_and_double, iter([1]), 4)) == [(os.getpid(), 2)]


def _dies_on_three(number: int) -> int:
    if number == 3:
        os._exit(1)  # as the kernel's out-of-memory killer would end it
    return number


def test_a_killed_worker_ends_the_run_with_a_clear_error() -> None:
    with pytest.raises(_workers.WorkerDied, match="worker process ended abruptly"):
        list(_workers.map_in_order(_dies_on_three, iter(range(10)), 2))
