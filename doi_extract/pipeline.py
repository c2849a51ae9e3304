"""Wire the stages: read -> extract -> parse -> resolve -> write.

This is the only module that knows their order. `run` is the whole job behind the command
line; `collect` is the reading half and `resolve` the enrichment, for library users who want
the records without writing a file.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import itertools
import json
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from doi_extract import fileio
from doi_extract._workers import map_in_order
from doi_extract.errors import InputError, UsageError
from doi_extract.extract import extract
from doi_extract.feeds import (
    FEED_SUFFIXES,
    ReadLimits,
    Source,
    SourceKind,
    expand_inputs,
    read_source,
)
from doi_extract.model import (
    Extraction,
    FeedItem,
    How,
    ItemReport,
    ItemStatus,
    Problem,
    Provenance,
    Reference,
    RunCounts,
    Status,
    merge,
)
from doi_extract.refparse import parse_reference
from doi_extract.resolve import Outcome, Resolution, ResolverSettings, Verdict
from doi_extract.writers import FORMATS, format_for_path, make_writer

log = logging.getLogger(__name__)

ItemCallback = Callable[[ItemReport], None]
ProgressCallback = Callable[[str, int, int | None], None]
"""Called with a stage name ("read" or "resolve"), the units done so far and the total, if known."""

DEFAULT_FORMAT = "bibtex"
_ItemKey = tuple[str, int | None]
"""An item's report line: its source and its index there."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything one run needs; the CLI builds it from the command line."""

    inputs: tuple[str, ...] = (fileio.STDOUT,)
    """Files, directories, http(s) URLs, or ``-`` for standard input."""
    output: str = fileio.STDOUT
    format: str | None = None
    """A name from `writers.FORMATS`; None takes it from the output's extension."""
    offline: bool = False
    """Never ask a registry for metadata (URL inputs are still fetched)."""
    resolver: ResolverSettings = field(default_factory=ResolverSettings)
    """How to reach Crossref and doi.org, and where the cache lives."""
    match: bool = True
    """Search Crossref for the DOIs of references printed without one (not when offline)."""
    ascii: bool = False
    """BibTeX only: LaTeX-encode every non-ASCII character."""
    report: str | None = None
    """Path of the JSONL report (one line per item and per unreadable input)."""
    limits: ReadLimits = field(default_factory=ReadLimits)
    jobs: int = 1
    """Worker processes that extract and parse items; the output is the same for any number."""


@dataclass(slots=True, kw_only=True)
class RunReport:
    """What a run did: the records it collected, the problems it met, and the counters."""

    works: list[Reference] = field(default_factory=list)
    counts: RunCounts = field(default_factory=RunCounts)

    @property
    def problems(self) -> list[Problem]:
        """Inputs or items that could not be read, in the order they were met."""
        return self.counts.problems

    def summary(self) -> str:
        """The one-line summary printed at the end of a run."""
        c = self.counts
        line = (
            f"{c.items} items read, {c.dois} DOIs, {c.references} references, "
            f"{c.entries} entries written"
        )
        if c.resolved or c.unresolved or c.requests:
            line += (
                f"; {c.resolved} resolved ({c.from_cache} from the cache), "
                f"{c.unresolved} unresolved, {c.requests} requests"
            )
        if c.matched:
            line += f"; {c.matched} DOIs found by search"
        if c.unmatched:
            line += f"; {c.unmatched} works without DOI"
        skipped = c.inputs_failed + c.items_failed
        if c.problems:
            line += f"; {len(c.problems)} problems ({skipped} inputs or items skipped)"
        return line


def output_format(settings: Settings) -> str:
    """The output format: as given, else from the output's extension, else BibTeX."""
    if settings.format is not None:
        if settings.format not in FORMATS:
            valid = ", ".join(FORMATS)
            raise UsageError(f"unknown format {settings.format!r} (choose from {valid})")
        return settings.format
    if settings.output == fileio.STDOUT:
        return DEFAULT_FORMAT
    return format_for_path(settings.output)


def check_settings(settings: Settings) -> list[Source]:
    """Validate the settings before any work and return the expanded input list."""
    output_format(settings)
    sources = expand_inputs(settings.inputs)
    targets = [t for t in (settings.output, settings.report) if t and t != fileio.STDOUT]
    for target in targets:
        for source in sources:
            if source.kind is SourceKind.FILE and _same_file(source.name, target):
                raise UsageError(f"{target} is also an input; refusing to overwrite it")
    if settings.report is not None and settings.report == settings.output:
        raise UsageError("--report and -o name the same file")
    return sources


def run(settings: Settings, *, on_progress: ProgressCallback | None = None) -> RunReport:
    """Read every input, collect the cited works, and write them in the chosen format.

    Raises UsageError before any work for bad settings, InputError when no input could be
    read (nothing is written then, apart from the report), OutputError when the output
    cannot be written. Problems with single inputs or items are counted, not raised.
    """
    fmt = output_format(settings)
    sources = check_settings(settings)
    if not sources:
        # Only directories holding no feed file expand to nothing.
        given = ", ".join(settings.inputs) or "no input given"
        raise InputError(f"{given}: no {'/'.join(FEED_SUFFIXES)} file to read")
    writer = make_writer(fmt, ascii=settings.ascii)
    # Report lines wait in a spool until resolution has told which DOIs stayed unresolved.
    with _open_spool(settings.report) as spool:
        described: dict[_ItemKey, list[str]] = {}
        on_item = _report_writer(spool, described) if spool else None
        report = collect(
            sources,
            limits=settings.limits,
            on_item=on_item,
            on_progress=on_progress,
            provenance=writer.uses_provenance,
            jobs=settings.jobs,
        )
        enrichment = Enrichment()
        if not settings.offline:
            enrichment = resolve(
                report, settings.resolver, match=settings.match, on_progress=on_progress
            )
        if settings.report and spool:
            _write_report(settings.report, spool, enrichment, described)
    _raise_if_nothing_read(report)
    with fileio.atomic_write(settings.output) as out, _spared_from_gc():
        writer.write(report.works, out)
    report.counts.entries = len(report.works)
    return report


@contextmanager
def _spared_from_gc() -> Iterator[None]:
    """Keep the cyclic garbage collector off the objects that exist now, for a while.

    The works collected live until the end of a run and hold no reference cycle, yet every
    full pass of the collector walks all of them again: on 100,000 works, 47 passes that
    freed nothing took 40 % of the run. Frozen objects are still freed when unreferenced.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def collect(
    sources: Iterable[Source],
    *,
    limits: ReadLimits | None = None,
    on_item: ItemCallback | None = None,
    on_progress: ProgressCallback | None = None,
    provenance: bool = True,
    jobs: int = 1,
) -> RunReport:
    """Read, extract and parse every item of every source; one record per cited work.

    With ``provenance`` each record lists every item that cites it; without, none, so
    that memory grows only with the number of distinct works when the output does not
    show where they were cited. With ``jobs`` > 1, items are extracted and parsed
    in that many worker processes; the report is the same whatever ``jobs`` is.
    """
    works = _WorkSet()
    report = RunReport()
    counts = report.counts
    dois: set[str] = set()
    sources = list(sources)
    tasks = _tasks(sources, limits or ReadLimits(), counts, whole_files=jobs > 1)
    work = functools.partial(_work, provenance=provenance)
    with _spared_from_gc():
        for answers in map_in_order(work, tasks, jobs):
            for answer in answers:
                if isinstance(answer, _InputProblem):
                    _account_problem(answer, counts)
                    item_report = _problem_report(answer.problem)
                else:
                    _account_item(answer, works, counts, dois)
                    item_report = answer
                    if on_progress:
                        on_progress("read", counts.items, None)
                if on_item:
                    on_item(item_report)
            gc.freeze()  # the works kept so far join those spared
        counts.dois = len(dois)
        report.works = works.records()
    return report


@dataclass(frozen=True, slots=True)
class _InputProblem:
    """A damaged or unreadable input, met while reading."""

    problem: Problem
    unreadable: bool
    """Not a single item could be read from it."""
    level: int
    """How loudly to log it."""


@dataclass(frozen=True, slots=True)
class _WholeFile:
    """A feed file, one of several inputs, that one worker reads and examines in one go."""

    source: Source
    limits: ReadLimits


_Outcome = FeedItem | _InputProblem
_Task = list[_Outcome] | _WholeFile
_BATCH = 64
"""Items sent to a worker at once: enough to outweigh the cost of sending them."""
_WHOLE_FILE_BYTES = 32 * 1024 * 1024
"""The largest file a worker reads itself, when there are several: its answers wait whole."""


def _tasks(
    sources: list[Source], limits: ReadLimits, counts: RunCounts, *, whole_files: bool
) -> Iterator[_Task]:
    """The work, in order: batches of items read here or, with ``whole_files``, the files of
    several inputs, which the workers read themselves (reading is then off this process).
    A lone input, a big file, stdin or a URL is read here, so that memory stays bounded."""
    several = len(sources) > 1
    for source in sources:
        counts.inputs += 1
        if whole_files and several and _is_small_file(source):
            yield _WholeFile(source, limits)
        else:
            yield from _batched(_read_items(source, limits, quiet=not several))


def _is_small_file(source: Source) -> bool:
    if source.kind is not SourceKind.FILE:
        return False
    try:
        return Path(source.name).stat().st_size <= _WHOLE_FILE_BYTES
    except OSError:
        return False  # read here, where the error is reported as for any input


def _read_items(source: Source, limits: ReadLimits, *, quiet: bool) -> Iterator[_Outcome]:
    """The items of one source, then a problem if it was damaged or could not be read."""
    items = 0
    try:
        for outcome in read_source(source, limits=limits):
            if isinstance(outcome, Problem):
                yield _InputProblem(outcome, unreadable=False, level=logging.WARNING)
            else:
                items += 1
                yield outcome
    except InputError as exc:
        problem = Problem(source=source.name, message=_strip_source(str(exc), source.name))
        # A lone input that cannot be read is the run's error message; not logged twice.
        level = logging.DEBUG if quiet and not items else logging.ERROR
        yield _InputProblem(problem, unreadable=items == 0, level=level)


def _batched(outcomes: Iterator[_Outcome]) -> Iterator[list[_Outcome]]:
    while batch := list(itertools.islice(outcomes, _BATCH)):
        yield batch


def _work(task: _Task, *, provenance: bool) -> list[ItemReport | _InputProblem]:
    """Each item's report line, and the input problems, of one task; runs in a worker."""
    if isinstance(task, _WholeFile):
        # Read whole, then examined: reading and examining item by item took 10 % more CPU
        # (2,000 news items: 0.67-0.74 s against 0.59-0.67 s), and a file read whole is at
        # most _WHOLE_FILE_BYTES.
        task = list(_read_items(task.source, task.limits, quiet=False))
    return [
        outcome if isinstance(outcome, _InputProblem) else _examine(outcome, provenance=provenance)
        for outcome in task
    ]


def _problem_report(problem: Problem) -> ItemReport:
    return ItemReport(source=problem.source, status=ItemStatus.ERROR, reason=problem.message)


def _examine(item: FeedItem, *, provenance: bool = True) -> ItemReport:
    """Extract and parse one item; a failure becomes an ERROR report, never an exception."""
    try:
        found = extract(item, provenance=provenance)
        parsed = tuple(_parsed(work) for work in found.works)
    except Exception as exc:  # a bug on one odd item must not lose the others
        log.debug("extraction failed on %s item %d", item.source, item.index, exc_info=True)
        reason = f"could not extract citations: {type(exc).__name__}: {exc}"
        return _item_report(item, Extraction(), (), reason=reason)
    return _item_report(item, found, parsed)


def _item_report(
    item: FeedItem, found: Extraction, works: tuple[Reference, ...], *, reason: str | None = None
) -> ItemReport:
    """The report line of an item: ERROR when a ``reason`` says why it failed."""
    if reason is not None:
        status = ItemStatus.ERROR
    elif works:
        status = ItemStatus.OK
    else:
        status, reason = ItemStatus.NO_CITATION, "no DOI and no reference block"
    return ItemReport(
        source=item.source,
        item=item.index,
        guid=item.guid,
        link=item.link,
        title=item.title,
        dois=found.dois,
        references=found.references,
        works=works,
        status=status,
        reason=reason,
    )


def _account_problem(outcome: _InputProblem, counts: RunCounts) -> None:
    log.log(outcome.level, "%s", outcome.problem)
    counts.problems.append(outcome.problem)
    if outcome.unreadable:
        counts.inputs_failed += 1


def _account_item(line: ItemReport, works: _WorkSet, counts: RunCounts, dois: set[str]) -> None:
    counts.items += 1
    if line.status is ItemStatus.ERROR:
        problem = Problem(
            source=line.source,
            item=line.item,
            guid=line.guid,
            link=line.link,
            message=line.reason or "",
        )
        log.error("%s", problem)
        counts.items_failed += 1
        counts.problems.append(problem)
        return
    for work in line.works:
        works.add(work)
    dois.update(line.dois)
    counts.references += len(line.references)


def _parsed(work: Reference) -> Reference:
    """The work with the fields parsed from its reference string."""
    return merge(work, parse_reference(work.raw)) if work.raw else work


class _WorkSet:
    """One record per cited work, with the provenance of its citing items in order."""

    def __init__(self) -> None:
        self._records: dict[str, Reference] = {}
        self._provenance: dict[str, list[Provenance]] = {}

    def add(self, work: Reference) -> None:
        key = work.identity
        bare = dataclasses.replace(work, provenance=()) if work.provenance else work
        known = self._records.get(key)
        if known is None:
            self._records[key] = bare
        elif known != bare:
            self._records[key] = merge(known, bare)
        if work.provenance:
            self._provenance.setdefault(key, []).extend(work.provenance)

    def records(self) -> list[Reference]:
        """The records in first-seen order; the set is emptied, so no record exists twice."""
        records = []
        while self._records:
            key, record = self._records.popitem()
            provenance = tuple(self._provenance.pop(key, ()))
            records.append(
                dataclasses.replace(record, provenance=provenance) if provenance else record
            )
        records.reverse()
        return records


def _raise_if_nothing_read(report: RunReport) -> None:
    counts = report.counts
    if counts.inputs and counts.inputs_failed == counts.inputs:
        if counts.inputs == 1:
            raise InputError(str(counts.problems[0]))
        raise InputError(f"none of the {counts.inputs} inputs could be read")


@dataclass(frozen=True, slots=True)
class Enrichment:
    """What the registries said: per DOI looked up, and per reference searched for."""

    resolutions: Mapping[str, Resolution] = field(default_factory=dict)
    """By lower-case DOI."""
    verdicts: Mapping[str, Verdict] = field(default_factory=dict)
    """By the searched reference's `Reference.identity`."""


def resolve(
    report: RunReport,
    settings: ResolverSettings,
    *,
    match: bool = True,
    on_progress: ProgressCallback | None = None,
) -> Enrichment:
    """Enrich ``report.works`` in place from the registries and say what each one answered.

    With ``match``, references printed without a DOI, and works a feed describes without
    one (a ScienceDirect item's article), are searched for first; a candidate is taken
    only after validation. Then every DOI is looked up. Registry metadata wins
    every field it has; the feed fills what the registry lacks. A DOI that no registry
    supplies keeps the feed's fields and is marked unresolved.
    """
    searchable = [w for w in report.works if w.doi is None and (w.raw or w.title)] if match else []
    dois = [work.doi for work in report.works if work.doi]
    if not dois and not searchable:
        return Enrichment()
    counts = report.counts
    from doi_extract.resolve import Resolver  # only now: it brings habanero and requests

    with Resolver(settings) as resolver:
        verdicts = resolver.match(searchable, on_progress=_stage(on_progress, "match"))
        resolutions = resolver.resolve(dois, on_progress=_stage(on_progress, "resolve"))
        counts.requests = resolver.stats.requests
        counts.from_cache = resolver.stats.cache_hits
    # A found or aliased DOI may be one that another citation already holds: merge them.
    enriched: dict[str, Reference] = {}
    for work in (_enriched(work, resolutions, verdicts) for work in report.works):
        known = enriched.get(work.identity)
        enriched[work.identity] = work if known is None else merge(known, work)
    report.works = list(enriched.values())
    counts.resolved = sum(1 for w in report.works if w.status is Status.RESOLVED)
    counts.unresolved = sum(1 for w in report.works if w.status is Status.UNRESOLVED)
    counts.matched = sum(1 for w in report.works if w.how is How.MATCHED)
    counts.unmatched = sum(1 for w in report.works if w.how is How.UNMATCHED)
    return Enrichment(resolutions=resolutions, verdicts=verdicts)


def _stage(on_progress: ProgressCallback | None, stage: str) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        if on_progress:
            on_progress(stage, done, total)

    return progress


def _enriched(
    work: Reference, resolutions: Mapping[str, Resolution], verdicts: Mapping[str, Verdict]
) -> Reference:
    if work.doi is None:
        verdict = verdicts.get(work.identity)
        if verdict is None:
            return work
        if verdict.accepted and verdict.record is not None:
            return dataclasses.replace(merge(verdict.record, work), match=verdict.match)
        return dataclasses.replace(work, match=verdict.match)
    resolution = resolutions.get(work.doi)
    if resolution is None:
        return work
    if resolution.outcome is Outcome.FOUND and resolution.record is not None:
        return merge(resolution.record, work)
    return dataclasses.replace(work, status=Status.UNRESOLVED)


def _open_spool(report_path: str | None) -> AbstractContextManager[TextIO | None]:
    if report_path is None:
        return nullcontext()
    return tempfile.TemporaryFile("w+", encoding="utf-8")


def _write_report(
    path: str, spool: TextIO, enrichment: Enrichment, described: Mapping[_ItemKey, list[str]]
) -> None:
    """Copy the spooled report lines to ``path`` with what the registries answered."""
    spool.seek(0)
    with fileio.atomic_write(path) as out:
        for line in spool:
            if enrichment.resolutions or enrichment.verdicts:
                line = _with_enrichment(line, enrichment, described)
            out.write(line)


def _with_enrichment(
    line: str, enrichment: Enrichment, described: Mapping[_ItemKey, list[str]]
) -> str:
    """One report line updated: found DOIs, search verdicts, and unresolved items."""
    entry = json.loads(line)
    unprinted = iter(described.get((entry["source"], entry["item"]), ()))
    for work in entry.get("works", ()):
        if work["doi"] is not None:
            continue
        key = Reference(raw=work["text"]).identity if work["text"] else next(unprinted, "")
        verdict = enrichment.verdicts.get(key)
        if verdict is not None:
            found = verdict.record.doi if verdict.accepted and verdict.record else None
            work.update(
                doi=found,
                how=str(How.MATCHED if found else How.UNMATCHED),
                score=verdict.match.score,
                reasons=list(verdict.match.reasons),
            )
    failed = [
        enrichment.resolutions[doi]
        for doi in entry["dois"]
        if doi in enrichment.resolutions
        and enrichment.resolutions[doi].outcome is not Outcome.FOUND
    ]
    if failed and entry["status"] == ItemStatus.OK:
        entry["status"] = str(ItemStatus.UNRESOLVED)
        entry["reason"] = "; ".join(f"{r.doi}: {r.reason or r.outcome}" for r in failed)
    return json.dumps(entry, ensure_ascii=False) + "\n"


def _report_writer(out: TextIO, described: dict[_ItemKey, list[str]]) -> ItemCallback:
    def write_line(line: ItemReport) -> None:
        # A work no string printed (a ToC item's own article) has no "text" to find its
        # search verdict by later: its key waits in ``described``.
        keys = [work.identity for work in line.works if work.doi is None and work.raw is None]
        if keys:
            described[(line.source, line.item)] = keys
        out.write(json.dumps(line.to_json(), ensure_ascii=False) + "\n")

    return write_line


def _strip_source(message: str, name: str) -> str:
    prefix = f"{name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False
