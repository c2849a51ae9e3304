"""The library API, used without the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import doi_extract
from doi_extract import Settings, collect, expand_inputs, make_writer, read_bytes, run

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>A</title><description>See doi:10.1038/nature12373 today.</description></item>
</channel></rss>"""


def test_stages_one_by_one() -> None:
    (item,) = list(read_bytes(FEED, "memory.xml"))
    assert isinstance(item, doi_extract.FeedItem)
    found = doi_extract.extract(item)
    assert found.dois == ("10.1038/nature12373",)
    out = io.StringIO()
    make_writer("csljson").write(list(found.works), out)
    assert json.loads(out.getvalue())[0]["DOI"].lower() == "10.1038/nature12373"


def test_collect_gives_records_without_writing(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(FEED)
    report = collect(expand_inputs([str(feed)]))
    assert [w.doi for w in report.works] == ["10.1038/nature12373"]
    assert report.counts.items == 1
    assert not report.problems


def test_run_writes_the_output(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(FEED)
    out = tmp_path / "refs.ris"
    report = run(Settings(inputs=(str(feed),), output=str(out), offline=True))
    assert "DO  - 10.1038/nature12373" in out.read_text(encoding="utf-8")
    assert report.counts.entries == 1
    assert "1 entries written" in report.summary()


def test_public_names_are_exported() -> None:
    for name in doi_extract.__all__:
        assert hasattr(doi_extract, name), name
