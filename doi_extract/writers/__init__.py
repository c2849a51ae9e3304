"""Output formats: BibTeX, biblatex, RIS, CSL-JSON and JSONL writers and their registry."""

from doi_extract.writers.base import FORMATS, Writer, WriterFactory, format_for_path, make_writer

__all__ = ["FORMATS", "Writer", "WriterFactory", "format_for_path", "make_writer"]
