"""Fuzz the DOI grammar: find_dois, normalise_doi, display_doi and find_arxiv on any string.

Input: a FuzzedDataProvider string. Checked: every DOI found is valid, lower-case, its
own normal form (idempotence), and is what ``normalise_doi`` makes of its span;
``normalise_doi`` of any string is None or a valid DOI that normalises to itself. Every
arXiv DOI found is a valid DOI, found again in its own span, and only in a text that
``mentions_arxiv`` lets through.

    .venv/bin/python benchmarks/fuzz/fuzz_doi.py /tmp/fuzz/doi /tmp/fuzz/seed/doi \
        -dict=benchmarks/fuzz/doi.dict -timeout=10 -rss_limit_mb=2048 -max_total_time=300
"""

from __future__ import annotations

import sys

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports(include=["doi_extract"]):
    from doi_extract.doi import (
        display_doi,
        find_arxiv,
        find_dois,
        find_page_dois,
        is_valid_doi,
        mentions_arxiv,
        normalise_doi,
    )


def run(data: bytes) -> None:
    """Check the DOI functions' promises on one fuzzed string."""
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    for found in find_dois(text):
        assert is_valid_doi(found.doi), found
        assert found.doi == found.as_printed.lower(), found
        assert normalise_doi(found.doi) == found.doi, found
        assert normalise_doi(found.as_printed) == found.doi, found
        assert 0 <= found.start < found.end <= len(text), found
        assert normalise_doi(text[found.start : found.end]) == found.doi, found
    for found in find_arxiv(text):
        assert mentions_arxiv(text), found
        assert is_valid_doi(found.as_printed) and found.doi == found.as_printed.lower(), found
        assert [m.doi for m in find_arxiv(text[found.start : found.end])] == [found.doi], found
    for found in find_page_dois(text):
        assert is_valid_doi(found.as_printed) and found.doi == found.as_printed.lower(), found
        assert [m.doi for m in find_page_dois(text[found.start : found.end])] == [found.doi], found
    normal = normalise_doi(text)
    if normal is not None:
        assert is_valid_doi(normal), normal
        assert normal == normal.lower(), normal
        assert normalise_doi(normal) == normal, normal
        printed = display_doi(text)
        assert printed is not None and printed.lower() == normal, (printed, normal)


def main() -> None:
    atheris.Setup(sys.argv, run)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
