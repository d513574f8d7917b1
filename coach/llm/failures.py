"""Failures of an OpenAI-compatible endpoint (chat or embeddings) in one line: the one map."""

from __future__ import annotations

from coach.errors import LLMReplyError, one_line

# A streamed answer longer than this many characters per allowed token never stops by itself: a
# server ignoring max_tokens (English runs about 4 characters a token; twice that is slack).
CHARS_PER_TOKEN = 8


def endpoint_failure(exc: BaseException, where: str, timeout_s: float | None = None) -> str | None:
    """A one-line reason for an endpoint's failure, or None if exc is not one."""
    import json

    import openai  # here, not at the top: the client is slow to import and often unused

    if isinstance(exc, json.JSONDecodeError):  # the stream's events are parsed as they come
        return f"{where} sent a reply that is not valid JSON"
    if isinstance(exc, LLMReplyError):
        return f"{where} {exc}"
    if isinstance(exc, ValueError) and "No generation chunks" in str(exc):  # langchain's word
        return f"{where} sent an empty answer"
    if not isinstance(exc, openai.OpenAIError):  # langchain-openai's errors subclass these
        return None

    # Most specific first: the status errors are all APIStatusError, timeouts are connection errors.
    reasons = (
        (openai.AuthenticationError, f"{where} refused the API key (401)"),
        (openai.PermissionDeniedError, f"{where} denied access (403)"),
        (openai.RateLimitError, f"{where} is rate-limiting requests (429)"),
        (
            openai.APITimeoutError,
            f"{where} did not answer within {timeout_s:g} s"
            if timeout_s
            else f"{where} did not answer in time",
        ),
        (openai.APIConnectionError, f"cannot connect to {where}"),
    )
    for kind, reason in reasons:
        if isinstance(exc, kind):
            return reason
    if isinstance(exc, openai.APIStatusError):
        return f"{where} answered HTTP {exc.status_code}: {one_line(exc)[:120]}"
    return f"{type(exc).__name__}: {one_line(exc)[:160]}"
