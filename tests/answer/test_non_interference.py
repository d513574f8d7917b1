"""Non-interference (issue 21): what a CSM or a hiring manager reads is a function of the
documents that persona may read, nothing else.

The sample is indexed twice, with and without its HR-only pages (knowledge/hr/), and every
golden question, plan and map is asked of both as each persona that may not read them: the two
must read the same, word for word. Only HR's gap view may tell a restricted topic from an
uncovered one, through the refusal reason recorded for it.
"""

from __future__ import annotations

import io

import pytest
from helpers import REPO

from coach.answer.answerer import Answer, Answerer
from coach.answer.refusals import not_found_text, restricted_text
from coach.app.evaluate import load_cases
from coach.career.map import draw_map
from coach.career.render import plan_markdown
from coach.errors import CareerError
from coach.ingest.metadata import PLAN_TYPES
from coach.personas import PERSONAS

# Every persona the HR-only pages are hidden from.
READERS = tuple(p.id for p in PERSONAS.values() if not p.may_read("hr"))
HR_TOPIC = "What are the salary bands for a Senior CSM?"  # only knowledge/hr/ covers it


def shown(answer: Answer) -> tuple:
    """Everything the asker is shown of an answer: its refusal reason is for HR only, and
    similarities are not shown (the two indexes embed each chunk in other batches, which
    moves its vector in the seventh decimal)."""
    passages = [(s.id, s.text) for s in answer.sources]
    return answer.as_json(), answer.question, passages


def test_the_two_samples_differ_by_the_hr_pages_only(lumenfield, lumenfield_without_hr):
    with_hr = {row.id: row.metadata for row in lumenfield.store.metadatas()}
    without = {row.id: row.metadata for row in lumenfield_without_hr.store.metadatas()}
    hidden = {chunk_id for chunk_id, meta in with_hr.items() if meta["audience"] == "hr"}
    assert hidden and with_hr.keys() - hidden == without.keys()
    assert {meta["path"] for chunk_id, meta in with_hr.items() if chunk_id in hidden} == {
        "hr/calibration-guidelines.md",
        "hr/compensation-bands.md",
    }


@pytest.mark.parametrize("golden", ["knowledge.yaml", "gitlab.yaml"])
def test_golden_questions_read_the_same_without_the_hr_pages(
    lumenfield, lumenfield_without_hr, golden
):
    cases = load_cases(REPO / "tests" / "golden" / golden)
    differ = [
        (persona, case.question)
        for case in cases
        for persona in READERS
        if shown(lumenfield.answerer.ask(case.question, persona))
        != shown(lumenfield_without_hr.answerer.ask(case.question, persona))
    ]
    assert differ == []


def test_a_restricted_topic_is_told_apart_for_hr_only(lumenfield, lumenfield_without_hr):
    for persona in READERS:
        restricted = lumenfield.answerer.ask(HR_TOPIC, persona)
        uncovered = lumenfield_without_hr.answerer.ask(HR_TOPIC, persona)
        assert restricted.text == uncovered.text == not_found_text(persona, "salary bands")
        # Recorded for HR's gap view: the rules working, not a gap in the documents.
        assert (restricted.refusal, uncovered.refusal) == ("restricted", "not_found")
    assert not lumenfield.answerer.ask(HR_TOPIC, "hr").refused


def test_telling_restricted_topics_apart_is_hr_s_explicit_choice(lumenfield):
    # COACH_TELL_RESTRICTED trades the property away, by HR's configuration only.
    settings = lumenfield.settings.model_copy(update={"tell_restricted": True})
    telling = Answerer(settings, lumenfield.index, lumenfield.embeddings)
    for persona in READERS:
        assert telling.ask(HR_TOPIC, persona).text == restricted_text(persona)


def test_plans_read_the_same_without_the_hr_pages(lumenfield, lumenfield_without_hr):
    role_ids = sorted(lumenfield.ladder("hr").roles)  # a role the persona may not read, too

    def outcome(coach, role_id: str, persona: str, plan_type: str):
        try:
            plan = coach.plan(role_id, persona, plan_type)
        except CareerError as exc:
            return str(exc)
        return plan, plan_markdown(plan)

    for persona in READERS:
        with_hr, without = lumenfield.ladder(persona), lumenfield_without_hr.ladder(persona)
        assert with_hr.roles == without.roles and with_hr.moves == without.moves
        assert (with_hr.rotations, with_hr.designations, with_hr.courses, with_hr.plan_docs) == (
            without.rotations,
            without.designations,
            without.courses,
            without.plan_docs,
        )
        assert with_hr.missing() == without.missing()
        for role_id in role_ids:
            for plan_type in ("", *PLAN_TYPES):
                assert outcome(lumenfield, role_id, persona, plan_type) == outcome(
                    lumenfield_without_hr, role_id, persona, plan_type
                ), (persona, role_id, plan_type)


def test_the_map_reads_the_same_without_the_hr_pages(lumenfield, lumenfield_without_hr):
    def png(coach, persona: str, role_id: str = "") -> bytes | str:
        """The map as the My plan tab draws it (the ladders' equality is checked above)."""
        try:
            ladder = coach.ladder(persona)
            targets = tuple(coach.plan(role_id, persona).targets) if role_id else ()
            figure = draw_map(ladder, role_id, targets)
        except CareerError as exc:
            return str(exc)
        image = io.BytesIO()
        figure.savefig(image, format="png", bbox_inches="tight")
        return image.getvalue()

    for persona in READERS:
        for role_id in ("", "csm-2"):
            drawn = png(lumenfield, persona, role_id)
            assert drawn == png(lumenfield_without_hr, persona, role_id), (persona, role_id)
    assert isinstance(png(lumenfield, "csm", "csm-2"), bytes)  # a picture, not an error
