"""DOCX that survives its dependencies: mammoth alone reads what markitdown cannot."""

from __future__ import annotations

import io
import logging

import pytest
from helpers import KNOWLEDGE

from coach.errors import DocumentError
from coach.ingest import docx as docx_reading
from coach.ingest.documents import load_document
from coach.ingest.reader import log_converter, read_document

SAMPLE = KNOWLEDGE / "growth" / "mentoring-program.docx"
# What markitdown 0.1.9 raised for every DOCX once lxml 6.2.0 was installed.
UPSTREAM_BREAK = "Could not find the body element: are you sure this is a docx file?"


def word_file() -> bytes:
    """A DOCX as Word users write them: headings, a bulleted and a numbered list, a table."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("Mentoring guide", 1)
    document.add_paragraph("Mentors meet monthly with their mentee.")
    document.add_heading("What a mentor does", 2)
    document.add_paragraph("Reviews your growth plan", style="List Bullet")
    document.add_paragraph("Introduces you to peers", style="List Bullet")
    document.add_paragraph("Apply in the portal", style="List Number")
    document.add_paragraph("Meet your mentor", style="List Number")
    table = document.add_table(rows=3, cols=2)
    for row, cells in enumerate([("Track", "Hours a year"), ("CSM I", "10"), ("Senior", "20")]):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def markitdown_broken(monkeypatch: pytest.MonkeyPatch, reason: str | None = UPSTREAM_BREAK):
    """markitdown's DOCX path failing (reason) or finding no text (None), as after an upgrade."""

    def broken(data: bytes) -> str:
        if reason is None:
            return ""
        raise ValueError(reason)

    monkeypatch.setattr(docx_reading, "via_markitdown", broken)


def test_mammoth_alone_keeps_headings_lists_and_tables():
    markdown = docx_reading.via_mammoth(word_file())
    assert "# Mentoring guide" in markdown and "## What a mentor does" in markdown
    assert "* Reviews your growth plan\n* Introduces you to peers" in markdown
    assert "1. Apply in the portal\n2. Meet your mentor" in markdown
    assert "| CSM I | 10 |" in markdown and "| Senior | 20 |" in markdown


@pytest.mark.parametrize("source", ["python-docx", "sample"])
def test_both_paths_give_the_same_markdown(source):
    # The fallback ends in the same HTML-to-Markdown step, so a switch re-embeds nothing.
    data = word_file() if source == "python-docx" else SAMPLE.read_bytes()
    assert docx_reading.via_mammoth(data) == docx_reading.via_markitdown(data)


def test_markitdown_is_the_first_path_when_it_works(kb, settings):
    (kb / "guide.docx").write_bytes(word_file())
    document = load_document(kb / "guide.docx", kb, settings)
    assert (document.converter, document.fallback_reason) == ("markitdown", "")


@pytest.mark.parametrize("reason", [UPSTREAM_BREAK, None], ids=["fails", "finds-no-text"])
def test_a_broken_markitdown_falls_back_to_mammoth(kb, settings, monkeypatch, reason):
    (kb / "guide.docx").write_bytes(word_file())
    markitdown_broken(monkeypatch, reason)
    document = load_document(kb / "guide.docx", kb, settings)
    assert document.converter == "mammoth"
    assert document.fallback_reason == (reason or "no text found")
    assert document.title == "Mentoring guide"
    assert "| CSM I | 10 |" in document.text and "* Reviews your growth plan" in document.text


def test_the_sample_reads_the_same_through_the_fallback(settings, monkeypatch):
    expected = load_document(SAMPLE, KNOWLEDGE, settings)
    markitdown_broken(monkeypatch)
    fallen_back = load_document(SAMPLE, KNOWLEDGE, settings)
    assert fallen_back.converter == "mammoth"
    assert (fallen_back.title, fallen_back.text) == (expected.title, expected.text)
    assert fallen_back.stored_meta == expected.stored_meta  # its sidecar's audience and all


def test_a_damaged_docx_still_fails_in_one_line(kb, settings, monkeypatch):
    markitdown_broken(monkeypatch)
    data = bytearray(word_file())
    start = data.index(b"word/document.xml")
    data[start : start + len(b"word/document.xml")] = b"word/documenX.xml"  # no body part
    (kb / "damaged.docx").write_bytes(bytes(data))
    with pytest.raises(DocumentError) as caught:
        load_document(kb / "damaged.docx", kb, settings)
    assert str(caught.value).startswith("unreadable DOCX: ") and "\n" not in str(caught.value)


def test_the_reading_process_logs_which_converter_read_a_docx(kb, settings, monkeypatch, caplog):
    (kb / "guide.docx").write_bytes(word_file())
    with caplog.at_level(logging.DEBUG, logger="coach.ingest.reader"):
        read_document(kb / "guide.docx", kb, settings)  # in a worker, logged here
    assert "guide.docx: read with markitdown" in caplog.text
    markitdown_broken(monkeypatch)
    fallen_back = load_document(kb / "guide.docx", kb, settings)
    caplog.clear()
    log_converter(fallen_back)
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "guide.docx: read with mammoth alone, as markitdown's DOCX converter failed: "
        + UPSTREAM_BREAK
    )
