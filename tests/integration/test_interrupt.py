"""Interruption and output safety, with `python -m doi_extract` in a child process.

SIGINT and SIGTERM mid-run, a full disk and a read-only folder must leave the previous
output byte for byte and no temporary file behind; ``-o`` naming an input is refused
before any work.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import http.server
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from doi_extract import cli
from doi_extract.fileio import TEMP_PREFIX

HEAD = b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>\n'
TAIL = b"</channel></rss>\n"
PREVIOUS_OUTPUT = b"@misc{previous,\n  title = {The previous run's output}\n}\n"
PREVIOUS_REPORT = b'{"previous": "report"}\n'


def item(index: int) -> bytes:
    """One small item citing one DOI of its own, so every item adds a work."""
    return (
        f"<item><title>Study {index}</title><guid>urn:study:{index}</guid>"
        f"<description>Smith J, Lee K. Signalling study {index}. J Examples. 2025;"
        f"{index % 90 + 1}:{index % 900 + 100}. doi:10.5555/study.{index}</description></item>\n"
    ).encode()


def write_feed(path: Path, count: int) -> Path:
    with path.open("wb") as out:
        out.write(HEAD)
        for index in range(count):
            out.write(item(index))
        out.write(TAIL)
    return path


def temporaries(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]


def _default_sigint() -> None:
    # A shell's background job starts with SIGINT ignored, and Python then leaves it
    # ignored; the child must see Ctrl-C as a terminal user's run would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args: str | Path, stdin: int | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "doi_extract", "--offline", *map(str, args)],
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )


def run(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "doi_extract", "--offline", *map(str, args)],
        capture_output=True,
        timeout=120,
        check=False,
    )


def one_line_error(stderr: bytes) -> str:
    lines = stderr.decode("utf-8").splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("doi-extract: error: ")
    assert "Traceback" not in lines[0]
    return lines[0]


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, Path]:
    """An output and a report from an earlier run, in folders of their own."""
    (tmp_path / "out").mkdir()
    (tmp_path / "report").mkdir()
    output = tmp_path / "out" / "refs.bib"
    report = tmp_path / "report" / "report.jsonl"
    output.write_bytes(PREVIOUS_OUTPUT)
    report.write_bytes(PREVIOUS_REPORT)
    return output, report


SIGNALS = [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")]
SIGNAL_IDS = ["SIGINT", "SIGTERM"]


# ---------------------------------------------------------------- signals


def _unread(fd: int) -> int:
    """Bytes written into a pipe that its reader has not read yet."""
    answer = fcntl.ioctl(fd, termios.FIONREAD, struct.pack("i", 0))
    return int(struct.unpack("i", answer)[0])


@pytest.mark.parametrize(("signum", "code", "word"), SIGNALS, ids=SIGNAL_IDS)
@pytest.mark.parametrize("with_report", [False, True], ids=["output", "output+report"])
@pytest.mark.parametrize("jobs", ["1", "2"], ids=["serial", "workers"])
def test_signal_while_reading_keeps_the_previous_files(
    previous: tuple[Path, Path], signum: int, code: int, word: str, with_report: bool, jobs: str
) -> None:
    output, report = previous
    read_end, write_end = os.pipe()
    extra = ("--report", report) if with_report else ()
    # 200 items fill three batches: with -j 2 the workers are busy when the signal comes.
    child = start("-", "-o", output, "-j", jobs, *extra, stdin=read_end)
    try:
        os.write(write_end, HEAD + b"".join(item(i) for i in range(200)))
        deadline = time.monotonic() + 30
        # The child has taken everything so far and waits for the rest of the feed.
        while _unread(read_end) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _unread(read_end) == 0
        time.sleep(0.2)
        assert child.poll() is None
        child.send_signal(signum)
        _, err = child.communicate(timeout=30)
    finally:
        os.close(write_end)
        os.close(read_end)
        if child.poll() is None:
            child.kill()
    assert child.returncode == code
    assert one_line_error(err) == f"doi-extract: error: {word}"
    assert output.read_bytes() == PREVIOUS_OUTPUT
    assert report.read_bytes() == PREVIOUS_REPORT
    assert temporaries(output.parent, report.parent) == []


@pytest.fixture(scope="module")
def large_feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough distinct works that writing the output takes a good fraction of a second."""
    return write_feed(tmp_path_factory.mktemp("feeds") / "large.xml", 15_000)


@pytest.mark.parametrize(("signum", "code", "word"), SIGNALS, ids=SIGNAL_IDS)
def test_signal_while_writing_keeps_the_previous_output(
    previous: tuple[Path, Path], large_feed: Path, signum: int, code: int, word: str
) -> None:
    output, report = previous
    child = start(large_feed, "-o", output, "--report", report)
    try:
        deadline = time.monotonic() + 90
        while not temporaries(output.parent) and child.poll() is None:
            assert time.monotonic() < deadline, "the output was never started"
            time.sleep(0.001)
        assert child.poll() is None, "the run ended before the signal could be sent"
        child.send_signal(signum)
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == code
    assert one_line_error(err) == f"doi-extract: error: {word}"
    assert output.read_bytes() == PREVIOUS_OUTPUT
    assert temporaries(output.parent, report.parent) == []
    # The report was finished before the output was begun: it is the whole new one.
    lines = report.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 15_000
    assert {json.loads(line)["status"] for line in lines} == {"ok"}


# ---------------------------------------------------------------- full disk, read-only


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    return write_feed(tmp_path / "feed.xml", 2_000)


@contextlib.contextmanager
def small_tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path``; skips the test if it cannot be mounted."""
    path.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_full_disk_exits_5_and_keeps_the_previous_file(tmp_path: Path, feed: Path) -> None:
    with small_tmpfs(tmp_path / "disk", "64k") as disk:
        output = disk / "refs.bib"
        output.write_bytes(PREVIOUS_OUTPUT)
        result = run(feed, "-o", output)
        assert result.returncode == 5
        line = one_line_error(result.stderr)
        assert line == f"doi-extract: error: cannot write {output}: No space left on device"
        assert output.read_bytes() == PREVIOUS_OUTPUT
        assert temporaries(disk) == []


def test_full_disk_simulated_in_process(
    tmp_path: Path, feed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where no tmpfs can be mounted: the disk fills while the temporary file is synced."""
    output = tmp_path / "refs.bib"
    output.write_bytes(PREVIOUS_OUTPUT)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    assert cli.main([str(feed), "--offline", "-o", str(output)]) == 5
    err = capsys.readouterr().err
    assert err == f"doi-extract: error: cannot write {output}: No space left on device\n"
    assert output.read_bytes() == PREVIOUS_OUTPUT
    assert temporaries(tmp_path) == []


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` refuse new files: chmod for a user, the immutable flag for root."""
    if os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)
        return
    chattr = shutil.which("chattr")
    flagged = chattr and subprocess.run([chattr, "+i", str(folder)], check=False).returncode == 0
    if not flagged:
        pytest.skip("root ignores permissions and chattr +i is not available here")
    try:
        yield
    finally:
        subprocess.run([str(chattr), "-i", str(folder)], check=True)


def test_read_only_folder_exits_5_and_keeps_the_previous_file(tmp_path: Path, feed: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    output = folder / "refs.bib"
    output.write_bytes(PREVIOUS_OUTPUT)
    with read_only(folder):
        result = run(feed, "-o", output)
    assert result.returncode == 5
    line = one_line_error(result.stderr)
    assert line.startswith(f"doi-extract: error: cannot write {output}: ")
    assert output.read_bytes() == PREVIOUS_OUTPUT
    assert temporaries(folder) == []


def test_read_only_folder_simulated_in_process(
    tmp_path: Path, feed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "refs.bib"
    output.write_bytes(PREVIOUS_OUTPUT)

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    assert cli.main([str(feed), "--offline", "-o", str(output)]) == 5
    assert capsys.readouterr().err == (
        f"doi-extract: error: cannot write {output}: Permission denied\n"
    )
    assert output.read_bytes() == PREVIOUS_OUTPUT


def test_named_pipe_as_output_is_written_into_not_replaced(tmp_path: Path, feed: Path) -> None:
    """A rename over a FIFO (or /dev/null, for root) would replace it with a plain file."""
    fifo = tmp_path / "refs.bib"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run(feed, "-o", fifo)
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert fifo.is_fifo()
    assert received[0].count(b"@article{") + received[0].count(b"@misc{") == 2_000


# ---------------------------------------------------------------- -o naming an input


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def watched_url() -> Iterator[tuple[str, list[str]]]:
    """A URL on 127.0.0.1 whose server records every request."""
    hits: list[str] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml", hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("how", ["file", "directory", "report"])
def test_output_naming_an_input_is_refused_before_any_work(
    tmp_path: Path, watched_url: tuple[str, list[str]], how: str
) -> None:
    url, hits = watched_url
    folder = tmp_path / "feeds"
    folder.mkdir()
    target = write_feed(folder / "today.xml", 3)
    original = target.read_bytes()
    given = folder if how == "directory" else target
    option = "--report" if how == "report" else "-o"
    extra = ("-o", tmp_path / "refs.bib") if how == "report" else ("-f", "bibtex")
    # The URL comes first: had any input been read, the server would have seen it.
    result = run(url, given, option, target, *extra)
    assert result.returncode == 2
    assert one_line_error(result.stderr) == (
        f"doi-extract: error: {target} is also an input; refusing to overwrite it"
    )
    assert target.read_bytes() == original
    assert hits == []
    assert not (tmp_path / "refs.bib").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["today.xml"]


def test_loopback_server_sees_a_real_run(
    watched_url: tuple[str, list[str]], tmp_path: Path
) -> None:
    """The watched URL does record requests, so the refusal above is meaningful."""
    url, hits = watched_url
    result = run(url, "-o", tmp_path / "refs.bib")
    assert result.returncode == 4
    assert hits == ["/feed.xml"]
