"""LLM: the chat model from settings (any OpenAI-compatible endpoint, or a local GGUF)."""

from coach.llm.factory import llm_failure, make_llm

__all__ = ["llm_failure", "make_llm"]
