"""Accounting: every item of every readable input, and every unreadable input, is reported.

The inputs mix good, empty, broken and hostile items with inputs that cannot be read;
the ``--report`` lines must list each of them with a status, and the counts of the
summary line on stderr must add up to what the report lists.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from doi_extract import cli, pipeline
from doi_extract.extract import extract
from doi_extract.model import Extraction, FeedItem

MIXED = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<rss version="2.0"><channel><title>Mixed</title>
<item><title>Good</title><guid>good</guid>
<description>&lt;p&gt;Published: https://doi.org/10.1038/s41586-025-09710-8&lt;/p&gt;</description></item>
<item></item>
<item><title>No citation</title><guid>plain</guid><description>Nothing cited.</description></item>
<item><title>Entities &lol2; &xxe;</title><guid>entities</guid>
<description>&lol2; &eacute; doi:10.5555/acc.entity &amp;c</description></item>
<item><title>Broken</title><guid>broken</guid>
<description>a <p>b doi:10.5555/acc.broken</description></item>
<item><title>Fails</title><guid>fails</guid><description>doi:10.5555/acc.fails</description></item>
<item><title>Cut</title><guid>cut</guid><description>doi:10.5555/acc.cut and th"""

HUGE = (
    '<rss version="2.0"><channel><title>Huge</title>'
    "<item><title>Before</title><guid>before</guid>"
    "<description>doi:10.5555/acc.before</description></item>"
    "<item><title>Huge</title><description>" + "x" * 11_000_000 + "</description></item>"
    "<item><title>After</title><description>doi:10.5555/acc.after</description></item>"
    "</channel></rss>"
)

SUMMARY = re.compile(
    r"doi-extract: (?P<items>\d+) items read, (?P<dois>\d+) DOIs, (?P<references>\d+) "
    r"references, (?P<entries>\d+) entries written(?:; [^;]*)*?"
    r"; (?P<problems>\d+) problems \((?P<skipped>\d+) inputs or items skipped\)"
)


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    paths = {
        "mixed": folder / "mixed.xml",
        "huge": folder / "huge.xml",
        "junk": folder / "junk.xml",
        "empty": folder / "empty.xml",
        "missing": folder / "missing.xml",
    }
    paths["mixed"].write_text(MIXED, encoding="utf-8")
    paths["huge"].write_text(HUGE, encoding="utf-8")
    paths["junk"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00 not a feed")
    paths["empty"].write_bytes(b"")
    return paths


def check_accounting(
    inputs: dict[str, Path], report: Path, output: Path, stderr: str, *, failed_items: int
) -> dict[str, Any]:
    """Check the report against the inputs and the summary; return what was found."""
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    items = [line for line in lines if line["item"] is not None]
    per_input = [line for line in lines if line["item"] is None]
    by_source = Counter(line["source"] for line in items)
    # Every item read appears once, numbered from 0 in document order.
    assert by_source == {str(inputs["mixed"]): 6, str(inputs["huge"]): 1}
    for source, count in by_source.items():
        assert [line["item"] for line in items if line["source"] == source] == list(range(count))
    assert all(line["status"] in {"ok", "no-citation", "unresolved", "error"} for line in items)
    assert all(line["reason"] for line in items if line["status"] != "ok")
    # Every input that is damaged or unreadable has its own line.
    reasons = {line["source"]: line["reason"] for line in per_input}
    assert all(line["status"] == "error" for line in per_input)
    assert set(reasons) == {str(inputs[name]) for name in inputs if name != "mixed"} | {
        str(inputs["mixed"])
    }
    cut_line = next(n for n, text in enumerate(MIXED.splitlines(), 1) if "<guid>cut<" in text)
    kept = f"kept 6 items, dropped the incomplete item at line {cut_line}"
    assert kept in reasons[str(inputs["mixed"])]
    assert "Text node too long" in reasons[str(inputs["huge"])]
    assert "kept 1 item" in reasons[str(inputs["huge"])]
    assert reasons[str(inputs["missing"])] == "no such file"
    assert reasons[str(inputs["empty"])] == "empty input"
    assert reasons[str(inputs["junk"])].startswith("not XML")

    (summary,) = [m for m in map(SUMMARY.fullmatch, stderr.splitlines()) if m]
    counts = {name: int(value) for name, value in summary.groupdict().items()}
    assert counts["items"] == len(items)
    assert counts["dois"] == len({doi for line in items for doi in line["dois"]})
    assert counts["references"] == sum(len(line["references"]) for line in items)
    assert counts["entries"] == len(json.loads(output.read_text(encoding="utf-8")))
    errors = [line for line in lines if line["status"] == "error"]
    assert counts["problems"] == len(errors)
    unreadable = 3  # junk, empty and missing; the damaged feeds were read
    assert counts["skipped"] == unreadable + failed_items
    return {line["guid"] or f"#{line['item']}": line for line in items}


def test_every_item_and_input_is_accounted_for(
    inputs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real_extract = extract

    def fails_on_one(item: FeedItem, *, provenance: bool = True) -> Extraction:
        if item.guid == "fails":
            raise ValueError("odd item")
        return real_extract(item, provenance=provenance)

    monkeypatch.setattr(pipeline, "extract", fails_on_one)
    report = tmp_path / "report.jsonl"
    output = tmp_path / "refs.json"
    order = ("junk", "mixed", "missing", "huge", "empty")
    argv = [*(str(inputs[name]) for name in order), "--offline", "-o", str(output)]
    assert cli.main([*argv, "--report", str(report)]) == 3
    found = check_accounting(inputs, report, output, capsys.readouterr().err, failed_items=1)
    statuses = {guid: line["status"] for guid, line in found.items()}
    assert statuses == {
        "good": "ok",
        "#1": "no-citation",
        "plain": "no-citation",
        "entities": "ok",
        "broken": "ok",
        "fails": "error",
        "before": "ok",
    }
    assert found["entities"]["dois"] == ["10.5555/acc.entity"]
    assert found["entities"]["title"] == "Entities &lol2; &xxe;"  # never expanded
    assert found["broken"]["dois"] == ["10.5555/acc.broken"]
    assert "odd item" in found["fails"]["reason"]
    written = {work["DOI"] for work in json.loads(output.read_text(encoding="utf-8"))}
    assert written == {
        "10.1038/s41586-025-09710-8",
        "10.5555/acc.entity",
        "10.5555/acc.broken",
        "10.5555/acc.before",
    }


def test_accounting_in_a_real_process(inputs: dict[str, Path], tmp_path: Path) -> None:
    report = tmp_path / "report.jsonl"
    output = tmp_path / "refs.json"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "doi_extract", *map(str, inputs.values()), "--offline"),
            *("-o", str(output), "--report", str(report)),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 3
    stderr = result.stderr.decode("utf-8")
    assert "Traceback" not in stderr
    found = check_accounting(inputs, report, output, stderr, failed_items=0)
    assert found["fails"]["status"] == "ok"


def test_directory_without_feeds_exits_4_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "feeds"
    (folder / "sub").mkdir(parents=True)
    (folder / "notes.txt").write_text("not a feed", encoding="utf-8")
    output = tmp_path / "refs.bib"
    report = tmp_path / "report.jsonl"
    assert cli.main([str(folder), "--offline", "-o", str(output), "--report", str(report)]) == 4
    assert capsys.readouterr().err == (
        f"doi-extract: error: {folder}: no .xml/.rss/.atom/.rdf file to read\n"
    )
    assert not output.exists()
    assert not report.exists()
