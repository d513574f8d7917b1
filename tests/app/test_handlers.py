"""The app's handlers called as plain methods, as Gradio calls them, without a browser."""

from __future__ import annotations

from dataclasses import replace

import gradio as gr
import pytest

from coach.answer.answerer import Answer
from coach.answer.retrieve import Source
from coach.app.conversation_handlers import ConversationHandlers
from coach.app.handlers import Handlers
from coach.app.panels import Asked, Page
from coach.app.rendering import render_answer
from coach.app.talk import Talk


def request(name: str) -> gr.Request:
    """What Gradio hands a handler for a signed-in user."""
    return gr.Request(username=name)


def like(index: int, liked) -> gr.LikeData:
    return gr.LikeData(None, {"index": index, "value": "", "liked": liked})


def answered(handlers: Handlers, name: str, question: str) -> Asked:
    """Ask through the chat handler; returns what the page shows last."""
    talk = Talk(owner=name, conversation="c1")
    outputs = list(handlers.respond(question, talk, "", "", "", request(name)))
    return outputs[-1]


def asked(handlers: Handlers, question: str, talk: Talk, persona: str, name: str) -> Talk:
    """Ask on this page as `persona`; returns the page state once answered."""
    return list(handlers.respond(question, talk, persona, "", "", request(name)))[-1].talk


def test_like_dislike_and_taking_it_back(service):
    handlers = Handlers(service)
    talk = answered(handlers, "ana", "What is the next step from CSM I?").talk
    exchange = talk.turns[1].exchange_id
    rated = handlers.rate(talk, like(1, False), request("ana"))
    box, talk = rated.feedback, rated.talk
    assert box["visible"] and "disliked" in box["label"]
    assert (talk.rating.exchange_id, talk.rating.liked) == (exchange, False)
    assert service.history.ratings("ana", "c1")[exchange].liked is False
    rated = handlers.rate(talk, like(1, ""), request("ana"))  # the thumb clicked again
    assert rated.feedback["visible"] is False and rated.talk.rating is None
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
    shown = render_answer(
        Answer(text="A [1]. B [3].", mode="offline", refused=False, sources=sources)
    )
    # Each [n] is a link to source n in the side panel, in the text and in the list.
    assert shown.startswith('A <a href="#source-1" class="cite">[1]</a>. B <a href="#source-3"')
    assert "[1]</a> T1" in shown and "[3]</a> T3" in shown and "T2" not in shown
    assert shown.endswith("*Offline mode: quoted from the documents.*")


def test_a_refusal_does_not_claim_a_quote():
    shown = render_answer(Answer(text="No document says.", mode="offline", refused=True))
    assert shown.endswith("*Offline mode: nothing was quoted.*")


def test_grouped_citations_link_like_single_ones():
    # clean_citations writes "[2, 3]" for an LLM's "[2][3]"; both spellings are links.
    sources = [Source(n, f"id{n}", f"p{n}.md", f"T{n}", "", "text", 0.0, 0.0) for n in (1, 2, 3)]
    shown = render_answer(
        Answer(text="A [2, 3]. B [1][9].", mode="llm", refused=False, sources=sources)
    )
    assert shown.startswith(
        'A <a href="#source-2" class="cite">[2]</a><a href="#source-3" class="cite">[3]</a>. '
        'B <a href="#source-1" class="cite">[1]</a>[9].'
    )


def test_every_handler_refuses_a_page_state_of_another_user(service):
    """A session hash is no proof of who asks: state bound to ana is refused to ben."""
    handlers, pages = Handlers(service), ConversationHandlers(service)
    talk = answered(handlers, "ana", "What is the next step from CSM I?").talk
    ben = request("ben")
    select = gr.SelectData(None, {"index": 1, "value": ""})
    for call in (
        lambda: next(handlers.respond("And then?", talk, "", "", "", ben)),
        lambda: handlers.show_passages(talk, select, ben),
        lambda: handlers.rate(talk, like(1, True), ben),
        lambda: handlers.comment("great", talk, ben),
        lambda: handlers.export(talk, ben),
        lambda: pages.new_conversation(talk, "", "", "", ben),
        lambda: pages.start(talk, "", ben),
        lambda: pages.switch_persona("csm", talk, ben),
        lambda: pages.open_conversation("c0", talk, "", "", ben),
        lambda: pages.rename("Mine now", talk, ben),
        lambda: pages.delete_conversation(talk, "", "", "", ben),
        lambda: pages.answered(talk, "", "", "", ben),
        lambda: pages.remember_profile(talk, "", "", "", ben),
    ):
        with pytest.raises(gr.Error, match="belongs to another sign-in"):
            call()
    panel = handlers.show_passages(talk, select, request("ana"))
    assert panel.startswith("*Sources of the answer to: What is the next step from CSM I?*")
    assert "**[1] CSM I" in panel
    assert service.history.ratings("ana", "c1") == {}  # ben's like never landed


def test_a_page_not_started_yet_becomes_the_users_own(service):
    talk = asked(Handlers(service), "What is a dual plan?", Talk(), "", "ben")
    assert talk.owner == "ben" and talk.conversation and len(talk.turns) == 1


def test_an_upload_reports_its_own_files_and_empties_the_picker(service, tmp_path):
    from helpers import write

    write(service.settings.knowledge_dir, "old-broken.md", "---\ntitle: [oops\n---\n\nText.\n")
    good = write(tmp_path, "guild.md", "---\ntitle: Guild\naudience: employee\n---\n\nWe meet.\n")
    bad = write(tmp_path, "memo.md", "---\ntitle: Memo\naudience: everyone\n---\n\nHi.\n")
    handlers = Handlers(service)
    uploaded = handlers.upload(
        [str(good), str(bad)], "", False, request("hugo"), progress=lambda *a, **k: None
    )
    result = uploaded.result
    assert "Saved** `guild.md`" in result
    assert "Not saved:** memo.md: unknown audience 'everyone'" in result
    assert "old-broken.md" not in result  # an older failure is not this upload's outcome
    assert uploaded.files is None  # the refused file leaves the picker too: it is not sent again


def test_switching_persona_starts_a_new_conversation_and_fits_the_profile(service):
    handlers, pages = Handlers(service), ConversationHandlers(service)
    talk = answered(handlers, "hugo", "What is the next step from CSM I?").talk
    page = pages.switch_persona("hiring_manager", talk, request("hugo"))
    fresh = page.talk
    # Answers for candidates never share a thread with answers for HR.
    assert page.chatbot == [] and fresh.conversation != talk.conversation
    assert fresh.owner == "hugo" and page.passages.startswith("*Ask a question")
    # A hiring manager answers for candidates: no role or plan type of their own to set.
    assert not page.role["visible"] and not page.plan["visible"] and not page.desk["visible"]
    page = pages.switch_persona("hr", fresh, request("hugo"))
    assert page.role["visible"] is True and page.plan["visible"] is True
    assert page.desk["visible"] is True
    with pytest.raises(gr.Error, match="may not ask as hr"):
        pages.switch_persona("hr", Talk(), request("ana"))


def test_problems_are_said_in_place_and_lose_nothing(service):
    handlers = Handlers(service)
    talk = Talk(owner="ana", conversation="c1")
    for message, words in [
        ("   ", "Please type a question first."),
        ("x" * 2001, "2,001 characters"),
    ]:
        (said,) = list(handlers.respond(message, talk, "", "", "", request("ana")))
        # Under the box, which keeps the text; the conversation is untouched.
        assert words in said.note and said.question == gr.update() and said.talk is talk
        assert not said.chatbot and said.passages == gr.update()
    assert service.history.conversation("ana", "c1") == []
    deleted = handlers.delete("careers/faq.md", False, request("hugo"))
    assert deleted.result == "Tick **Yes, delete it** to delete `careers/faq.md`."
    assert deleted.confirm == gr.update()
    assert (service.settings.knowledge_dir / "careers/faq.md").exists()


def test_regenerate_and_edit_ask_again_from_that_question(service):
    handlers = Handlers(service)
    talk = answered(handlers, "ana", "What is the next step from CSM I?").talk
    first = talk.turns[1].exchange_id
    retried = gr.RetryData(None, {"index": 0, "value": "What is the next step from CSM I?"})
    again = list(handlers.retry(talk, "", "", "", retried, request("ana")))[-1].talk
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
    changed = list(handlers.edit(again, "", "", "", edited, request("ana")))[-1].talk
    assert changed.shown[0]["content"] == "What is the next step from CSM II?"
    assert len(changed.shown) == 2 and "CSM II" in changed.pairs[0][1]
    assert len(service.history.conversation("ana", "c1")) == 3  # every answer stays recorded
    with pytest.raises(gr.Error, match="belongs to another sign-in"):
        next(handlers.retry(talk, "", "", "", retried, request("ben")))


def test_a_reload_returns_to_the_open_conversation_and_profile(service):
    handlers, pages = Handlers(service), ConversationHandlers(service)
    ana = request("ana")
    first = pages.start(Talk(), "", ana).page
    assert first.chatbot == [] and first.conversations["choices"] == []
    talk = list(
        handlers.respond(
            "What is the next step from CSM I?", first.talk, "csm", "csm-1", "dual", ana
        )
    )[-1].talk
    listing = pages.answered(talk, "csm", "csm-1", "dual", ana)
    listed, title = listing.conversations, listing.title
    assert title == "What is the next step from CSM I?"
    assert (
        listed["choices"] == [(title, talk.conversation)] and listed["value"] == talk.conversation
    )
    # A reload: a new page session, the same user.
    again = pages.start(Talk(), "", ana)
    shown = again.page
    assert "ana" in again.who and shown.talk.conversation == talk.conversation
    assert [m["role"] for m in shown.chatbot] == ["user", "assistant"]
    assert shown.chatbot[0]["content"] == "What is the next step from CSM I?"
    assert "CSM II" in shown.chatbot[1]["content"] and 'class="cite"' in shown.chatbot[1]["content"]
    assert shown.role["value"] == "csm-1" and shown.plan["value"] == "dual"
    assert "**[1] CSM I" in shown.passages  # the last answer's sources, with their text
    # The reopened page goes on where it was: follow-ups see the earlier turn.
    assert shown.talk.pairs[0] == ("user", "What is the next step from CSM I?")
    assert shown.talk.turns[1].exchange_id == talk.turns[1].exchange_id


def test_conversations_list_open_rename_and_delete(service):
    handlers, pages = Handlers(service), ConversationHandlers(service)
    ana = request("ana")
    one = asked(handlers, "What is a dual plan?", Talk(), "", "ana")
    two = asked(handlers, "What is the next step from CSM II?", Talk(), "", "ana")
    listed = pages.answered(two, "", "", "", ana).conversations
    assert [c for _, c in listed["choices"]] == [two.conversation, one.conversation]  # newest first
    opened = pages.open_conversation(one.conversation, two, "", "", ana)
    assert opened.talk.conversation == one.conversation
    assert opened.chatbot[0]["content"] == "What is a dual plan?"
    renamed = pages.rename("  Dual   plans ", opened.talk, ana)
    assert renamed.title == "Dual plans" and renamed.note == ""
    assert ("Dual plans", one.conversation) in renamed.conversations["choices"]
    # Bad titles are said under the box, which keeps what was typed.
    for typed, words in [("   ", "cannot be empty"), ("x" * 121, "at most 120 characters")]:
        renamed = pages.rename(typed, opened.talk, ana)
        assert words in renamed.note
        assert renamed.title == gr.update() and renamed.conversations == gr.update()
    after = pages.delete_conversation(opened.talk, "", "", "", ana)
    assert after.chatbot == [] and after.talk.conversation != one.conversation
    assert [c for _, c in after.conversations["choices"]] == [two.conversation]
    assert service.history.conversation("ana", one.conversation) == []
    # A conversation of someone else's is as unknown as a missing one.
    ben_talk = Talk.begin("ben")
    renamed = pages.rename(
        "Stolen",
        replace(ben_talk, shown=({"role": "user", "content": "q"},), conversation=two.conversation),
        request("ben"),
    )
    assert "no such conversation" in renamed.note
    with pytest.raises(gr.Error, match="no such conversation in your list"):
        pages.open_conversation(two.conversation, ben_talk, "", "", request("ben"))
    # Choosing the conversation already open changes nothing on the page.
    assert pages.open_conversation(two.conversation, two, "", "", ana) == Page.keeping()


def test_a_regenerated_answer_reopens_once(service):
    handlers, pages = Handlers(service), ConversationHandlers(service)
    ana = request("ana")
    talk = asked(handlers, "What is the next step from CSM I?", Talk(), "", "ana")
    retried = gr.RetryData(None, {"index": 0, "value": "What is the next step from CSM I?"})
    again = list(handlers.retry(talk, "", "", "", retried, ana))[-1].talk
    pages.answered(again, "", "", "", ana)
    shown = pages.start(Talk(), "", ana).page
    assert len(shown.chatbot) == 2  # the question once, with its latest answer
    assert shown.talk.turns[1].exchange_id == again.turns[1].exchange_id
    assert len(service.history.conversation("ana", talk.conversation)) == 2  # history keeps both


def test_an_answer_for_a_role_since_taken_away_is_withheld(service):
    from coach.app.users import add_user

    handlers, pages = Handlers(service), ConversationHandlers(service)
    talk = asked(handlers, "Candidate FAQ?", Talk(), "hr", "hugo")
    pages.answered(talk, "hr", "", "", request("hugo"))
    add_user(service.settings.users_file, "hugo", "csm", "hugo-password-1", replace=True)
    shown = pages.start(Talk(), "", request("hugo")).page
    assert shown.persona["value"] == "csm"
    assert "no longer have" in shown.chatbot[1]["content"]
    assert shown.talk.turns[1].sources == ()


def test_while_the_knowledge_base_is_prepared_the_page_says_so(service):
    handlers, pages = Handlers(service), ConversationHandlers(service)
    service.readiness.ready.clear()  # as between the port opening and the model loaded
    service.readiness.step = "indexing the knowledge folder"
    opened = pages.start(Talk(), "", request("ana"))
    notice = opened.preparing
    assert notice["visible"] and "being prepared (indexing the knowledge folder)" in notice["value"]
    assert opened.waiting.active and "ana" in opened.who
    # Only the persona picker is filled; everything else is left as it is.
    assert opened.page == Page.keeping(persona=opened.page.persona)
    assert opened.page.persona["value"] == "csm"
    (said,) = list(handlers.respond("What is a dual plan?", Talk(), "", "", "", request("ana")))
    assert "being prepared" in said.note and said.question == gr.update() and said.chatbot == ()
    with pytest.raises(gr.Error, match="the knowledge base is being prepared"):
        list(handlers.chat_api("What is a dual plan?", request=request("ana")))
    service.readiness.ready.set()
    filled = pages.start(Talk(), "", request("ana"))
    assert not filled.preparing["visible"] and not filled.waiting.active
    assert filled.page.role["choices"]


def test_a_knowledge_base_that_cannot_be_prepared_says_why(service, tmp_path):
    knowledge = service.settings.knowledge_dir
    knowledge.rename(tmp_path / "moved-away")
    service.prepare_in_background(sync=True).join()
    said = service.waiting()
    assert said.startswith("The knowledge base could not be prepared: knowledge folder not found")
    opened = ConversationHandlers(service).start(Talk(), "", request("ana"))
    assert said in opened.preparing["value"] and not opened.waiting.active
