"""The command line end to end: formats, report, exit codes, stdout and stderr."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from doi_extract import cli, pipeline

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title>
<item><title>One</title><guid>g1</guid><link>https://news.example/1</link>
<description><![CDATA[<p>Published in <em>Nature</em>:
<a href="https://doi.org/10.1038/s41586-025-09710-8">paper</a>.</p>]]></description></item>
<item><title>Two</title><guid>g2</guid><description>Nothing cited here.</description></item>
</channel></rss>
"""
REPORT_KEYS = {
    "source",
    "item",
    "guid",
    "link",
    "title",
    "dois",
    "references",
    "works",
    "status",
    "reason",
}
WORK_KEYS = {"doi", "how", "text", "score", "reasons"}


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.xml"
    path.write_text(RSS, encoding="utf-8")
    return path


def run_cli(*args: str | Path) -> int:
    return cli.main([str(a) for a in args])


@pytest.mark.parametrize(
    ("suffix", "marker"),
    [(".bib", "@"), (".ris", "TY  - "), (".json", '"DOI"'), (".jsonl", '"provenance"')],
)
def test_format_comes_from_the_extension(
    feed: Path, tmp_path: Path, suffix: str, marker: str
) -> None:
    out = tmp_path / f"refs{suffix}"
    assert run_cli(feed, "--offline", "-o", out) == 0
    text = out.read_text(encoding="utf-8")
    assert marker in text
    assert "10.1038/s41586-025-09710-8" in text.lower()


def test_format_option_overrides_the_extension(feed: Path, tmp_path: Path) -> None:
    out = tmp_path / "refs.txt"
    assert run_cli(feed, "--offline", "-f", "ris", "-o", out) == 0
    assert out.read_text(encoding="utf-8").startswith("TY  - ")


def test_unknown_extension_is_a_usage_error_before_any_work(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "refs.docx"
    assert run_cli(feed, "-o", out) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert ".docx" in err
    assert err.count("\n") == 1


def test_unknown_format_is_a_usage_error(feed: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli(feed, "-f", "endnote")
    assert exc.value.code == 2


def test_stdout_carries_only_data_and_stderr_the_summary(
    feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(feed, "--offline", "-o", "-") == 0
    captured = capsys.readouterr()
    assert captured.out.lstrip().startswith("@")
    assert "doi-extract:" not in captured.out
    assert "2 items read" in captured.err
    assert "1 entries written" in captured.err


def test_quiet_prints_no_summary(feed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(feed, "--offline", "-q") == 0
    assert capsys.readouterr().err == ""


def test_report_has_one_line_per_item_with_the_contract_keys(feed: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.jsonl"
    assert run_cli(feed, "--offline", "-o", tmp_path / "r.bib", "--report", report) == 0
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert [set(line) for line in lines] == [REPORT_KEYS, REPORT_KEYS]
    first, second = lines
    assert first["source"] == str(feed)
    assert (first["item"], first["guid"], first["link"], first["title"]) == (
        0,
        "g1",
        "https://news.example/1",
        "One",
    )
    assert first["dois"] == ["10.1038/s41586-025-09710-8"]
    assert first["works"] == [
        {
            "doi": "10.1038/s41586-025-09710-8",
            "how": "printed",
            "text": None,
            "score": None,
            "reasons": [],
        }
    ]
    assert all(set(work) == WORK_KEYS for line in lines for work in line["works"])
    assert first["status"] == "ok"
    assert first["reason"] is None
    assert (second["item"], second["status"]) == (1, "no-citation")
    assert second["reason"]


def test_missing_input_exits_4_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "refs.bib"
    assert run_cli(tmp_path / "missing.xml", "-o", out) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "missing.xml" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_non_xml_input_alone_exits_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    assert run_cli(junk, "-o", tmp_path / "refs.bib") == 4
    err = capsys.readouterr().err
    assert "junk.xml" in err
    assert "Traceback" not in err


def test_one_bad_input_among_good_ones_exits_3_and_writes_output(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_text("this is not a feed", encoding="utf-8")
    out = tmp_path / "refs.bib"
    report = tmp_path / "report.jsonl"
    assert run_cli(junk, feed, "--offline", "-o", out, "--report", report) == 3
    assert "10.1038/s41586-025-09710-8" in out.read_text(encoding="utf-8").lower()
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    bad = [line for line in lines if line["source"] == str(junk)]
    assert len(bad) == 1
    assert bad[0]["status"] == "error"
    assert bad[0]["item"] is None
    assert bad[0]["reason"]
    assert "junk.xml" in capsys.readouterr().err


def test_directory_input_reports_the_files_inside(feed: Path, tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "b.rss").write_text(RSS, encoding="utf-8")
    (folder / "a.xml").write_text(RSS, encoding="utf-8")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    report = tmp_path / "report.jsonl"
    assert run_cli(folder, "--offline", "-o", tmp_path / "r.json", "--report", report) == 0
    sources = [json.loads(line)["source"] for line in report.read_text("utf-8").splitlines()]
    assert sources == [str(folder / "a.xml")] * 2 + [str(folder / "sub" / "b.rss")] * 2
    works = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert len(works) == 1


def test_output_that_is_an_input_is_refused(feed: Path) -> None:
    assert run_cli(feed, "-o", feed) == 2
    assert feed.read_text(encoding="utf-8") == RSS


def test_unwritable_output_exits_5(feed: Path, tmp_path: Path) -> None:
    assert run_cli(feed, "--offline", "-o", tmp_path / "no-such-dir" / "r.bib") == 5


def test_internal_error_is_one_line_without_traceback(
    feed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "run", broken)
    assert run_cli(feed) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "internal error" in err
    assert "boom" in err
    assert "Traceback" not in err
    assert run_cli(feed, "-v") == 1
    assert "Traceback" in capsys.readouterr().err


def test_interrupt_exits_130(
    feed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run", interrupted)
    assert run_cli(feed) == 130
    assert "interrupted" in capsys.readouterr().err


def test_a_failing_item_does_not_lose_the_others(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_extract = pipeline.extract

    def fails_on_second(item, *, provenance=True):  # type: ignore[no-untyped-def]
        if item.index == 1:
            raise ValueError("odd item")
        return real_extract(item, provenance=provenance)

    monkeypatch.setattr(pipeline, "extract", fails_on_second)
    out = tmp_path / "refs.bib"
    report = tmp_path / "report.jsonl"
    assert run_cli(feed, "--offline", "-o", out, "--report", report) == 3
    assert "10.1038/s41586-025-09710-8" in out.read_text("utf-8").lower()
    statuses = [json.loads(line)["status"] for line in report.read_text("utf-8").splitlines()]
    assert statuses == ["ok", "error"]
    err = capsys.readouterr().err
    assert f"{feed} item 1" in err
    assert "Traceback" not in err


def test_help_documents_examples_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli("--help")
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for text in ("examples:", "exit codes:", "--report", "--offline", "130"):
        assert text in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_cli("--version")
    assert capsys.readouterr().out.startswith("doi-extract ")


def test_module_entry_point_reads_stdin(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "doi_extract", "--offline", "-f", "csljson"],
        input=RSS.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    works = json.loads(result.stdout)
    assert [w["DOI"].lower() for w in works] == ["10.1038/s41586-025-09710-8"]
    assert b"Traceback" not in result.stderr


def _stderr_of_run(args: list[str], *, terminal: bool) -> str:
    """What a whole ``doi-extract`` process writes to stderr: a terminal's, or a pipe's."""
    command = [sys.executable, "-m", "doi_extract", *args]
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
        return done.stderr
    main, child = pty.openpty()
    # A new terminal is 0 columns wide, and a progress bar would be cut to nothing.
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    with subprocess.Popen(command, stderr=child, stdout=subprocess.DEVNULL) as process:
        os.close(child)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_shows_on_a_terminal_only(feed: Path, tmp_path: Path) -> None:
    args = [str(feed), "--offline", "-o", str(tmp_path / "refs.bib")]
    assert "reading" in _stderr_of_run(args, terminal=True)
    assert "reading" not in _stderr_of_run(args, terminal=False)
    assert "reading" not in _stderr_of_run([*args, "--quiet"], terminal=True)
