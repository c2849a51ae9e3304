"""Build the seed corpora for the fuzz harnesses under a scratch directory.

Usage: python benchmarks/fuzz/make_corpus.py /tmp/fuzz/seed

Writes ``feed/`` (the project's sample feeds, the test feeds and ``seeds/``),
``refparse/`` (every reference string of tests/data/references, encoded as
fuzz_refparse.py's FuzzedDataProvider reads it) and ``doi/`` (the DOIs and URLs in
those strings, encoded the same way). Nothing here is committed twice: the files are
copied at run time.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import atheris  # type: ignore[import-untyped]

from doi_extract.doi import find_dois

ROOT = Path(__file__).resolve().parents[2]
FEEDS = [ROOT / "samples", ROOT / "tests" / "data" / "feeds", Path(__file__).parent / "seeds"]
REFERENCES = ROOT / "tests" / "data" / "references"


def encode(text: str) -> bytes:
    """The bytes from which ``FuzzedDataProvider.ConsumeUnicodeNoSurrogates`` reads ``text``."""
    if text.isascii():
        data = b"\x01" + text.encode("ascii")
    elif all(ord(char) < 0x10000 for char in text):
        data = b"\x02" + text.encode("utf-16-le")
    else:
        data = b"\x00" + text.encode("utf-32-le")
    assert atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data)) == text
    return data


def _save(directory: Path, data: bytes) -> None:
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    for name in ("feed", "refparse", "doi"):
        (out / name).mkdir(parents=True, exist_ok=True)
    for directory in FEEDS:
        for path in sorted(directory.rglob("*")):
            if path.suffix in {".xml", ".rdf", ".atom"}:
                shutil.copyfile(path, out / "feed" / f"{path.parent.name}-{path.name}")
    strings = [
        json.loads(line)["text"]
        for path in sorted(REFERENCES.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for text in strings:
        # fuzz_refparse.py reads one bool (ascii writers) first: both values are seeded.
        _save(out / "refparse", b"\x00" + encode(text))
        _save(out / "refparse", b"\x01" + encode(text))
        for found in find_dois(text):
            _save(out / "doi", encode(text[max(0, found.start - 20) : found.end + 5]))
    for name in ("feed", "refparse", "doi"):
        print(f"{name}: {sum(1 for _ in (out / name).iterdir())} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
