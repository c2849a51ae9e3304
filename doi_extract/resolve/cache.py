"""The resolver's SQLite cache of registry answers, shared safely between processes.

One row per lower-cased DOI: the registry's own JSON (a Crossref ``message`` or a
CSL-JSON item), which registry sent it, whether the DOI was found, and when it was
fetched. Records are mapped again on every read, so a better mapping applies to cached
answers too. Found entries are used for `FOUND_TTL_S`, not-found ones for
`NOT_FOUND_TTL_S` (a new DOI takes a while to appear).

Bibliographic searches have their own table, keyed by the normalised query text: the
candidates Crossref returned (its JSON items, score included), or none. A search with
candidates is reused for `FOUND_TTL_S`, one without for `NOT_FOUND_TTL_S`. The table was
added without a schema version change: an older program ignores it.

Concurrency: WAL journal, a busy timeout and one short ``BEGIN IMMEDIATE`` transaction
per write, so several processes can read and write the same file, and create it at
the same moment. A file that is not
a valid database is moved aside to ``<name>.corrupt-<unix time>`` and rebuilt; a
location that cannot be written is given up on. Either way there is one warning, and a
cache problem never stops a run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from doi_extract.resolve.base import Outcome

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
FOUND_TTL_S = 30 * 24 * 3600
"""A found record is used for 30 days, then fetched again."""
NOT_FOUND_TTL_S = 24 * 3600
"""A not-found answer is trusted for one day."""
BUSY_TIMEOUT_S = 5.0
_CORRUPT = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})
_WAL_RETRY_S = 0.01
_QUERY_CHUNK = 500  # below SQLite's oldest limit of 999 bound parameters
_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS works (
    doi TEXT PRIMARY KEY,
    registry TEXT,
    record TEXT,
    status TEXT NOT NULL CHECK (status IN ('found', 'not-found')),
    fetched_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS searches (
    query TEXT PRIMARY KEY,
    items TEXT NOT NULL,
    fetched_at REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One cached answer."""

    doi: str
    outcome: Outcome
    """FOUND or NOT_FOUND (failures are never cached)."""
    registry: str | None = None
    record: dict[str, Any] | None = None
    """The registry's JSON for a FOUND DOI."""
    fetched_at: float = 0.0


@dataclass(frozen=True, slots=True)
class SearchEntry:
    """One cached bibliographic search."""

    query: str
    """The normalised query (see `search_key`)."""
    items: tuple[dict[str, Any], ...]
    """The registry's items, best first; empty when the search found nothing."""
    fetched_at: float = 0.0


def search_key(query: str) -> str:
    """The cache key of a search: the query casefolded, whitespace folded."""
    return " ".join(query.casefold().split())


class _Damaged(Exception):
    """The file opened as a database but failed its integrity check."""


class Cache:
    """An open cache file; use `Cache.open`, which never raises."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = connection

    @classmethod
    def open(cls, path: Path) -> Cache | None:
        """Open or create the cache at ``path``; None (after one warning) if it is unusable."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                return cls(path, _connect(path))
            except _Damaged:
                pass
            except sqlite3.DatabaseError as error:
                if getattr(error, "sqlite_errorname", None) not in _CORRUPT:
                    raise
            aside = _set_aside(path)
            log.warning(
                "the cache %s was damaged; moved it to %s and started a new one", path, aside.name
            )
            return cls(path, _connect(path))
        except (OSError, sqlite3.Error, _Damaged) as error:
            log.warning("cannot use the cache %s (%s); running without a cache", path, error)
            return None

    def get(self, dois: Iterable[str], *, now: float | None = None) -> dict[str, CacheEntry]:
        """The entries for ``dois`` (lower-case) that exist and have not expired."""
        now = time.time() if now is None else now
        found: dict[str, CacheEntry] = {}
        rows = self._select_in(
            "SELECT doi, registry, record, status, fetched_at FROM works", "doi", dois
        )
        for entry in filter(None, map(_entry, rows)):
            ttl = FOUND_TTL_S if entry.outcome is Outcome.FOUND else NOT_FOUND_TTL_S
            if now - entry.fetched_at < ttl:
                found[entry.doi] = entry
        return found

    def put(self, entries: Iterable[CacheEntry]) -> None:
        """Store ``entries`` in one short transaction, replacing older ones."""
        rows = [
            (
                entry.doi,
                entry.registry,
                json.dumps(entry.record, ensure_ascii=False) if entry.record is not None else None,
                str(entry.outcome),
                entry.fetched_at or time.time(),
            )
            for entry in entries
            if entry.outcome in (Outcome.FOUND, Outcome.NOT_FOUND)
        ]
        self._write(
            "INSERT OR REPLACE INTO works (doi, registry, record, status, fetched_at)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Run ``sql`` for every row in one ``BEGIN IMMEDIATE`` transaction."""
        if not rows or self._connection is None:
            return
        try:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                self._connection.executemany(sql, rows)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")
        except sqlite3.Error as error:
            self._give_up(error)

    def get_searches(
        self, queries: Iterable[str], *, now: float | None = None
    ) -> dict[str, SearchEntry]:
        """The cached searches for ``queries`` (already `search_key` form) that have not expired."""
        now = time.time() if now is None else now
        found: dict[str, SearchEntry] = {}
        rows = self._select_in("SELECT query, items, fetched_at FROM searches", "query", queries)
        for entry in filter(None, map(_search_entry, rows)):
            ttl = FOUND_TTL_S if entry.items else NOT_FOUND_TTL_S
            if now - entry.fetched_at < ttl:
                found[entry.query] = entry
        return found

    def put_searches(self, entries: Iterable[SearchEntry]) -> None:
        """Store searches in one short transaction, replacing older ones."""
        rows = [
            (
                entry.query,
                json.dumps(list(entry.items), ensure_ascii=False),
                entry.fetched_at or time.time(),
            )
            for entry in entries
        ]
        self._write(
            "INSERT OR REPLACE INTO searches (query, items, fetched_at) VALUES (?, ?, ?)", rows
        )

    def close(self) -> None:
        """Close the file; later calls do nothing."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _select_in(
        self, select: str, column: str, keys: Iterable[str]
    ) -> Iterator[tuple[Any, ...]]:
        """The rows of ``select`` whose ``column`` is one of ``keys``, asked in chunks."""
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), _QUERY_CHUNK):
            chunk = wanted[start : start + _QUERY_CHUNK]
            marks = ",".join("?" * len(chunk))
            # Only "?" marks are formatted in; the names come from this module.
            yield from self._query(f"{select} WHERE {column} IN ({marks})", chunk)

    def _query(self, sql: str, parameters: list[str]) -> Iterator[tuple[Any, ...]]:
        if self._connection is None:
            return iter(())
        try:
            return iter(self._connection.execute(sql, parameters).fetchall())
        except sqlite3.Error as error:
            self._give_up(error)
            return iter(())

    def _give_up(self, error: sqlite3.Error) -> None:
        log.warning("the cache %s failed (%s); going on without it", self.path, error)
        self.close()


def _connect(path: Path) -> sqlite3.Connection:
    """Connect, switch to WAL, check the file and bring the schema up to date."""
    connection = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        _use_wal(connection)
        check = connection.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise _Damaged(f"integrity check failed: {check}")
        connection.execute("BEGIN IMMEDIATE")
        for statement in filter(str.strip, _SCHEMA.split(";")):
            connection.execute(statement)
        row = connection.execute("SELECT version FROM schema_version").fetchone()
        if row is None:
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            log.debug("cache schema %s replaced by %s", row[0], SCHEMA_VERSION)
            connection.execute("DELETE FROM works")
            connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
        connection.execute("COMMIT")
    except BaseException:
        connection.close()
        raise
    return connection


def _use_wal(connection: sqlite3.Connection) -> None:
    """Switch the file to WAL, waiting while another process does the same.

    Two processes opening a new cache at once both switch it: SQLite then answers one of
    them "database is locked" at once, without waiting for the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            busy = getattr(error, "sqlite_errorname", None) == "SQLITE_BUSY"
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(_WAL_RETRY_S)


def _set_aside(path: Path) -> Path:
    """Move a damaged file (and its WAL files) out of the way; returns the new name."""
    aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
    with contextlib.suppress(FileNotFoundError):  # another process moved it first
        path.rename(aside)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return aside


def _entry(row: tuple[Any, ...]) -> CacheEntry | None:
    doi, registry, record_text, status, fetched_at = row
    try:
        outcome = Outcome(status)
        record = json.loads(record_text) if record_text is not None else None
    except ValueError:
        return None
    if outcome is Outcome.FOUND and not isinstance(record, dict):
        return None
    return CacheEntry(doi, outcome, registry, record, float(fetched_at))


def _search_entry(row: tuple[Any, ...]) -> SearchEntry | None:
    query, items_text, fetched_at = row
    try:
        items = json.loads(items_text)
    except ValueError:
        return None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return None
    return SearchEntry(query, tuple(items), float(fetched_at))
