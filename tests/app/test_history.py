"""Conversations, feedback and knowledge gaps in the SQL store."""

from __future__ import annotations

import pytest

from coach.answer.answerer import Answer
from coach.answer.offline import WEAK_LEAD
from coach.app.gaps import knowledge_gaps
from coach.app.handlers import gap_row
from coach.app.history import History
from coach.config import load_settings
from coach.errors import StoreError


def answer(
    text: str,
    refused: bool = False,
    refusal: str = "",
    gap: str = "",
    lead_match: float | None = None,
) -> Answer:
    return Answer(
        text=text, mode="offline", refused=refused, refusal=refusal, gap=gap, lead_match=lead_match
    )


@pytest.fixture
def history(tmp_path) -> History:
    return History(load_settings(data_dir=tmp_path).effective_database_url)


def test_exchanges_and_feedback_belong_to_their_user(history, tmp_path):
    first = history.record("ana", "c1", "csm", "What is a dual plan?", answer("It is..."))
    history.record("ana", "c1", "csm", "How do I start?", answer("Ask your manager."))
    history.record("ben", "c1", "csm", "Ben's question", answer("..."))
    assert [e.question for e in history.conversation("ana", "c1")] == [
        "What is a dual plan?",
        "How do I start?",
    ]
    assert [e.question for e in history.conversation("ben", "c1")] == ["Ben's question"]
    history.feedback("ana", first, liked=False, comment=" too vague ")
    with pytest.raises(StoreError, match="no such answer"):
        history.feedback("ben", first, liked=True)  # nobody rates someone else's answers
    assert (tmp_path / "coach.db").exists()


def test_failed_questions_feed_grouped_knowledge_gaps(history, embeddings):
    history.record("ana", "c", "csm", "What is the parental leave policy?", answer("?", True))
    history.record("ben", "c", "csm", "How long is parental leave?", answer("?", True, "not_found"))
    # The system working, not gaps in the documents: an off-topic redirect, a restricted topic.
    history.record("cy", "c", "csm", "Weather in Austin?", answer("!", True, "out_of_scope"))
    history.record("cy", "c", "csm", "Salary bands?", answer("?", True, "restricted"))
    liked = history.record("ben", "c", "csm", "Is there a dual plan?", answer("Yes [1]."))
    disliked = history.record("cy", "c", "csm", "Do we pay for MBAs?", answer("Maybe."))
    history.feedback("ben", liked, liked=True)
    history.feedback("cy", disliked, liked=False)
    failed = history.failed_questions()
    assert sorted(failed) == [
        "Do we pay for MBAs?",
        "How long is parental leave?",
        "What is the parental leave policy?",
    ]
    gaps = knowledge_gaps(history.failures(), embeddings)
    assert [gap.count for gap in gaps] == [2, 1]
    assert "parental leave" in gaps[0].question
    assert gaps[0].reasons == ("not_found",) and gaps[1].reasons == ("disliked",)


def test_an_answer_whose_lead_matched_weakly_is_a_gap_unless_it_was_liked(history):
    weak = WEAK_LEAD - 0.05
    history.record(
        "ana", "c", "csm", "Is there a company car?", answer("Cars [1].", lead_match=weak)
    )
    liked = history.record("ben", "c", "csm", "Who pays for travel?", answer("T.", lead_match=weak))
    history.feedback("ben", liked, liked=True)
    history.record("cy", "c", "csm", "What is a dual plan?", answer("D.", lead_match=WEAK_LEAD))
    history.record("cy", "c", "csm", "Who are you?", answer("?", True, "not_found", "weather"))
    failures = history.failures()
    assert [(f.question, f.reason, f.missing) for f in failures] == [
        ("Is there a company car?", "weak_lead", ""),
        ("Who are you?", "not_found", "weather"),
    ]


def test_gaps_are_grouped_by_subject_and_say_what_is_missing(history, embeddings):
    leave = "parental leave"
    history.record(
        "ana",
        "c",
        "csm",
        "How many days of parental leave do I get?",
        answer("?", True, "not_found", leave),
    )
    history.record(
        "ben",
        "c",
        "csm",
        "Is parental leave paid for fathers too?",
        answer("?", True, "not_found", leave),
    )
    history.record(
        "cy",
        "c",
        "csm",
        "Is there parental leave for adoptive parents?",
        answer("Adoption [1].", lead_match=0.3),
    )
    disliked = history.record("ana", "c", "csm", "Do we pay for MBAs?", answer("Maybe."))
    history.feedback("ana", disliked, liked=False)
    history.record(
        "ben", "c", "csm", "What does an MBA sponsorship cover?", answer("MBA [1].", lead_match=0.2)
    )
    gaps = {gap.subject.lower(): gap for gap in knowledge_gaps(history.failures(), embeddings)}
    assert len(gaps) == 2 and "parental leave" in gaps
    leave_gap = gaps["parental leave"]
    assert leave_gap.count == 3 and leave_gap.missing == ("parental leave",)
    assert leave_gap.reasons == ("not_found", "weak_lead")
    assert (
        gap_row(leave_gap)[5]
        == "not in the documents: parental leave, answer opened with a weak match"
    )
    mba = next(gap for subject, gap in gaps.items() if subject.startswith("mba"))
    assert mba.count == 2 and mba.missing == () and set(mba.reasons) == {"disliked", "weak_lead"}


def test_a_database_from_before_gap_subjects_gains_their_columns(tmp_path):
    from sqlalchemy import text

    url = load_settings(data_dir=tmp_path).effective_database_url
    old = History(url)
    old.record("ana", "c1", "csm", "What is a dual plan?", answer("?", True, "not_found"))
    with old.engine.begin() as connection:
        connection.execute(text("ALTER TABLE exchanges DROP COLUMN missing"))
        connection.execute(text("ALTER TABLE exchanges DROP COLUMN lead_match"))
    reopened = History(url)
    reopened.record(
        "ana", "c1", "csm", "And sabbaticals?", answer("?", True, "not_found", "sabbatical")
    )
    assert [(f.question, f.missing) for f in reopened.failures()] == [
        ("What is a dual plan?", ""),
        ("And sabbaticals?", "sabbatical"),
    ]


def test_unusable_database_url_is_a_one_line_error():
    with pytest.raises(StoreError, match="cannot open the database"):
        History("postgresql+nosuchdriver://u:p@127.0.0.1/db")


def test_config_hides_the_database_password():
    shown = load_settings(database_url="postgresql://coach:hunter2@db/coach").describe()
    assert shown["database_url"] == "postgresql://coach:****@db/coach"


def test_a_gap_says_who_asked_how_often_and_what_dislikes_said(history, embeddings):
    for user, persona in [("ana", "csm"), ("ben", "csm"), ("hana", "hiring_manager")]:
        history.record(user, "c", persona, "How long is parental leave?", answer("?", True))
    history.record("cy", "c", "csm", "how long is parental leave", answer("?", True))
    history.record("cy", "c", "csm", "What is the parental leave policy?", answer("?", True))
    disliked = history.record("ana", "c", "csm", "Do we pay for MBAs?", answer("Maybe."))
    history.feedback("ana", disliked, liked=False, comment=" says nothing about MBAs ")
    gaps = knowledge_gaps(history.failures(), embeddings)
    leave, mba = gaps
    # The same question asked again counts again, and is not listed as another wording.
    assert (leave.count, leave.question) == (5, "How long is parental leave?")
    assert leave.examples == ["What is the parental leave policy?"]
    assert leave.personas == ("csm", "hiring_manager")
    assert mba.comments == ("says nothing about MBAs",) and mba.reasons == ("disliked",)


def test_a_database_from_before_conversation_lists_lists_its_conversations(tmp_path):
    from sqlalchemy import text

    from coach.app.conversations import Conversations

    url = load_settings(data_dir=tmp_path).effective_database_url
    old = History(url)
    old.record("ana", "c1", "csm", "What is a dual plan?", answer("It is."))
    old.record("ana", "c1", "csm", "And then?", answer("Then."))
    old.record("ana", "api-9", "csm", "An API call", answer("."), listed=False)
    with old.engine.begin() as connection:
        connection.execute(text("DROP TABLE conversations"))
    listed = Conversations(History(url)).listed("ana")
    assert [(c.conversation, c.title) for c in listed] == [("c1", "What is a dual plan?")]


def test_two_first_choices_at_once_both_land(history, monkeypatch):
    """A new user's persona and plan type arrive together: the write that finds the profile
    already made by the other updates it, instead of failing on the duplicate key."""
    from sqlalchemy.orm import Session

    from coach.app.conversations import Conversations, Remembered

    conversations = Conversations(history)
    conversations.remember("ana", Remembered("csm", "", "", ""))
    real_get, missed = Session.get, []

    def late_get(self, entity, ident, **options):
        if not missed:  # the other request's row is not visible yet when this one looks
            missed.append(ident)
            return None
        return real_get(self, entity, ident, **options)

    monkeypatch.setattr(Session, "get", late_get)
    conversations.remember("ana", Remembered("csm", "csm-2", "dual", ""))
    assert missed == ["ana"]
    monkeypatch.undo()
    assert conversations.remembered("ana") == Remembered("csm", "csm-2", "dual", "")
