""".mdx pages (Markdown with JSX) read as Markdown: ESM and JSX dropped, their text kept."""

from __future__ import annotations

import re
import time

import pytest
from helpers import REPO, indexed_coach, write

from coach.ingest.chunking import split_document
from coach.ingest.documents import discover, load_document
from coach.ingest.mdx import mdx_to_markdown

POSTHOG = REPO.parent / "shared" / "realworld" / "posthog-handbook"
COMPENSATION = POSTHOG / "handbook" / "people" / "compensation.mdx"
needs_posthog = pytest.mark.skipif(
    not POSTHOG.is_dir(), reason="../shared/realworld/posthog-handbook is not beside the repo"
)
JSX_TAG = re.compile(r"</?[A-Z][\w.]*[\s/>]")  # a component tag: capitalised, unlike HTML

# The constructs PostHog's and other docs sites' MDX pages use, around a page's own words.
SHAPED_LIKE_POSTHOG = """---
title: Career progression
sidebar: Handbook
---

import { CalloutBox } from 'components/Docs/CalloutBox'
import LevelsTable from './_snippets/levels-table.mdx'

export const meta = {
  owner: 'people',
  reviewed: '2026-10-01',
}

{/* Levels are reviewed twice a year. */}

## How levels work

You can use the table below to see the levels for your role:

<LevelsTable />

<CalloutBox icon="IconInfo" title="Steps within a level" type="fyi">
    Within each level there are four steps: *Learning*, *Established*, *Thriving* and *Expert*.
    - We hire into *Established* by default.
</CalloutBox>

<DecisionTree
    questions={[{ id: 'track', question: 'Do you want to manage people?' }]}
    getRecommendation={(answers) => (answers.track === 'yes' ? 'manager' : 'ic')}
/>

Ask <TeamMember name="Marius Andra" photo /> or your manager about the \\{next} step.
Pay is reviewed every {props.months} months, in a <PrivateLink url="https://x.example">
review cycle</PrivateLink>.

```jsx
<CalloutBox title="Shown as code" />
import Kept from 'as-written'
```

Use `<Steps>` for a sequence, and keep a < b comparisons as text.
If a <b is prose, not a tag, the <Note>rest</Note> still reads.
"""

EXPECTED = """## How levels work

You can use the table below to see the levels for your role:

**Steps within a level**

Within each level there are four steps: *Learning*, *Established*, *Thriving* and *Expert*.
- We hire into *Established* by default.

Ask or your manager about the {next} step.
Pay is reviewed every months, in a
review cycle.

```jsx
<CalloutBox title="Shown as code" />
import Kept from 'as-written'
```

Use `<Steps>` for a sequence, and keep a < b comparisons as text.
If a <b is prose, not a tag, the rest still reads."""


def test_imports_exports_expressions_and_tags_go_and_the_words_stay():
    markdown = mdx_to_markdown(SHAPED_LIKE_POSTHOG.split("---\n", 2)[2])
    lines = "\n".join(line.rstrip() for line in markdown.split("\n"))
    assert re.sub(r"\n{3,}", "\n\n", lines).strip() == EXPECTED


def test_an_mdx_page_loads_with_its_front_matter_and_sections(kb, settings):
    path = write(kb, "people/career-progression.mdx", SHAPED_LIKE_POSTHOG)
    document = load_document(path, kb, settings)
    assert document.title == "Career progression"
    assert document.stored_meta["audience"] == "employee"  # no audience: the default
    assert "four steps" in document.text and "import" not in document.text.split("```")[0]
    [chunk] = split_document(document, 1200, 0)
    assert chunk.metadata["heading"] == "How levels work"


@needs_posthog
def test_the_real_compensation_page_reads_as_markdown(settings):
    document = load_document(COMPENSATION, POSTHOG, settings)
    assert document.title == "Compensation"
    assert "<CompensationCalculator" not in document.text
    assert "we try to pay top of market" in document.text
    headings = [c.metadata["heading"] for c in split_document(document, 1200, 0)]
    assert "Severance" in headings and "Equity" in headings


@needs_posthog
def test_every_posthog_page_loads_without_jsx_and_keeps_its_link_text(settings):
    files, skipped = discover(POSTHOG)
    assert COMPENSATION in files and [s.path.name for s in skipped] == ["LICENSE"]
    texts = {path.name: load_document(path, POSTHOG, settings).text for path in files}
    for name, text in texts.items():
        assert not JSX_TAG.search(text), (name, JSX_TAG.search(text))
    assert "Vitally name trait playbook" in texts["new-hire-onboarding.md"]


@needs_posthog
def test_a_question_about_the_mdx_page_is_answered_from_it(tmp_path, embeddings):
    coach = indexed_coach(POSTHOG, tmp_path / "data")
    answer = coach.answerer.ask("How much severance pay do I get if PostHog ends my contract?")
    assert not answer.refused, answer.text
    first_lines = answer.text.split("\n\n")[:4]  # the label, the source, its first lines
    assert "4 months' pay" in "\n".join(first_lines), answer.text
    assert answer.cited_sources[0].path == "handbook/people/compensation.mdx"


@pytest.mark.parametrize(
    "hostile",
    [
        "<A " * 50_000,
        "{" * 150_000,
        "<A b={" * 30_000,
        "`" * 150_000,
        "<A>\n" * 40_000,
        "<a '" * 40_000,
        "x <y z" * 30_000,
    ],
    ids=["open-tags", "braces", "attributes", "backticks", "nested", "quotes", "prose-lt"],
)
def test_unterminated_mdx_is_read_in_linear_time(hostile):
    started = time.perf_counter()
    mdx_to_markdown(hostile)  # 150-200 KB: a rescan from every opener would take minutes
    assert time.perf_counter() - started < 2
