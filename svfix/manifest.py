"""What a batch has done, kept so that nothing is lost and nothing is done twice.

OUT holds, beside the mirrored texts:

``svfix-files.jsonl``
    The manifest and per-file log, append-only JSON Lines. A header line per run (svfix
    version, options, run id), then one record per input file: its status (``fixed``,
    ``skipped`` or ``error``), the encoding it was read with, counts, the reason of a skip or
    error, the sha256 of its bytes and the resume ``key``.
``svfix-changes.jsonl``
    The change log: one line per change (file, offset, end, old, new, confidence, reason,
    applied, step). Offsets count characters of the decoded input text.
``svfix-summary.json``
    The summary of the last run (also printed).

Only the parent process writes these files, in this order: a file's change lines, then its
manifest record, which carries ``changes_end``, the change log's size once its lines are in.
After a crash the manifest is cut after its last whole record whose ``changes_end`` the change
log reaches, and the change log is cut to that size; so a file is either wholly recorded
(output, changes, record) or redone, and its changes are never logged twice.

A record is written only once its output has been renamed into place, so a killed process
leaves nothing half done. Against a power cut, what is written is made durable in group
commits (`Manifest.sync`, every `_SYNC_EVERY` seconds and at the end): one ``syncfs`` of OUT's
file system puts every output, folder and change line written so far on disk, and then the
manifest is fsynced. That costs a fraction of an fsync per output, which forces one disk
cache flush per file (a tenth of a 2-worker batch's time). Between two commits the kernel
may write a record back before its output; so each record also carries ``out_bytes``, and
`--resume` redoes a file whose output is missing or not that size.

`resume_key` ties a record to the input's *content*, svfix's version and the options that
change outputs, so `--resume` redoes a file whose bytes or settings changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import sys
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Iterator

from svfix.errors import CannotWriteError, reported_as

MANIFEST_NAME = "svfix-files.jsonl"
CHANGES_NAME = "svfix-changes.jsonl"
SUMMARY_NAME = "svfix-summary.json"
STATE_DIR = ".svfix"  # temporary files and the backups of --in-place
RESERVED_NAMES = frozenset({MANIFEST_NAME, CHANGES_NAME, SUMMARY_NAME, STATE_DIR})
FORMAT = 1
_SYNC_EVERY = 2.0  # seconds between fsyncs of the logs


def resume_key(options_digest: str, rel: str, sha256: str) -> str:
    """The key under which a finished file is remembered.

    >>> resume_key("d", "a/b.txt", "00") == resume_key("d", "a/b.txt", "00")
    True
    >>> resume_key("d", "a/b.txt", "00") == resume_key("d", "a/c.txt", "00")
    False
    """
    raw = f"{options_digest}\0{rel}\0{sha256}".encode("utf-8", errors="surrogateescape")
    return hashlib.sha256(raw).hexdigest()[:32]


def options_digest(options: dict[str, object]) -> str:
    """A short digest of everything that changes an output (include svfix's version)."""
    raw = json.dumps(options, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def dumps_line(record: object) -> bytes:
    """One JSON Lines line. File names that are not valid UTF-8 are written \\u-escaped.

    >>> dumps_line({"file": "å.txt"})
    b'{"file": "\\xc3\\xa5.txt"}\\n'
    """
    text = json.dumps(record, ensure_ascii=False)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:  # surrogate-escaped bytes of an old file name
        return json.dumps(record).encode("ascii") + b"\n"


class ManifestWriteError(CannotWriteError):
    """The manifest or the change log cannot be written (a full disk): the batch must stop,
    since what it did could no longer be recorded."""


def _writing(path: str) -> AbstractContextManager[None]:
    """An OSError while writing `path`, as a one-line `ManifestWriteError`."""
    return reported_as(ManifestWriteError, f"cannot write {path}")


@lru_cache(maxsize=1)
def _syncfs():  # -> the C function, or None
    if not sys.platform.startswith("linux"):  # syncfs(2) is Linux's
        return None
    try:
        function = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    return function


def can_sync_file_system() -> bool:
    """Can `sync_file_system` commit a whole file system at once (Linux's syncfs)?"""
    return _syncfs() is not None


def sync_file_system(fd: int) -> None:
    """Write everything dirty on the file system holding `fd` to disk, and wait for it."""
    function = _syncfs()
    if function is None:
        raise OSError(errno.ENOSYS, "syncfs is not available here")
    if function(fd) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


@dataclass
class Resumed:
    """What an earlier, possibly interrupted run of the same OUT left."""

    #: resume keys of files wholly done → their output's size in bytes (None: not recorded)
    done: dict[str, int | None] = field(default_factory=dict)
    run_id: str | None = None  # the first run's id (names the backup folder of --in-place)
    records: int = 0


class Manifest:
    """The parent's writer of the manifest and change log (see the module docstring)."""

    def __init__(self, out_dir: str, header: dict[str, object], *, resume: bool,
                 sync_outputs: bool = False) -> None:
        """`sync_outputs`: each commit also makes durable the outputs the workers wrote in
        OUT since the last one (`sync_file_system`), instead of each worker fsyncing its own."""
        self.sync_outputs = sync_outputs
        self.path = os.path.join(out_dir, MANIFEST_NAME)
        self.changes_path = os.path.join(out_dir, CHANGES_NAME)
        self.summary_path = os.path.join(out_dir, SUMMARY_NAME)
        self.resumed = _recover(self.path, self.changes_path) if resume else Resumed()
        mode = "ab" if resume else "wb"
        with _writing(self.path):
            self._records: IO[bytes] = open(self.path, mode)  # noqa: SIM115 - closed in close()
        with _writing(self.changes_path):
            self._changes: IO[bytes] = open(self.changes_path, mode)  # noqa: SIM115
        self._changes_end = self._changes.seek(0, os.SEEK_END)
        self._last_sync = time.monotonic()
        self.run_id = self.resumed.run_id or str(header["run"])
        self._write({**header, "run": self.run_id, "resumed": bool(self.resumed.records)})

    def record(self, record: dict[str, object], changes: bytes = b"") -> None:
        """Append one file's change lines, then its record (which says where they end)."""
        if changes:
            with _writing(self.changes_path):
                self._changes.write(changes)
                self._changes.flush()
            self._changes_end += len(changes)
        self._write({**record, "changes_end": self._changes_end})

    def _write(self, record: dict[str, object]) -> None:
        with _writing(self.path):
            self._records.write(dumps_line(record))
            self._records.flush()
        if time.monotonic() - self._last_sync > _SYNC_EVERY:
            self.sync()

    def sync(self) -> None:
        """Make what is written durable: the outputs and the change log first, then the
        records that point to them."""
        with _writing(self.changes_path):
            if self.sync_outputs:
                sync_file_system(self._changes.fileno())
            else:
                os.fsync(self._changes.fileno())
        with _writing(self.path):
            os.fsync(self._records.fileno())
        self._last_sync = time.monotonic()

    def write_summary(self, summary: dict[str, object]) -> None:
        tmp = self.summary_path + ".tmp"
        try:
            with _writing(self.summary_path):
                with open(tmp, "w", encoding="utf-8") as f:
                    json.dump(summary, f, ensure_ascii=False, indent=2)
                    f.write("\n")
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.summary_path)
        except ManifestWriteError:
            _unlink_quietly(tmp)
            raise

    def close(self) -> None:
        """The last commit, then close; a failure to write is raised once both files are closed."""
        failure: ManifestWriteError | None = None
        try:
            self.sync()
        except ManifestWriteError as exc:
            failure = exc
        for path, file in ((self.path, self._records), (self.changes_path, self._changes)):
            try:
                with _writing(path):
                    file.close()
            except ManifestWriteError as exc:
                failure = failure or exc
        if failure is not None:
            raise failure


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _recover(path: str, changes_path: str) -> Resumed:
    """Read an earlier manifest, cutting it and the change log back to their last consistent point."""
    resumed = Resumed()
    if not os.path.exists(path):
        if os.path.exists(changes_path):
            os.truncate(changes_path, 0)
        return resumed
    changes_size = os.path.getsize(changes_path) if os.path.exists(changes_path) else 0
    good_end = 0  # byte offset in the manifest after the last line we keep
    changes_end = 0
    for start, end, record in _lines(path):
        if record is None:
            break  # a line cut short by a crash: it and anything after it go
        if "svfix_batch" in record:
            resumed.run_id = resumed.run_id or str(record.get("run"))
        elif "file" in record:
            end_of_changes = int(record.get("changes_end", 0))
            if end_of_changes > changes_size:
                break  # its change lines never reached the disk: redo it
            changes_end = end_of_changes
            resumed.records += 1
            if record.get("status") == "fixed":
                size = record.get("out_bytes")
                size = size if isinstance(size, int) else None
                resumed.done[str(record["key"])] = size
                if record.get("out_key"):
                    resumed.done[str(record["out_key"])] = size
        good_end = end
    os.truncate(path, good_end)
    if os.path.exists(changes_path):
        os.truncate(changes_path, changes_end)
    return resumed


def _lines(path: str) -> Iterator[tuple[int, int, dict[str, object] | None]]:
    """(start, end, parsed record or None) for each line, streaming."""
    with open(path, "rb") as f:
        pos = 0
        for line in f:
            start, pos = pos, pos + len(line)
            record: dict[str, object] | None
            if not line.endswith(b"\n"):
                record = None
            else:
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
            yield start, pos, record
