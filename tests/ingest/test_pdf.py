"""PDFs read as Markdown: headings found by their size, pages joined where a sentence runs on."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write

from coach.errors import DocumentError
from coach.ingest.chunking import split_document
from coach.ingest.documents import load_document
from coach.ingest.pdf import pdf_to_markdown

fpdf = pytest.importorskip("fpdf")

SAMPLE_CATALOG = Path(__file__).parents[2] / "knowledge" / "growth" / "certification-catalog.pdf"


def catalog_pdf(*, body_only: bool = False) -> bytes:
    """A catalog as an HR team exports one: a title, sections and entries set larger and bold."""
    pdf = fpdf.FPDF()
    pdf.add_page()

    def line(text: str, size: float, style: str = "") -> None:
        pdf.set_font("Helvetica", "" if body_only else style, 10.5 if body_only else size)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    line("Training Catalog", 18, "B")
    line("Every course CS Enablement recommends, with its price.", 10.5)
    line("External certifications", 14, "B")
    line("CCSM Level 1", 12, "B")
    line("- Cost: EUR 700", 10.5)
    line("- For: Customer Success Manager I", 10.5)
    line("CCSM Level 2", 12, "B")
    line("- Cost: EUR 900", 10.5)
    line("This whole line is set large but it is a long pull quote and not a heading at all", 14)
    line("- Approval: your manager approves the request and CS Enablement reviews", 10.5)
    pdf.add_page()
    line("it within five business days.", 10.5)
    return bytes(pdf.output())


def test_lines_set_larger_than_the_body_become_headings_by_size():
    text = pdf_to_markdown(catalog_pdf())
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Training Catalog",
        "## External certifications",
        "### CCSM Level 1",
        "### CCSM Level 2",
    ]
    assert "- Cost: EUR 700" in text and "long pull quote" in text


def test_a_sentence_cut_by_a_page_break_runs_on():
    text = pdf_to_markdown(catalog_pdf())
    assert "CS Enablement reviews\nit within five business days." in text


def test_a_pdf_set_in_one_size_has_no_headings():
    text = pdf_to_markdown(catalog_pdf(body_only=True))
    assert not any(line.startswith("#") for line in text.splitlines())
    assert "CCSM Level 1" in text


def test_each_entry_of_a_pdf_catalog_is_a_section_to_cite(kb, settings):
    (kb / "catalog.pdf").write_bytes(catalog_pdf())
    write(kb, "catalog.pdf.meta.yaml", "title: Training Catalog\ndoc_type: catalog\n")
    chunks = split_document(load_document(kb / "catalog.pdf", kb, settings), 1000, 100)
    by_heading = {c.metadata["heading"]: c.text for c in chunks}
    level_2 = by_heading["External certifications > CCSM Level 2"]
    assert "EUR 900" in level_2 and "EUR 700" not in level_2


def test_the_sample_catalog_reads_with_its_course_headings():
    text = pdf_to_markdown(SAMPLE_CATALOG.read_bytes())
    assert "### Certified Customer Success Manager (CCSM) Level 2" in text
    assert "## External certifications" in text


def test_an_unreadable_pdf_is_one_line_error():
    with pytest.raises(DocumentError, match="unreadable PDF"):
        pdf_to_markdown(b"%PDF-1.4\nnot really a pdf")


class _Letterhead(fpdf.FPDF):
    """A PDF as word processors export them: a running head, a page number at the foot."""

    def header(self) -> None:
        self.set_font("Helvetica", "B", 12)
        self.cell(0, 8, "Lumenfield - Internal", new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 8, f"Page {self.page_no()} of 3")


def test_running_heads_and_page_numbers_are_left_out():
    pdf = _Letterhead()
    for n in (1, 2, 3):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 8, f"Part {n}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10.5)
        pdf.multi_cell(0, 6, f"The body of part {n} says what part {n} is about.")
    text = pdf_to_markdown(bytes(pdf.output()))
    assert "Internal" not in text and "Page" not in text, text
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        "# Part 1",
        "# Part 2",
        "# Part 3",
    ]
    assert "The body of part 2 says what part 2 is about." in text
