"""The shipped knowledge base: complete, valid, and its PDF/DOCX rebuildable from source."""

from __future__ import annotations

import importlib.util
from collections import Counter

from helpers import KNOWLEDGE, REPO

from coach.config import load_settings
from coach.ingest.check import check_folder
from coach.ingest.documents import discover, load_document

LADDER = {
    "associate-csm",
    "csm-1",
    "csm-2",
    "senior-csm",
    "principal-csm",
    "cs-team-lead",
    "cs-manager",
    "director-cs",
}


def test_knowledge_folder_is_valid_and_complete():
    settings = load_settings(knowledge_dir=KNOWLEDGE)
    assert check_folder(settings) == []
    files, skipped = discover(KNOWLEDGE)
    assert skipped == [] and len(files) >= 18
    docs = [load_document(path, KNOWLEDGE, settings) for path in files]
    assert {p.suffix for p in files} >= {".md", ".pdf", ".docx"}
    audiences = Counter(doc.stored_meta["audience"] for doc in docs)
    assert audiences["public"] >= 2 and audiences["hr"] >= 2 and audiences["employee"] >= 12
    roles = {doc.meta.role_id for doc in docs if doc.meta.role_id}
    assert roles >= LADDER
    plans = " ".join(doc.text.lower() for doc in docs if doc.meta.doc_type == "plan_type")
    assert all(f"{kind} plan" in plans for kind in ("vertical", "dual", "horizontal"))
    for doc in docs:
        assert doc.meta.title and doc.meta.audience and doc.meta.owner and doc.meta.updated, (
            doc.path
        )


def test_public_pages_hold_no_pay_figures():
    settings = load_settings(knowledge_dir=KNOWLEDGE)
    checked = 0
    for path in discover(KNOWLEDGE)[0]:
        doc = load_document(path, KNOWLEDGE, settings)
        if doc.stored_meta["audience"] != "hr":
            assert "compensation band" not in doc.text.lower(), doc.path
            assert "62,000" not in doc.text, doc.path
            checked += 1
    assert checked > 0, "no non-HR page was checked"


def test_office_documents_rebuild_byte_for_byte(tmp_path):
    spec = importlib.util.spec_from_file_location("build", REPO / "scripts/build_office_docs.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for source_name, target_name in build.SOURCES.items():
        target = tmp_path / target_name
        build.build(REPO / "scripts/office_sources" / source_name, target)
        committed = REPO / target_name
        assert target.read_bytes() == committed.read_bytes(), f"{target_name} is out of date"
        sidecar = f"{target.name}.meta.yaml"
        assert (target.parent / sidecar).read_text() == (committed.parent / sidecar).read_text()
