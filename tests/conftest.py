"""Shared fixtures; the suite never reaches beyond 127.0.0.1."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fake_crossref import FakeCrossref

TESTS = Path(__file__).parent
ROOT = TESTS.parent
SAMPLES = ROOT / "samples"
DATA = TESTS / "data"


def cut_into(data: bytes, sizes: Iterable[int]) -> list[bytes]:
    """``data`` cut into non-empty pieces of the given sizes, then the rest if any."""
    pieces, position = [], 0
    for size in sizes:
        pieces.append(data[position : position + size])
        position += size
    pieces.append(data[position:])
    return [piece for piece in pieces if piece]


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test that tries to open a connection beyond the loopback interface."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    yield


@pytest.fixture(autouse=True)
def _fresh_package_logger() -> Iterator[None]:
    """Undo what an in-process ``cli.main`` does to the package logger, for later caplog use."""
    logger = logging.getLogger("doi_extract")
    saved = (logger.level, logger.propagate, list(logger.handlers))
    yield
    logger.level, logger.propagate = saved[0], saved[1]
    logger.handlers = saved[2]


@pytest.fixture(autouse=True)
def _private_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's default Crossref cache out of the user's real cache folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def samples_dir() -> Path:
    """The project's sample feeds."""
    return SAMPLES


@pytest.fixture
def data_dir() -> Path:
    """Test data written for the project."""
    return DATA


@pytest.fixture
def fake_crossref() -> Iterator[FakeCrossref]:
    """A running fake Crossref + doi.org holding the records in tests/data/crossref."""
    with FakeCrossref.with_fixtures() as fake:
        yield fake
