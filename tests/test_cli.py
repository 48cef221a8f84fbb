"""`svfix fix`, `--version` and `--help`, run as a user would: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import svfix

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "svfix", *args], input=stdin, capture_output=True,
                          timeout=120)


def test_fix_reads_stdin_and_writes_the_restored_text():
    proc = run("fix", stdin="Har kan du lasa om atgarder i Tyres6.\n".encode())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == "Här kan du läsa om åtgärder i Tyresö.\n"


def test_fix_file_in_cp1252_with_changes_log(tmp_path):
    source = tmp_path / "rapport.txt"
    source.write_bytes("Tyresö kommun: det ar 2 ar sedan.\n".encode("cp1252"))
    log = tmp_path / "changes.jsonl"
    proc = run("fix", str(source), "--changes", str(log))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == "Tyresö kommun: det är 2 år sedan.\n"
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(c["old"], c["new"]) for c in lines] == [("ar", "är"), ("ar", "år")]
    assert all(c["file"] == str(source) and 0 < c["confidence"] <= 1 for c in lines)
    text = "Tyresö kommun: det ar 2 ar sedan.\n"
    assert all(text[c["start"]:c["end"]] == c["old"] for c in lines)


def test_diff_marks_each_change():
    proc = run("fix", "--diff", stdin=b"Ovrigt och lage.")
    assert proc.stdout.decode() == "[-Ovrigt-]{+Övrigt+} och [-lage-]{+läge+}."


def test_the_sample_ocr_text_gets_better_and_its_truth_is_left_alone():
    ocr = (SAMPLES / "text" / "kallelse-ocr.ocr.txt").read_text(encoding="utf-8")
    truth = (SAMPLES / "text" / "kallelse-ocr.truth.txt").read_text(encoding="utf-8")
    proc = run("fix", str(SAMPLES / "text" / "kallelse-ocr.truth.txt"))
    assert proc.stdout.decode() == truth
    from rapidfuzz.distance import Levenshtein

    fixed = run("fix", str(SAMPLES / "text" / "kallelse-ocr.ocr.txt")).stdout.decode()
    assert Levenshtein.distance(fixed, truth) < Levenshtein.distance(ocr, truth) / 2


def test_binary_input_is_one_line_naming_the_file(tmp_path):
    blob = tmp_path / "scan.bin"
    blob.write_bytes(b"PK\x03\x04\x00\x00\x08\x00" * 20)
    proc = run("fix", str(blob))
    assert proc.returncode != 0
    err = proc.stderr.decode().strip().splitlines()
    assert len(err) == 1 and str(blob) in err[0] and "binary" in err[0]


def test_missing_file_is_a_clear_error(tmp_path):
    proc = run("fix", str(tmp_path / "nope.txt"))
    assert proc.returncode != 0
    assert "nope.txt" in proc.stderr.decode()


def test_a_change_log_that_cannot_be_written_is_one_line_naming_it(tmp_path):
    target = tmp_path / "no-such-folder" / "changes.jsonl"
    proc = run("fix", "--changes", str(target), stdin=b"det ar bra")
    assert proc.returncode == 1
    assert proc.stderr.decode().splitlines() == [
        f"svfix: error: {target}: cannot write the changes: No such file or directory"]


def test_unknown_normalize_step_is_a_usage_error():
    proc = run("fix", "--normalize-on", "hyphens", stdin=b"x")
    assert proc.returncode == 2
    assert "unknown normalize step 'hyphens'" in proc.stderr.decode()


def test_version_and_help():
    assert run("--version").stdout.decode().strip() == f"svfix {svfix.__version__}"
    helptext = run("--help").stdout.decode()
    assert all(command in helptext for command in ("fix", "batch", "ocr"))


def test_fix_loads_neither_the_ocr_stack_nor_pillow():
    code = ("import sys; from svfix.cli import main; main(['fix', '-']); "
            "print(sorted(m for m in ('svfix.ocr', 'PIL') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], input=b"Har kan du lasa\n",
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().splitlines() == ["Här kan du läsa", "[]"]


def test_the_readme_s_examples_are_what_svfix_gives():
    """The README shows svfix's answers; they must not drift from what it does."""
    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    shell = "Har kan du lasa om atgarder i Tyres6 kommun."
    fixed = run("fix", stdin=f"{shell}\n".encode()).stdout.decode()
    assert f'$ echo "{shell}" | svfix fix\n{fixed}' in readme
    library = "Ovrigt: ordforanden Hakan Lindstrom beséker Tyres6."
    assert f'svfix.fix("{library}")\n# {svfix.fix(library)!r}' in readme
    result = svfix.correct("Det ar 2 ar sedan.")
    for c in result.changes:
        line = f"# {c.start} {c.end} {c.original} {c.replacement} {round(c.confidence, 2)} {c.reason} {c.applied}"
        assert line in readme, line


def test_a_text_longer_than_a_chunk_is_fixed_piece_by_piece_as_the_batch_does(tmp_path):
    """Past chunking.CHUNK_CHARS `fix` corrects the text in the batch's pieces, so its memory
    stays that of a chunk; the changes still point into the whole input."""
    from svfix.chunking import CHUNK_CHARS, chunks

    # a clean million characters, then damaged pages: read whole, the clean part would speak
    # for the damaged one (they differ in 24 characters)
    clean = (SAMPLES / "text" / "kallelse-ocr.truth.txt").read_text(encoding="utf-8")
    damaged = (SAMPLES / "text" / "kallelse-ocr.ocr.txt").read_text(encoding="utf-8")
    text = clean * (CHUNK_CHARS // len(clean) + 1) + damaged * 3
    source = tmp_path / "lang.txt"
    source.write_text(text, encoding="utf-8")
    log = tmp_path / "changes.jsonl"
    proc = run("fix", str(source), "--changes", str(log))
    assert proc.returncode == 0, proc.stderr
    pieces = list(chunks(text))
    assert len(pieces) == 2
    assert proc.stdout.decode() == "".join(svfix.correct(piece).text for _, piece in pieces)
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert lines and lines[-1]["start"] > CHUNK_CHARS
    assert all(text[c["start"]:c["end"]] == c["old"] for c in lines)
