"""Bibliographic matching against the fake Crossref: precision, recall, requests, decoys.

Every labelled reference in ``tests/data/crossref/match-references.jsonl`` is parsed with
`parse_reference` (as the pipeline does) and searched through `Resolver.match` against the
fake Crossref on 127.0.0.1 holding the fixtures (real records plus synthetic decoys). A
reference whose gold DOI is null must stay unmatched: it cites a work that is not in the
index, or one that the index holds twice. Run: ``.venv/bin/python benchmarks/match_eval.py``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from doi_extract.refparse import parse_reference  # noqa: E402
from doi_extract.resolve import Resolver, ResolverSettings, Verdict  # noqa: E402
from tests.fake_crossref import FIXTURES, FakeCrossref  # noqa: E402

LABELLED = FIXTURES / "match-references.jsonl"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One labelled reference and what the matcher made of it."""

    case: dict[str, Any]
    verdict: Verdict

    @property
    def found(self) -> str | None:
        """The DOI accepted, if any."""
        record = self.verdict.record
        return record.doi if self.verdict.accepted and record is not None else None

    @property
    def correct(self) -> bool:
        """Matched the gold DOI, or stayed unmatched when there is none."""
        return bool(self.found == self.case["doi"])


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcomes of one run, with the request counts."""

    outcomes: list[Outcome]
    requests: int
    searches: int
    seconds: float

    @property
    def matched(self) -> list[Outcome]:
        """Outcomes with a DOI accepted."""
        return [o for o in self.outcomes if o.found]

    @property
    def precision(self) -> float:
        """Accepted DOIs that are the gold DOI, over all accepted."""
        return sum(o.correct for o in self.matched) / len(self.matched) if self.matched else 1.0

    @property
    def recall(self) -> float:
        """References with a gold DOI in the index that got exactly that DOI."""
        gold = [o for o in self.outcomes if o.case["doi"]]
        return sum(o.correct for o in gold) / len(gold) if gold else 1.0


def load_cases(path: Path = LABELLED) -> list[dict[str, Any]]:
    """The labelled references, one JSON object a line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def evaluate(fake: FakeCrossref, cache: Path | None = None) -> Evaluation:
    """Search every labelled reference through a fresh Resolver against ``fake``."""
    cases = load_cases()
    references = [parse_reference(case["text"]) for case in cases]
    settings = ResolverSettings(
        mailto="eval@example.org",
        crossref_url=fake.crossref_url,
        doi_url=fake.doi_url,
        cache_path=cache,
        backoff_base_s=0.01,
    )
    started = time.perf_counter()
    with Resolver(settings) as resolver:
        verdicts = resolver.match(references)
        stats = resolver.stats
    seconds = time.perf_counter() - started
    outcomes = [Outcome(c, verdicts[r.identity]) for c, r in zip(cases, references, strict=True)]
    return Evaluation(outcomes, stats.requests, stats.searches, seconds)


def decoy_outcomes(evaluation: Evaluation) -> dict[str, Counter[str]]:
    """Per decoy kind: references exposed to it, and how many came out right or wrong."""
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for outcome in evaluation.outcomes:
        for kind in outcome.case.get("decoys", ()):
            kinds[kind]["references"] += 1
            kinds[kind]["correct" if outcome.correct else "wrong"] += 1
            if outcome.found and not outcome.correct:
                kinds[kind]["decoy accepted"] += 1
    return kinds


def main() -> None:
    """Print the evaluation (a cold run, then a warm run from the cache)."""
    with FakeCrossref.with_fixtures() as fake, tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "cache.sqlite3"
        cold = evaluate(fake, cache)
        warm = evaluate(fake, cache)
    gold = [o for o in cold.outcomes if o.case["doi"]]
    print(f"labelled references: {len(cold.outcomes)} ({len(gold)} with a DOI in the index)")
    print(f"matched: {len(cold.matched)}   unmatched: {len(cold.outcomes) - len(cold.matched)}")
    print(f"precision: {cold.precision:.3f}   recall: {cold.recall:.3f}")
    print(f"requests: {cold.requests} ({cold.searches} searches) in {cold.seconds:.2f} s")
    print(f"second run (cache): {warm.requests} requests, precision {warm.precision:.3f}")
    print("per style (correct / all):")
    styles: dict[str, Counter[str]] = defaultdict(Counter)
    for outcome in cold.outcomes:
        styles[outcome.case["style"]]["all"] += 1
        styles[outcome.case["style"]]["correct"] += outcome.correct
    for style, counts in sorted(styles.items()):
        print(f"  {style:13} {counts['correct']:3} / {counts['all']}")
    print("per decoy kind:")
    for kind, counts in sorted(decoy_outcomes(cold).items()):
        print(
            f"  {kind:26} references {counts['references']:2}  correct {counts['correct']:2}"
            f"  wrong {counts['wrong']}  decoy accepted {counts['decoy accepted']}"
        )
    for outcome in cold.outcomes:
        if not outcome.correct:
            kind = "WRONG DOI" if outcome.found else "missed"
            print(f"{kind}: {outcome.case['text'][:90]}")
            print(f"    found {outcome.found}, gold {outcome.case['doi']}")
            print(f"    {'; '.join(outcome.verdict.match.reasons)}")


if __name__ == "__main__":
    main()
