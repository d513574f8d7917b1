"""LLM mode against a real llama.cpp server on 127.0.0.1, and failures at the network seam."""

from __future__ import annotations

import re
import time

import pytest
from helpers import run_cli

from coach.answer.answerer import Answer, Answerer
from coach.config import load_settings
from coach.llm.factory import make_llm

pytestmark = pytest.mark.slow


def llm_answerer(lumenfield, base_url: str, api_key: str, model: str, timeout: float = 60):
    settings = load_settings(
        knowledge_dir=lumenfield.settings.knowledge_dir,
        data_dir=lumenfield.settings.data_dir,
        llm_model=model,
        openai_base_url=base_url,
        openai_api_key=api_key,
        llm_timeout_s=timeout,
        llm_max_retries=0,
        llm_max_tokens=64,
    )
    return Answerer(settings, lumenfield.index, lumenfield.embeddings, make_llm(settings))


def test_real_server_streams_a_cited_answer(lumenfield, llm_server):
    answerer = llm_answerer(lumenfield, *llm_server)
    streamed = answerer.stream("How long is the Renewals rotation?")
    deltas = list(streamed)
    answer = streamed.answer
    assert isinstance(answer, Answer) and answer.mode == "llm" and answer.notice == ""
    assert len(deltas) > 1 and "".join(deltas).strip() == answer.text
    valid = {s.n for s in answer.sources}
    cited = {
        int(n) for group in re.findall(r"\[([\d, ]+)\]", answer.text) for n in group.split(",")
    }
    assert cited <= valid  # whatever the small model wrote, no citation points at nothing


def test_follow_up_is_condensed_by_the_real_server(lumenfield, llm_server):
    answerer = llm_answerer(lumenfield, *llm_server)
    history = [("user", "Tell me about the mentoring program"), ("assistant", "It runs twice.")]
    answer = answerer.ask("when can I sign up?", history=history)
    assert answer.mode == "llm" and answer.question and answer.question != "when can I sign up?"


def test_wrong_api_key_falls_back_offline_with_a_reason(lumenfield, llm_server):
    answerer = llm_answerer(lumenfield, llm_server.base_url, "wrong-key", llm_server.model)
    answer = answerer.ask("How long is the Renewals rotation?")
    assert answer.mode == "offline" and not answer.refused and answer.sources
    assert "refused the API key (401)" in answer.notice and "\n" not in answer.notice


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("429", "rate-limiting requests (429)"),
        ("500", "answered HTTP 500"),
        ("slow", "did not answer within 1 s"),
        ("closed", "cannot connect to"),
        ("invalid-json", "sent a reply that is not valid JSON"),
        ("empty", "sent an empty answer"),
        ("endless", "kept writing past the 64-token limit"),
    ],
)
def test_endpoint_failures_give_a_reason_and_the_offline_answer(
    lumenfield, stub_server, closed_port_url, kind, reason
):
    url = {
        "429": lambda: stub_server(status=429),
        "500": lambda: stub_server(status=500),
        "slow": lambda: stub_server(delay=5),
        "closed": lambda: closed_port_url,
        "invalid-json": lambda: stub_server(garbage="invalid-json"),
        "empty": lambda: stub_server(garbage="empty"),
        "endless": lambda: stub_server(garbage="endless"),
    }[kind]()
    answerer = llm_answerer(lumenfield, url, "key", "any-model", timeout=1)
    started = time.monotonic()
    answer = answerer.ask("How long is the Renewals rotation?")
    assert time.monotonic() - started < 4, "a failing endpoint must not hang the answer"
    assert answer.mode == "offline" and answer.sources and reason in answer.notice


def test_cli_reports_the_fallback_in_one_line(lumenfield, closed_port_url):
    result = run_cli(
        "ask",
        "How long is the Renewals rotation?",
        "--knowledge",
        str(lumenfield.settings.knowledge_dir),
        "--data",
        str(lumenfield.settings.data_dir),
        env={
            "COACH_LLM_MODEL": "m",
            "OPENAI_BASE_URL": closed_port_url,
            "COACH_LLM_TIMEOUT_S": "2",
            "COACH_LLM_MAX_RETRIES": "0",
        },
    )
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "cannot connect" in notes[0]
    assert "Traceback" not in result.output and "(offline mode)" in result.stdout


def test_local_gguf_is_served_in_process(lumenfield, gguf_path):
    settings = load_settings(llm_gguf_path=gguf_path, llm_timeout_s=60, llm_max_tokens=48)
    answerer = Answerer(settings, lumenfield.index, lumenfield.embeddings, make_llm(settings))
    answer = answerer.ask("What is a dual plan?")
    assert answer.mode == "llm" and answer.text and answer.notice == ""
