"""Compile doi-extract's bytecode before timing it, as installing it does.

pip writes ``.pyc`` files when it installs a package. A source tree run with
``PYTHONDONTWRITEBYTECODE`` set (as CI and some shells do) has none, and every timed
process would compile the whole package again first: about 40 ms of start-up that no
installed copy pays.
"""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_package(tree: Path) -> None:
    """Write the ``.pyc`` files of ``tree/doi_extract`` (kept out of git by .gitignore)."""
    if not compileall.compile_dir(tree / "doi_extract", quiet=1):
        raise SystemExit(f"could not compile {tree / 'doi_extract'}")
