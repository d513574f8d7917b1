"""The app's handlers called as plain methods, as Gradio calls them, without a browser."""

from __future__ import annotations

import gradio as gr
import pytest

from coach.answer.answerer import Answer
from coach.answer.retrieve import Source
from coach.app.handlers import Handlers
from coach.app.rendering import render_answer
from coach.app.talk import Talk


def request(name: str) -> gr.Request:
    """What Gradio hands a handler for a signed-in user."""
    return gr.Request(username=name)


def like(index: int, liked) -> gr.LikeData:
    return gr.LikeData(None, {"index": index, "value": "", "liked": liked})


def answered(handlers: Handlers, name: str, question: str):
    """Ask through the chat handler; returns the last outputs (shown, box, passages, talk)."""
    talk = Talk(owner=name, conversation="c1")
    outputs = list(handlers.respond(question, talk, "", "", "", request(name)))
    return outputs[-1]


def test_like_dislike_and_taking_it_back(service):
    handlers = Handlers(service)
    *_, talk = answered(handlers, "ana", "What is the next step from CSM I?")
    exchange = talk.turns[1].exchange_id
    box, talk = handlers.rate(talk, like(1, False), request("ana"))
    assert box["visible"] and "disliked" in box["label"]
    assert (talk.rating.exchange_id, talk.rating.liked) == (exchange, False)
    assert service.history.ratings("ana", "c1")[exchange].liked is False
    box, talk = handlers.rate(talk, like(1, ""), request("ana"))  # the thumb clicked again
    assert box["visible"] is False and talk.rating is None
    assert service.history.ratings("ana", "c1") == {}


def test_bad_chat_input_is_one_clear_error(service):
    handlers = Handlers(service)
    for message, words in [(None, "please type a question"), ("x" * 2001, "question too long")]:
        with pytest.raises(gr.Error, match=words):
            list(handlers.chat_api(message, request=request("ana")))
    with pytest.raises(gr.Error, match="persona must be one of"):
        list(handlers.chat_api("What next?", persona=["hr"], request=request("ana")))
    with pytest.raises(gr.Error, match="may not ask as hr"):
        next(handlers.respond("Pay bands?", Talk(), "hr", "", "", request("ben")))


def test_desk_handlers_refuse_other_roles(service):
    handlers = Handlers(service)
    for call in (
        lambda r: handlers.document_table(r),
        lambda r: handlers.gap_table(r),
        lambda r: handlers.reindex(r),
        lambda r: handlers.delete("careers/faq.md", True, r),
    ):
        with pytest.raises(gr.Error, match="for HR only"):
            call(request("ana"))
    assert (service.settings.knowledge_dir / "careers/faq.md").exists()


def test_export_needs_a_conversation(service):
    with pytest.raises(gr.Error, match="nothing to export yet"):
        Handlers(service).export(Talk(owner="ana", conversation="none"), request("ana"))


def test_answers_list_only_the_sources_they_cite():
    sources = [Source(n, f"id{n}", f"p{n}.md", f"T{n}", "", "text", 0.0, 0.0) for n in (1, 2, 3)]
    shown = render_answer(Answer("A [1]. B [3].", "offline", False, sources))
    # Each [n] is a link to source n in the side panel, in the text and in the list.
    assert shown.startswith('A <a href="#source-1" class="cite">[1]</a>. B <a href="#source-3"')
    assert "[1]</a> T1" in shown and "[3]</a> T3" in shown and "T2" not in shown
    assert shown.endswith("*Offline mode: quoted from the documents.*")


def test_every_handler_refuses_a_page_state_of_another_user(service):
    """A session hash is no proof of who asks: state bound to ana is refused to ben."""
    handlers = Handlers(service)
    *_, talk = answered(handlers, "ana", "What is the next step from CSM I?")
    ben = request("ben")
    select = gr.SelectData(None, {"index": 1, "value": ""})
    for call in (
        lambda: next(handlers.respond("And then?", talk, "", "", "", ben)),
        lambda: handlers.show_passages(talk, select, ben),
        lambda: handlers.rate(talk, like(1, True), ben),
        lambda: handlers.comment("great", talk, ben),
        lambda: handlers.export(talk, ben),
        lambda: handlers.new_conversation(talk, ben),
        lambda: handlers.start(talk, ben),
        lambda: handlers.switch_persona("csm", talk, ben),
    ):
        with pytest.raises(gr.Error, match="belongs to another sign-in"):
            call()
    panel = handlers.show_passages(talk, select, request("ana"))
    assert panel.startswith("*Sources of the answer to: What is the next step from CSM I?*")
    assert "**[1] CSM I" in panel
    assert service.history.ratings("ana", "c1") == {}  # ben's like never landed


def test_a_page_not_started_yet_becomes_the_users_own(service):
    handlers = Handlers(service)
    *_, talk = list(handlers.respond("What is a dual plan?", Talk(), "", "", "", request("ben")))[
        -1
    ]
    assert talk.owner == "ben" and talk.conversation and len(talk.turns) == 1


def test_an_upload_reports_its_own_files_and_empties_the_picker(service, tmp_path):
    from helpers import write

    write(service.settings.knowledge_dir, "old-broken.md", "---\ntitle: [oops\n---\n\nText.\n")
    good = write(tmp_path, "guild.md", "---\ntitle: Guild\naudience: employee\n---\n\nWe meet.\n")
    bad = write(tmp_path, "memo.md", "---\ntitle: Memo\naudience: everyone\n---\n\nHi.\n")
    handlers = Handlers(service)
    result, picker = handlers.upload(
        [str(good), str(bad)], "", False, request("hugo"), progress=lambda *a, **k: None
    )
    assert "Saved** `guild.md`" in result
    assert "Not saved:** memo.md: unknown audience 'everyone'" in result
    assert "old-broken.md" not in result  # an older failure is not this upload's outcome
    assert picker is None  # the refused file leaves the picker too: it is not sent again


def test_switching_persona_starts_a_new_conversation_and_fits_the_profile(service):
    handlers = Handlers(service)
    *_, talk = answered(handlers, "hugo", "What is the next step from CSM I?")
    role, plan, _, desk, shown, fresh, passages, *_ = handlers.switch_persona(
        "hiring_manager", talk, request("hugo")
    )
    # Answers for candidates never share a thread with answers for HR.
    assert shown == [] and fresh.conversation != talk.conversation and fresh.owner == "hugo"
    assert passages.startswith("*Ask a question")
    # A hiring manager answers for candidates: no role or plan type of their own to set.
    assert role["visible"] is False and plan["visible"] is False and desk["visible"] is False
    role, plan, *_ = handlers.switch_persona("hr", fresh, request("hugo"))
    assert role["visible"] is True and plan["visible"] is True
    with pytest.raises(gr.Error, match="may not ask as hr"):
        handlers.switch_persona("hr", Talk(), request("ana"))


def test_problems_are_said_in_place_and_lose_nothing(service):
    handlers = Handlers(service)
    talk = Talk(owner="ana", conversation="c1")
    for message, words in [
        ("   ", "Please type a question first."),
        ("x" * 2001, "2,001 characters"),
    ]:
        ((shown, box, note, _, same),) = list(
            handlers.respond(message, talk, "", "", "", request("ana"))
        )
        # Under the box, which keeps the text; the conversation is untouched.
        assert words in note and box == gr.update() and not shown and same is talk
    assert service.history.conversation("ana", "c1") == []
    note, confirm = handlers.delete("careers/faq.md", False, request("hugo"))
    assert note == "Tick **Yes, delete it** to delete `careers/faq.md`." and confirm == gr.update()
    assert (service.settings.knowledge_dir / "careers/faq.md").exists()


def test_regenerate_and_edit_ask_again_from_that_question(service):
    handlers = Handlers(service)
    *_, talk = answered(handlers, "ana", "What is the next step from CSM I?")
    first = talk.turns[1].exchange_id
    retried = gr.RetryData(None, {"index": 0, "value": "What is the next step from CSM I?"})
    *_, again = list(handlers.retry(talk, "", "", "", retried, request("ana")))[-1]
    # The same question answered anew, in place of the old answer (which history keeps).
    assert [m["content"] for m in again.shown][:1] == ["What is the next step from CSM I?"]
    assert len(again.shown) == 2 and again.turns[1].exchange_id != first
    assert len(again.pairs) == 2
    edited = gr.EditData(
        None,
        {
            "index": 0,
            "value": "What is the next step from CSM II?",
            "previous_value": "What is the next step from CSM I?",
        },
    )
    *_, changed = list(handlers.edit(again, "", "", "", edited, request("ana")))[-1]
    assert changed.shown[0]["content"] == "What is the next step from CSM II?"
    assert len(changed.shown) == 2 and "CSM II" in changed.pairs[0][1]
    assert len(service.history.conversation("ana", "c1")) == 3  # every answer stays recorded
    with pytest.raises(gr.Error, match="belongs to another sign-in"):
        next(handlers.retry(talk, "", "", "", retried, request("ben")))
