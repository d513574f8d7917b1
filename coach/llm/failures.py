"""Failures of an OpenAI-compatible endpoint (chat or embeddings) in one line: the one map."""

from __future__ import annotations

from coach.errors import one_line


def endpoint_failure(exc: BaseException, where: str, timeout_s: float | None = None) -> str | None:
    """A one-line reason for an endpoint's failure, or None if exc is not one."""
    import openai  # here, not at the top: the client is slow to import and often unused

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
