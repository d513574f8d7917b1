"""LLM backends: any OpenAI-compatible endpoint, or a local GGUF served in-process."""

from __future__ import annotations

import logging

from langchain_core.language_models import BaseChatModel

from coach.config import Settings
from coach.errors import one_line

log = logging.getLogger(__name__)


def make_llm(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None for offline mode."""
    if settings.llm_gguf_path is None and not settings.llm_model:
        return None
    from langchain_openai import ChatOpenAI  # imported only in LLM mode: it is slow

    base_url, model = settings.openai_base_url, settings.llm_model
    api_key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if settings.llm_gguf_path is not None:
        from coach.llm.local import serve_gguf

        base_url, model, api_key = serve_gguf(settings.llm_gguf_path)
    return ChatOpenAI(
        model=model,
        base_url=base_url,
        # Local servers (llama.cpp, vLLM, Ollama) accept any key; the client insists on one.
        api_key=api_key or "not-needed",
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        temperature=0.2,
        max_tokens=settings.llm_max_tokens,
        streaming=True,
    )


def llm_failure(exc: BaseException, settings: Settings) -> str | None:
    """A one-line reason for an LLM failure, or None if exc is not one."""
    import openai

    where = settings.openai_base_url or "the LLM endpoint"
    # Most specific first: the status errors are all APIStatusError, timeouts are connection errors.
    reasons = (
        (openai.AuthenticationError, f"{where} refused the API key (401)"),
        (openai.PermissionDeniedError, f"{where} denied access (403)"),
        (openai.RateLimitError, f"{where} is rate-limiting requests (429)"),
        (openai.APITimeoutError, f"{where} did not answer within {settings.llm_timeout_s:g} s"),
        (openai.APIConnectionError, f"cannot connect to {where}"),
    )
    for kind, reason in reasons:
        if isinstance(exc, kind):
            return reason
    if isinstance(exc, openai.APIStatusError):
        return f"{where} answered HTTP {exc.status_code}: {one_line(exc)[:120]}"
    if isinstance(exc, openai.OpenAIError):
        return f"LLM error: {one_line(exc)[:160]}"
    return None
