"""HR's knowledge desk: safe uploads, plain-words checks, the documents table, deletion."""

from __future__ import annotations

import os

import pytest
from helpers import indexed_coach, role_doc, write

from coach.app.desk import delete_document, document_rows, save_upload, target_path
from coach.errors import DeskError

GOOD = (
    b"---\ntitle: Mentoring Guild\naudience: employee\nupdated: 2026-10-01\n---\n\n"
    b"# Mentoring Guild\n\nThe guild meets monthly.\n"
)


@pytest.mark.parametrize(
    ("folder", "name", "reason"),
    [
        ("../outside", "a.md", "not allowed"),
        ("growth/..", "a.md", "not allowed"),
        ("", ".hidden.md", "not a safe file name"),
        ("", "notes.exe", "file type is not accepted"),
        ("", "a;rm -rf.md", "not a safe file name"),
    ],
)
def test_unsafe_targets_are_refused(settings, folder, name, reason):
    with pytest.raises(DeskError, match=reason):
        target_path(settings, folder, name)


def test_a_path_in_the_name_is_reduced_to_the_name(settings, kb):
    assert (
        target_path(settings, "growth", "../../etc/passwd.md") == kb.resolve() / "growth/passwd.md"
    )
    saved = save_upload(settings, "..\\..\\guild.md", GOOD)
    assert saved.path == "guild.md" and (kb / "guild.md").read_bytes() == GOOD


def test_names_in_any_language_are_fine(settings, kb):
    assert save_upload(settings, "Résumé tips (2026).md", GOOD, "Karriere").path == (
        "Karriere/Résumé tips (2026).md"
    )


def test_upload_is_saved_into_the_folder(settings, kb):
    saved = save_upload(settings, "guild.md", GOOD, folder="growth")
    assert saved.path == "growth/guild.md" and not saved.replaced and saved.warnings == []
    assert (kb / "growth" / "guild.md").read_bytes() == GOOD
    assert [p.name for p in (kb / "growth").iterdir()] == ["guild.md"]  # no temporary left over


def test_no_overwrite_without_confirmation(settings, kb):
    write(kb, "guild.md", "---\ntitle: Old\n---\n\nThe old text stays.\n")
    with pytest.raises(DeskError, match="already exists: tick 'Replace existing files'"):
        save_upload(settings, "guild.md", GOOD)
    assert "old text stays" in (kb / "guild.md").read_text()
    assert save_upload(settings, "guild.md", GOOD, replace=True).replaced
    assert (kb / "guild.md").read_bytes() == GOOD


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"---\naudience: everyone\n---\n\nText.\n", "unknown audience 'everyone'"),
        (b"---\ntitle: [unclosed\n---\n\nText.\n", "header block"),
        (b"   \n", "is empty"),
        (b"---\ntitle: Only a header\n---\n", "no text found"),
    ],
)
def test_bad_content_is_refused_in_plain_words_and_not_written(settings, kb, data, reason):
    with pytest.raises(DeskError, match=reason):
        save_upload(settings, "doc.md", data)
    assert not (kb / "doc.md").exists()


def test_too_large_is_refused(kb, tmp_path):
    from coach.config import load_settings

    small = load_settings(knowledge_dir=kb, data_dir=tmp_path / "d", max_file_mb=0.001)
    with pytest.raises(DeskError, match=r"over the 0.001 MB limit"):
        save_upload(small, "big.md", GOOD * 20)


def test_missing_fields_are_warnings(settings):
    saved = save_upload(settings, "plain.md", b"# Plain\n\nNo header at all, but readable.\n")
    assert saved.warnings == ["plain.md: no audience given: indexed with the default"]
    role = role_doc("csm-x", "CSM X", "Body text here.").replace("level: 2\n", "").encode()
    assert "lacks level" in save_upload(settings, "x.md", role).warnings[0]


def test_sidecars_are_checked_too(settings, kb):
    with pytest.raises(DeskError, match="unknown audience"):
        save_upload(settings, "catalog.pdf.meta.yaml", b"audience: world\n")
    saved = save_upload(settings, "catalog.pdf.meta.yaml", b"title: Catalog\naudience: public\n")
    assert saved.path == "catalog.pdf.meta.yaml"


def test_documents_table_shows_index_status(kb, tmp_path, embeddings):
    write(
        kb,
        "kept.md",
        "---\ntitle: Kept\naudience: public\nupdated: 2026-01-02\n---\n\nKept text.\n",
    )
    write(kb, "edited.md", "---\ntitle: Edited\n---\n\nFirst text.\n")
    write(kb, "gone.md", "---\ntitle: Gone\n---\n\nGone text.\n")
    coach = indexed_coach(kb, tmp_path / "data")
    write(kb, "edited.md", "---\ntitle: Edited\n---\n\nSecond text.\n")
    write(kb, "broken.md", "---\naudience: everyone\n---\n\nText.\n")
    write(kb, "fresh.md", "---\ntitle: Fresh\n---\n\nFresh text.\n")
    (kb / "gone.md").unlink()
    rows = {row.path: row for row in document_rows(coach.settings, coach.store)}
    assert rows["kept.md"].status == "indexed"
    assert (rows["kept.md"].title, rows["kept.md"].audience) == ("Kept", "public")
    assert (rows["kept.md"].updated, rows["kept.md"].chunks) == ("2026-01-02", 1)
    assert rows["edited.md"].status == "changed since last index"
    assert rows["fresh.md"].status == "new, not indexed yet"
    assert rows["broken.md"].status.startswith("failed: unknown audience 'everyone'")
    assert rows["gone.md"].status == "deleted, still indexed"


def test_documents_table_says_why_a_file_is_never_read(kb, tmp_path, embeddings):
    write(kb, "kept.md", "---\ntitle: Kept\n---\n\nKept text.\n")
    coach = indexed_coach(kb, tmp_path / "data")
    os.mkfifo(kb / "inbox.md")  # a named pipe, as a sync tool or a mistaken script leaves one
    (kb / "budget.xlsx").write_bytes(b"PK")
    rows = {row.path: row for row in document_rows(coach.settings, coach.store)}
    assert rows["kept.md"].status == "indexed"
    assert rows["inbox.md"].status == "skipped: a named pipe, not a regular file: never opened"
    assert rows["budget.xlsx"].status == "skipped: unsupported file type .xlsx"
    assert (rows["inbox.md"].chunks, rows["inbox.md"].title) == (0, "inbox")


@pytest.mark.parametrize("suffix", [".meta.yaml", ".META.YAML"])
def test_delete_removes_the_document_and_its_sidecar(settings, kb, suffix):
    write(kb, "growth/catalog.pdf", "%PDF-1.4 stand-in")
    write(kb, f"growth/catalog.pdf{suffix}", "audience: public\n")
    assert delete_document(settings, "growth/catalog.pdf") == [
        "growth/catalog.pdf",
        f"growth/catalog.pdf{suffix}",
    ]
    assert list((kb / "growth").iterdir()) == []
    with pytest.raises(DeskError, match="not a document"):
        delete_document(settings, "../users.toml")


@pytest.mark.parametrize(
    ("folder", "name"),
    [("hr\n/guides", "a.md"), ("growth/hr\n/x", "a.md"), ("", "a.md\n"), ("", "a.pdf.meta.yaml\n")],
)
def test_a_newline_never_passes_for_the_end_of_a_name(settings, kb, folder, name):
    with pytest.raises(DeskError, match="not"):
        target_path(settings, folder, name)


def test_a_trailing_newline_on_the_folder_makes_no_strange_folder(settings, kb):
    saved = save_upload(settings, "guild.md", GOOD, folder="hr\n")
    assert saved.path == "hr/guild.md" and [p.name for p in kb.iterdir()] == ["hr"]


def pdf_bytes(tmp_path, text: str = "Compensation bands for 2027.") -> bytes:
    from helpers import make_pdf

    return make_pdf(tmp_path / "made.pdf", text).read_bytes()


def test_a_pdf_without_sidecar_is_flagged_and_with_one_is_not(settings, kb, tmp_path):
    saved = save_upload(settings, "plan.pdf", pdf_bytes(tmp_path))
    assert saved.warnings == [
        "plan.pdf: no plan.pdf.meta.yaml beside it, so it is indexed for audience 'employee' "
        "(the default)"
    ]
    write(kb, "bands.pdf.META.YAML", "title: Bands\naudience: hr\n")
    assert save_upload(settings, "bands.pdf", pdf_bytes(tmp_path)).warnings == []
    # Uploaded together: neither is warned about the other.
    both = ["brochure.pdf", "brochure.pdf.meta.yaml"]
    first = save_upload(settings, "brochure.pdf", pdf_bytes(tmp_path), companions=both)
    second = save_upload(settings, both[1], b"audience: public\n", companions=both)
    assert first.warnings == [] and second.warnings == []


def test_an_upper_case_sidecar_upload_is_saved_under_the_usual_name(settings, kb, tmp_path):
    save_upload(settings, "plan.pdf", pdf_bytes(tmp_path))
    saved = save_upload(settings, "plan.pdf.META.YAML", b"title: Plan\naudience: hr\n")
    assert saved.path == "plan.pdf.meta.yaml" and saved.warnings == []
    assert sorted(p.name for p in kb.iterdir()) == ["plan.pdf", "plan.pdf.meta.yaml"]
    # Another spelling on disk is the same sidecar: replacing it leaves one.
    (kb / "plan.pdf.meta.yaml").rename(kb / "plan.pdf.Meta.Yaml")
    with pytest.raises(DeskError, match="already exists"):
        save_upload(settings, "plan.pdf.meta.yaml", b"audience: public\n")
    assert save_upload(settings, "plan.pdf.meta.yaml", b"audience: hr\n", replace=True).replaced
    assert sorted(p.name for p in kb.iterdir()) == ["plan.pdf", "plan.pdf.meta.yaml"]


def test_a_sidecar_says_whether_its_document_is_there(settings, kb):
    saved = save_upload(settings, "later.docx.meta.yaml", b"audience: hr\n", folder="hr")
    assert saved.warnings == [
        "later.docx.meta.yaml: there is no later.docx in this folder yet; "
        "the metadata applies once it is uploaded here"
    ]
    # Matched ignoring case, as the indexer matches it.
    write(kb, "hr/Later.DOCX", "stand-in")
    again = save_upload(settings, "later.docx.meta.yaml", b"audience: hr\n", "hr", replace=True)
    assert again.warnings == []
    with pytest.raises(DeskError, match="carries its own header block"):
        save_upload(settings, "notes.md.meta.yaml", b"audience: hr\n")
    with pytest.raises(DeskError, match=r"does not read sheet.xlsx"):
        save_upload(settings, "sheet.xlsx.meta.yaml", b"audience: hr\n")


def test_hostile_sidecars_are_refused_quickly_in_one_line(settings, kb):
    from helpers import ALIAS_BOMB, nested_yaml

    for data in (ALIAS_BOMB, nested_yaml(), "a: 1\n" * 20_000):
        header = data.split("---\n")[1] if data.startswith("---") else data
        with pytest.raises(DeskError) as caught:
            save_upload(settings, "x.pdf.meta.yaml", header.encode())
        assert "\n" not in str(caught.value) and len(str(caught.value)) <= 300
