"""Atomic output: the target is the old file or the whole new one, never half of either."""

from __future__ import annotations

from pathlib import Path

import pytest

from doi_extract.errors import OutputError
from doi_extract.fileio import TEMP_PREFIX, atomic_write


def test_writes_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    with atomic_write(str(target)) as out:
        out.write("@misc{a}\n")
    assert target.read_text(encoding="utf-8") == "@misc{a}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]


def test_failure_inside_the_block_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_write(str(target)) as out:
        out.write("half of the new")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "refs.ris"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    with atomic_write(str(target)) as out:
        out.write("new\n")
    assert target.stat().st_mode & 0o777 == 0o640


def test_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with (
        pytest.raises(OutputError, match="cannot write"),
        atomic_write(str(tmp_path / "no" / "such" / "refs.bib")),
    ):
        pass


def test_directory_as_target_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"), atomic_write(str(tmp_path)):
        pass


def test_unwritable_folder_is_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulated: the suite may run as root, who can write into a mode-0500 folder.
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    target = tmp_path / "refs.bib"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(OutputError, match="Permission denied"), atomic_write(str(target)):
        pass
    assert target.read_text(encoding="utf-8") == "old\n"


def test_full_disk_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("old\n", encoding="utf-8")
    # A write error surfacing at flush time is what a full disk looks like to Python.
    with pytest.raises(OutputError, match="No space left"), atomic_write(str(target)) as out:
        out.write("x" * 10)
        out.flush = _raise_enospc  # type: ignore[method-assign]
    assert target.read_text(encoding="utf-8") == "old\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


def _raise_enospc() -> None:
    raise OSError(28, "No space left on device")


def test_dash_means_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with atomic_write("-") as out:
        out.write("to stdout\n")
    assert capsys.readouterr().out == "to stdout\n"
