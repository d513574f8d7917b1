"""With an LLM, a plan gets a short narrative held to its citations; failures cost nothing."""

from __future__ import annotations

import pytest
from helpers import run_cli

from coach.answer.citations import cited_numbers
from coach.compose import Coach
from coach.config import load_settings

pytestmark = pytest.mark.slow


def coach_with_llm(lumenfield, base_url: str, api_key: str = "key", model: str = "stub"):
    settings = load_settings(
        knowledge_dir=lumenfield.settings.knowledge_dir,
        data_dir=lumenfield.settings.data_dir,
        llm_model=model,
        openai_base_url=base_url,
        openai_api_key=api_key,
        llm_timeout_s=60,
        llm_max_retries=0,
        llm_max_tokens=64,
    )
    return Coach(settings)


def test_the_narrative_keeps_only_citations_the_plan_has(lumenfield, stub_server):
    url = stub_server(content="Senior CSM is the natural step [1]. Typical, not promised [99].")
    plan = coach_with_llm(lumenfield, url).plan("csm-2", "csm", "vertical", narrate=True)
    assert plan.narrative == "Senior CSM is the natural step [1]. Typical, not promised."
    assert plan.sections and plan.notice == ""
    # The model was given the whole cited plan, nothing else.
    prompt = str(stub_server.requests[-1])
    assert "Career plan: Customer Success Manager II" in prompt and "GRR of 92%" in prompt


def test_an_uncited_narrative_is_left_out(lumenfield, stub_server):
    url = stub_server(content="You will do great things.")
    plan = coach_with_llm(lumenfield, url).plan("csm-2", "csm", narrate=True)
    assert plan.narrative == "" and "cited no source" in plan.notice


def test_a_failing_endpoint_leaves_the_plan_whole_with_a_notice(lumenfield, stub_server):
    url = stub_server(status=500)
    offline = lumenfield.plan("csm-2", "csm")
    plan = coach_with_llm(lumenfield, url).plan("csm-2", "csm", narrate=True)
    assert plan.notice.startswith("LLM unavailable:") and plan.sections == offline.sections
    result = run_cli(
        "plan",
        "--role",
        "csm-2",
        "--knowledge",
        str(lumenfield.settings.knowledge_dir),
        "--data",
        str(lumenfield.settings.data_dir),
        env={
            "COACH_LLM_MODEL": "stub",
            "OPENAI_BASE_URL": url,
            "OPENAI_API_KEY": "key",
            "COACH_LLM_MAX_RETRIES": "0",
        },
    )
    assert result.exit_code == 0
    assert (
        result.stderr.startswith("note: LLM unavailable:") and len(result.stderr.splitlines()) == 1
    )
    assert "# Career plan: Customer Success Manager II" in result.stdout


def test_a_real_server_narrates_within_the_rules(lumenfield, llm_server):
    plan = coach_with_llm(lumenfield, *llm_server).plan("csm-1", "csm", "vertical", narrate=True)
    valid = {s.n for s in plan.sources}
    assert plan.sections
    # A 270M base model rarely cites: either a cited narrative or a notice, never an uncited one.
    if plan.narrative:
        assert cited_numbers(plan.narrative) and cited_numbers(plan.narrative) <= valid
    else:
        assert plan.notice
