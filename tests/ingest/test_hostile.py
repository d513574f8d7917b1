"""No file breaks it: each hostile file fails alone, fast, with one short line, in a real sync."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from helpers import ALIAS_BOMB, nested_yaml, paths_in, store_for, write

from coach.config import load_settings
from coach.errors import DocumentError
from coach.index.sync import sync
from coach.ingest.documents import clean_markdown, load_document
from coach.ingest.reader import read_document, read_documents

GOOD = "---\ntitle: Mentoring\naudience: employee\n---\n\n# Mentoring\n\nMentors meet monthly.\n"


# The classic "billion laughs": nine levels of nine aliases, 9^9 strings once expanded.
def one_line(reason: str) -> None:
    assert reason and "\n" not in reason and len(reason) <= 300, reason
    assert "Traceback" not in reason, reason


def slow_text() -> bytes:
    """14 MB of one-word lines: real work to clean, and hundreds of MB as Python strings."""
    return b"word\n" * 2_800_000


def zip_bomb_docx(path: Path, padding_mb: int) -> None:
    """A valid DOCX whose document.xml is padded with `padding_mb` MB of spaces (about 1000:1)."""
    docx = pytest.importorskip("docx")
    plain = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Mentors meet monthly.")
    document.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            data = source.read(item)
            if item.filename != "word/document.xml":
                bomb.writestr(item.filename, data)
                continue
            head, tail = data.split(b"</w:body>")
            with bomb.open(item.filename, "w", force_zip64=True) as member:
                member.write(head)
                block = b" " * (1 << 20)
                for _ in range(padding_mb):
                    member.write(block)
                member.write(b"</w:body>" + tail)


def pdf_bomb(padding_mb: int) -> bytes:
    """A one-page PDF whose content stream inflates to `padding_mb` MB of spaces, then text."""
    deflate = zlib.compressobj(9)
    stream = b"".join(deflate.compress(b" " * (1 << 20)) for _ in range(padding_mb))
    stream += deflate.compress(b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET") + deflate.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return bytes(pdf)


# name, content, words expected in the reason
FAILING = [
    ("nested.md", nested_yaml(), "nested more than 20 levels deep"),
    ("laughs.md", ALIAS_BOMB, "values (aliases count as expanded)"),
    ("self.md", "---\na: &a [*a]\n---\n\nBody.\n", "refers to itself"),
    ("bad-date.md", "---\nupdated: 2026-13-45\n---\n\nBody.\n", "month must be in 1..12"),
    ("digits.md", f"---\nlevel: {'9' * 5000}\n---\n\nBody.\n", "invalid front matter"),
    ("big-header.md", "---\n" + "x: y\n" * 20_000 + "---\n\nBody.\n", "over 64 KB"),
    ("toml-deep.md", f"+++\na = {'[' * 5000}{']' * 5000}\n+++\n\nBody.\n", "levels deep"),
    ("toml-dotted.md", "+++\n" + "a." * 25_000 + "a = 1\n+++\n\nBody.\n", "levels deep"),
]
# Inputs that made a backtracking regex quadratic: they must now read in well under a second.
QUADRATIC = {
    "script.md": "<script" * 20_000,
    "shortcode.md": "{{<" * 47_000,
    "comment.md": "<!--" * 35_000,
    "link.md": "[a](" * 35_000,
    "brackets.md": "[" * 140_000,
    "heading.md": "# a" + " #" * 70_000 + "b\n\nText.\n",
}


@pytest.mark.parametrize(("name", "text", "words"), FAILING, ids=[c[0] for c in FAILING])
def test_hostile_front_matter_fails_fast_in_process(kb, settings, name, text, words):
    path = write(kb, name, text)
    started = time.perf_counter()
    with pytest.raises(DocumentError) as caught:
        load_document(path, kb, settings)
    assert time.perf_counter() - started < 5
    assert words in str(caught.value)
    one_line(str(caught.value))


def test_the_alias_bomb_is_small_and_its_reason_too(kb, settings):
    assert len(ALIAS_BOMB.encode()) < 400
    with pytest.raises(DocumentError) as caught:
        load_document(write(kb, "b.md", ALIAS_BOMB), kb, settings)
    reason = str(caught.value)
    assert len(reason) < 120


@pytest.mark.parametrize("name", sorted(QUADRATIC))
def test_cleaning_is_linear(name):
    started = time.perf_counter()
    clean_markdown(QUADRATIC[name] * 4)  # 560 KB: a quadratic scan would take minutes
    assert time.perf_counter() - started < 2


def sync_beside_good(kb, settings, embeddings, name: str, data: bytes):
    """A real sync of the folder holding good.md and one hostile file; returns (report, store)."""
    write(kb, "good.md", GOOD)
    (kb / name).write_bytes(data)
    store = store_for(settings)
    started = time.perf_counter()
    report = sync(settings, store, embeddings)
    return report, store, time.perf_counter() - started


def assert_fails_alone(report, store, name: str, words: str) -> None:
    assert "good.md" in paths_in(store) and "good.md" in report.added
    assert [failure.path for failure in report.failed] == [name], report.failed
    assert words in report.failed[0].error, report.failed[0]
    one_line(report.failed[0].error)


@pytest.mark.parametrize(("name", "text", "words"), FAILING[:2] + FAILING[6:7])
def test_hostile_front_matter_fails_alone_in_a_sync(kb, settings, embeddings, name, text, words):
    report, store, seconds = sync_beside_good(kb, settings, embeddings, name, text.encode())
    assert_fails_alone(report, store, name, words)
    assert seconds < 30


@pytest.mark.parametrize("name", sorted(QUADRATIC))
def test_quadratic_markdown_is_indexed_quickly_beside_a_good_file(kb, tmp_path, embeddings, name):
    # One chunk per file, so the test times the reading, not the embedding of 140 KB of markup.
    settings = load_settings(knowledge_dir=kb, data_dir=tmp_path / "data", chunk_size=400_000)
    data = QUADRATIC[name].encode()
    report, store, seconds = sync_beside_good(kb, settings, embeddings, name, data)
    assert report.failed == [] and paths_in(store) == {"good.md", name}
    assert seconds < 10


def test_a_zip_bomb_docx_is_refused_by_its_declared_size(kb, settings):
    zip_bomb_docx(kb / "bomb.docx", padding_mb=300)
    assert (kb / "bomb.docx").stat().st_size < 1_000_000
    started = time.perf_counter()
    with pytest.raises(DocumentError, match=r"DOCX expands to 30\d MB, over the 256 MB limit"):
        read_document(kb / "bomb.docx", kb, settings)
    assert time.perf_counter() - started < 5


def test_a_zip_bomb_fails_alone_in_a_sync(kb, settings, embeddings):
    write(kb, "good.md", GOOD)
    zip_bomb_docx(kb / "bomb.docx", padding_mb=300)
    store = store_for(settings)
    report = sync(settings, store, embeddings)
    assert_fails_alone(report, store, "bomb.docx", "over the 256 MB limit")


def test_a_compressed_part_over_the_ratio_is_refused(kb, tmp_path):
    # 40 MB is under a quarter of the memory limit, but 1000:1 is no document.
    settings = load_settings(knowledge_dir=kb, data_dir=tmp_path / "d")
    zip_bomb_docx(kb / "dense.docx", padding_mb=40)
    with pytest.raises(DocumentError, match=r"compressed [\d,]+:1 \(a zip bomb\?\)"):
        read_document(kb / "dense.docx", kb, settings)


def test_a_pdf_bomb_fails_alone_quickly(kb, settings, embeddings):
    assert "Hello" in read_document(write_bytes(kb / "small.pdf", pdf_bomb(1)), kb, settings).text
    report, store, seconds = sync_beside_good(kb, settings, embeddings, "bomb.pdf", pdf_bomb(300))
    assert_fails_alone(report, store, "bomb.pdf", "unreadable PDF: Limit reached")
    assert (kb / "bomb.pdf").stat().st_size < 400_000 and seconds < 30


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_file_over_the_time_limit_fails_alone(kb, tmp_path, embeddings):
    settings = load_settings(knowledge_dir=kb, data_dir=tmp_path / "d", file_timeout_s=0.3)
    report, store, seconds = sync_beside_good(kb, settings, embeddings, "slow.txt", slow_text())
    assert_fails_alone(
        report, store, "slow.txt", "took longer than 0.3 s to read (limit COACH_FILE_TIMEOUT_S)"
    )
    assert seconds < 30


def test_a_file_over_the_memory_limit_fails_alone(kb, tmp_path, embeddings):
    settings = load_settings(knowledge_dir=kb, data_dir=tmp_path / "d", file_memory_mb=64)
    report, store, _ = sync_beside_good(kb, settings, embeddings, "heavy.txt", slow_text())
    assert_fails_alone(
        report, store, "heavy.txt", "needs more than 64 MB to read (limit COACH_FILE_MEMORY_MB)"
    )


def test_deeply_nested_html_fails_alone(kb, settings):
    write(kb, "good.md", GOOD)
    write(kb, "deep.html", "<div>" * 50_000 + "text" + "</div>" * 50_000)
    outcomes = {o.path.name: o for o in read_documents(sorted(kb.iterdir()), kb, settings)}
    assert outcomes["good.md"].document is not None
    if outcomes["deep.html"].document is None:  # refused or read: either way, alone and briefly
        one_line(outcomes["deep.html"].error)


def test_reads_from_many_threads_at_once(kb, settings):
    # The desk calls from Gradio's worker threads; each call gets its own file's outcome.
    for number in range(12):
        write(kb, f"doc-{number}.md", f"# Document {number}\n\nText {number}.\n")
    with ThreadPoolExecutor(max_workers=6) as threads:
        titles = list(
            threads.map(lambda n: read_document(kb / f"doc-{n}.md", kb, settings).title, range(12))
        )
    assert titles == [f"Document {number}" for number in range(12)]


def test_check_reports_hostile_files_and_leaves_no_process_behind(kb):
    write(kb, "good.md", GOOD)
    write(kb, "nested.md", nested_yaml())
    (kb / "slow.txt").write_bytes(slow_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    env["COACH_FILE_TIMEOUT_S"] = "0.3"
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("coach")), "check", "--knowledge", str(kb)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its session id is its pid, and every descendant keeps it
    )
    out, err = process.communicate(timeout=120)
    assert time.perf_counter() - started < 60
    assert process.returncode == 1, out + err
    assert "Traceback" not in out + err
    assert "nested.md: invalid front matter: nested more than 20 levels deep" in out
    assert "slow.txt: took longer than 0.3 s to read (limit COACH_FILE_TIMEOUT_S)" in out
    # Workers are stopped before exit; the fork server leaves as soon as its parent has gone.
    deadline = time.monotonic() + 10
    while (left := in_session(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == []


def in_session(session: int) -> list[str]:
    """Processes of a session still alive (zombies count: nobody has collected them yet)."""
    found = []
    for process in psutil.process_iter(["pid", "name", "status"]):
        try:
            if os.getsid(process.pid) == session:
                found.append("{pid} {name} {status}".format(**process.info))
        except OSError:
            continue
    return found


def test_workers_never_load_torch(kb, settings, embeddings):
    embeddings.embed_query("the model is loaded in this process")
    # The bundled model runs on ONNX Runtime: torch is loaded here only when another test or
    # the benchmark's sentence-transformers did it, so load it, whatever ran before.
    pytest.importorskip("torch")
    write(kb, "good.md", GOOD)
    assert read_document(kb / "good.md", kb, settings).title == "Mentoring"
    # The fork server and its workers share one command line; none maps torch's library.
    helpers = [
        helper
        for helper in psutil.Process().children(recursive=True)
        if "multiprocessing.forkserver" in " ".join(helper.cmdline())
    ]
    assert len(helpers) >= 2 and "torch" in sys.modules
    for helper in helpers:
        assert "libtorch" not in Path(f"/proc/{helper.pid}/maps").read_text()
    assert "libtorch" in Path("/proc/self/maps").read_text()
