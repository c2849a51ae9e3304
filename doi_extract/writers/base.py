"""The writer protocol and the registry of output formats.

Writers are pure: they turn records into text on a stream they are handed and never
open files themselves (`doi_extract.fileio` does that, atomically). Every writer emits
the works in `doi_extract.keys.keyed` order and uses those keys as record ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath
from types import MappingProxyType
from typing import Protocol, TextIO

from doi_extract.errors import UsageError
from doi_extract.model import Reference
from doi_extract.writers.bibtex import BiblatexWriter, BibtexWriter
from doi_extract.writers.csljson import CslJsonWriter
from doi_extract.writers.jsonl import JsonLinesWriter
from doi_extract.writers.ris import RisWriter


class Writer(Protocol):
    """Turns a sequence of works into one output document."""

    name: str
    """The format name, as given to ``--format``."""
    extensions: tuple[str, ...]
    """File name extensions (with the dot) this format is written to."""
    uses_provenance: bool
    """Whether the output shows every citing item; if not, callers may keep only the first."""

    def write(self, works: Sequence[Reference], out: TextIO) -> None:
        """Write ``works`` to ``out``, in citation-key order."""
        ...


class WriterFactory(Protocol):
    """Makes a writer; ``ascii`` asks for pure-ASCII output."""

    def __call__(self, *, ascii: bool = False) -> Writer:
        """Return a new writer."""
        ...


FORMATS: Mapping[str, WriterFactory] = MappingProxyType(
    {
        "bibtex": BibtexWriter,
        "biblatex": BiblatexWriter,
        "ris": RisWriter,
        "csljson": CslJsonWriter,
        "jsonl": JsonLinesWriter,
    }
)
"""Format name -> writer factory; the first format listing an extension owns it."""


def _extension_table() -> Mapping[str, str]:
    table: dict[str, str] = {}
    for name, factory in FORMATS.items():
        for extension in factory().extensions:
            table.setdefault(extension, name)
    return MappingProxyType(table)


_BY_EXTENSION = _extension_table()


def make_writer(fmt: str, *, ascii: bool = False) -> Writer:
    """The writer for format ``fmt``; a `UsageError` names the valid formats."""
    factory = FORMATS.get(fmt)
    if factory is None:
        raise UsageError(f"unknown output format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    return factory(ascii=ascii)


def format_for_path(path: str) -> str:
    """The format name for an output path, from its extension (case-insensitive)."""
    extension = PurePath(path).suffix.lower()
    if extension in _BY_EXTENSION:
        return _BY_EXTENSION[extension]
    valid = ", ".join(f"{ext} ({name})" for ext, name in sorted(_BY_EXTENSION.items()))
    if extension:
        problem = f"unknown output extension {extension!r} in {path!r}"
    else:
        problem = f"cannot tell the output format of {path!r}: it has no extension"
    raise UsageError(f"{problem}; valid extensions: {valid}; or name the format explicitly")
