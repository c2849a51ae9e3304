"""Exceptions that end a run, each carrying the exit code the CLI returns for it.

Problems with one item or one input are not exceptions: they become
`model.Problem` records and the run goes on. These classes are for what stops it.
"""

from __future__ import annotations

from typing import ClassVar


class DoiExtractError(Exception):
    """Base class; ``str(error)`` is a one-line message naming the file or item."""

    exit_code: ClassVar[int] = 1


class UsageError(DoiExtractError):
    """The command line or the settings are wrong; found before any work starts."""

    exit_code = 2


class InputError(DoiExtractError):
    """An input cannot be read at all (missing, not XML, not a feed, HTTP failure)."""

    exit_code = 4


class OutputError(DoiExtractError):
    """The output or report file cannot be written."""

    exit_code = 5
