"""The keyword index keeps one BM25 index per audience level: a level's statistics know only the
chunks it may read."""

from __future__ import annotations

import json

import pytest

from coach.index.keyword import KeywordIndex
from coach.index.store import IndexedChunk
from coach.personas import AUDIENCE_LEVELS, audiences_for

ROWS = [
    ("p1", "Candidates can grow into a Senior CSM role.", "public"),
    ("e1", "The learning budget is EUR 1,500 a year.", "employee"),
    ("e2", "Calibration happens in March and September.", "employee"),
    ("e3", "Rotations last three or six months.", "employee"),
]
HR_ROW = ("h1", "Calibration salary bands: calibration of salary bands by hub.", "hr")


class Rows:
    """The one store call the keyword index makes, over fixed rows."""

    def __init__(self, rows):
        self.rows = rows

    def all_chunks(self):
        return [
            IndexedChunk(chunk_id, text, {"audience": audience, "title": "", "heading": ""})
            for chunk_id, text, audience in self.rows
        ]


def statistics(index: KeywordIndex, persona: str) -> tuple:
    """What a persona's answers may depend on: its level's rows, vocabulary, counts, scores."""
    level = index.level(audiences_for(persona))
    counts = level.doc_counts([*level.vocabulary, "salari", "calibr"])
    found = index.search("calibration salary bands budget", audiences_for(persona), 10)
    return level.ids, level.vocabulary, counts, found


def test_levels_follow_the_personas():
    assert AUDIENCE_LEVELS == (("public",), ("public", "employee"), ("public", "employee", "hr"))
    index = KeywordIndex.build(Rows([*ROWS, HR_ROW]))
    assert index.level(audiences_for("hiring_manager")).ids == ["p1"]
    assert index.level(audiences_for("csm")).ids == ["p1", "e1", "e2", "e3"]
    assert index.level(audiences_for("hr")).ids == ["p1", "e1", "e2", "e3", "h1"]
    assert index.level(("employee",)).audiences == ("public", "employee")  # the narrowest cover


@pytest.mark.parametrize("persona", ["csm", "hiring_manager"])
def test_an_hr_document_changes_nothing_another_persona_reads(persona):
    without = KeywordIndex.build(Rows(ROWS))
    with_hr = KeywordIndex.build(Rows([*ROWS, HR_ROW]))
    assert statistics(with_hr, persona) == statistics(without, persona)
    assert "salari" not in with_hr.level(audiences_for(persona)).vocabulary
    assert with_hr.level(audiences_for("hr")).doc_counts(["salari", "calibr"]) == {
        "salari": 1,
        "calibr": 2,
    }


def test_a_saved_index_is_reused_and_an_older_layout_is_not(tmp_path):
    index = KeywordIndex.build(Rows([*ROWS, HR_ROW]))
    index.save(tmp_path)
    loaded = KeywordIndex.load(tmp_path)
    assert loaded is not None and loaded.fingerprint == index.fingerprint
    for persona in ("hiring_manager", "csm", "hr"):
        assert statistics(loaded, persona) == statistics(index, persona)
    table = json.loads((tmp_path / "rows.json").read_text())
    del table["format"]  # one index over every chunk, as saved before the levels
    (tmp_path / "rows.json").write_text(json.dumps(table))
    assert KeywordIndex.load(tmp_path) is None


def test_tokens_are_remembered_per_text_and_handed_out_as_copies():
    from coach.index import keyword

    texts = ["Certifications and the training", "", "Certifications and the training"]
    first = keyword.tokenize(texts, as_ids=False)
    assert first == [["certif", "train"], [], ["certif", "train"]]
    first[0].append("changed")  # a caller's change must not reach the next caller
    assert keyword.tokenize(texts[:1], as_ids=False) == [["certif", "train"]]
    assert keyword._tokens["Certifications and the training"] == ["certif", "train"]
