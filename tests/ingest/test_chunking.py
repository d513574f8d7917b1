"""Chunking: sections by heading with their text as written, table headers kept with rows."""

from __future__ import annotations

import pytest

from coach.ingest.chunking import sections_of, split_document
from coach.ingest.documents import Document
from coach.ingest.metadata import DocMeta

TEXT = """# Budget policy

Intro line.

## How much

| Hub | Budget |
| --- | --- |
{rows}

Notes follow.

```
# not a heading, a code comment
```

### Details

- one
- two
"""
ROWS = "\n".join(f"| Hub number {i} with a long name | EUR {i},000 a year |" for i in range(40))


def test_sections_follow_the_headings_and_keep_blank_lines():
    sections = sections_of(TEXT.format(rows="| A | 1 |"))
    assert [s.headings for s in sections] == [
        ("Budget policy",),
        ("Budget policy", "How much"),
        ("Budget policy", "How much", "Details"),
    ]
    how_much = sections[1].text
    assert "| A | 1 |\n\nNotes follow." in how_much  # the table ends where the text said
    assert "# not a heading" in how_much


@pytest.mark.parametrize("rule", ["| --- | --- |", "|-|:-:|"])
def test_every_chunk_of_a_long_table_carries_its_header(rule):
    text = TEXT.format(rows=ROWS).replace("| --- | --- |", rule)
    doc = Document(path="budget.md", title="Budget policy", text=text, meta=DocMeta())
    pieces = split_document(doc, chunk_size=600, chunk_overlap=60)
    chunks = [c for c in pieces if "Hub number" in c.text]
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.text.startswith(f"| Hub | Budget |\n{rule}\n"), chunk.text[:80]
        assert chunk.metadata["heading"] == "How much"
