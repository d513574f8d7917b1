"""Sync against real Chroma and the real bundled embeddings."""

from __future__ import annotations

import pytest
from helpers import CountingEmbeddings, bad_inputs, paths_in, role_doc, store_for, write

from coach.config import load_settings
from coach.errors import StoreError
from coach.index.store import open_store
from coach.index.sync import FileFailure, sync


def write_csm1(kb, retention: str) -> None:
    body = (
        "## Expectations\n\nOwn twenty accounts.\n\n"
        f"## Promotion criteria\n\nRetain {retention} ARR."
    )
    write(kb, "ladder/csm-1.md", role_doc("csm-1", "CSM I", body))


def sample_kb(kb):
    write_csm1(kb, "92%")
    write(kb, "ladder/csm-2.md", role_doc("csm-2", "CSM II", "Lead quarterly business reviews."))
    write(kb, "growth/budget.md", "# Learning budget\n\nEach CSM has EUR 2,000 a year.\n")


def test_full_sync_then_unchanged_then_edit_then_delete(kb, settings, embeddings):
    sample_kb(kb)
    counting = CountingEmbeddings(embeddings)
    store = store_for(settings)

    first = sync(settings, store, counting)
    assert (len(first.added), first.failed, first.documents) == (3, [], 3)
    assert first.chunks == store.collection.count() == counting.embedded
    meta = store.collection.get(include=["metadatas"])["metadatas"]
    one = next(m for m in meta if m["path"] == "ladder/csm-1.md" and m["heading"] == "Expectations")
    assert one["title"] == "CSM I" and one["audience"] == "employee" and one["role_id"] == "csm-1"
    assert {"chunk_index", "content_hash", "source_hash", "text_hash"} <= set(one)

    counting.embedded = 0
    again = sync(settings, store, counting)
    assert (len(again.unchanged), again.added, again.updated, counting.embedded) == (3, [], [], 0)

    # Editing one section re-embeds only the passage that changed.
    write_csm1(kb, "95%")
    store.calls.clear()
    edited = sync(settings, store, counting)
    assert edited.updated == ["ladder/csm-1.md"] and counting.embedded == 1
    kinds = [kind for kind, _ in store.calls]
    assert kinds == ["write", "delete"], "new chunks must land before old ones are removed"
    docs = store.collection.get(where={"path": "ladder/csm-1.md"})["documents"]
    assert any("95%" in d for d in docs) and not any("92%" in d for d in docs)

    (kb / "growth/budget.md").unlink()
    removed = sync(settings, store, counting)
    assert removed.removed == ["growth/budget.md"]
    assert paths_in(store) == {"ladder/csm-1.md", "ladder/csm-2.md"}
    assert removed.documents == 2 and removed.chunks == store.collection.count()


def test_bad_files_fail_alone_and_broken_files_keep_their_chunks(kb, tmp_path, embeddings):
    settings = load_settings(knowledge_dir=kb, data_dir=tmp_path / "data", max_file_mb=1)
    sample_kb(kb)
    store = store_for(settings)
    sync(settings, store, embeddings)
    before = store.collection.get(where={"path": "ladder/csm-2.md"})["ids"]

    outside = tmp_path / "outside"
    outside.mkdir()
    expected = bad_inputs(kb, outside)
    (kb / "ladder/csm-2.md").write_text("---\ntitle: [broken\n---\nText\n")  # was fine, now broken
    report = sync(settings, store, embeddings)

    failed = {f.path: f.error for f in report.failed}
    assert set(failed) == set(expected) | {"ladder/csm-2.md"}
    for name, words in expected.items():
        assert words in failed[name]
    assert store.collection.get(where={"path": "ladder/csm-2.md"})["ids"] == before
    assert paths_in(store) == {"ladder/csm-1.md", "ladder/csm-2.md", "growth/budget.md"}

    (kb / "ladder/csm-2.md").write_text(role_doc("csm-2", "CSM II", "Coach two peers."))
    fixed = sync(settings, store, embeddings)
    assert fixed.updated == ["ladder/csm-2.md"]
    docs = store.collection.get(where={"path": "ladder/csm-2.md"})["documents"]
    assert docs == ["Coach two peers."]


def test_changed_audience_rewrites_metadata_without_new_vectors(kb, settings, embeddings):
    write(kb, "faq.md", "---\ntitle: FAQ\naudience: employee\n---\n\nRemote work is fine.\n")
    counting = CountingEmbeddings(embeddings)
    store = store_for(settings)
    sync(settings, store, counting)
    write(kb, "faq.md", "---\ntitle: FAQ\naudience: public\n---\n\nRemote work is fine.\n")
    counting.embedded = 0
    sync(settings, store, counting)
    assert counting.embedded == 0
    assert store.collection.get(include=["metadatas"])["metadatas"][0]["audience"] == "public"


def test_index_built_with_another_model_is_refused(settings):
    open_store(settings, "minilm:all-MiniLM-L6-v2")
    with pytest.raises(StoreError, match="--rebuild"):
        open_store(settings, "openai:text-embedding-3-small")
    assert open_store(settings, "openai:text-embedding-3-small", rebuild=True).count() == 0


def test_realworld_handbook_indexes_without_failures(gitlab, embeddings):
    # The session fixture indexed the 13 real pages and asserted that none failed.
    again = gitlab.sync()
    assert again.failed == [] and again.documents == 13 and len(again.unchanged) == 13
    hits = gitlab.store.collection.query(
        query_embeddings=[embeddings.embed_query("Growth and Development Fund reimbursement")],
        n_results=3,
        include=["metadatas"],
    )
    paths = {m["path"] for m in hits["metadatas"][0]}
    fund = "handbook/people-group/learning-and-development/growth-and-development/_index.md"
    assert fund in paths


def test_interrupted_update_is_repaired_and_heading_only_files_fail(kb, settings, embeddings):
    sample_kb(kb)
    store = store_for(settings)
    sync(settings, store, embeddings)
    # As if a sync died after writing a new chunk and before removing the old ones.
    old = store.collection.get(where={"path": "ladder/csm-2.md"}, include=["metadatas"])
    stray = dict(old["metadatas"][0], source_hash="from-an-interrupted-sync")
    store.collection.upsert(
        ids=["stray"], embeddings=[[0.1] * 384], documents=["stale text"], metadatas=[stray]
    )
    write(kb, "empty-headings.md", "# Title\n\n## Section\n")
    report = sync(settings, store, embeddings)
    assert report.updated == ["ladder/csm-2.md"]
    assert "stray" not in store.collection.get(where={"path": "ladder/csm-2.md"})["ids"]
    assert report.failed == [
        FileFailure(path="empty-headings.md", error="no text besides headings")
    ]


def test_an_upper_case_sidecar_sets_the_audience_in_the_index(kb, settings, embeddings):
    from helpers import make_pdf

    make_pdf(kb / "plan.pdf", "Compensation bands for 2027 by level.")
    write(kb, "plan.pdf.META.YAML", "title: Compensation plan\naudience: hr\n")
    write(kb, "faq.md", "# FAQ\n\nRemote work is fine.\n")
    store = store_for(settings)
    report = sync(settings, store, embeddings)
    assert (
        report.failed == []
        and report.skipped == []
        and sorted(report.added)
        == [
            "faq.md",
            "plan.pdf",
        ]
    )
    stored = store.collection.get(where={"path": "plan.pdf"}, include=["metadatas"])["metadatas"]
    assert stored and {m["audience"] for m in stored} == {"hr"}
    # Editing the sidecar, whatever its case, is a change of the PDF.
    write(kb, "plan.pdf.META.YAML", "title: Compensation plan\naudience: employee\n")
    assert sync(settings, store, embeddings).updated == ["plan.pdf"]
