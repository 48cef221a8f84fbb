"""Exceptions the library raises; the CLI maps each to an exit code and a one-line message."""

from __future__ import annotations

import enum
from contextlib import contextmanager
from typing import Iterator


class ExitCode(enum.IntEnum):
    OK = 0
    SOME_FILES_FAILED = 1
    USAGE = 2
    BAD_INPUT = 3
    MISSING_DEPENDENCY = 4
    INTERRUPTED = 130


class SvfixError(Exception):
    """Base class: every message is one line that names the file (when there is one)."""

    exit_code = ExitCode.BAD_INPUT


class BadInputError(SvfixError):
    """An input file cannot be read as text (binary, undecodable, unreadable, ...)."""

    exit_code = ExitCode.BAD_INPUT


class CannotWriteError(SvfixError):
    """An output svfix was asked to write cannot be written (no such folder, a full disk)."""

    exit_code = ExitCode.SOME_FILES_FAILED


class UsageError(SvfixError):
    """Arguments that cannot work (an unknown step name, a bad combination of options)."""

    exit_code = ExitCode.USAGE


class MissingDependencyError(SvfixError):
    """An external program or data file svfix needs is not installed; says what to install."""

    exit_code = ExitCode.MISSING_DEPENDENCY


@contextmanager
def reported_as(error: type[SvfixError], what: str) -> Iterator[None]:
    """An OSError raised inside, raised again as `error` with one line: "`what`: the reason"
    (a full disk, a missing folder), so that the CLI prints it as it prints every error."""
    try:
        yield
    except OSError as exc:
        raise error(f"{what}: {exc.strerror or exc}") from exc
