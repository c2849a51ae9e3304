"""Atomic output: a file is either the complete previous version or the complete new one.

Text goes to a temporary file in the target's own folder (so the final rename never
crosses a file system), is flushed and synced, then renamed over the target. ``-``
means standard output, which is written directly, as are devices and named pipes
(``/dev/null``, a FIFO), which a rename would replace.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from doi_extract.errors import OutputError

STDOUT = "-"
TEMP_PREFIX = ".doi-extract-"


@contextlib.contextmanager
def atomic_write(target: str) -> Iterator[TextIO]:
    """Open ``target`` for writing UTF-8 text; it appears only when the block succeeds.

    Raises OutputError (one line, naming the file) when the folder is not writable, the
    disk is full or the rename fails; the previous file, if any, is then left untouched.
    If the block raises (including KeyboardInterrupt), the temporary file is removed.
    """
    if target == STDOUT:
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(target)
    if _is_special(path):
        # A device or a named pipe (/dev/null, a FIFO): a rename would replace it.
        try:
            with path.open("w", encoding="utf-8", newline="\n") as out:
                yield out
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
        return
    temp = _create_temp(path)
    try:
        with temp.open("w", encoding="utf-8", newline="\n") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        temp.chmod(_mode_for(path))
        temp.replace(path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _is_special(path: Path) -> bool:
    """True if ``path`` exists and is neither a regular file nor a directory."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _create_temp(path: Path) -> Path:
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    try:
        handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    os.close(handle)
    return Path(name)


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
