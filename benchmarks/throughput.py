"""Throughput of a whole doi-extract run next to the limit and the typical alternative.

    python benchmarks/throughput.py [--items 1000 10000 100000] [--shapes news toc]
                                    [--runs 3] [--skip feedparser] [--jobs N]
                                    [--workdir DIR] [--json numbers.json] [--tree DIR]

Four programs read the same generated feed, each as a whole child process (the wall time
runs from spawn to exit, so interpreter start-up and imports count; the peak RSS is what
the OS reports through ``os.wait4``):

- ``limit``: lxml ``iterparse`` over the items, cleared as it goes, and one compiled
  DOI pattern (Crossref's recommended one) over every text of the item; nothing else.
  No DOI tool can read a feed much faster than this.
- ``bib``: ``doi-extract FEED --offline -q -o out.bib``.
- ``jsonl``: the same, writing ``out.jsonl``.
- ``feedparser``: ``feedparser.parse`` and the same pattern over each entry's title,
  summary, contents and link: what one would write instead of using doi-extract.

Feeds (from ``_feedgen.py``): science news at 1k, 10k and 100k items and the ToC shape at
10k and 100k; ``--items`` runs every selected shape at the sizes given instead. Each feed
is generated once, into a temporary folder or ``--workdir`` (where a feed is reused while
its size and the generator are unchanged). With ``--runs N`` each program runs N times,
interleaved, and the fastest run is reported. The table gives seconds, items/s, MB/s and
peak RSS (MiB) per program, then doi-extract's items/s over the limit's (b/a) and over
feedparser's (b/d). The DOIs in out.bib must be exactly the planted ones: the script says
OK or shows the first differences, and exits 1 if any feed differs.

``--tree DIR`` runs doi-extract from another source tree (a folder holding ``doi_extract/``,
such as a copy of the old code) instead of this project's.

The peak RSS is that of the largest single process: when doi-extract runs worker
processes (``--jobs``), their memory comes on top of it. The JSON also gives each run's
CPU seconds, the workers' included.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bibtexparser.entrypoint import parse_file

sys.path.insert(0, str(Path(__file__).parent))
from _bytecode import compile_package
from _feedgen import write_feed

_ROOT = Path(__file__).resolve().parent.parent
_FEEDGEN = Path(__file__).resolve().parent / "_feedgen.py"
# Crossref's recommended pattern for modern DOIs: matches "10.1038/nature12373" and stops
# at '"' or "<"; it misses URL-encoded ones ("10.1038%2Fnature12373") and odd old DOIs.
DOI_PATTERN = r"10\.\d{4,9}/[-._;()/:A-Za-z0-9]+"
DEFAULT_FEEDS = (
    ("news", 1_000),
    ("news", 10_000),
    ("news", 100_000),
    ("toc", 10_000),
    ("toc", 100_000),
)
TOOLS = ("limit", "bib", "jsonl", "feedparser")
TITLES = {
    "limit": "a: limit (lxml + re)",
    "bib": "b: doi-extract .bib",
    "jsonl": "c: doi-extract .jsonl",
    "feedparser": "d: feedparser + re",
}

# Spawns the command (argv: stdout file, stderr file, command...) and prints its wall time,
# exit code, peak RSS, CPU time and the launcher's own peak RSS. It exists because Linux
# starts an exec'ed child's ru_maxrss at the peak RSS of the process it was forked from:
# measured straight from this script, every child would report at least this script's
# peak (70 MiB after checking a 10k-entry .bib), so a small fresh process spawns them.
_LAUNCHER = """
import os, sys, time

flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
files = [(os.POSIX_SPAWN_OPEN, 1, sys.argv[1], flags, 0o644)]
files.append((os.POSIX_SPAWN_OPEN, 2, sys.argv[2], flags, 0o644))
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[3], sys.argv[3:], os.environ, file_actions=files)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
try:  # the high-water mark of this process's own memory, which the child started from
    with open("/proc/self/status") as lines:
        own = next(int(line.split()[1]) for line in lines if line.startswith("VmHWM:"))
except OSError:  # no /proc: ru_maxrss, an upper bound
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cpu = usage.ru_utime + usage.ru_stime
print(seconds, os.waitstatus_to_exitcode(status), usage.ru_maxrss, cpu, own)
"""
# Child programs; argv: DOI pattern, feed path. Each prints "<items> <distinct DOIs>".
_LIMIT = """
import re, sys
from lxml import etree

doi = re.compile(sys.argv[1])
found = set()
items = 0
tags = ("item", "{http://purl.org/rss/1.0/}item")
for _, item in etree.iterparse(sys.argv[2], tag=tags, resolve_entities=False, no_network=True):
    items += 1
    for text in item.itertext():
        found.update(doi.findall(text))
    item.clear()
    while item.getprevious() is not None:
        del item.getparent()[0]
print(items, len(found))
"""
_FEEDPARSER = """
import re, sys
import feedparser

doi = re.compile(sys.argv[1])
found = set()
entries = feedparser.parse(sys.argv[2]).entries
for entry in entries:
    texts = [entry.get("title", ""), entry.get("summary", ""), entry.get("link", "")]
    texts += [content.value for content in entry.get("content", ())]
    for text in texts:
        found.update(doi.findall(text))
print(len(entries), len(found))
"""


@dataclass(frozen=True, slots=True)
class Feed:
    """One generated feed and the DOIs planted in it."""

    shape: str
    items: int
    path: Path
    size: int
    planted: frozenset[str]

    @property
    def name(self) -> str:
        """A short label such as ``news-10000``."""
        return f"{self.shape}-{self.items}"

    @property
    def megabytes(self) -> float:
        """The file size in MB (10^6 bytes)."""
        return self.size / 1e6


@dataclass(frozen=True, slots=True)
class Run:
    """One child process: wall time, peak RSS, CPU time and what it printed."""

    seconds: float
    peak_mib: float
    cpu_seconds: float
    code: int
    stdout: str
    floor_mib: float
    """The launcher's own peak RSS (VmHWM): no smaller peak can be reported."""


@dataclass(slots=True)
class Result:
    """All runs of one program on one feed."""

    tool: str
    runs: list[Run] = field(default_factory=list)

    @property
    def best(self) -> Run:
        """The fastest run."""
        return min(self.runs, key=lambda run: run.seconds)


def generator_digest() -> str:
    """A hash of ``_feedgen.py``, so a feed made by another version is not reused."""
    return hashlib.sha256(_FEEDGEN.read_bytes()).hexdigest()


def ensure_feed(folder: Path, shape: str, items: int, digest: str) -> Feed:
    """Generate the feed into ``folder``, or reuse the one there if it is still current."""
    path = folder / f"{shape}-{items}.xml"
    sidecar = folder / f"{shape}-{items}.json"
    if path.exists() and sidecar.exists():
        known = json.loads(sidecar.read_text(encoding="utf-8"))
        size = path.stat().st_size
        if known["size"] == size and known["generator"] == digest:
            return Feed(shape, items, path, size, frozenset(known["planted"]))
    planted = write_feed(path, shape, items)
    size = path.stat().st_size
    record = {"size": size, "generator": digest, "planted": sorted(planted)}
    sidecar.write_text(json.dumps(record), encoding="utf-8")
    return Feed(shape, items, path, size, frozenset(planted))


def warm(path: Path) -> None:
    """Read the file once so the first program measured does not pay for the disk."""
    with path.open("rb") as data:
        while data.read(1 << 24):
            pass


def command(tool: str, feed: Path, folder: Path, jobs: int | None) -> list[str]:
    """The argv that runs ``tool`` on ``feed``; outputs go into ``folder``."""
    if tool == "limit":
        return [sys.executable, "-c", _LIMIT, DOI_PATTERN, str(feed)]
    if tool == "feedparser":
        return [sys.executable, "-c", _FEEDPARSER, DOI_PATTERN, str(feed)]
    argv = [sys.executable, "-m", "doi_extract", str(feed), "--offline", "-q"]
    argv += ["-o", str(folder / f"out.{tool}")]
    if jobs is not None:
        argv += ["--jobs", str(jobs)]
    return argv


def measure(argv: Sequence[str], folder: Path, tree: Path) -> Run:
    """Run ``argv`` in ``tree`` through the launcher; raise SystemExit if it fails."""
    out, err = folder / "child.out", folder / "child.err"
    launcher = [sys.executable, "-c", _LAUNCHER, str(out), str(err), *argv]
    done = subprocess.run(launcher, cwd=tree, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"launcher failed:\n{done.stderr}")
    seconds, code, maxrss, cpu, floor = (float(number) for number in done.stdout.split())
    if code != 0:
        stderr = err.read_text(encoding="utf-8", errors="replace")
        raise SystemExit(f"{' '.join(argv[:3])}... exited {code:.0f}:\n{stderr}")
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    unit = 1 << 20 if sys.platform == "darwin" else 1 << 10
    stdout = out.read_text(encoding="utf-8", errors="replace").strip()
    return Run(seconds, maxrss / unit, cpu, int(code), stdout, floor / unit)


def check_bib(path: Path, planted: frozenset[str]) -> list[str]:
    """Differences between the DOIs in a BibTeX file and the planted ones (empty if none)."""
    library = parse_file(str(path))
    problems = [f"unparsed block at line {block.start_line}" for block in library.failed_blocks]
    dois: list[str] = []
    for entry in library.entries:
        found = entry.fields_dict.get("doi")
        if found is None:
            problems.append(f"entry {entry.key} has no doi")
        else:
            dois.append(str(found.value).lower())
    repeated = sorted(doi for doi, count in Counter(dois).items() if count > 1)
    missing, extra = sorted(planted - set(dois)), sorted(set(dois) - planted)
    for label, listed in (("repeated", repeated), ("missing", missing), ("extra", extra)):
        if listed:
            problems.append(f"{len(listed)} {label}: {', '.join(listed[:5])}")
    return problems


def per_second(feed: Feed, result: Result) -> tuple[float, float]:
    """Items/s and MB/s of a result's best run."""
    seconds = result.best.seconds
    return feed.items / seconds, feed.megabytes / seconds


def ratio(top: Result | None, bottom: Result | None) -> float | None:
    """``top``'s items/s over ``bottom``'s (on the same feed), if both ran."""
    if top is None or bottom is None:
        return None
    return bottom.best.seconds / top.best.seconds


def header(tools: Sequence[str]) -> str:
    """The two header lines of the table."""
    group = f"{'s':>7} {'items/s':>8} {'MB/s':>6} {'MiB':>6}"
    first = " " * 30 + "  ".join(f"{TITLES[tool]:^30}" for tool in tools)
    second = f"{'feed':<12} {'items':>7} {'MB':>7}  " + "  ".join(group for _ in tools)
    return f"{first.rstrip()}\n{second}  {'b/a':>6} {'b/d':>6}"


def row(feed: Feed, tools: Sequence[str], results: dict[str, Result]) -> str:
    """One line of the table."""
    cells = []
    for tool in tools:
        result = results[tool]
        rates = per_second(feed, result)
        best = result.best
        cells.append(f"{best.seconds:7.2f} {rates[0]:8.0f} {rates[1]:6.1f} {best.peak_mib:6.0f}")
    ratios = (
        ratio(results.get("bib"), results.get("limit")),
        ratio(results.get("bib"), results.get("feedparser")),
    )
    shown = " ".join("     -" if value is None else f"{value:6.3f}" for value in ratios)
    return (
        f"{feed.name:<12} {feed.items:>7} {feed.megabytes:>7.1f}  "
        + "  ".join(cells)
        + f"  {shown}"
    )


def bench_feed(
    feed: Feed, tools: Sequence[str], runs: int, jobs: int | None, folder: Path, tree: Path
) -> dict[str, Result]:
    """Run every program ``runs`` times on ``feed``, interleaved, and sanity-check each run."""
    warm(feed.path)
    results = {tool: Result(tool) for tool in tools}
    for _ in range(runs):
        for tool in tools:
            run = measure(command(tool, feed.path, folder, jobs), folder, tree)
            if tool in ("limit", "feedparser") and int(run.stdout.split()[0]) != feed.items:
                raise SystemExit(f"{tool} read {run.stdout.split()[0]} items of {feed.items}")
            results[tool].runs.append(run)
    return results


def report(feed: Feed, results: dict[str, Result], problems: list[str] | None) -> dict[str, Any]:
    """The JSON record of one feed."""
    tools: dict[str, Any] = {}
    for tool, result in results.items():
        rates = per_second(feed, result)
        best = result.best
        tools[tool] = {
            "best": asdict(best),
            "items_per_second": rates[0],
            "mb_per_second": rates[1],
            "runs": [asdict(run) for run in result.runs],
        }
        if tool in ("limit", "feedparser"):
            tools[tool]["dois_found"] = int(best.stdout.split()[1])
    return {
        "feed": feed.name,
        "shape": feed.shape,
        "items": feed.items,
        "bytes": feed.size,
        "planted_dois": len(feed.planted),
        "tools": tools,
        "b_over_a": ratio(results.get("bib"), results.get("limit")),
        "b_over_d": ratio(results.get("bib"), results.get("feedparser")),
        "bib_check": None if problems is None else {"ok": not problems, "problems": problems},
        "load_average": os.getloadavg(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the feeds, run the programs, print the table; 1 if a .bib check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", help="sizes for every shape")
    parser.add_argument("--shapes", nargs="+", choices=["news", "toc"], default=["news", "toc"])
    parser.add_argument("--runs", type=int, default=1, help="runs per program; best is shown")
    parser.add_argument("--skip", nargs="+", choices=TOOLS, default=[], help="programs to skip")
    parser.add_argument("--jobs", type=int, help="passed to doi-extract as --jobs")
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) the feeds here")
    parser.add_argument("--json", type=Path, help="write every number to this file")
    # "python -m" puts the working directory first on sys.path, ahead of the installed copy.
    parser.add_argument("--tree", type=Path, default=_ROOT, help="run doi-extract from here")
    args = parser.parse_args(argv)
    if args.items:
        wanted = [(shape, items) for shape in args.shapes for items in args.items]
    else:
        wanted = [(shape, items) for shape, items in DEFAULT_FEEDS if shape in args.shapes]
    tools = [tool for tool in TOOLS if tool not in args.skip]
    compile_package(args.tree)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.workdir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        digest = generator_digest()
        records: list[dict[str, Any]] = []
        failed = False
        print(header(tools), flush=True)
        for shape, items in wanted:
            feed = ensure_feed(folder, shape, items, digest)
            results = bench_feed(feed, tools, args.runs, args.jobs, folder, args.tree.resolve())
            print(row(feed, tools, results), flush=True)
            problems = check_bib(folder / "out.bib", feed.planted) if "bib" in tools else None
            if problems is not None:
                failed = failed or bool(problems)
                verdict = "OK" if not problems else "DIFFERENT: " + "; ".join(problems)
                print(f"  {feed.name} out.bib DOIs vs planted ({len(feed.planted)}): {verdict}")
            records.append(report(feed, results, problems))
    if args.json:
        summary = {
            "python": sys.version.split()[0],
            "machine": platform.platform(),
            "cpus": os.cpu_count(),
            "runs": args.runs,
            "jobs": args.jobs,
            "tree": str(args.tree.resolve()),
            "doi_pattern": DOI_PATTERN,
            "feeds": records,
        }
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
