"""Loading: formats, front matter, titles, audiences, and every kind of bad input."""

from __future__ import annotations

import io
import os

import pytest
from helpers import REALWORLD, bad_inputs, make_pdf, needs_realworld, role_doc, write

from coach.config import load_settings
from coach.errors import DocumentError
from coach.ingest.documents import Skipped, clean_markdown, discover, load_document


def test_front_matter_gives_title_audience_and_role_fields(kb, settings):
    path = write(
        kb,
        "ladder/csm-1.md",
        role_doc(
            "csm-1", "CSM I", "Owns a book of accounts.", next_roles="[csm-2]", typical_months="18"
        ),
    )
    doc = load_document(path, kb, settings)
    assert doc.path == "ladder/csm-1.md"
    assert doc.title == "CSM I"
    assert doc.stored_meta["audience"] == "employee"
    assert doc.stored_meta["role_id"] == "csm-1"
    assert doc.stored_meta["next_roles"] == ["csm-2"]
    assert doc.stored_meta["typical_months"] == [18, 18]
    assert doc.stored_meta["updated"] == "2026-09-01"
    assert "title:" not in doc.text


def test_document_without_front_matter_is_titled_from_heading_or_name(kb, settings):
    headed = write(kb, "notes.md", "Intro line\n\n# Renewal playbook\n\nCall early.\n")
    bare = write(kb, "team-rituals.txt", "We meet on Mondays.\n")
    assert load_document(headed, kb, settings).title == "Renewal playbook"
    assert load_document(bare, kb, settings).title == "Team rituals"


@needs_realworld
def test_foreign_front_matter_never_makes_a_document_public(kb):
    # GitLab's pages carry title/description only: they get the default audience.
    page = REALWORLD / "job-families/sales/customer-success-management.md"
    default = load_settings(knowledge_dir=REALWORLD)
    doc = load_document(page, REALWORLD, default)
    assert doc.title == "Customer Success Management"
    assert doc.stored_meta["audience"] == "employee"
    hr_default = load_settings(knowledge_dir=REALWORLD, default_audience="hr")
    assert load_document(page, REALWORLD, hr_default).stored_meta["audience"] == "hr"


@needs_realworld
def test_realworld_pages_lose_shortcodes_and_html(tmp_path):
    settings = load_settings(knowledge_dir=REALWORLD)
    files, _ = discover(REALWORLD)
    assert len(files) == 13
    for path in files:
        text = load_document(path, REALWORLD, settings).text
        assert "{{<" not in text and "<iframe" not in text and "<a href" not in text, path


def test_clean_markdown_keeps_link_text_and_drops_markup():
    raw = (
        'See [the guide]({{< ref "x" >}}).\n'
        '<div class="a">\n    <a href="/y">Mentorship</a>\n</div>'
    )
    assert clean_markdown(raw) == "See the guide.\n\nMentorship"


def test_a_headings_anchor_id_is_no_part_of_its_title():
    # Site generators' heading ids ({#id}, kramdown's {: #id}) would be cited in every answer.
    raw = "#### Career Mapping {#career-mapping}\n\n## Cadence {: #cadence .wide}\n\nSet {#x} here."
    assert clean_markdown(raw) == "#### Career Mapping\n\n## Cadence\n\nSet {#x} here."


def test_html_docx_and_pdf_become_markdown(kb, settings):
    docx = pytest.importorskip("docx")
    fpdf = pytest.importorskip("fpdf")
    write(
        kb,
        "page.html",
        "<html><head><title>Rotation FAQ</title></head><body>"
        "<h2>Length</h2><p>Six months.</p><script>x()</script></body></html>",
    )
    document = docx.Document()
    document.add_heading("Mentoring guide", 1)
    document.add_paragraph("Mentors meet monthly.")
    document.save(kb / "mentoring.docx")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Training catalog\nCS 101 runs for two days.")
    pdf.output(str(kb / "catalog.pdf"))

    html = load_document(kb / "page.html", kb, settings)
    assert html.title == "Rotation FAQ" and "## Length" in html.text and "x()" not in html.text
    word = load_document(kb / "mentoring.docx", kb, settings)
    assert word.title == "Mentoring guide" and "Mentors meet monthly." in word.text
    assert "CS 101 runs for two days." in load_document(kb / "catalog.pdf", kb, settings).text


def test_sidecar_gives_a_pdf_its_front_matter(kb, settings):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Careers at the company.")
    pdf.output(str(kb / "careers.pdf"))
    write(kb, "careers.pdf.meta.yaml", "title: Careers brochure\naudience: public\n")
    doc = load_document(kb / "careers.pdf", kb, settings)
    assert (doc.title, doc.stored_meta["audience"]) == ("Careers brochure", "public")
    assert discover(kb)[0] == [kb / "careers.pdf"]  # the sidecar itself is not a document


def test_each_bad_input_fails_with_a_one_line_reason(kb, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    expected = bad_inputs(kb, outside)
    settings = load_settings(knowledge_dir=kb, max_file_mb=1)
    for name, words in expected.items():
        with pytest.raises(DocumentError) as caught:
            load_document(kb / name, kb, settings)
        reason = str(caught.value)
        assert words in reason, (name, reason)
        assert "\n" not in reason and len(reason) < 200, (name, reason)


def test_symlink_inside_the_folder_is_fine(kb, settings):
    target = write(kb, "real.md", "# Real\n\nText.\n")
    os.symlink(target, kb / "alias.md")
    assert load_document(kb / "alias.md", kb, settings).title == "Real"


def test_discover_skips_hidden_and_lists_unsupported(kb):
    write(kb, ".git/config.md", "x")
    write(kb, ".~lock.doc.md#", "x")
    write(kb, "a.md", "# A")
    (kb / "sheet.xlsx").write_bytes(io.BytesIO(b"x").getvalue())
    found, skipped = discover(kb)
    assert found == [kb / "a.md"]
    assert skipped == [Skipped(kb / "sheet.xlsx", "unsupported file type .xlsx")]


def test_toml_front_matter_is_read_and_a_yaml_list_is_refused(kb, settings):
    hugo = write(kb, "hugo.md", '+++\ntitle = "Career paths"\naudience = "public"\n+++\n\nText.\n')
    doc = load_document(hugo, kb, settings)
    assert (doc.title, doc.stored_meta["audience"], doc.text) == ("Career paths", "public", "Text.")
    listed = write(kb, "list.md", "---\n- a\n- b\n---\n\nText.\n")
    with pytest.raises(DocumentError, match="expected key: value pairs"):
        load_document(listed, kb, settings)


def test_a_sidecar_beside_markdown_is_refused(kb, settings):
    path = write(kb, "bands.md", "---\ntitle: Bands\naudience: hr\n---\n\nSecret.\n")
    write(kb, "bands.md.meta.yaml", "audience: public\n")
    with pytest.raises(DocumentError, match="only for PDF, DOCX and HTML"):
        load_document(path, kb, settings)


def test_sidecar_names_are_matched_in_any_case(kb, settings):
    pdf = make_pdf(kb / "plan.pdf", "Compensation bands for 2027.")
    write(kb, "plan.pdf.Meta.Yaml", "title: Bands\naudience: hr\n")
    doc = load_document(pdf, kb, settings)
    assert (doc.title, doc.stored_meta["audience"]) == ("Bands", "hr")
    # Neither a document nor a skipped file, whatever its case.
    write(kb, "orphan.docx.META.YAML", "audience: public\n")
    assert discover(kb) == ([pdf], [])


def test_two_sidecars_differing_in_case_fail_that_file_only(kb, settings):
    pdf = make_pdf(kb / "plan.pdf", "Compensation bands for 2027.")
    write(kb, "plan.pdf.meta.yaml", "audience: hr\n")
    write(kb, "plan.pdf.META.YAML", "audience: public\n")
    with pytest.raises(DocumentError, match="differ only in case") as caught:
        load_document(pdf, kb, settings)
    assert "\n" not in str(caught.value)
    other = make_pdf(kb / "other.pdf", "Something else.")
    assert load_document(other, kb, settings).stored_meta["audience"] == "employee"


def test_a_sidecar_in_other_case_beside_markdown_is_refused_too(kb, settings):
    path = write(kb, "bands.md", "---\ntitle: Bands\naudience: hr\n---\n\nSecret.\n")
    write(kb, "bands.md.META.yaml", "audience: public\n")
    with pytest.raises(DocumentError, match=r"bands.md.META.yaml is only for PDF, DOCX and HTML"):
        load_document(path, kb, settings)


def test_a_sidecar_over_64_kb_is_refused_before_parsing(kb, settings):
    pdf = make_pdf(kb / "plan.pdf", "Text.")
    write(kb, "plan.pdf.meta.yaml", "audience: hr\n" + "# padding\n" * 7000)
    with pytest.raises(DocumentError, match=r"invalid plan.pdf.meta.yaml: .*over the 64 KB limit"):
        load_document(pdf, kb, settings)


def test_front_matter_without_a_body_or_empty_is_read(kb, settings):
    empty = write(kb, "empty-header.md", "---\n---\n\n# Heading\n\nText.\n")
    assert load_document(empty, kb, settings).title == "Heading"
    crlf = write(kb, "crlf.md", "---\r\ntitle: Windows\r\n---\r\n\r\nText.\r\n")
    assert load_document(crlf, kb, settings).title == "Windows"
