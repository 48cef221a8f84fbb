"""Exceptions the library raises; the CLI maps each to an exit code and a one-line message."""

from __future__ import annotations

import enum


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
