"""Restore whole report archives: walk IN, fix every text in parallel, mirror it into OUT.

>>> from svfix import batch
>>> summary = batch.run("reports/", "fixed/", jobs=2)        # doctest: +SKIP
>>> summary.files, summary.changes, summary.errors           # doctest: +SKIP
(2013, 48211, 3)

How the work is split, and why:

* The parent walks IN lazily (a folder tree or a .zip), keeps at most a few chunks of tasks per
  worker in flight (`CHUNK_FILES` texts, or one scan, each) and is the only writer of the
  manifest and the change log (`svfix.manifest`). Memory therefore stays bounded however large
  the archive: no list of files, no texts held.
* A task (`FileTask`) is a small picklable record; `process_file` is a module-level function
  that reads, decodes (`svfix.textio`), corrects and writes one output *itself*, atomically
  (temporary file, then rename; in a pool, the rename runs on a thread while the next file
  is corrected). The text never travels back to the parent, only counts and the file's
  change-log lines, so the parent never becomes the bottleneck.
* Outputs are made durable in group commits: every two seconds the parent syncs OUT's whole
  file system once, then the manifest (`svfix.manifest`). An fsync per output would flush
  the disk's cache once per file, a tenth of a 2-worker batch. Where the parent cannot vouch
  for the workers' writes that way (a Dask cluster, or a system without ``syncfs``), and
  with ``--in-place``, where the file replaced is the original, each output is fsynced
  before its rename instead.
* Workers are a `ProcessPoolExecutor` forked after the parent has loaded the lexicon and built
  the engine, so they share both; a worker that dies (killed, out of memory) is replaced and
  its files are retried once, one at a time. On Ctrl-C each worker finishes the file it is on.
  With
  ``scheduler="tcp://host:port"`` the same tasks go to a Dask cluster instead (IN and OUT must
  then be on a file system every worker sees, at the same paths).
* Texts larger than `BatchOptions.chunk_chars` are corrected in chunks cut at line breaks
  (else at spaces), so a huge file costs bounded memory; files over `max_bytes` are refused.

Files are chosen by extension: `textio.TEXT_SUFFIXES` are texts, `textio.OCR_SUFFIXES` go
through `svfix.ocr.read` when ``ocr=True`` (their text is written as ``name.pdf.txt``) and
are skipped otherwise; everything else is listed as skipped. Symlinked files are followed,
symlinked folders are not.
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import hashlib
import logging
import multiprocessing
import os
import secrets
import shutil
import signal
import stat
import sys
import time
import traceback
import zipfile
import zlib
from collections import Counter, deque
from concurrent.futures import (
    FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Literal, Protocol

from svfix import manifest as mf
from svfix import textio
from svfix._version import __version__
from svfix.chunking import CHUNK_CHARS, chunks
from svfix.errors import ExitCode, MissingDependencyError, SvfixError

log = logging.getLogger("svfix.batch")

DEFAULT_MAX_BYTES = 32 * 2**20
DEFAULT_CHUNK_CHARS = CHUNK_CHARS  # (svfix.chunking)
_READ_BLOCK = 1 << 20
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
#: Seconds every file takes at least; lets the interruption tests catch a run in the middle.
_DELAY_ENV = "SVFIX_BATCH_DELAY"


class BatchUsageError(SvfixError):
    """IN/OUT or the options cannot work together (OUT inside IN, --in-place on a zip, ...)."""

    exit_code = ExitCode.USAGE


class BatchAbortedError(SvfixError):
    """The batch had to stop (disk full, svfix cannot start); what is done is kept for --resume."""

    def __init__(self, message: str, exit_code: int = ExitCode.SOME_FILES_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """Settings that reach the workers. All but `fsync` can change an output, so they key --resume.

    `fsync`: each output is fsynced before its rename (else the manifest's group commit makes
    the outputs durable; see the module docstring)."""

    ocr: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    chunk_chars: int = DEFAULT_CHUNK_CHARS
    fsync: bool = True

    def digest(self) -> str:
        return mf.options_digest(
            {"svfix": __version__, "ocr": self.ocr, "chunk_chars": self.chunk_chars}
        )


@dataclass(frozen=True, slots=True)
class FileTask:
    """One input for a worker: where to read it, where its output goes."""

    rel: str  # the input's path relative to IN, '/'-separated
    kind: Literal["text", "ocr"]
    path: str  # the file, or the .zip holding `member`
    member: str | None
    out_path: str
    tmp_dir: str
    options: BatchOptions
    backup_path: str | None = None  # --in-place: where the original goes first


@dataclass(frozen=True, slots=True)
class FileResult:
    """What a worker reports back: counts and change-log lines, never the text."""

    rel: str
    status: Literal["fixed", "error"]
    reason: str = ""
    encoding: str = ""
    bytes: int = 0  # of text: the input's for a text file, the OCR output's for a scan
    source_bytes: int = 0  # of the input file itself, what the progress bar counts against
    words: int = 0
    changes: int = 0
    suggestions: int = 0
    sha256: str = ""
    out_sha256: str = ""  # of the output, with --in-place only
    out_bytes: int = 0  # written to the output: --resume checks the output is that size
    changes_jsonl: bytes = b""
    fatal: int = 0  # an ExitCode when the whole batch must stop (disk full, no lexicon)
    detail: str = ""  # a traceback for internal errors (logged at debug level)


@dataclass(frozen=True)
class BatchSummary:
    """The outcome of one run of a batch (counts cover this run; `resumed` files were done before)."""

    input: str
    output: str
    files: int = 0
    resumed: int = 0
    skipped: int = 0
    errors: int = 0
    words: int = 0
    changes: int = 0
    suggestions: int = 0
    bytes: int = 0
    seconds: float = 0.0
    jobs: int = 1
    encodings: dict[str, int] = field(default_factory=dict)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return self.errors == 0 and not self.interrupted

    @property
    def mb_per_s(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    @property
    def words_per_s(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        data["mb"] = round(self.bytes / 1e6, 3)
        data["mb_per_s"] = round(self.mb_per_s, 3)
        data["words_per_s"] = round(self.words_per_s, 1)
        data["seconds"] = round(self.seconds, 3)
        return data

    def format(self) -> str:
        """Human-readable lines, as the CLI prints them."""
        encodings = ", ".join(f"{n} {e}" for e, n in sorted(self.encodings.items())) or "-"
        lines = [
            f"files:   {self.files} fixed, {self.resumed} already done, "
            f"{self.skipped} skipped, {self.errors} errors",
            f"words:   {self.words}   changes: {self.changes} "
            f"(+{self.suggestions} suggestions)",
            f"speed:   {self.bytes / 1e6:.2f} MB in {self.seconds:.2f} s = "
            f"{self.mb_per_s:.2f} MB/s, {self.words_per_s:,.0f} words/s ({self.jobs} jobs)",
            f"read as: {encodings}",
            f"output:  {self.output}",
        ]
        if self.interrupted:
            lines.append("interrupted: rerun with --resume to finish")
        return "\n".join(lines)


class ProgressBar(Protocol):
    """Shows progress on stderr; `run` calls it from the parent process only."""

    def set_total(self, files: int, nbytes: int) -> None: ...

    def advance(self, nbytes: int, *, worked: bool) -> None:
        """One more file done; `worked` is False for files --resume found already done."""

    def write(self, line: str) -> None:
        """Print a log line without tearing the bar."""

    def close(self) -> None: ...


# --- the worker side -------------------------------------------------------------------------

_WARM: Exception | bool = False
_LOCK_FD: int | None = None
_STOP = None  # in a worker: the parent's Event, set on Ctrl-C (the rest of a chunk is left undone)
_ZIPS: dict[str, zipfile.ZipFile] = {}


def init_worker(single_threaded_ocr: bool = True, stop=None) -> None:
    """ProcessPoolExecutor initializer: Ctrl-C is the parent's business (it sets `stop`); load
    the lexicon now."""
    global _STOP
    _STOP = stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _LOCK_FD is not None:  # a forked copy of the parent's lock on OUT: not ours to hold
        try:
            os.close(_LOCK_FD)
        except OSError:
            pass
    if single_threaded_ocr:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # tesseract must not fight our workers
    _ensure_warm()


def _ensure_warm() -> None:
    global _WARM
    if _WARM is False:
        try:
            from svfix import pipeline

            warm_up = getattr(pipeline, "warm_up", None)
            if warm_up is not None:
                warm_up(fuzzy_index=True)
            _WARM = True
        except Exception as exc:  # reported per task as fatal: every file would fail alike
            _WARM = exc


def process_file(task: FileTask) -> FileResult:
    """Read, decode, correct and atomically write one file. Never raises for a bad file."""
    return _settle(task, _start(task, None))


def _start(task: FileTask, committer: ThreadPoolExecutor | None) -> FileResult | Future[FileResult]:
    """`process_file` up to the output's fsync and rename, which go to `committer` if given:
    the result is then a future that holds the FileResult once the output is in place."""
    delay = float(os.environ.get(_DELAY_ENV) or 0)
    if delay:
        time.sleep(delay)
    _ensure_warm()
    if isinstance(_WARM, Exception):
        code = getattr(_WARM, "exit_code", ExitCode.MISSING_DEPENDENCY)
        return FileResult(task.rel, "error", f"svfix cannot start: {_WARM}", fatal=int(code))
    try:
        return _process(task, committer)
    except Exception as exc:
        return _failed(task, exc)


def _settle(task: FileTask, outcome: FileResult | Future[FileResult]) -> FileResult:
    if isinstance(outcome, FileResult):
        return outcome
    try:
        return outcome.result()
    except Exception as exc:
        return _failed(task, exc)


def _failed(task: FileTask, exc: Exception) -> FileResult:
    """The one-line report of what went wrong with `task`."""
    if isinstance(exc, textio.DecodeError):
        return FileResult(task.rel, "error", exc.reason)
    if isinstance(exc, SvfixError):
        return FileResult(task.rel, "error", str(exc))
    if isinstance(exc, OSError):
        return _os_error(task, exc)
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        return FileResult(task.rel, "error", f"corrupt in the archive: {exc}")
    if isinstance(exc, MemoryError):
        return FileResult(task.rel, "error", "out of memory (try a smaller --max-bytes)")
    # a bug: report it on this file and go on with the others
    return FileResult(
        task.rel, "error", f"internal error: {type(exc).__name__}: {exc}",
        detail="".join(traceback.format_exception(exc)),
    )


def _os_error(task: FileTask, exc: OSError) -> FileResult:
    where = getattr(exc, "svfix_where", "read")
    what = exc.strerror or str(exc)
    if where == "write" and exc.errno in _DISK_FULL:
        return FileResult(
            task.rel, "error", f"cannot write {task.out_path}: {what}",
            fatal=ExitCode.SOME_FILES_FAILED,
        )
    if where == "write":
        return FileResult(task.rel, "error", f"cannot write {task.out_path}: {what}")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return FileResult(task.rel, "error", "no read permission")
    if exc.errno == errno.ENOENT:
        return FileResult(task.rel, "error", "file vanished or is a broken symlink")
    return FileResult(task.rel, "error", f"cannot read: {what}")


def _process(task: FileTask,
             committer: ThreadPoolExecutor | None) -> FileResult | Future[FileResult]:
    sha = hashlib.sha256()
    if task.kind == "ocr":
        text, source_bytes = _ocr_text(task, sha)
        nbytes, encoding = None, "ocr"
    else:
        data = _read(task, task.options.max_bytes)
        sha.update(data)
        decoded = textio.decode(data)
        text, nbytes, encoding = decoded.text, len(data), decoded.encoding
        source_bytes = nbytes
        del data
    words = changes = suggestions = out_bytes = 0
    # the output's hash tells --in-place whether the file changed at all; otherwise unused
    out_sha = hashlib.sha256() if task.backup_path is not None else None
    log: list[bytes] = []
    file_json = mf.dumps_line(task.rel).decode("utf-8").rstrip("\n")
    with _AtomicWriter(task) as out:
        for offset, chunk in chunks(text, task.options.chunk_chars):
            result = _correct(chunk, file_json, offset)
            words += result.words
            encoded = result.text.encode("utf-8")
            if out_sha is not None:
                out_sha.update(encoded)
            out.write(encoded)
            out_bytes += len(encoded)
            changes += result.applied
            suggestions += result.suggested
            log.append(result.log)
        in_digest = sha.hexdigest()
        out_digest = out_sha.hexdigest() if out_sha is not None else ""
        unchanged = out_sha is not None and out_digest == in_digest and encoding in ("ascii", "utf-8")
        result = FileResult(
            task.rel, "fixed", encoding=encoding,
            bytes=nbytes if nbytes is not None else len(text.encode("utf-8")),
            source_bytes=source_bytes,
            words=words, changes=changes, suggestions=suggestions,
            sha256=in_digest, out_sha256=out_digest, out_bytes=out_bytes,
            changes_jsonl=b"".join(log),
        )
        if committer is not None:
            return committer.submit(out.hand_over(), unchanged, result)
        out.commit(keep_original=unchanged)
    return result


def _correct(text: str, file_json: str, offset: int):  # -> svfix.pipeline.Logged
    from svfix.pipeline import correct_logged

    return correct_logged(text, file_json, offset)


def _read(task: FileTask, limit: int) -> bytes:
    """The input's bytes, refusing more than `limit` (a zip header or a growing file may lie)."""
    if task.member is None:
        with open(task.path, "rb") as f:
            data = f.read(limit + 1)
    else:
        with _zip(task.path).open(task.member) as f:
            data = f.read(limit + 1)
    if len(data) > limit:
        raise textio.DecodeError(_too_large(None, limit))
    return data


def _zip(path: str) -> zipfile.ZipFile:
    archive = _ZIPS.get(path)
    if archive is None:
        archive = _ZIPS[path] = zipfile.ZipFile(path)
    return archive


def _ocr_text(task: FileTask, sha) -> tuple[str, int]:
    """The scan's OCR text (pages joined by form feeds) and the scan's size in bytes."""
    from svfix import ocr

    size = 0
    if task.member is None:
        with open(task.path, "rb") as f:
            for block in iter(lambda: f.read(_READ_BLOCK), b""):
                sha.update(block)
                size += len(block)
        return "\f".join(ocr.read(task.path)), size
    suffix = os.path.splitext(task.member)[1]
    tmp = os.path.join(task.tmp_dir, f"ocr-{secrets.token_hex(8)}{suffix}")
    try:
        with _zip(task.path).open(task.member) as src, open(tmp, "wb") as dst:
            for block in iter(lambda: src.read(_READ_BLOCK), b""):
                sha.update(block)
                size += len(block)
                dst.write(block)
        return "\f".join(ocr.read(tmp)), size
    finally:
        _unlink(tmp)


class _AtomicWriter:
    """Write to a temporary file in OUT (fsync it if asked), then rename it over the output
    (backing the original up first)."""

    def __init__(self, task: FileTask) -> None:
        self.task = task
        self.tmp = os.path.join(
            task.tmp_dir, f"{os.getpid()}-{secrets.token_hex(6)}.tmp"
        )
        self.file = None
        self.handed_over = False

    def __enter__(self) -> _AtomicWriter:
        self.file = _on_write(lambda: open(self.tmp, "wb"))
        return self

    def write(self, data: bytes) -> None:
        _on_write(lambda: self.file.write(data))

    def commit(self, *, keep_original: bool = False) -> None:
        task = self.task

        def finish() -> None:
            self.file.flush()
            if task.options.fsync:
                os.fsync(self.file.fileno())
            self.file.close()
            if keep_original:  # --in-place and nothing to change: leave the original as it is
                return
            _makedirs(os.path.dirname(task.out_path))
            if task.backup_path is not None:
                _backup(task.out_path, task.backup_path)
            try:
                os.replace(self.tmp, task.out_path)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                beside = f"{task.out_path}.svfix-{secrets.token_hex(4)}.tmp"
                shutil.move(self.tmp, beside)
                os.replace(beside, task.out_path)

        _on_write(finish)

    def hand_over(self) -> Callable[[bool, FileResult], FileResult]:
        """Leave the commit (and the clean-up) to whoever calls the returned function, with
        `keep_original` and the result to return once the output is in place."""
        self.handed_over = True

        def commit_then(keep_original: bool, result: FileResult) -> FileResult:
            try:
                self.commit(keep_original=keep_original)
            finally:
                self.clean_up()
            return result

        return commit_then

    def clean_up(self) -> None:
        if self.file is not None and not self.file.closed:
            self.file.close()
        _unlink(self.tmp)

    def __exit__(self, *exc_info: object) -> None:
        if not self.handed_over:
            self.clean_up()


_MADE: set[str] = set()


def _makedirs(folder: str) -> None:
    if folder not in _MADE:
        os.makedirs(folder, exist_ok=True)
        if len(_MADE) > 10_000:
            _MADE.clear()
        _MADE.add(folder)


def _on_write(action: Callable[[], object]):
    """Run a write-side action, marking its OSError as a write error (not a read error)."""
    try:
        return action()
    except OSError as exc:
        exc.svfix_where = "write"  # type: ignore[attr-defined]
        raise


def _backup(original: str, backup: str) -> None:
    """Keep the original (a hard link: no copy) before it is replaced; never overwrite a backup."""
    if not os.path.lexists(original):
        return  # a new file (an OCR text written beside its scan): nothing to keep
    os.makedirs(os.path.dirname(backup), exist_ok=True)
    try:
        os.link(original, backup)
    except FileExistsError:
        if not os.path.samefile(original, backup):
            raise SvfixError(f"backup {backup} already exists; not overwriting it") from None
    except OSError:  # a file system without hard links
        tmp = backup + ".tmp"
        shutil.copy2(original, tmp)
        os.replace(tmp, backup)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _too_large(size: int | None, limit: int) -> str:
    have = f"{size / 2**20:.1f} MB" if size is not None else "more"
    return f"too large ({have} > --max-bytes {limit / 2**20:g} MB)"


# --- walking IN ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing found in IN: a task to run, or a file to list as skipped or failed."""

    rel: str
    kind: Literal["text", "ocr", "skip", "error"]
    path: str
    member: str | None = None
    size: int = 0
    reason: str = ""


def _classify(rel: str, size: int, options: BatchOptions) -> tuple[str, str]:
    suffix = os.path.splitext(rel)[1].lower()
    if suffix in textio.TEXT_SUFFIXES:
        if size > options.max_bytes:
            return "error", _too_large(size, options.max_bytes)
        return "text", ""
    if suffix in textio.OCR_SUFFIXES:
        return ("ocr", "") if options.ocr else ("skip", f"{suffix} file: OCR not asked for (--ocr)")
    return "skip", f"not a text file ({suffix or 'no extension'})"


def walk(src: str, options: BatchOptions) -> Iterator[Entry]:
    """The entries of a folder tree or .zip, in a stable order, one directory in memory at a time.

    svfix's own files at the top of a folder (``.svfix/`` with the backups of --in-place, the
    logs) are never inputs.
    """
    if os.path.isfile(src):
        yield from _walk_zip(src, options)
    else:
        yield from _walk_dir(src, "", options)


def _walk_dir(root: str, prefix: str, options: BatchOptions) -> Iterator[Entry]:
    folder = os.path.join(root, prefix) if prefix else root
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Entry(prefix.rstrip("/") or ".", "error", folder,
                    reason=f"cannot list folder: {exc.strerror}")
        return
    for entry in entries:
        rel = prefix + entry.name
        if not prefix and entry.name in mf.RESERVED_NAMES:
            continue
        try:
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not os.path.exists(entry.path):
                    yield Entry(rel, "error", entry.path,
                                reason=f"broken symlink (to {os.readlink(entry.path)})")
                    continue
                if os.path.isdir(entry.path):
                    yield Entry(rel, "skip", entry.path,
                                reason=f"symlinked folder, not followed (to {target})")
                    continue
            if entry.is_dir(follow_symlinks=False):
                yield from _walk_dir(root, rel + "/", options)
                continue
            st = entry.stat()
        except OSError as exc:
            yield Entry(rel, "error", entry.path, reason=f"cannot stat: {exc.strerror}")
            continue
        if not stat.S_ISREG(st.st_mode):
            yield Entry(rel, "skip", entry.path, reason="not a regular file")
            continue
        kind, reason = _classify(rel, st.st_size, options)
        yield Entry(rel, kind, entry.path, size=st.st_size, reason=reason)  # type: ignore[arg-type]


def _walk_zip(src: str, options: BatchOptions) -> Iterator[Entry]:
    with zipfile.ZipFile(src) as archive:
        infos = archive.infolist()
    for info in sorted(infos, key=lambda i: i.filename):
        if info.is_dir():
            continue
        rel = info.filename
        parts = rel.replace("\\", "/").split("/")
        if rel.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            yield Entry(rel, "error", src, info.filename, reason="unsafe path in the archive")
            continue
        rel = "/".join(p for p in parts if p not in ("", "."))
        if info.flag_bits & 0x1:
            yield Entry(rel, "error", src, info.filename, reason="encrypted in the archive")
            continue
        kind, reason = _classify(rel, info.file_size, options)
        yield Entry(rel, kind, src, info.filename, info.file_size, reason)  # type: ignore[arg-type]


def hash_source(path: str, member: str | None) -> str:
    """sha256 of an input's bytes, streamed."""
    sha = hashlib.sha256()
    opener = (lambda: open(path, "rb")) if member is None else (lambda: _zip(path).open(member))
    with opener() as f:
        for block in iter(lambda: f.read(_READ_BLOCK), b""):
            sha.update(block)
    return sha.hexdigest()


# --- the parent side -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    src: str
    out: str
    is_zip: bool
    in_place: bool
    tmp_dir: str
    backup_dir: str | None = None

    def out_path(self, rel: str, kind: str) -> str:
        name = rel + ".txt" if kind == "ocr" else rel
        return os.path.join(self.out, *name.split("/"))


def _inside(child: str, parent: str) -> bool:
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def check_paths(src: str, out: str | None, *, in_place: bool) -> tuple[str, str, bool]:
    """Validate IN/OUT; returns (IN, OUT, IN is a zip). Raises `BatchUsageError`."""
    if not os.path.exists(src):
        raise BatchUsageError(f"{src}: no such file or folder")
    is_zip = os.path.isfile(src)
    if is_zip and not zipfile.is_zipfile(src):
        if src.lower().endswith(".zip"):
            raise BatchUsageError(f"{src}: not a readable .zip archive (damaged or cut short?)")
        raise BatchUsageError(f"{src}: IN must be a folder or a .zip archive")
    real_in = os.path.realpath(src)
    if in_place:
        if is_zip:
            raise BatchUsageError(f"{src}: --in-place needs a folder, not a .zip archive")
        if out is not None and os.path.realpath(out) != real_in:
            raise BatchUsageError("--in-place rewrites IN itself: give no OUT, or OUT equal to IN")
        return src, src, False
    if out is None:
        raise BatchUsageError("OUT is missing (or use --in-place to rewrite IN with backups)")
    real_out = os.path.realpath(out)
    if is_zip:
        if real_out == real_in:
            raise BatchUsageError(f"{out}: OUT is the archive IN itself")
    elif _inside(real_out, real_in):
        raise BatchUsageError(
            f"{out}: OUT is {'IN itself' if real_out == real_in else 'inside IN'} ({src}); "
            "choose an OUT outside IN, or use --in-place to rewrite IN keeping a backup of "
            "every original"
        )
    elif _inside(real_in, real_out):
        raise BatchUsageError(
            f"{out}: OUT contains IN ({src}), so outputs could overwrite originals; "
            "choose an OUT outside IN"
        )
    if os.path.exists(out) and not os.path.isdir(out):
        raise BatchUsageError(f"{out}: OUT exists and is not a folder")
    return src, out, is_zip


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Run:
    """The parent's bookkeeping: turns entries into tasks and results into records and counts."""

    def __init__(self, layout: _Layout, options: BatchOptions, manifest: mf.Manifest,
                 resume: bool, progress: ProgressBar | None) -> None:
        self.layout, self.options, self.manifest = layout, options, manifest
        self.resume = resume and bool(manifest.resumed.done)
        self.progress = progress
        self.digest = options.digest()
        self.counts: Counter[str] = Counter()
        self.encodings: Counter[str] = Counter()
        self.crashes: Counter[str] = Counter()
        self.fatal: FileResult | None = None

    def tasks(self, entries: Iterable[Entry]) -> Iterator[FileTask]:
        for entry in entries:
            if self.fatal is not None:
                return
            if entry.kind == "skip":
                self.counts["skipped"] += 1
                log.info("skipped %s: %s", entry.rel, entry.reason)
                self.manifest.record({"file": entry.rel, "status": "skipped", "reason": entry.reason})
                continue
            if entry.kind == "error":
                self.error(entry.rel, entry.reason)
                continue
            if self.resume and self._done_before(entry):
                continue
            yield self._task(entry)

    def _task(self, entry: Entry) -> FileTask:
        layout = self.layout
        backup = None
        if layout.in_place and layout.backup_dir is not None:
            backup = os.path.join(layout.backup_dir, *entry.rel.split("/"))
        return FileTask(
            entry.rel, entry.kind, entry.path, entry.member,  # type: ignore[arg-type]
            layout.out_path(entry.rel, entry.kind), layout.tmp_dir, self.options, backup,
        )

    def _done_before(self, entry: Entry) -> bool:
        try:
            sha = hash_source(entry.path, entry.member)
        except OSError:
            return False  # the worker will report why
        key = mf.resume_key(self.digest, entry.rel, sha)
        done = self.manifest.resumed.done
        out_path = self.layout.out_path(entry.rel, entry.kind)
        if key in done and _output_as_written(out_path, done[key], entry.rel):
            self.counts["resumed"] += 1
            if self.progress is not None:
                self.progress.advance(entry.size, worked=False)
            return True
        return False

    def error(self, rel: str, reason: str, *, task_done: bool = False) -> None:
        """Count and log a bad file; `task_done` when it was a task (so the bar counts it)."""
        self.counts["errors"] += 1
        log.warning("%s: %s", rel, reason)
        self.manifest.record({"file": rel, "status": "error", "reason": reason})
        if task_done and self.progress is not None:
            self.progress.advance(0, worked=False)

    def finished(self, result: FileResult) -> None:
        if result.fatal:
            if self.fatal is None:
                self.fatal = result
            return
        if result.status == "error":
            if result.detail:
                log.debug("%s", result.detail)
            self.error(result.rel, result.reason, task_done=True)
            return
        key = mf.resume_key(self.digest, result.rel, result.sha256)
        record: dict[str, object] = {
            "file": result.rel, "status": "fixed",
            "output": os.path.relpath(self.layout.out_path(result.rel, _kind_of(result)),
                                      self.layout.out).replace(os.sep, "/"),
            "encoding": result.encoding, "bytes": result.bytes, "words": result.words,
            "changes": result.changes, "suggestions": result.suggestions,
            "sha256": result.sha256, "key": key, "out_bytes": result.out_bytes,
        }
        if self.layout.in_place:
            record["out_key"] = mf.resume_key(self.digest, result.rel, result.out_sha256)
        self.manifest.record(record, result.changes_jsonl)
        for name in ("bytes", "words", "changes", "suggestions"):
            self.counts[name] += getattr(result, name)
        self.counts["files"] += 1
        self.encodings[result.encoding] += 1
        log.info("fixed %s (%s, %d changes)", result.rel, result.encoding, result.changes)
        if self.progress is not None:
            self.progress.advance(result.source_bytes, worked=True)

    def crashed(self, task: FileTask) -> bool:
        """A worker died with `task` in flight: True to retry it, False when it has had its chance."""
        self.crashes[task.rel] += 1
        if self.crashes[task.rel] >= 2:
            self.error(task.rel, "a worker process died twice on this file (out of memory?)",
                       task_done=True)
            return False
        return True


def _output_as_written(path: str, size: int | None, rel: str) -> bool:
    """Is the output of a file recorded as done still there, at the size it was written?

    A power cut between two group commits may have kept a record whose output never reached
    the disk (missing, or cut short); such a file is done again."""
    try:
        found = os.path.getsize(path)
    except OSError:
        found = None
    if found is None:
        log.info("%s: its output is missing; doing it again", rel)
        return False
    if size not in (None, found):
        log.warning("%s: its output is %d bytes, not the %d written; doing it again", rel, found, size)
        return False
    return True


def _kind_of(result: FileResult) -> str:
    return "ocr" if result.encoding == "ocr" else "text"


def run(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    jobs: int | None = None,
    resume: bool = False,
    in_place: bool = False,
    ocr: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    fsync: bool = True,
    scheduler: str | None = None,
    progress: ProgressBar | None = None,
) -> BatchSummary:
    """Fix every text under `src` (a folder or .zip) into `out`, mirroring relative paths.

    Returns a `BatchSummary`; a bad file is logged (``svfix.batch`` logger, one line naming
    it and the reason), counted in ``errors`` and the batch goes on. Raises `BatchUsageError`
    for impossible IN/OUT, `BatchAbortedError` when it must stop (disk full, svfix cannot
    start), `MissingDependencyError` for `scheduler` without Dask; on KeyboardInterrupt it
    finishes the files in progress, records them and re-raises. Either way what is done is
    recorded: rerun with ``resume=True`` to do only the rest.

    `jobs` defaults to all cores (with `scheduler`, to the cluster's threads); `in_place`
    rewrites `src` itself, keeping every original under ``src/.svfix/backup/RUN/``.
    `fsync=False` skips making outputs and logs durable against a power cut (for scratch
    output); a killed run still leaves no half-written file.
    """
    start = time.perf_counter()
    src_s, out_s, is_zip = check_paths(
        os.fspath(src), None if out is None else os.fspath(out), in_place=in_place
    )
    if ocr:
        import importlib.util

        if importlib.util.find_spec("svfix.ocr") is None:
            raise MissingDependencyError("--ocr needs the svfix.ocr module, which is missing")
    fsync_each, group_commit = durability(fsync=fsync, in_place=in_place, scheduler=scheduler)
    options = BatchOptions(ocr=ocr, max_bytes=max_bytes, chunk_chars=chunk_chars, fsync=fsync_each)
    context = None if scheduler else _mp_context()
    if context is not None and context.get_start_method() == "fork":
        # Load the lexicon here, once: forked workers share it (copy-on-write) and start at once.
        _ensure_warm()
        if isinstance(_WARM, Exception):
            raise BatchAbortedError(
                f"svfix cannot start: {_WARM}",
                getattr(_WARM, "exit_code", ExitCode.MISSING_DEPENDENCY),
            ) from _WARM
    os.makedirs(out_s, exist_ok=True)
    state = os.path.join(out_s, mf.STATE_DIR)
    os.makedirs(state, exist_ok=True)
    lock = _lock(state, out_s)
    try:
        return _run_locked(src_s, out_s, is_zip, state, options, context, jobs=jobs,
                           resume=resume, in_place=in_place, scheduler=scheduler,
                           progress=progress, start=start, group_commit=group_commit)
    finally:
        global _LOCK_FD
        _LOCK_FD = None
        os.close(lock)


def durability(*, fsync: bool, in_place: bool, scheduler: str | None) -> tuple[bool, bool]:
    """How outputs are made durable: (each fsynced before its rename, group commits).

    A group commit (`svfix.manifest`) covers what this machine's processes write to OUT's
    file system (not a folder inside OUT that another file system is mounted on). A cluster's
    workers write elsewhere, and with --in-place the file replaced is the original: there
    each output is fsynced before it replaces anything.
    """
    group_commit = fsync and not in_place and not scheduler and mf.can_sync_file_system()
    return fsync and not group_commit, group_commit


def _lock(state: str, out: str) -> int:
    """Hold OUT for this run: two batches writing one manifest would lose records."""
    global _LOCK_FD
    fd = os.open(os.path.join(state, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise BatchUsageError(f"{out}: another svfix batch is writing to this OUT") from None
    _LOCK_FD = fd
    return fd


def _run_locked(src_s: str, out_s: str, is_zip: bool, state: str, options: BatchOptions,
                context: multiprocessing.context.BaseContext | None, *, jobs: int | None,
                resume: bool, in_place: bool, scheduler: str | None,
                progress: ProgressBar | None, start: float, group_commit: bool) -> BatchSummary:
    ocr = options.ocr
    tmp_dir = os.path.join(state, "tmp")
    shutil.rmtree(tmp_dir, ignore_errors=True)  # leftovers of a killed run
    os.makedirs(tmp_dir)
    header = {
        "svfix_batch": mf.FORMAT, "version": __version__, "options_digest": options.digest(),
        "options": {"ocr": ocr, "max_bytes": options.max_bytes,
                    "chunk_chars": options.chunk_chars},
        "run": time.strftime("%Y%m%dT%H%M%S-") + secrets.token_hex(2), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "in": os.path.abspath(src_s), "out": os.path.abspath(out_s), "in_place": in_place,
    }
    manifest = mf.Manifest(out_s, header, resume=resume, sync_outputs=group_commit)
    backup_dir = os.path.join(state, "backup", manifest.run_id) if in_place else None
    # absolute paths: Dask workers do not share our working directory
    layout = _Layout(os.path.abspath(src_s), os.path.abspath(out_s), is_zip, in_place,
                     os.path.abspath(tmp_dir), backup_dir and os.path.abspath(backup_dir))
    state_run = _Run(layout, options, manifest, resume, progress)
    n_jobs = jobs or (None if scheduler else default_jobs())
    interrupted = False
    unwritable: mf.ManifestWriteError | None = None  # the logs could not be written: stop
    try:
        if progress is not None:
            files = nbytes = 0
            for entry in walk(layout.src, options):
                if entry.kind in ("text", "ocr"):
                    files, nbytes = files + 1, nbytes + entry.size
            progress.set_total(files, nbytes)
        tasks = state_run.tasks(walk(layout.src, options))
        if scheduler:
            n_jobs = _run_dask(scheduler, tasks, state_run, n_jobs)
        else:
            _run_local(tasks, state_run, n_jobs or 1, context)
    except KeyboardInterrupt:
        interrupted = True
        raise
    except mf.ManifestWriteError as exc:
        unwritable = exc
    finally:
        if progress is not None:
            progress.close()
        try:
            manifest.close()  # the last group commit: the run's time includes it
        except mf.ManifestWriteError as exc:
            unwritable = unwritable or exc
        c = state_run.counts
        summary = BatchSummary(
            input=src_s, output=out_s, files=c["files"], resumed=c["resumed"],
            skipped=c["skipped"], errors=c["errors"], words=c["words"], changes=c["changes"],
            suggestions=c["suggestions"], bytes=c["bytes"],
            seconds=time.perf_counter() - start, jobs=n_jobs or 0,
            encodings=dict(state_run.encodings), interrupted=interrupted,
        )
        try:
            manifest.write_summary(summary.to_dict())
        except mf.ManifestWriteError as exc:
            unwritable = unwritable or exc
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)
    if unwritable is not None:
        raise BatchAbortedError(
            f"{unwritable}; the batch stopped, what is recorded is kept: make room and rerun "
            "with --resume", ExitCode.SOME_FILES_FAILED,
        ) from unwritable
    if state_run.fatal is not None:
        raise BatchAbortedError(
            f"{state_run.fatal.rel}: {state_run.fatal.reason}; the batch stopped, what is done "
            "is kept: fix the cause and rerun with --resume",
            state_run.fatal.fatal,
        )
    return summary


def _mp_context() -> multiprocessing.context.BaseContext:
    """fork where it is safe (Linux): workers then inherit the parent's loaded lexicon."""
    return multiprocessing.get_context("fork" if sys.platform == "linux" else None)


#: Files sent to a worker at a time: one round trip (a future, two pickles, a wake-up of the
#: parent) costs about a millisecond of the parent's time, as much as fixing a small report.
CHUNK_FILES = 8


def process_files(tasks: tuple[FileTask, ...]) -> list[FileResult]:
    """`process_file` for a few files, in one round trip to a worker; after Ctrl-C only the
    file in progress is finished (the rest are left for --resume).

    Each output's fsync and rename run on a thread while the next file is corrected, so the
    wait for the disk (a tenth of a 1-worker run) overlaps the work; every file is in place
    before its result is returned, so the parent records only outputs that exist.
    """
    committer = _committer()
    started = []
    for task in tasks:
        if _STOP is not None and _STOP.is_set():
            break
        started.append((task, _start(task, committer)))
    return [_settle(task, outcome) for task, outcome in started]


_COMMITTER: tuple[int, ThreadPoolExecutor] | None = None


def _committer() -> ThreadPoolExecutor:
    """This process's commit thread (a forked worker must not use its parent's)."""
    global _COMMITTER
    if _COMMITTER is None or _COMMITTER[0] != os.getpid():
        _COMMITTER = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="svfix-commit"))
    return _COMMITTER[1]


def _chunked(tasks: Iterator[FileTask]) -> Iterator[tuple[FileTask, ...]]:
    """Text files in chunks of CHUNK_FILES; a scan or PDF (seconds of OCR each) alone."""
    chunk: list[FileTask] = []
    for task in tasks:
        if task.kind != "text":
            if chunk:
                yield tuple(chunk)
                chunk = []
            yield (task,)
            continue
        chunk.append(task)
        if len(chunk) == CHUNK_FILES:
            yield tuple(chunk)
            chunk = []
    if chunk:
        yield tuple(chunk)


def _run_local(tasks: Iterator[FileTask], state: _Run, jobs: int,
               context: multiprocessing.context.BaseContext | None) -> None:
    """Stream `tasks` through a process pool, a few chunks per worker in flight; survive dead
    workers: the files of a chunk a worker died on are retried one at a time, so that a file
    that kills its worker is found and the others are fixed."""
    limit = 2 * jobs + 2
    retry: deque[FileTask] = deque()
    in_flight: dict[Future[list[FileResult]], tuple[FileTask, ...]] = {}
    chunks = _chunked(tasks)
    stop = (context or multiprocessing).Event()

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(jobs, context, initializer=init_worker, initargs=(jobs > 1, stop))

    sharing = _share_searches(jobs, context)
    pool = new_pool()
    try:
        while True:
            while len(in_flight) < limit and state.fatal is None:
                chunk = (retry.popleft(),) if retry else next(chunks, ())
                if not chunk:
                    break
                in_flight[pool.submit(process_files, chunk)] = chunk
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = _collect(done, in_flight, state, retry)
            if broken:
                # every other task in flight fails with the pool; collect those that finished
                broken += _collect(wait(in_flight).done, in_flight, state, retry)
                log.warning(
                    "a worker process died (killed, or out of memory?); restarting the workers "
                    "and retrying the %d files it had in flight", len(retry),
                )
                pool.shutdown(wait=True)
                pool = new_pool()
    except KeyboardInterrupt:
        stop.set()  # workers finish the file they are on and leave the rest of their chunk
        for future in in_flight:
            future.cancel()
        log.warning("interrupted: finishing the files in progress (Ctrl-C again stops at once)")
        for future in wait(in_flight).done:
            if not future.cancelled() and future.exception() is None:
                for result in future.result():
                    state.finished(result)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _unshare_searches(sharing)


#: Bound of the searches the workers of one batch share, in MB. Pages are taken as the table
#: fills (the 2,000-file speed archive's 152,000 searches take 17 MB); 64 MB holds about twice
#: the words a worker's own tables keep, and keeps a long batch within its memory target.
SHARED_SEARCH_MB = 64


def _share_searches(jobs: int, context: multiprocessing.context.BaseContext | None):  # -> Engine | None
    """With several forked workers, let them share the engine's candidate searches; returns
    the engine that shares them (for `_unshare_searches`), or None.

    Each worker meets mostly the same damaged tokens: searched apart, a fifth of two workers'
    searches repeat the other's (speed archive). Forked workers inherit the table, so it is
    made here, before the pool.
    """
    from svfix import native

    if jobs < 2 or context is None or context.get_start_method() != "fork" or not native.wanted():
        return None
    engine = native.engine()
    try:
        engine.share_readings(SHARED_SEARCH_MB)
    except RuntimeError as exc:  # no shared memory to be had: each worker searches alone
        log.debug("the workers do not share searches: %s", exc)
        return None
    return engine


def _unshare_searches(engine) -> None:
    if engine is not None:
        log.debug("shared searches: %s", engine.shared_readings_stats())
        engine.unshare_readings()


def _collect(done: Iterable[Future[list[FileResult]]],
             in_flight: dict[Future[list[FileResult]], tuple[FileTask, ...]],
             state: _Run, retry: deque[FileTask]) -> int:
    broken = 0
    for future in done:
        chunk = in_flight.pop(future)
        try:
            results = future.result()
        except BrokenProcessPool:
            broken += 1
            for task in chunk:
                if state.crashed(task):
                    retry.append(task)
            continue
        for result in results:
            state.finished(result)
    return broken


def _run_dask(address: str, tasks: Iterator[FileTask], state: _Run, jobs: int | None) -> int:
    """The same tasks on a Dask cluster; returns the number of worker threads used."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise MissingDependencyError(
            "--scheduler needs Dask: pip install 'svfix[dask]' (or dask[distributed])"
        ) from None
    try:
        client = Client(address, timeout=30)
    except OSError as exc:
        raise BatchAbortedError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        threads = jobs or max(1, sum(client.nthreads().values()))
        queue = as_completed()
        in_flight: dict[object, FileTask] = {}

        def submit() -> bool:
            task = next(tasks, None) if state.fatal is None else None
            if task is None:
                return False
            future = client.submit(process_file, task, pure=False, key=f"svfix-{secrets.token_hex(8)}")
            in_flight[future] = task
            queue.add(future)
            return True

        for _ in range(2 * threads + 2):
            if not submit():
                break
        try:
            for future in queue:
                task = in_flight.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # KilledWorker and the like: this file, not the batch
                    result = FileResult(task.rel, "error", f"Dask worker failed: {exc}")
                state.finished(result)
                submit()
        except KeyboardInterrupt:
            client.cancel(list(in_flight))
            raise
    return threads


def configure_logging(write: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
                      level: int = logging.WARNING) -> logging.Handler:
    """Route the `svfix.batch` log to `write` (a progress bar's `write`), one line per record."""

    class _Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            write(f"svfix: {record.getMessage()}")

    handler = _Handler(level)
    log.addHandler(handler)
    log.setLevel(min(level, log.level or level))
    log.propagate = False
    return handler
