"""HR's knowledge desk: safe uploads, plain-words checks, the documents table, deletion."""

from __future__ import annotations

import pytest
from conftest import indexed_coach, role_doc, write

from coach.desk import DeskError, delete_document, document_rows, save_upload, target_path

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
    with pytest.raises(DeskError, match="over the 0.001 MB limit"):
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


def test_delete_removes_the_document_and_its_sidecar(settings, kb):
    write(kb, "growth/catalog.pdf", "%PDF-1.4 stand-in")
    write(kb, "growth/catalog.pdf.meta.yaml", "audience: public\n")
    assert delete_document(settings, "growth/catalog.pdf") == [
        "growth/catalog.pdf",
        "growth/catalog.pdf.meta.yaml",
    ]
    assert list((kb / "growth").iterdir()) == []
    with pytest.raises(DeskError, match="not a document"):
        delete_document(settings, "../users.toml")
