"""JSONL writer: one JSON object per work and line, with where each work was found.

Each line holds the CSL-JSON fields of `csljson.csl_item` (empty ones left out), then always:

- ``"et-al"``: whether the author list was cut short;
- ``"status"``: ``parsed``, ``resolved`` or ``unresolved``;
- ``"registry"``: ``crossref``, ``datacite``… when resolved, else null;
- ``"how"``: ``printed``, ``matched`` or ``unmatched``, and ``"score"`` and ``"reasons"``:
  the bibliographic search's validation, for references printed without a DOI;
- ``"raw"``: the reference string, or null;
- ``"provenance"``: one object per citing item with the keys
  ``source, item, guid, link, field, label, span`` (``span`` is ``[start, end]`` or null).

Keys come in this fixed order, so output diffs cleanly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from doi_extract.keys import keyed
from doi_extract.model import Provenance, Reference
from doi_extract.writers.csljson import csl_item

# JSON leaves these unescaped, yet str.splitlines() and some JSONL readers end a line there.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def provenance_json(provenance: Provenance) -> dict[str, Any]:
    """One provenance record as a JSON-ready dict, every key present."""
    span = provenance.span
    return {
        "source": provenance.source,
        "item": provenance.item,
        "guid": provenance.guid,
        "link": provenance.link,
        "field": provenance.field,
        "label": provenance.label,
        "span": [span.start, span.end] if span else None,
    }


def jsonl_record(key: str, work: Reference) -> dict[str, Any]:
    """The JSONL object for one work: its CSL item plus et-al, status, raw and provenance."""
    return {
        **csl_item(key, work),
        "et-al": work.et_al,
        "status": str(work.status),
        "registry": work.registry,
        "how": str(work.how),
        "score": work.match.score if work.match else None,
        "reasons": list(work.match.reasons) if work.match else [],
        "raw": work.raw,
        "provenance": [provenance_json(p) for p in work.provenance],
    }


class JsonLinesWriter:
    """Writes one JSON object per work and line, in citation-key order."""

    name: str = "jsonl"
    extensions: tuple[str, ...] = (".jsonl",)
    uses_provenance: bool = True

    def __init__(self, *, ascii: bool = False) -> None:
        """Set up the writer; ``ascii`` escapes every non-ASCII character."""
        self.ascii = ascii

    def write(self, works: Sequence[Reference], out: TextIO) -> None:
        """Write ``works`` to ``out``, one line each."""
        for key, work in keyed(works):
            line = json.dumps(jsonl_record(key, work), ensure_ascii=self.ascii)
            out.write(line.translate(_LINE_BREAKS))
            out.write("\n")
