"""What every fuzz harness checks once it has records: each writer must write them sanely.

A writer may not raise, and its output must be what the format promises: text a UTF-8
file can hold (``fileio`` writes UTF-8, strictly), pure ASCII when ``ascii=True`` (RIS
refuses that option: it is always UTF-8),
JSON that parses (CSL-JSON, JSON Lines: one record per work), and BibTeX that
bibtexparser reads back as one entry per work with no failed blocks.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

from bibtexparser.entrypoint import parse_string

from doi_extract.model import Reference
from doi_extract.writers import FORMATS, make_writer


def check_writers(works: Sequence[Reference], *, ascii: bool) -> None:
    """Write ``works`` in every format; raise AssertionError on output a reader would reject."""
    for fmt in FORMATS:
        if ascii and fmt == "ris":
            continue
        out = io.StringIO()
        make_writer(fmt, ascii=ascii).write(works, out)
        text = out.getvalue()
        text.encode("utf-8")  # a lone surrogate would fail here, as in atomic_write
        if ascii:
            assert text.isascii(), f"{fmt} ascii=True wrote non-ASCII: {_first_non_ascii(text)!r}"
        if fmt == "csljson":
            assert len(json.loads(text)) == len(works), "csljson: wrong record count"
        elif fmt == "jsonl":
            lines = [json.loads(line) for line in text.splitlines()]
            assert len(lines) == len(works), "jsonl: wrong record count"
        elif fmt in ("bibtex", "biblatex"):
            _check_bibtex(fmt, text, len(works))


def _check_bibtex(fmt: str, text: str, expected: int) -> None:
    library = parse_string(text)
    assert not library.failed_blocks, f"{fmt}: bibtexparser failed on {library.failed_blocks[0]}"
    assert len(library.entries) == expected, (
        f"{fmt}: bibtexparser read {len(library.entries)} entries, expected {expected}"
    )


def _first_non_ascii(text: str) -> str:
    index = next(i for i, char in enumerate(text) if not char.isascii())
    return text[max(0, index - 20) : index + 20]
