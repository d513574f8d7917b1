"""The running app through gradio_client: the /chat API, streaming, sign-in and audience limits."""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
from app_fixtures import start_app
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import run_cli

from coach.app.history import History
from coach.config import load_settings
from coach.errors import ConfigError
from ui import check_binding

HIRING_QUESTION = "How do people grow in Customer Success here?"
EMPLOYEE_QUESTION = "What are the promotion criteria from CSM II to Senior CSM?"
HR_QUESTION = "What are the salary bands for a Senior CSM?"


def client(served, name: str) -> Client:
    """A signed-in API client."""
    return Client(served.url, auth=served.auth(name), verbose=False)


def cited_paths(text: str) -> list[str]:
    """The paths listed under "Sources:" in a /chat reply."""
    if "\n\nSources:\n" not in text:
        return []
    listed = text.split("\n\nSources:\n", 1)[1].splitlines()
    return [line.rsplit("(", 1)[1].rstrip(")") for line in listed]


def test_chat_api_answers_with_just_the_message(served):
    reply = client(served, "ana").predict(EMPLOYEE_QUESTION, api_name="/chat")
    # Two roles compared: the career engine answers with both sides, then what changes,
    # criteria included.
    assert reply.startswith("**CSM II and Senior CSM, side by side**")
    assert "**What changes from Customer Success Manager II to Senior" in reply
    assert "GRR of 92%" in reply and "[1]" in reply
    assert "ladder/csm-2.md" in cited_paths(reply)


def test_chat_streams_the_text_before_the_sources(served):
    job = client(served, "ana").submit("How does a dual plan work?", api_name="/chat")
    outputs = list(job)
    assert len(outputs) >= 2
    assert "Sources:" not in outputs[0]  # the answer text arrives first...
    final = job.result()
    assert final.startswith(outputs[0]) and "Sources:" in final  # ...then its sources
    assert any(path.startswith("plans/") for path in cited_paths(final))


def test_only_chat_is_an_api_endpoint(served):
    endpoints = client(served, "ana").view_api(print_info=False, return_format="dict")
    assert set(endpoints["named_endpoints"]) == {"/chat"}
    assert endpoints["unnamed_endpoints"] == {}


def test_profile_steers_what_next_means(served):
    reply = client(served, "ana").predict(
        "What should I do next?", "csm-2", "vertical", api_name="/chat"
    )
    paths = cited_paths(reply)
    assert paths and paths[0] == "ladder/csm-2.md"
    assert "Senior Customer Success Manager" in reply  # next from CSM II, not from CSM I


def test_bad_profile_is_one_clear_error(served):
    with pytest.raises(AppError, match="unknown role 'csm-9'"):
        client(served, "ana").predict("What next?", "csm-9", api_name="/chat")


def test_hiring_manager_sees_only_public_documents(served):
    hana = client(served, "hana")
    reply = hana.predict(HIRING_QUESTION, api_name="/chat")
    paths = cited_paths(reply)
    assert paths and all(path.startswith("careers/") for path in paths)
    restricted = hana.predict(EMPLOYEE_QUESTION, api_name="/chat")
    assert all(path.startswith("careers/") for path in cited_paths(restricted))
    assert "GRR of 92%" not in restricted  # the employee-only criteria stay unseen


@pytest.mark.parametrize(("name", "persona"), [("hana", "hr"), ("hana", "csm"), ("ana", "hr")])
def test_api_cannot_widen_the_audience(served, name, persona):
    with pytest.raises(AppError, match=f"may not ask as {persona}"):
        client(served, name).predict(HR_QUESTION, "", "", persona, api_name="/chat")


def test_a_narrower_persona_is_allowed(served):
    reply = client(served, "ana").predict(
        HIRING_QUESTION, "", "", "hiring_manager", api_name="/chat"
    )
    assert all(path.startswith("careers/") for path in cited_paths(reply))


def test_hr_reads_hr_documents(served):
    reply = client(served, "hugo").predict(HR_QUESTION, api_name="/chat")
    assert any(path.startswith("hr/") for path in cited_paths(reply))


@pytest.mark.parametrize("auth", [("ana", "wrong-password"), ("nobody", "whatever-password")])
def test_wrong_credentials_are_refused(served, auth):
    login = httpx.post(served.url + "login", data={"username": auth[0], "password": auth[1]})
    assert (login.status_code, login.json()) == (400, {"detail": "Incorrect credentials."})
    with pytest.raises(ValueError, match="Could not login"):
        Client(served.url, auth=auth, verbose=False)


def test_nothing_is_served_without_sign_in(served):
    for path in ("config", "gradio_api/info"):
        assert httpx.get(served.url + path).status_code == 401, path
    queued = httpx.post(served.url + "gradio_api/call/chat", json={"data": [HIRING_QUESTION]})
    assert queued.status_code == 401


def test_exchanges_are_stored_per_user(served):
    client(served, "hana").predict("What training will a new CSM get?", api_name="/chat")
    history = History(served.settings.effective_database_url)
    with history.session() as session:
        from coach.app.history import Exchange

        rows = session.query(Exchange).filter_by(question="What training will a new CSM get?")
        assert {(row.user, row.persona) for row in rows} == {("hana", "hiring_manager")}


def test_demo_lets_the_local_user_switch_persona(demo):
    local = Client(demo.url, verbose=False)  # no sign-in in the demo
    reply = local.predict(HR_QUESTION, "", "", "hr", api_name="/chat")
    assert any(path.startswith("hr/") for path in cited_paths(reply))
    default = local.predict(HR_QUESTION, api_name="/chat")
    assert not any(path.startswith("hr/") for path in cited_paths(default))  # csm by default


def test_demo_refuses_to_listen_beyond_loopback(tmp_path):
    demo_settings = load_settings(host="0.0.0.0", users_file=tmp_path / "none.toml")
    with pytest.raises(ConfigError, match=r"refusing to listen on 0.0.0.0 without sign-in"):
        check_binding(demo_settings, demo=True)
    check_binding(demo_settings, demo=False)  # with users, any address is the admin's call
    check_binding(load_settings(host="127.0.0.1"), demo=True)
    check_binding(load_settings(host="localhost"), demo=True)


@pytest.mark.slow
def test_llm_answers_stream_through_the_api(tmp_path, lumenfield, llm_server):
    running = start_app(
        tmp_path,
        lumenfield,
        {},
        llm_model=llm_server.model,
        openai_base_url=llm_server.base_url,
        openai_api_key=llm_server.api_key,
        llm_max_tokens=64,
        llm_max_retries=0,
    )
    try:
        job = Client(running.url, verbose=False).submit(
            "How long is the Renewals rotation?", api_name="/chat"
        )
        outputs = list(job)
        assert len(outputs) > 3  # token by token, not in one piece
        assert all(later.startswith(earlier) for earlier, later in pairwise(outputs))
        assert cited_paths(job.result())  # and the sources come last
    finally:
        running.app.close()


def test_serve_refuses_a_public_address_without_users(tmp_path):
    result = run_cli("serve", "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: refusing to listen on 0.0.0.0 without sign-in: create users.toml with "
        "`coach users add NAME --role ROLE`, or use COACH_HOST=127.0.0.1"
    ]


def test_python_ui_reports_bad_settings_in_one_line(tmp_path):
    ui_py = Path(__file__).resolve().parents[2] / "ui.py"
    env = {**os.environ, "COACH_HOST": "0.0.0.0", "COACH_PORT": "70000"}
    done = subprocess.run(
        [sys.executable, str(ui_py)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: invalid setting port: Input should be less than or equal to 65535"
    ]
