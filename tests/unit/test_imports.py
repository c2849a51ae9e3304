"""The dependency rule: stages know the model and their helpers, never each other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "doi_extract"

# Which package modules each module may import. Only the pipeline knows the stage order;
# only the CLI knows argv and exit codes.
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "errors": set(),
    "_version": set(),
    "doi": set(),
    "_html": set(),
    "_encoding": set(),
    "_workers": set(),
    "feeds": {"model", "errors", "_encoding", "_version"},
    "extract": {"model", "doi", "_html"},
    "refparse": {"model", "doi"},
    "keys": {"model"},
    "writers": {"model", "errors", "keys"},
    "fileio": {"errors"},
    "pipeline": {
        "model",
        "errors",
        "fileio",
        "feeds",
        "extract",
        "refparse",
        "resolve",
        "writers",
        "keys",
        "doi",
        "_workers",
    },
    "resolve": {"model", "errors", "doi", "_version", "_html"},
    "cli": {"pipeline", "errors", "writers", "resolve", "_version", "_workers"},
}


def _local_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "doi_extract" and len(parts) > 1:
                found.add(parts[1])
    return found


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name not in ("__init__.py", "__main__.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_what_its_stage_may(path: Path) -> None:
    name = _module_name(path)
    assert name in ALLOWED, f"{name} has no entry in the dependency rule"
    imported = _local_imports(path) - {name}
    assert imported <= ALLOWED[name], f"{name} imports {sorted(imported - ALLOWED[name])}"


def test_an_offline_run_from_files_imports_only_what_it_uses(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(
        "<rss><channel><item><title>t</title><description>doi:10.1038/nature14539"
        "</description></item></channel></rss>",
        encoding="utf-8",
    )
    child = (
        "import sys\n"
        "from doi_extract import cli\n"
        f"code = cli.main([{str(feed)!r}, '--offline', '-q', '-o', {str(tmp_path / 'o.bib')!r}])\n"
        "unused = ('habanero', 'requests', 'tqdm')\n"
        "print(code, *(name in sys.modules for name in unused))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, check=True, timeout=60
    )
    # No HTTP client offline, no progress bar off a terminal.
    assert result.stdout.split() == ["0", "False", "False", "False"]
