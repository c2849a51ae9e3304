"""Field-level accuracy and speed of `parse_reference` on the labelled reference strings.

    python benchmarks/parse_eval.py [--data tests/data/references] [--seconds 2] [--errors STYLE]

For each style file ``<style>.jsonl`` it prints per-field precision, recall and F1, then the
micro-average over all styles and the references parsed per second (one core, every string
parsed repeatedly for at least ``--seconds``). A field counts as correct when the parsed value
equals the expected one after normalisation: text fields are compared case-, whitespace- and
punctuation-folded, numbers exactly, families as an ordered list. A value parsed where none is
expected is a false positive; a wrong value is both a false positive and a false negative.
``--errors STYLE`` lists every wrong field for that style (``all`` for every style).
"""

from __future__ import annotations

import argparse
import json
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from doi_extract.model import Reference
from doi_extract.refparse import parse_reference

DATA = Path(__file__).parents[1] / "tests" / "data" / "references"
FIELDS = (
    "families",
    "et_al",
    "title",
    "container",
    "year",
    "volume",
    "issue",
    "pages",
    "article_number",
    "doi",
    "url",
)
TEXT_FIELDS = frozenset({"title", "container"})


@dataclass
class Counts:
    """True positives, false positives and false negatives for one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    """Per-field counts for a set of references, plus the wrong fields seen."""

    fields: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    errors: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    """(text, field, expected, parsed) for every field that was not right."""

    def add(self, other: Score) -> None:
        for name, counts in other.fields.items():
            self.fields[name].add(counts)
        self.errors.extend(other.errors)

    @property
    def total(self) -> Counts:
        """All fields pooled (the micro-average)."""
        total = Counts()
        for counts in self.fields.values():
            total.add(counts)
        return total


def load(directory: Path = DATA) -> dict[str, list[dict[str, Any]]]:
    """The labelled cases per style, from every ``<style>.jsonl`` in ``directory``."""
    cases: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.jsonl")):
        if path.stem == "hand":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        cases[path.stem] = [json.loads(line) for line in lines if line.strip()]
    return cases


def observed(reference: Reference) -> dict[str, Any]:
    """The parsed fields, named and shaped as in the data files."""
    return {
        "families": [p.family or p.literal for p in reference.authors],
        "et_al": reference.et_al,
        "title": reference.title,
        "container": reference.container_title,
        "year": reference.year,
        "volume": reference.volume,
        "issue": reference.issue,
        "pages": reference.pages,
        "article_number": reference.article_number,
        "doi": reference.doi,
        "url": reference.url,
    }


def fold(text: str) -> str:
    """Case-, accent-insensitive text without punctuation or repeated spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = (c if c.isalnum() else " " for c in text)
    return " ".join("".join(kept).split())


def _present(value: Any) -> bool:
    return value not in (None, "", [], False)


def _same(name: str, expected: Any, parsed: Any) -> bool:
    if name in TEXT_FIELDS:
        return fold(str(expected)) == fold(str(parsed))
    return bool(expected == parsed)


def score(cases: Iterable[dict[str, Any]], parse: Callable[[str], Reference]) -> Score:
    """Compare ``parse`` on every case with the expected fields."""
    result = Score()
    for case in cases:
        got = observed(parse(case["text"]))
        for name in FIELDS:
            want, have = case["expected"].get(name), got[name]
            counts = result.fields[name]
            if _present(have) and _present(want) and _same(name, want, have):
                counts.tp += 1
                continue
            if _present(have):
                counts.fp += 1
            if _present(want):
                counts.fn += 1
            if _present(have) or _present(want):
                result.errors.append((case["text"], name, want, have))
    return result


def evaluate(directory: Path = DATA) -> tuple[dict[str, Score], Score]:
    """Scores per style and pooled over all styles."""
    per_style = {style: score(cases, parse_reference) for style, cases in load(directory).items()}
    overall = Score()
    for style_score in per_style.values():
        overall.add(style_score)
    return per_style, overall


def throughput(texts: list[str], seconds: float = 2.0) -> float:
    """References parsed per second, parsing ``texts`` over and over for ``seconds``."""
    done = 0
    start = time.perf_counter()
    while True:
        for text in texts:
            parse_reference(text)
        done += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def _table(name: str, result: Score) -> str:
    rows = [f"{name}  (micro F1 {result.total.f1:.3f})"]
    rows.append(f"  {'field':<15} {'P':>6} {'R':>6} {'F1':>6}  {'tp':>4} {'fp':>4} {'fn':>4}")
    for field_name, c in result.fields.items():
        rows.append(
            f"  {field_name:<15} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}  "
            f"{c.tp:4d} {c.fp:4d} {c.fn:4d}"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--errors", metavar="STYLE")
    args = parser.parse_args()
    per_style, overall = evaluate(args.data)
    for style, result in per_style.items():
        print(_table(style, result), end="\n\n")
    print(_table("ALL STYLES", overall), end="\n\n")
    print(f"{'style':<14} {'refs':>5} {'micro F1':>9}")
    for style, result in per_style.items():
        count = len(load(args.data)[style])
        print(f"{style:<14} {count:5d} {result.total.f1:9.3f}")
    print(f"{'all':<14} {sum(len(c) for c in load(args.data).values()):5d} {overall.total.f1:9.3f}")
    texts = [case["text"] for cases in load(args.data).values() for case in cases]
    print(f"\nthroughput: {throughput(texts, args.seconds):,.0f} references/s (one core)")
    if args.errors:
        for style, result in per_style.items():
            if args.errors in (style, "all"):
                for text, name, want, have in result.errors:
                    print(f"\n[{style}] {name}: expected {want!r}, parsed {have!r}\n  {text}")


if __name__ == "__main__":
    main()
