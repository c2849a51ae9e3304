"""doi-extract's resolver against a naive habanero loop, on the fake Crossref.

    python benchmarks/resolve.py [--dois 1000] [--latency-ms 50]

Starts the test suite's fake Crossref (tests/fake_crossref.py) on 127.0.0.1 holding N
generated records (10.5555/bench.0000001…), answering after ``--latency-ms`` and enforcing
the polite pool's limits (10 requests a second, 3 at once; 429 beyond them). Then, each
against a fresh fake:

(a) doi-extract's `Resolver` (no cache) resolves the N DOIs; every one must be found;
(b) the naive loop: habanero's ``Crossref.works(ids=doi)`` once per DOI, one after the
    other; an exception (a 429 from the enforced limit, say) is a failed lookup.

For each it prints the requests the server saw, the wall time, the DOIs resolved, the most
requests in flight at once, the most requests in any 1 s window and the 429s served, then
the ratios naive/ours. The naive loop is slow on purpose (at 50 ms a request, 1,000 DOIs
take more than 50 s): that is the comparison. Use ``--dois 100`` for a quick run.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from habanero import Crossref  # type: ignore[import-untyped]

from doi_extract.resolve import Outcome, Resolver, ResolverSettings
from tests.fake_crossref import FakeCrossref, max_in_flight, max_in_window

MAILTO = "bench@example.org"


@dataclass(frozen=True)
class Measure:
    name: str
    requests: int
    seconds: float
    resolved: int
    failed: int
    in_flight: int
    per_second: int
    refused: int


def generated_works(count: int) -> list[dict[str, Any]]:
    """``count`` Crossref records shaped like journal articles, DOIs 10.5555/bench.NNNNNNN."""
    return [
        {
            "DOI": f"10.5555/bench.{n:07d}",
            "type": "journal-article",
            "title": [f"Benchmark work number {n}"],
            "author": [
                {"given": "Ada", "family": f"Author{n}", "sequence": "first", "affiliation": []},
                {"given": "Bo", "family": "Second", "sequence": "additional", "affiliation": []},
            ],
            "container-title": ["Journal of Benchmarks"],
            "ISSN": ["0000-0019"],
            "publisher": "Benchmark Press",
            "issued": {"date-parts": [[2000 + n % 26, 1 + n % 12]]},
            "volume": str(1 + n % 40),
            "page": f"{n % 900 + 1}-{n % 900 + 9}",
            "URL": f"https://doi.org/10.5555/bench.{n:07d}",
            "member": "0",
            "prefix": "10.5555",
        }
        for n in range(1, count + 1)
    ]


def fake_server(works: list[dict[str, Any]], latency_s: float) -> FakeCrossref:
    """A fake with the polite pool's limits enforced (10 requests a second, 3 at once)."""
    return FakeCrossref(
        works=works, rate_limit=10, interval_s=1, concurrency=3,
        enforce_limits=True, latency_s=latency_s,
    )  # fmt: skip


def measure(name: str, fake: FakeCrossref, seconds: float, resolved: int, failed: int) -> Measure:
    """What the fake's log says about one run."""
    crossref = [r for r in fake.log if r.route != "cn" and r.route != "doiRA"]
    return Measure(
        name,
        requests=len(fake.log),
        seconds=seconds,
        resolved=resolved,
        failed=failed,
        in_flight=max_in_flight(crossref),
        per_second=max_in_window(crossref, 1.0),
        refused=sum(1 for r in fake.log if r.status == 429),
    )


def run_ours(works: list[dict[str, Any]], dois: list[str], latency_s: float) -> Measure:
    """doi-extract's Resolver, without a cache."""
    with fake_server(works, latency_s) as fake:
        settings = ResolverSettings(
            mailto=MAILTO,
            crossref_url=fake.crossref_url,
            doi_url=fake.doi_url,
            cache_path=None,
            deadline_s=600,
        )
        started = time.perf_counter()
        with Resolver(settings) as resolver:
            results = resolver.resolve(dois)
        seconds = time.perf_counter() - started
        found = sum(1 for r in results.values() if r.outcome is Outcome.FOUND)
        missing = [doi for doi in dois if results[doi].outcome is not Outcome.FOUND]
        if missing:
            raise SystemExit(f"the resolver did not find {len(missing)} DOIs, e.g. {missing[0]}")
        return measure("doi-extract", fake, seconds, found, len(dois) - found)


def run_naive(works: list[dict[str, Any]], dois: list[str], latency_s: float) -> Measure:
    """One habanero ``works(ids=doi)`` call per DOI, in a plain loop."""
    with fake_server(works, latency_s) as fake:
        client = Crossref(base_url=fake.crossref_url, mailto=MAILTO)
        found = failed = 0
        started = time.perf_counter()
        for doi in dois:
            try:
                record = client.works(ids=doi)
            except Exception:  # any failure is a failed lookup here
                failed += 1
                continue
            if record["message"]["DOI"].lower() == doi:
                found += 1
            else:
                failed += 1
        seconds = time.perf_counter() - started
        return measure("habanero loop", fake, seconds, found, failed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dois", type=int, default=1000, help="how many DOIs (default 1000)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="server latency")
    args = parser.parse_args(argv)
    works = generated_works(args.dois)
    dois = [work["DOI"] for work in works]
    latency_s = args.latency_ms / 1000

    print(f"{args.dois} DOIs, {args.latency_ms:g} ms latency, limits 10 requests/s and 3 at once")
    results = [run_ours(works, dois, latency_s), run_naive(works, dois, latency_s)]
    print(
        f"{'':14} {'requests':>9} {'seconds':>8} {'resolved':>9} {'failed':>7}"
        f" {'max in flight':>14} {'max per 1 s':>12} {'429s':>6}"
    )
    for m in results:
        print(
            f"{m.name:14} {m.requests:9d} {m.seconds:8.2f} {m.resolved:9d} {m.failed:7d}"
            f" {m.in_flight:14d} {m.per_second:12d} {m.refused:6d}"
        )
    ours, naive = results
    print(
        f"naive/ours: {naive.requests / ours.requests:.1f}x the requests,"
        f" {naive.seconds / ours.seconds:.1f}x the time"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
