"""`svfix batch` on real folders, real zips, real encodings, real kills and a real Dask cluster.

Every CLI test runs ``python -m svfix batch`` as a subprocess; interruptions are real signals
(SIGKILL of a worker or of the whole run, SIGINT) and the "disk full" case is a real write
failure (RLIMIT_FSIZE makes the kernel refuse a large output with EFBIG). Expected outputs are
computed here with `svfix.correct`, so the tests hold whatever the restoration core does.
"""

from __future__ import annotations

import codecs
import ctypes
import functools
import hashlib
import json
import logging
import os
import pty
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest

import svfix
from svfix import batch, changelog, manifest, textio

PY = sys.executable
ROOT = Path(__file__).resolve().parents[1]

SENTENCES = [
    "Kommunstyrelsen beslot att ga vidare med arendet for skolan.",
    "Har ar en rapport fran socialnamnden om aldreomsorgen i Tyreso.",
    "Budgeten for ar 2019 ska behandlas pa sammantradet i mars.",
    "Förvaltningen föreslår att nämnden godkänner återrapporteringen.",
    "Manniskor som bor i omradet har lamnat synpunkter pa planen.",
    "Det är viktigt att överenskommelsen följs upp under året.",
    "Kostnaderna for hemtjansten okade med 4,2 procent jamfort med 2018.",
]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "utf-16-le"]


def report_text(i: int, n: int = 12) -> str:
    lines = [SENTENCES[(i + k) % len(SENTENCES)] for k in range(n)]
    return f"Rapport {i}\n\n" + "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=None)
def _expected(raw: bytes) -> tuple[str, int]:
    result = svfix.correct(textio.decode(raw).text)
    return result.text, len(result.changes)


def expected_output(raw: bytes) -> str:
    return _expected(raw)[0]


def tree_state(root: Path) -> dict[str, str]:
    """Every entry under root: sha256 of files, link target of symlinks, and modes."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = str(path.relative_to(root))
            st = path.lstat()
            if path.is_symlink():
                state[rel] = f"link:{os.readlink(path)}"
            elif path.is_file():
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except PermissionError:
                    digest = "unreadable"
                state[rel] = f"{digest}:{oct(st.st_mode)}:{st.st_mtime_ns}"
            else:
                state[rel] = f"dir:{oct(st.st_mode)}"
    return state


def make_tree(root: Path, n: int = 14) -> dict[str, bytes]:
    """Nested folders of reports in mixed encodings; returns {rel: raw bytes} of the texts."""
    texts = {}
    for i in range(n):
        rel = f"{2000 + i % 3}/namnd-{i % 2}/rapport-{i:03d}" + (".md" if i % 5 == 4 else ".txt")
        raw = report_text(i).encode(ENCODINGS[i % len(ENCODINGS)])
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        texts[rel] = raw
    for folder in ("2000", "2001"):
        (root / folder).mkdir(exist_ok=True)
    (root / "2000" / "scan.pdf").write_bytes(b"%PDF-1.4\n% not really\n")
    (root / "2001" / "bild.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (root / "notes.docx").write_bytes(b"PK\x03\x04 not a text")
    return texts


def cli(*args: object, env: dict[str, str] | None = None, timeout: float = 120,
        **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "-m", "svfix", "batch", *map(str, args)], capture_output=True, text=True,
        timeout=timeout, env={**os.environ, **(env or {})}, **kwargs,
    )


def records(out: Path) -> list[dict]:
    lines = (out / manifest.MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, lines) if "file" in r]


def change_lines(out: Path) -> list[dict]:
    text = (out / manifest.CHANGES_NAME).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def assert_outputs(out: Path, texts: dict[str, bytes]) -> None:
    for rel, raw in texts.items():
        assert (out / rel).read_text(encoding="utf-8") == expected_output(raw), rel


def assert_change_log(out: Path, texts: dict[str, bytes]) -> None:
    """Every change line points at its old text in the decoded input; none is logged twice."""
    lines = change_lines(out)
    keys = [(c["file"], c["offset"], c["new"]) for c in lines]
    assert len(keys) == len(set(keys)), "a change was logged twice"
    decoded = {rel: textio.decode(raw).text for rel, raw in texts.items()}
    for c in lines:
        assert {"file", "offset", "old", "new", "confidence", "reason"} <= c.keys()
        assert decoded[c["file"]][c["offset"]:c["end"]] == c["old"]
    per_file = Counter(c["file"] for c in lines)
    for rel, raw in texts.items():
        assert per_file[rel] == _expected(raw)[1], rel


def no_stray_temp_files(out: Path) -> None:
    strays = [p for p in out.rglob("*") if p.name.endswith(".tmp") or "svfix-" in p.name
              and p.name not in manifest.RESERVED_NAMES]
    assert strays == []


# --- decoding ------------------------------------------------------------------------------

SWEDISH = "Förvaltningsberättelse för år 2019: nämnden beslöt att återremittera ärendet.\n"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (SWEDISH.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SWEDISH.encode("utf-8"), "utf-8-sig"),
        (SWEDISH.encode("utf-16"), "utf-16"),
        (SWEDISH.encode("utf-16-le"), "utf-16-le"),
        (SWEDISH.encode("utf-16-be"), "utf-16-be"),
        ((SWEDISH + "Pris: 100 € – ”citat”.\n").encode("cp1252"), "cp1252"),
        ((SWEDISH * 3).encode("latin-1") + b"\x81", "latin-1"),
        (SWEDISH.encode("cp850"), "cp850"),
        (SWEDISH.encode("mac_roman"), "mac_roman"),
        (SWEDISH.encode("utf-8") + "Här är mer.".encode("cp1252"), "utf-8+cp1252"),
        (b"Tyreso kommun\n", "ascii"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-le", "utf-16-be", "cp1252", "latin-1",
         "cp850", "mac_roman", "utf-8+cp1252", "ascii"],
)
def test_decode_detects_the_encoding_of_real_bytes(raw: bytes, encoding: str) -> None:
    decoded = textio.decode(raw)
    assert decoded.encoding == encoding
    assert decoded.text.startswith(SWEDISH[:20]) or decoded.text == "Tyreso kommun\n"
    assert "\ufffd" not in decoded.text


def test_cp1252_quotes_without_swedish_letters_stay_cp1252() -> None:
    raw = "Kommunen beslot att ”snarast” ga vidare – och for over.\n".encode("cp1252")
    assert textio.decode(raw) == (raw.decode("cp1252"), "cp1252")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file (NUL bytes)"),
        (bytes(range(1, 9)) * 50, "binary file"),
        (codecs.BOM_UTF8 + b"abc\xff\xfe", "undecodable: UTF-8"),
        (codecs.BOM_UTF16_LE + b"a\x00b", "undecodable: UTF-16"),
    ],
    ids=["empty", "png", "controls", "bad-utf8-bom", "odd-utf16"],
)
def test_decode_refuses_what_is_not_text(raw: bytes, reason: str) -> None:
    with pytest.raises(textio.DecodeError) as info:
        textio.decode(raw, name="x.txt")
    assert info.value.reason.startswith(reason)
    assert str(info.value).startswith("x.txt: ")


def test_change_line_is_the_change_as_json() -> None:
    change = svfix.Change(3, 6, 'f"6r\\', "för\n", 0.912345678, svfix.Reason.CONFUSION, False, "x")
    line = changelog.change_line(json.dumps("å/b.txt", ensure_ascii=False), 10, change)
    data = change.to_dict()
    del data["start"], data["end"]
    assert json.loads(line) == {"file": "å/b.txt", "offset": 13, "end": 16, **data}


def test_chunks_cover_the_text_and_cut_at_line_breaks() -> None:
    text = "".join(report_text(i) for i in range(20))
    pieces = list(batch.chunks(text, 500))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 500 and p.endswith("\n") for _, p in pieces[:-1])
    assert [o for o, _ in pieces] == [sum(len(p) for _, p in pieces[:k]) for k in range(len(pieces))]


# --- the command on real trees ----------------------------------------------------------------


def test_mirrors_a_nested_tree_of_mixed_encodings(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src)
    before = tree_state(src)
    proc = cli(src, out, "-j", 2, "--json", "-v")
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr  # not a terminal: plain lines only
    summary = json.loads(proc.stdout)
    assert summary["files"] == len(texts) and summary["errors"] == 0
    assert summary["skipped"] == 3 and summary["words"] > 0
    assert {"files", "words", "changes", "skipped", "errors", "mb_per_s"} <= summary.keys()
    assert json.loads((out / manifest.SUMMARY_NAME).read_text()) == summary
    assert_outputs(out, texts)
    assert_change_log(out, texts)
    by_file = {r["file"]: r for r in records(out)}
    assert all(by_file[rel]["status"] == "fixed" for rel in texts)
    encodings = {by_file[rel]["encoding"] for rel in texts}
    assert {"utf-8", "utf-8-sig", "utf-16", "cp1252", "utf-16-le"} <= encodings
    assert by_file["2000/scan.pdf"]["status"] == "skipped"
    assert "--ocr" in by_file["2000/scan.pdf"]["reason"]
    assert by_file["notes.docx"]["status"] == "skipped"
    assert "(utf-16-le," in proc.stderr  # -v names the encoding of each file
    assert not (out / "2000" / "scan.pdf").exists()
    assert tree_state(src) == before  # IN untouched
    no_stray_temp_files(out)

    # a finished run rerun with --resume does nothing
    again = cli(src, out, "--resume", "--json", "-j", 2)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["files"] == 0 and summary["resumed"] == len(texts)
    assert_change_log(out, texts)

    # --resume redoes exactly what changed: an edited input and a deleted output
    edited = next(iter(texts))
    texts[edited] = report_text(99).encode("cp1252")
    (src / edited).write_bytes(texts[edited])
    deleted = list(texts)[3]
    (out / deleted).unlink()
    quiet = cli(src, out, "--resume", "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    summary = json.loads((out / manifest.SUMMARY_NAME).read_text())
    assert summary["files"] == 2 and summary["resumed"] == len(texts) - 2
    assert_outputs(out, texts)


def test_reads_a_zip_archive(tmp_path: Path) -> None:
    archive, out = tmp_path / "reports.zip", tmp_path / "out"
    texts = {}
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(8):
            rel = f"arkiv/{1990 + i}/rapport-{i}.txt"
            texts[rel] = report_text(i).encode(ENCODINGS[i % len(ENCODINGS)])
            z.writestr(rel, texts[rel])
        z.writestr("arkiv/", b"")
        z.writestr("../utanfor.txt", b"must never be written outside OUT")
        z.writestr("arkiv/tom.txt", b"")
        z.writestr("arkiv/skanning.tif", b"II*\x00")
    before = hashlib.sha256(archive.read_bytes()).hexdigest()
    proc = cli(archive, out, "-j", 2, "--json")
    assert proc.returncode == 1, proc.stderr
    summary = json.loads(proc.stdout)
    assert (summary["files"], summary["errors"], summary["skipped"]) == (8, 2, 1)
    assert_outputs(out, texts)
    assert_change_log(out, texts)
    assert "../utanfor.txt: unsafe path in the archive" in proc.stderr
    assert "arkiv/tom.txt: empty file" in proc.stderr
    assert not (tmp_path / "utanfor.txt").exists()
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == before
    resumed = cli(archive, out, "--resume", "--json")
    assert json.loads(resumed.stdout)["resumed"] == 8


def _without_root_read_override() -> None:
    """preexec_fn: drop CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, so root obeys file modes after exec."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_every_bad_file_is_named_counted_and_the_batch_goes_on(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src, n=4)
    bad = {
        "trasig/binar.txt": "binary file",
        "trasig/odekodbar.txt": "undecodable",
        "trasig/tom.txt": "empty file",
        "trasig/en-rad.txt": "too large (200.0 MB > --max-bytes 32 MB)",
        "trasig/hemlig.txt": "no read permission",
        "trasig/borta.txt": "broken symlink",
    }
    folder = src / "trasig"
    folder.mkdir()
    (folder / "binar.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "odekodbar.txt").write_bytes(codecs.BOM_UTF8 + "på".encode("cp1252") * 50)
    (folder / "tom.txt").write_bytes(b"")
    with open(folder / "en-rad.txt", "wb") as f:  # 200 MB, one line
        block = b"kommunstyrelsen beslot att ga vidare " * 28_340
        for _ in range(200 * 2**20 // len(block)):
            f.write(block)
        f.write(b"x" * (200 * 2**20 - f.tell()))
    (folder / "hemlig.txt").write_bytes(report_text(1).encode())
    (folder / "hemlig.txt").chmod(0o000)
    (folder / "borta.txt").symlink_to("finns-inte.txt")
    before = tree_state(src)
    root = os.geteuid() == 0  # root reads anything unless it gives up that capability
    proc = cli(src, out, "-j", 2, "--json",
               preexec_fn=_without_root_read_override if root else None)
    assert proc.returncode == 1, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["errors"] == len(bad) and summary["files"] == len(texts)
    lines = [line for line in proc.stderr.splitlines() if "trasig/" in line]
    assert len(lines) == len(bad)
    for rel, reason in bad.items():
        assert any(line.startswith(f"svfix: {rel}: {reason}") for line in lines), (rel, lines)
        assert not (out / rel).exists()
    assert_outputs(out, texts)
    assert tree_state(src) == before


def test_an_output_that_cannot_be_put_in_place_is_named_and_the_batch_goes_on(
        tmp_path: Path) -> None:
    # The rename into OUT runs on the worker's commit thread: its failure must still be one
    # line naming the file, and leave no temporary file behind.
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src, n=9)
    out.mkdir()
    (out / "2001").write_text("a file where OUT needs the folder 2001/\n")
    proc = cli(src, out, "-j", 2, "--json")
    assert proc.returncode == 1, proc.stderr
    blocked = sorted(rel for rel in texts if rel.startswith("2001/"))
    assert json.loads(proc.stdout)["errors"] == len(blocked) > 0
    for rel in blocked:
        assert f"svfix: {rel}: cannot write {out / rel}" in proc.stderr, proc.stderr
    assert_outputs(out, {rel: raw for rel, raw in texts.items() if rel not in blocked})
    no_stray_temp_files(out)
    (out / "2001").unlink()
    proc = cli(src, out, "--resume", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files"] == len(blocked)
    assert_outputs(out, texts)
    assert_change_log(out, texts)


def test_refuses_out_inside_in(tmp_path: Path) -> None:
    src = tmp_path / "in"
    make_tree(src, n=2)
    before = tree_state(src)
    proc = cli(src, src / "fixed")
    assert proc.returncode == 2, proc.stderr
    assert "inside IN" in proc.stderr and "--in-place" in proc.stderr
    for out in (src, src / "2000" / "x", tmp_path):  # tmp_path contains IN: could overwrite it
        with pytest.raises(batch.BatchUsageError, match="--in-place|contains IN"):
            batch.run(src, out)
    with pytest.raises(batch.BatchUsageError, match="OUT equal to IN"):
        batch.run(src, tmp_path / "elsewhere", in_place=True)
    assert tree_state(src) == before
    assert not (tmp_path / manifest.MANIFEST_NAME).exists()


def test_an_in_that_is_no_folder_or_readable_zip_is_refused_in_one_line(tmp_path: Path) -> None:
    damaged = tmp_path / "arkiv.zip"
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("a.txt", report_text(1))
    damaged.write_bytes(damaged.read_bytes()[:40])  # cut short, as by an interrupted download
    text = tmp_path / "rapport.txt"
    text.write_text(report_text(2), encoding="utf-8")
    for src, reason in ((damaged, "not a readable .zip archive"),
                        (text, "IN must be a folder or a .zip archive"),
                        (tmp_path / "saknas", "no such file or folder")):
        proc = cli(src, tmp_path / "out")
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines() == [f"svfix: error: {src}: {reason}" + (
            " (damaged or cut short?)" if src == damaged else "")]
    assert not (tmp_path / "out").exists()


def test_in_place_keeps_a_backup_of_every_original(tmp_path: Path) -> None:
    src = tmp_path / "in"
    texts = make_tree(src, n=6)
    proc = cli(src, "--in-place", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files"] == len(texts)
    assert_outputs(src, texts)
    backups = list((src / manifest.STATE_DIR / "backup").iterdir())
    assert len(backups) == 1
    for rel, raw in texts.items():
        if (backups[0] / rel).exists():
            assert (backups[0] / rel).read_bytes() == raw
        else:  # only a file that needed no change at all may go without a backup
            assert (src / rel).read_bytes() == raw
    again = cli(src, "--in-place", "--resume", "--json")
    assert json.loads(again.stdout)["files"] == 0, again.stderr
    assert_outputs(src, texts)


# --- interruptions ---------------------------------------------------------------------------


def _wait_for_fixed(out: Path, proc: subprocess.Popen, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        path = out / manifest.MANIFEST_NAME
        if path.exists() and path.read_text(encoding="utf-8").count('"fixed"') >= count:
            return
        time.sleep(0.02)
    raise AssertionError("the batch did not get going")


def _workers(pid: int) -> list[int]:
    own = Path(f"/proc/{pid}/cmdline").read_bytes()
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if ppid == pid and (entry / "cmdline").read_bytes() == own:
                    children.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return children


def _start(src: Path, out: Path, *extra: object, delay: float = 0.04) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, "-m", "svfix", "batch", str(src), str(out), "-j", "2", *map(str, extra)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, batch._DELAY_ENV: str(delay)},
    )


def _assert_nothing_half_written(out: Path, texts: dict[str, bytes]) -> int:
    done = 0
    for rel, raw in texts.items():
        if (out / rel).exists():
            assert (out / rel).read_text(encoding="utf-8") == expected_output(raw), rel
            done += 1
    return done


def test_killed_worker_is_replaced_and_resume_finds_nothing_left(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src, n=60)
    proc = _start(src, out)
    _wait_for_fixed(out, proc, 10)
    victims = _workers(proc.pid)
    assert victims, "no worker processes found"
    os.kill(victims[0], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "worker process died" in stderr
    assert_outputs(out, texts)
    resumed = cli(src, out, "--resume", "--json")
    summary = json.loads(resumed.stdout)
    assert (summary["files"], summary["resumed"]) == (0, len(texts)), resumed.stderr
    assert_change_log(out, texts)


def test_kill_9_of_the_whole_run_then_resume_loses_nothing(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src, n=60)
    before = tree_state(src)
    proc = _start(src, out)
    _wait_for_fixed(out, proc, 15)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(0.2)  # let orphaned workers notice
    done = _assert_nothing_half_written(out, texts)
    assert 0 < done < len(texts)
    proc = cli(src, out, "--resume", "-j", 2, "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["files"] + summary["resumed"] == len(texts)
    assert summary["resumed"] >= 15
    assert_outputs(out, texts)
    assert_change_log(out, texts)
    fixed = [r["file"] for r in records(out) if r["status"] == "fixed"]
    assert sorted(set(fixed)) == sorted(texts)
    assert tree_state(src) == before
    no_stray_temp_files(out)


def test_resume_redoes_an_output_a_power_cut_left_short(tmp_path: Path) -> None:
    # Outputs are made durable in group commits, and between two of them the kernel may write
    # a record to disk before its output: after a power cut the record survives, the output
    # is cut short (here: cut by hand, as the disk would have left it).
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src, n=6)
    assert cli(src, out, "-j", 2).returncode == 0
    written = {r["file"]: r["out_bytes"] for r in records(out) if r["status"] == "fixed"}
    assert written == {rel: len(expected_output(raw).encode("utf-8")) for rel, raw in texts.items()}
    short = sorted(texts)[2]
    half = written[short] // 2
    os.truncate(out / short, half)
    proc = cli(src, out, "--resume", "--json")
    assert proc.returncode == 0, proc.stderr
    assert f"{short}: its output is {half} bytes, not the {written[short]} written" in proc.stderr
    summary = json.loads(proc.stdout)
    assert (summary["files"], summary["resumed"]) == (1, len(texts) - 1)
    assert_outputs(out, texts)


def test_outputs_are_committed_by_syncing_the_file_system() -> None:
    # the group commit needs Linux's syncfs; elsewhere each output is fsynced before its rename
    assert manifest.can_sync_file_system() == sys.platform.startswith("linux")
    assert batch.durability(fsync=True, in_place=False, scheduler=None) == (False, True)
    # the original is at stake, or the writes are another machine's: fsync each output
    assert batch.durability(fsync=True, in_place=True, scheduler=None) == (True, False)
    assert batch.durability(fsync=True, in_place=False, scheduler="tcp://h:1") == (True, False)
    assert batch.durability(fsync=False, in_place=True, scheduler=None) == (False, False)
    with tempfile.TemporaryFile() as f:
        f.write(b"x")
        manifest.sync_file_system(f.fileno())
    with pytest.raises(OSError, match="Bad file descriptor"):
        manifest.sync_file_system(10_000)


def test_ctrl_c_stops_cleanly_a_second_run_is_refused_and_resume_finishes(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src, n=30)
    proc = _start(src, out, delay=0.15)  # > 2 s: time for a second run to be refused
    _wait_for_fixed(out, proc, 4)
    second = cli(src, out, "--resume")  # OUT is locked while a batch writes to it
    assert second.returncode == 2 and "another svfix batch" in second.stderr
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "--resume" in stderr
    summary = json.loads((out / manifest.SUMMARY_NAME).read_text())
    assert summary["interrupted"] is True
    done = _assert_nothing_half_written(out, texts)
    assert done < len(texts)
    proc = cli(src, out, "--resume", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["resumed"] >= 4
    assert_outputs(out, texts)
    assert_change_log(out, texts)
    no_stray_temp_files(out)


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit then fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_write_that_fails_for_lack_of_space_stops_without_half_outputs(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src, n=6)
    big = "stor/rapport.txt"
    texts[big] = ("".join(report_text(i) for i in range(100))).encode("utf-8")
    assert len(texts[big]) > 64 * 1024
    (src / "stor").mkdir()
    (src / big).write_bytes(texts[big])
    proc = cli(src, out, "-j", 1, preexec_fn=_limit_file_size)
    assert proc.returncode == 1, proc.stderr
    assert f"{big}: cannot write" in proc.stderr and "--resume" in proc.stderr
    assert not (out / big).exists()
    _assert_nothing_half_written(out, texts)
    no_stray_temp_files(out)
    proc = cli(src, out, "--resume", "--json")
    assert proc.returncode == 0, proc.stderr
    assert_outputs(out, texts)
    assert_change_log(out, texts)


def test_a_change_log_the_disk_cannot_hold_stops_the_batch_in_one_line(tmp_path: Path) -> None:
    # every output fits under the limit, the change log of them all does not: the parent
    # cannot record what is done, so the batch stops, and --resume finishes it
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src, n=40)
    assert max(len(expected_output(raw).encode("utf-8")) for raw in texts.values()) < 64 * 1024
    proc = cli(src, out, "-j", 2, preexec_fn=_limit_file_size)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    changes = out / manifest.CHANGES_NAME
    assert lines[-1].startswith(f"svfix: error: cannot write {changes}: File too large")
    assert lines[-1].endswith("rerun with --resume") and "Traceback" not in proc.stderr
    assert json.loads((out / manifest.SUMMARY_NAME).read_text())["files"] < len(texts)
    _assert_nothing_half_written(out, texts)  # (the files in flight were finished)
    no_stray_temp_files(out)
    proc = cli(src, out, "--resume", "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["resumed"] > 0 and summary["files"] > 0
    assert_outputs(out, texts)
    assert_change_log(out, texts)


# --- progress, OCR, library and cluster -------------------------------------------------------


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    make_tree(src, n=30)
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    proc = subprocess.run(
        [PY, "-m", "svfix", "batch", str(src), str(out), "-j", "2"], stdout=subprocess.PIPE,
        stderr=slave, text=True, timeout=60, env={**os.environ, batch._DELAY_ENV: "0.02"},
    )
    os.close(slave)
    reader.join(timeout=5)
    os.close(master)
    shown = b"".join(chunks).decode()
    assert proc.returncode == 0
    assert "\r" in shown and "30/30 files" in shown and "MB/s" in shown and "ETA" in shown
    assert "files:" in proc.stdout and "MB/s" in proc.stdout  # the summary, on stdout


def test_eta_follows_files_as_well_as_bytes() -> None:
    """Three small texts done of seventeen files, the scans' megabytes still ahead: bytes alone
    said an hour for what files say is under a minute; a text archive, where both shares
    agree, gets the estimate bytes give."""
    from svfix.batch_cli import _Counts

    mixed = _Counts()
    mixed.set_total(17, 3_500_000)
    for _ in range(3):
        mixed.advance(3_000, worked=True)
    bytes_only = 10 * (3_500_000 - 9_000) / 9_000
    assert mixed.eta(10.0) is not None and 30 < mixed.eta(10.0) < bytes_only / 10

    texts = _Counts()
    texts.set_total(100, 1_000_000)
    for _ in range(25):
        texts.advance(10_000, worked=True)
    assert texts.eta(10.0) == pytest.approx(30.0)

    resumed = _Counts()  # files found done by --resume take no time: they say nothing of the rate
    resumed.set_total(10, 100_000)
    for _ in range(5):
        resumed.advance(10_000, worked=False)
    assert resumed.eta(10.0) is None
    resumed.advance(10_000, worked=True)
    assert resumed.eta(10.0) == pytest.approx(40.0)


class _RecordingBar:
    """A progress bar that remembers what it was told."""

    def __init__(self) -> None:
        self.total = (0, 0)
        self.advanced: list[tuple[int, bool]] = []

    def set_total(self, files: int, nbytes: int) -> None:
        self.total = (files, nbytes)

    def advance(self, nbytes: int, *, worked: bool) -> None:
        self.advanced.append((nbytes, worked))

    def write(self, line: str) -> None:
        pass

    def close(self) -> None:
        pass


def test_progress_counts_a_scan_by_its_size_as_the_total_does(tmp_path: Path) -> None:
    """The total counts a scan's bytes, so a finished scan must advance by them too (it once
    advanced by its OCR text's few kB, and a scan batch stayed at "0.0/3.5 MB" to the end)."""
    pytest.importorskip("svfix.ocr")
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    scan = ROOT / "samples" / "scans" / "s05-bw-200dpi.png"
    shutil.copy(scan, src / "scan.png")
    (src / "rapport.txt").write_bytes(report_text(1).encode("cp1252"))
    bar = _RecordingBar()
    summary = batch.run(src, out, jobs=1, ocr=True, progress=bar)
    assert (summary.files, summary.errors) == (2, 0)
    assert bar.total == (2, scan.stat().st_size + (src / "rapport.txt").stat().st_size)
    assert sorted(bar.advanced) == sorted(
        [(scan.stat().st_size, True), ((src / "rapport.txt").stat().st_size, True)]
    )


def test_ocr_path_reports_a_broken_scan_and_skips_without_ocr(tmp_path: Path) -> None:
    pytest.importorskip("svfix.ocr")
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src, n=2)
    (src / "2001" / "bild.png").unlink()
    proc = cli(src, out, "--ocr", "--json")
    assert proc.returncode == 1
    assert "svfix: 2000/scan.pdf: " in proc.stderr
    assert json.loads(proc.stdout)["errors"] == 1
    assert not (out / "2000" / "scan.pdf.txt").exists()
    assert_outputs(out, texts)


def test_forked_workers_share_their_searches(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Two workers publish their searches to one table (the parent logs what it held); one
    worker has no one to share with. The outputs are those of `svfix.correct` either way."""
    from svfix import native

    src = tmp_path / "in"
    texts = make_tree(src, n=8)
    # Workers fork from this process and inherit its engine: had an earlier test read these
    # words here, they would find every reading already cached and search nothing.
    native.engine().forget()
    with caplog.at_level(logging.DEBUG, logger="svfix.batch"):
        batch.run(src, tmp_path / "two", jobs=2)
        batch.run(src, tmp_path / "one", jobs=1)
    # (logging keeps a lone dict argument as the record's args)
    shared = [r.args for r in caplog.records if r.getMessage().startswith("shared searches")]
    assert len(shared) == 1 and shared[0]["entries"] > 0
    assert shared[0]["bytes_used"] <= shared[0]["bytes"]
    assert_outputs(tmp_path / "two", texts)
    assert_outputs(tmp_path / "one", texts)


def test_library_run_chunks_a_long_single_line(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    raw = " ".join(SENTENCES * 70).encode("utf-8")  # ~5 kB, no line break
    (src / "lang.txt").write_bytes(raw)
    summary = batch.run(src, out, jobs=1, chunk_chars=1000)
    assert (summary.files, summary.errors) == (1, 0)
    text = raw.decode()
    want = "".join(svfix.correct(piece).text for _, piece in batch.chunks(text, 1000))
    assert (out / "lang.txt").read_text(encoding="utf-8") == want
    for change in change_lines(out):
        assert text[change["offset"]:change["end"]] == change["old"]
    with pytest.raises(batch.BatchUsageError):
        batch.run(src, src / "x")


def test_dask_local_cluster_runs_the_same_batch(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src, n=16)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        summary = batch.run(src, out, scheduler=cluster.scheduler_address)
    assert (summary.files, summary.errors, summary.skipped) == (len(texts), 0, 3)
    assert summary.jobs == 2
    assert_outputs(out, texts)
    assert_change_log(out, texts)


def test_scheduler_without_dask_says_what_to_install(tmp_path: Path) -> None:
    src = tmp_path / "in"
    make_tree(src, n=1)
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        "from svfix.cli import main\n"
        f"sys.exit(main(['batch', {str(src)!r}, {str(tmp_path / 'out')!r}, "
        "'--scheduler', 'tcp://127.0.0.1:9']))"
    )
    proc = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4
    assert "pip install 'svfix[dask]'" in proc.stderr
