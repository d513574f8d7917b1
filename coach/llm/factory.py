"""LLM backends: any OpenAI-compatible endpoint, or a local GGUF served in-process."""

from __future__ import annotations

import logging

from langchain_core.language_models import BaseChatModel

from coach.config import Settings
from coach.llm.failures import endpoint_failure

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
    where = settings.openai_base_url or "the LLM endpoint"
    return endpoint_failure(exc, where, settings.llm_timeout_s)
