"""Passages embedded ahead: a question asked afterwards embeds only its own words."""

from __future__ import annotations

import threading

import pytest

from coach.answer.vectors import not_embedded
from coach.answer.warm import Answering, passage_texts


def test_after_the_passages_are_embedded_a_question_embeds_only_itself(lumenfield, monkeypatch):
    answerer, embeddings = lumenfield.answerer, lumenfield.embeddings
    first = answerer.embed_passages_ahead()
    rows = lumenfield.store.all_chunks()
    assert first.passages == len(rows) and first.texts > first.passages
    assert answerer.embed_passages_ahead().embedded == 0  # nothing is embedded twice

    answerer.scope_vectors  # noqa: B018 - embedded once per process, as the app starts
    asked: list[str] = []
    embed = embeddings.embed_documents
    monkeypatch.setattr(embeddings, "embed_documents", lambda t: asked.extend(t) or embed(t))
    question = "Warmly asked: how long does the Renewals rotation last, and who can apply?"
    answer = answerer.ask(question, "csm")
    assert "6-month" in answer.text and not answer.refused
    # The question and its own words only: every part quoted from was embedded ahead, as the
    # quoting step embeds it (a part whose text differed would be embedded here).
    assert asked and all(text in question.lower() or text == question for text in asked)
    quoted = [t for s in answer.sources for t in passage_texts(_row(s))]
    assert not not_embedded(embeddings, quoted)


def _row(source):
    from coach.index.store import IndexedChunk

    return IndexedChunk(source.id, source.text, source.metadata)


def test_embedding_ahead_gives_way_while_a_question_is_answered():
    answering = Answering()

    def produced():
        yield "text"
        return "answer"

    answer = answering.during(produced())
    assert next(answer) == "text"  # a question is being answered
    waiting = threading.Thread(target=answering.give_way)
    waiting.start()
    waiting.join(0.3)
    assert waiting.is_alive()
    with pytest.raises(StopIteration) as finished:
        next(answer)
    assert finished.value.value == "answer"  # the answer itself passes through unchanged
    waiting.join(2)
    assert not waiting.is_alive()
