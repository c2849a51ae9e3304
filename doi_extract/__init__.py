"""doi-extract: DOIs and cited works from RSS/Atom feeds to BibTeX, RIS and CSL-JSON.

The stages are usable one by one::

    from doi_extract import expand_inputs, read_source, extract, parse_reference, make_writer

or as a whole, as the command line runs them::

    from doi_extract import Settings, run
    report = run(Settings(inputs=("feed.xml",), output="refs.bib"))
"""

import logging

from doi_extract._version import __version__
from doi_extract.doi import find_dois, normalise_doi
from doi_extract.errors import DoiExtractError, InputError, OutputError, UsageError
from doi_extract.extract import extract
from doi_extract.feeds import ReadLimits, Source, SourceKind, expand_inputs, read_bytes, read_source
from doi_extract.model import (
    Extraction,
    FeedItem,
    ItemReport,
    ItemStatus,
    Person,
    Problem,
    Provenance,
    Reference,
    Span,
    Status,
    WorkType,
    merge,
)
from doi_extract.pipeline import RunReport, Settings, collect, run
from doi_extract.refparse import parse_reference
from doi_extract.writers import FORMATS, format_for_path, make_writer

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "FORMATS",
    "DoiExtractError",
    "Extraction",
    "FeedItem",
    "InputError",
    "ItemReport",
    "ItemStatus",
    "OutputError",
    "Person",
    "Problem",
    "Provenance",
    "ReadLimits",
    "Reference",
    "RunReport",
    "Settings",
    "Source",
    "SourceKind",
    "Span",
    "Status",
    "UsageError",
    "WorkType",
    "__version__",
    "collect",
    "expand_inputs",
    "extract",
    "find_dois",
    "format_for_path",
    "make_writer",
    "merge",
    "normalise_doi",
    "parse_reference",
    "read_bytes",
    "read_source",
    "run",
]
