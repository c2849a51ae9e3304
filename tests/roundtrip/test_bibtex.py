"""Real BibTeX (and biber, pdflatex) read our .bib files without a single error."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import regex

from doi_extract.keys import keyed
from doi_extract.writers import make_writer
from tests.roundtrip._works import STRESS, WORKS

ALL = WORKS + STRESS
BIBTEX = shutil.which("bibtex")
KPSEWHICH = shutil.which("kpsewhich")
# Warnings about fields a record lacks are expected ("empty year in Doe2020",
# "to sort, need author or key in anonnd"); any other warning is about our syntax.
_MISSING_FIELD = regex.compile(
    r"Warning--(?:empty \w+ in |to sort, need \w+ or key in |there's a number but no series in )"
)
_ERROR_COUNT = regex.compile(r"\(There (?:were|was) (\d+) error messages?\)")


def _style_available(style: str) -> bool:
    if not KPSEWHICH:
        return False
    found = subprocess.run(
        [KPSEWHICH, f"{style}.bst"], capture_output=True, text=True, check=False, timeout=60
    )
    return bool(found.stdout.strip())


def _bib(tmp_path: Path, fmt: str, *, ascii: bool) -> Path:
    out = io.StringIO()
    make_writer(fmt, ascii=ascii).write(ALL, out)
    path = tmp_path / "refs.bib"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _run_bibtex(tmp_path: Path, style: str) -> str:
    assert BIBTEX
    (tmp_path / "doc.aux").write_text(
        f"\\relax\n\\citation{{*}}\n\\bibdata{{refs}}\n\\bibstyle{{{style}}}\n", encoding="ascii"
    )
    subprocess.run([BIBTEX, "doc"], cwd=tmp_path, capture_output=True, check=False, timeout=120)
    return (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")


@pytest.mark.skipif(BIBTEX is None, reason="bibtex is not installed")
@pytest.mark.parametrize("style", ["plain", "plainnat"])
@pytest.mark.parametrize("ascii", [False, True], ids=["utf8", "ascii"])
def test_bibtex_reads_every_entry_without_errors(tmp_path: Path, style: str, ascii: bool) -> None:
    if not _style_available(style):
        pytest.skip(f"{style}.bst is not installed")
    bib = _bib(tmp_path, "bibtex", ascii=ascii)
    if ascii:
        assert bib.read_text(encoding="utf-8").isascii()
    log = _run_bibtex(tmp_path, style)
    errors = _ERROR_COUNT.search(log)
    assert errors is None or errors[1] == "0", log
    assert "---line" not in log, log
    warnings = [line for line in log.splitlines() if line.startswith("Warning--")]
    assert [line for line in warnings if not _MISSING_FIELD.match(line)] == []
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    assert bbl.count("\\bibitem") == len(ALL)
    for key, _ in keyed(ALL):
        assert f"{{{key}}}" in bbl


@pytest.mark.skipif(
    BIBTEX is None or shutil.which("pdflatex") is None, reason="bibtex or pdflatex missing"
)
def test_pdflatex_typesets_the_ascii_bibliography(tmp_path: Path) -> None:
    if not _style_available("plainnat"):
        pytest.skip("plainnat.bst is not installed")
    _bib(tmp_path, "bibtex", ascii=True)
    _run_bibtex(tmp_path, "plainnat")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
        "\\usepackage{textcomp}\n\\usepackage[numbers]{natbib}\n\\usepackage{url}\n"
        "\\begin{document}\n\\nocite{*}\n\\bibliographystyle{plainnat}\n"
        "\\bibliography{refs}\n\\end{document}\n",
        encoding="ascii",
    )
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        timeout=180,
    )
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log[-3000:]
    assert [line for line in log.splitlines() if line.startswith("!")] == []


@pytest.mark.skipif(shutil.which("biber") is None, reason="biber is not installed")
@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_biber_parses_without_errors(tmp_path: Path, fmt: str) -> None:
    bib = _bib(tmp_path, fmt, ascii=False)
    run = subprocess.run(
        ["biber", "--tool", "--quiet", "--output-file", str(tmp_path / "out.bib"), str(bib)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ERROR" not in run.stdout + run.stderr
    written = (tmp_path / "out.bib").read_text(encoding="utf-8")
    for key, _ in keyed(ALL):
        assert f"{{{key}," in written
