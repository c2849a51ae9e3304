"""The command line: options, logging, progress and exit codes. The only module that exits."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Never

from doi_extract._version import __version__
from doi_extract._workers import default_jobs
from doi_extract.errors import DoiExtractError, UsageError
from doi_extract.pipeline import ProgressCallback, Settings, run
from doi_extract.resolve import ResolverSettings, default_cache_path
from doi_extract.writers import FORMATS

if TYPE_CHECKING:
    from tqdm import tqdm

PROG = "doi-extract"

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_PROBLEMS = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
MAILTO_VARIABLE = "DOI_EXTRACT_MAILTO"

DESCRIPTION = """\
Find the works that feed items cite - every DOI, every reference block - complete them
from Crossref (or the DOI's own registry), and write them as BibTeX, biblatex, RIS,
CSL-JSON or JSON Lines for a reference manager."""

EPILOG = f"""\
examples:
  {PROG} feed.xml -o refs.bib            BibTeX; the format comes from the extension
  {PROG} feed.xml --mailto me@uni.edu -o refs.bib   Crossref's polite pool (faster)
  {PROG} feed.xml --offline -o refs.bib  no network: what the feed itself says
  {PROG} feeds/ -o refs.ris              every .xml/.rss/.atom/.rdf file under feeds/
  {PROG} https://example.org/feed/ -o refs.json --report report.jsonl
  curl -s https://example.org/feed/ | {PROG} -f csljson > refs.json

formats: bibtex (.bib), biblatex, ris (.ris), csljson (.json), jsonl (.jsonl).
With no -o, or -o -, the output goes to standard output (BibTeX unless -f says otherwise).
Crossref answers are cached (see --cache); a second run over the same feed asks nothing.
If Crossref cannot be reached, the feeds' own metadata is written, with one warning.

exit codes:
  0    done
  1    internal error (a bug; run with -v and report the traceback)
  2    usage error
  3    done, but some inputs or items could not be read (output still written)
  4    no input could be read (nothing written)
  5    the output could not be written
  130  interrupted (143 when terminated by SIGTERM)
"""


class _Terminated(BaseException):
    """SIGTERM, turned into an exception so that atomic writes clean up on the way out."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; its option names are a contract that scripts rely on."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="feed file, directory, http(s) URL, or - for standard input (the default)",
    )
    parser.add_argument(
        "-o", "--output", default="-", metavar="OUTPUT", help="output file, or - for stdout"
    )
    parser.add_argument(
        "-f", "--format", choices=list(FORMATS), help="output format (default: from -o's extension)"
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="never ask Crossref or doi.org; write what the feeds themselves say",
    )
    registry = parser.add_argument_group("Crossref and doi.org")
    registry.add_argument(
        "--mailto",
        metavar="EMAIL",
        default=os.environ.get(MAILTO_VARIABLE) or None,
        help=f"your e-mail, for Crossref's polite pool (default: ${MAILTO_VARIABLE})",
    )
    defaults = ResolverSettings()
    registry.add_argument(
        "--crossref-url",
        default=defaults.crossref_url,
        metavar="URL",
        help="Crossref REST API to ask, e.g. a mirror (default: %(default)s)",
    )
    registry.add_argument(
        "--doi-url",
        default=defaults.doi_url,
        metavar="URL",
        help="DOI resolver for other agencies' DOIs (default: %(default)s)",
    )
    registry.add_argument(
        "--timeout",
        type=float,
        default=defaults.deadline_s,
        metavar="SECONDS",
        help="deadline for all of resolution (default: %(default)g)",
    )
    registry.add_argument(
        "--cache", metavar="PATH", help=f"cache file (default: {default_cache_path()})"
    )
    registry.add_argument("--no-cache", action="store_true", help="neither read nor write a cache")
    registry.add_argument(
        "--refresh", action="store_true", help="ask again for everything; update the cache"
    )
    registry.add_argument(
        "--no-match",
        action="store_true",
        help="do not search for the DOIs of works printed without one",
    )
    parser.add_argument(
        "--ascii",
        action="store_true",
        help="BibTeX: LaTeX-encode every non-ASCII character (for classic bibtex + pdflatex)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=default_jobs(),
        metavar="N",
        help="worker processes for extracting and parsing (default: the CPUs, %(default)s)",
    )
    parser.add_argument(
        "--report", metavar="FILE", help="write one JSON line per item and per unreadable input"
    )
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument(
        "-q", "--quiet", action="store_true", help="only errors on stderr; no summary"
    )
    verbosity.add_argument(
        "-v", "--verbose", action="count", default=0, help="more detail (-vv for debugging)"
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = build_parser().parse_args(argv)
    _configure_logging(args.quiet, args.verbose)
    previous_handler = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        settings = _settings(args)
        with _progress(enabled=not args.quiet and sys.stderr.isatty()) as on_progress:
            report = run(settings, on_progress=on_progress)
    except DoiExtractError as exc:
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except _Terminated:
        _error("terminated")
        return EXIT_TERMINATED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:
        if args.verbose:
            logging.getLogger("doi_extract").exception("internal error")
        _error(f"internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)")
        return EXIT_INTERNAL
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
    if not args.quiet:
        print(f"{PROG}: {report.summary()}", file=sys.stderr)
    return EXIT_PROBLEMS if report.problems else EXIT_OK


def _settings(args: argparse.Namespace) -> Settings:
    """The run's settings from the parsed options; bad values are usage errors."""
    for option, url in (("--crossref-url", args.crossref_url), ("--doi-url", args.doi_url)):
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"{option} must be an http(s) URL, not {url!r}")
    if not args.timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    if args.mailto is not None and "@" not in args.mailto:
        raise UsageError(f"--mailto must be an e-mail address, not {args.mailto!r}")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    if args.no_cache and args.cache:
        raise UsageError("--cache and --no-cache contradict each other")
    cache = None if args.no_cache else Path(args.cache) if args.cache else default_cache_path()
    return Settings(
        inputs=tuple(args.inputs) or ("-",),
        output=args.output,
        format=args.format,
        offline=args.offline,
        ascii=args.ascii,
        report=args.report,
        match=not args.no_match,
        jobs=args.jobs,
        resolver=ResolverSettings(
            mailto=args.mailto,
            crossref_url=args.crossref_url.rstrip("/"),
            doi_url=args.doi_url.rstrip("/"),
            deadline_s=args.timeout,
            cache_path=cache,
            refresh=args.refresh,
        ),
    )


def _configure_logging(quiet: bool, verbose: int) -> None:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logger = logging.getLogger("doi_extract")
    logger.handlers = [h for h in logger.handlers if isinstance(h, logging.NullHandler)]
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


class _Formatter(logging.Formatter):
    """``doi-extract: warning: feed.xml item 7: <message>``."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{PROG}: {record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


_STAGES = {
    "read": ("reading", " items"),
    "match": ("searching", " references"),
    "resolve": ("resolving", " DOIs"),
}


@contextmanager
def _progress(*, enabled: bool) -> Iterator[ProgressCallback | None]:
    if not enabled:
        yield None
        return
    from tqdm import tqdm  # only for a terminal: runs from scripts need not load it

    bars: dict[str, tqdm[Never]] = {}

    def advance(stage: str, done: int, total: int | None) -> None:
        bar = bars.get(stage)
        if bar is None:
            for earlier in bars.values():
                earlier.close()
            label, unit = _STAGES.get(stage, (stage, ""))
            bar = tqdm(
                desc=label, total=total, unit=unit, file=sys.stderr, leave=False, mininterval=0.5
            )
            bars[stage] = bar
        bar.update(done - bar.n)

    try:
        yield advance
    finally:
        for bar in bars.values():
            bar.close()


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def _silence_stdout() -> None:
    """After a closed pipe, stop Python from complaining again when it flushes at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
