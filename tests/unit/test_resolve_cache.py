"""The SQLite cache: round trip, expiry, schema, damage, unwritable places, two processes."""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from doi_extract.resolve.base import Outcome, default_cache_path
from doi_extract.resolve.cache import (
    FOUND_TTL_S,
    NOT_FOUND_TTL_S,
    SCHEMA_VERSION,
    Cache,
    CacheEntry,
)

NOW = 1_800_000_000.0
RECORD = {"DOI": "10.1038/srep16696", "title": ["Single-molecule FRET"], "author": []}


@pytest.fixture(autouse=True)
def _logs_reach_caplog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo what an earlier in-process CLI run did to the package logger."""
    monkeypatch.setattr(logging.getLogger("doi_extract"), "propagate", True)


def _open(path: Path) -> Cache:
    cache = Cache.open(path)
    assert cache is not None
    return cache


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_round_trip_found_and_not_found(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "crossref.sqlite3"
    cache = _open(path)
    cache.put(
        [
            CacheEntry("10.1038/srep16696", Outcome.FOUND, "crossref", RECORD, NOW),
            CacheEntry("10.9999/nope", Outcome.NOT_FOUND, fetched_at=NOW),
            CacheEntry("10.9999/failed", Outcome.FAILED, fetched_at=NOW),
        ]
    )
    cache.close()
    cache = _open(path)
    got = cache.get(["10.1038/srep16696", "10.9999/nope", "10.9999/failed", "10.1/x"], now=NOW)
    cache.close()
    assert got == {
        "10.1038/srep16696": CacheEntry(
            "10.1038/srep16696", Outcome.FOUND, "crossref", RECORD, NOW
        ),
        "10.9999/nope": CacheEntry("10.9999/nope", Outcome.NOT_FOUND, None, None, NOW),
    }


def test_file_is_wal_with_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    _open(path).close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [
            (SCHEMA_VERSION,)
        ]
    connection.close()


def test_found_expires_after_30_days_not_found_after_1_day(tmp_path: Path) -> None:
    cache = _open(tmp_path / "c.sqlite3")
    cache.put(
        [
            CacheEntry("10.1/found", Outcome.FOUND, "crossref", RECORD, NOW),
            CacheEntry("10.1/missing", Outcome.NOT_FOUND, fetched_at=NOW),
        ]
    )
    assert FOUND_TTL_S == 30 * 86400
    assert NOT_FOUND_TTL_S == 86400
    dois = ["10.1/found", "10.1/missing"]
    assert set(cache.get(dois, now=NOW + NOT_FOUND_TTL_S - 1)) == set(dois)
    assert set(cache.get(dois, now=NOW + NOT_FOUND_TTL_S + 1)) == {"10.1/found"}
    assert set(cache.get(dois, now=NOW + FOUND_TTL_S + 1)) == set()
    cache.close()


def test_newer_entry_replaces_older(tmp_path: Path) -> None:
    cache = _open(tmp_path / "c.sqlite3")
    cache.put([CacheEntry("10.1/a", Outcome.NOT_FOUND, fetched_at=NOW)])
    cache.put([CacheEntry("10.1/a", Outcome.FOUND, "datacite", {"DOI": "10.1/a"}, NOW + 5)])
    assert cache.get(["10.1/a"], now=NOW + 5)["10.1/a"].registry == "datacite"
    cache.close()


def test_many_dois_in_one_lookup(tmp_path: Path) -> None:
    cache = _open(tmp_path / "c.sqlite3")
    dois = [f"10.5555/n{i}" for i in range(1200)]
    cache.put(CacheEntry(doi, Outcome.NOT_FOUND, fetched_at=NOW) for doi in dois)
    assert len(cache.get(dois, now=NOW)) == 1200
    cache.close()


def test_other_schema_version_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    cache = _open(path)
    cache.put([CacheEntry("10.1/a", Outcome.NOT_FOUND, fetched_at=NOW)])
    cache.close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema_version SET version = 999")
    connection.close()
    cache = _open(path)
    assert cache.get(["10.1/a"], now=NOW) == {}
    cache.close()


def test_damaged_file_is_set_aside_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "crossref.sqlite3"
    path.write_bytes(b"this is not a database, just garbage bytes\x00\xff" * 100)
    with caplog.at_level(logging.WARNING, logger="doi_extract"):
        cache = _open(path)
    assert len(_warnings(caplog)) == 1
    assert "damaged" in _warnings(caplog)[0]
    aside = list(tmp_path.glob("crossref.sqlite3.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes().startswith(b"this is not a database")
    cache.put([CacheEntry("10.1/a", Outcome.NOT_FOUND, fetched_at=NOW)])
    assert "10.1/a" in cache.get(["10.1/a"], now=NOW)
    cache.close()


def test_unwritable_location_gives_no_cache_and_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="doi_extract"):
        assert Cache.open(blocker / "crossref.sqlite3") is None
    assert len(_warnings(caplog)) == 1
    assert "running without a cache" in _warnings(caplog)[0]


def test_a_failure_after_opening_disables_the_cache_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "c.sqlite3"
    cache = _open(path)
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE works")
    connection.close()
    with caplog.at_level(logging.WARNING, logger="doi_extract"):
        assert cache.get(["10.1/a"]) == {}
        cache.put([CacheEntry("10.1/a", Outcome.NOT_FOUND, fetched_at=NOW)])
        assert cache.get(["10.1/a"]) == {}
    assert len(_warnings(caplog)) == 1


def _writer(path: str, worker: int, count: int, start: Any) -> None:
    cache = Cache.open(Path(path))
    assert cache is not None
    start.wait(30)  # both processes have the file open: now write at the same time
    for i in range(count):
        # One short transaction per write, as the resolver does after each batch.
        cache.put(
            [
                CacheEntry(f"10.5555/w{worker}-{i}", Outcome.FOUND, "crossref", RECORD, NOW),
                CacheEntry("10.5555/shared", Outcome.FOUND, "crossref", RECORD, NOW + i),
            ]
        )
        assert f"10.5555/w{worker}-{i}" in cache.get([f"10.5555/w{worker}-{i}"], now=NOW)
    cache.close()


def test_two_processes_writing_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    workers = [context.Process(target=_writer, args=(str(path), w, 150, start)) for w in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT count(*) FROM works").fetchone()[0] == 2 * 150 + 1
    connection.close()


def test_default_cache_path_is_in_the_user_cache_folder(tmp_path: Path) -> None:
    # tests/conftest.py points XDG_CACHE_HOME into tmp_path for every test.
    assert default_cache_path() == tmp_path / "xdg-cache" / "doi-extract" / "crossref.sqlite3"


def _opener(path: str, start: Any, opened: Any) -> None:
    start.wait(30)  # open at the same moment as the other process
    cache = Cache.open(Path(path))
    opened.put(cache is not None)
    if cache is not None:
        cache.close()


def test_two_processes_creating_the_cache_at_once_both_use_it(tmp_path: Path) -> None:
    # Both switch the new file to WAL; SQLite answered one of them "database is locked"
    # at once, in about two rounds out of three, and it ran without a cache.
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    for round_ in range(20):
        path = tmp_path / f"new-{round_}.sqlite3"
        start, opened = context.Barrier(2), context.Queue()
        openers = [context.Process(target=_opener, args=(str(path), start, opened)) for _ in "ab"]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join(60)
        assert [opener.exitcode for opener in openers] == [0, 0]
        assert [opened.get(timeout=5), opened.get(timeout=5)] == [True, True], round_
