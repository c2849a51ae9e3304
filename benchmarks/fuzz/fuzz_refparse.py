"""Fuzz the reference parser and every writer with one reference string.

Input: a FuzzedDataProvider stream: one bool (``ascii`` for the writers), then a
Unicode string without surrogates (lxml never yields one). Any exception, or writer
output that `_oracle.check_writers` rejects, is a crash.

    .venv/bin/python benchmarks/fuzz/fuzz_refparse.py /tmp/fuzz/refparse /tmp/fuzz/seed/refparse \
        -timeout=10 -rss_limit_mb=2048 -max_total_time=600
"""

from __future__ import annotations

import sys

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports(include=["doi_extract"]):
    from _oracle import check_writers

    from doi_extract.model import Provenance, Reference, merge
    from doi_extract.refparse import parse_reference

_WHERE = Provenance(source="fuzz", item=0, field="description", label="References")


def run(data: bytes) -> None:
    """Parse one fuzzed reference string and write the record in every format."""
    provider = atheris.FuzzedDataProvider(data)
    ascii = provider.ConsumeBool()
    text = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
    parsed = parse_reference(text)
    assert parsed.raw == text, "parse_reference must keep the string it was given"
    # As the pipeline does: the extracted record (raw + provenance) gains the parsed fields.
    work = merge(Reference(raw=text, provenance=(_WHERE,)), parsed)
    check_writers([work], ascii=ascii)


def main() -> None:
    atheris.Setup(sys.argv, run)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
