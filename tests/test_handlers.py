"""The app's handlers called as plain methods, as Gradio calls them, without a browser."""

from __future__ import annotations

import gradio as gr
import pytest
from test_service import service  # noqa: F401 - the signed-in deployment fixture

from coach.answer import Answer
from coach.handlers import Handlers, new_talk, render_answer
from coach.retrieve import Source


def request(name: str) -> gr.Request:
    """What Gradio hands a handler for a signed-in user."""
    return gr.Request(username=name)


def like(index: int, liked) -> gr.LikeData:
    return gr.LikeData(None, {"index": index, "value": "", "liked": liked})


def answered(handlers: Handlers, name: str, question: str):
    """Ask through the chat handler; returns the last outputs (shown, box, passages, talk)."""
    outputs = list(handlers.respond(question, new_talk(), "c1", "", "", "", request(name)))
    return outputs[-1]


def test_like_dislike_and_taking_it_back(service):  # noqa: F811
    handlers = Handlers(service)
    *_, talk = answered(handlers, "ana", "What is the next step from CSM I?")
    exchange = talk["turns"][1][0]
    box, rated = handlers.rate(talk, like(1, False), request("ana"))
    assert box["visible"] and "disliked" in box["label"] and rated == (exchange, False)
    assert service.history.ratings("ana", "c1")[exchange].liked is False
    box, rated = handlers.rate(talk, like(1, ""), request("ana"))  # the thumb clicked again
    assert box["visible"] is False and rated is None
    assert service.history.ratings("ana", "c1") == {}


def test_bad_chat_input_is_one_clear_error(service):  # noqa: F811
    handlers = Handlers(service)
    for message, words in [(None, "please type a question"), ("x" * 2001, "question too long")]:
        with pytest.raises(gr.Error, match=words):
            list(handlers.chat_api(message, request=request("ana")))
    with pytest.raises(gr.Error, match="persona must be one of"):
        list(handlers.chat_api("What next?", persona=["hr"], request=request("ana")))
    with pytest.raises(gr.Error, match="may not ask as hr"):
        next(handlers.respond("Pay bands?", new_talk(), "c1", "hr", "", "", request("ben")))


def test_desk_handlers_refuse_other_roles(service):  # noqa: F811
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


def test_a_refused_upload_keeps_the_files_chosen(service, tmp_path):  # noqa: F811
    handlers = Handlers(service)
    bad = tmp_path / "memo.md"
    bad.write_text("---\naudience: everyone\n---\n\nText.\n")
    message, files = handlers.upload(
        [str(bad)], "", False, request("hugo"), progress=lambda *a, **k: None
    )
    assert "Not saved:** memo.md: unknown audience 'everyone'" in message
    assert files == gr.update()  # still chosen, to fix and retry


def test_export_needs_a_conversation(service):  # noqa: F811
    with pytest.raises(gr.Error, match="nothing to export yet"):
        Handlers(service).export("no-such-conversation", request("ana"))


def test_answers_list_only_the_sources_they_cite():
    sources = [Source(n, f"id{n}", f"p{n}.md", f"T{n}", "", "text", 0.0, 0.0) for n in (1, 2, 3)]
    shown = render_answer(Answer("A [1]. B [3].", "offline", False, sources))
    assert "[1] T1" in shown and "[3] T3" in shown and "[2] T2" not in shown
    assert shown.endswith("*Offline mode: quoted from the documents.*")
