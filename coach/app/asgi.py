"""ASGI plumbing for the guard: read a request's body once, hand it on, parse it as FastAPI
would, and find every session hash a request names."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import FormData
from starlette.requests import Request

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

MAX_BODY = 1_048_576  # a question is 2,000 characters; nothing the page sends is larger
SESSION_FIELD = "session_hash"


class Refused(Exception):
    """A request the guard turns away: its status and the one-line reason."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Body:
    """A request body read whole, with its content type."""

    raw: bytes
    content_type: str

    @property
    def kind(self) -> str:
        """How FastAPI reads it: "json" (any */json or */*+json, or no type), "form", or
        "other"."""
        if not self.content_type:
            return "json"
        main, sub = media_type(self.content_type)
        if main == "application" and (sub == "json" or sub.endswith("+json")):
            return "json"
        if (main, sub) in {("multipart", "form-data"), ("application", "x-www-form-urlencoded")}:
            return "form"
        return "other"


def media_type(content_type: str) -> tuple[str, str]:
    """A Content-Type's (main, sub) type, lower-cased and without parameters, as a mail parser
    reads it: `Multipart/Form-Data; boundary=x` is ("multipart", "form-data")."""
    message = Message()
    message["content-type"] = content_type
    return message.get_content_maintype(), message.get_content_subtype()


def header(scope: Scope, name: bytes) -> str:
    """A request header's value ("" when absent); header names are lower-case in ASGI."""
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


async def read_body(scope: Scope, receive: Receive) -> Body:
    """The whole request body; Refused (413) past MAX_BODY."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(413, "Request too large.")
        chunks.append(chunk)
        more = message.get("more_body", False)
    return Body(b"".join(chunks), header(scope, b"content-type"))


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the already-read body over once, then the real channel."""
    sent = False

    async def replayed() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def form_of(scope: Scope, body: Body, receive: Receive) -> FormData:
    """The body as a form, parsed by Starlette as FastAPI parses it (multipart or
    url-encoded); Refused (400) when it is neither or cannot be parsed."""
    if body.kind != "form":
        raise Refused(400, "Expected a form (multipart/form-data or url-encoded).")
    try:
        return await Request(scope, replay(body.raw, receive)).form()
    except Exception as exc:  # python-multipart raises several types for a broken body
        raise Refused(400, "The form could not be read.") from exc


async def sessions_named(
    scope: Scope, params: dict[str, str], body: Body | None, receive: Receive
) -> list[str]:
    """Every session hash the request names: in its path, its query and its body, whatever
    the body's type. A body that cannot be parsed is Refused (400, or 415 for an unknown
    type), so nothing Gradio might read slips past unchecked."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    found = [
        *query.get(SESSION_FIELD, []),
        *([params[SESSION_FIELD]] if SESSION_FIELD in params else []),
    ]
    if body is None or not body.raw:
        return found
    if body.kind == "json":
        try:
            parsed = json.loads(body.raw)
        except (ValueError, RecursionError):  # RecursionError: arrays nested 100,000 deep
            raise Refused(400, "The request body is not valid JSON.") from None
        value = parsed.get(SESSION_FIELD) if isinstance(parsed, dict) else None
        if value is not None and not isinstance(value, str):
            raise Refused(400, "session_hash must be a string.")
        return [*found, *([value] if value is not None else [])]
    if body.kind == "form":
        form = await form_of(scope, body, receive)
        values = form.getlist(SESSION_FIELD)
        if any(not isinstance(v, str) for v in values):
            raise Refused(400, "session_hash must be a string.")
        return [*found, *values]
    raise Refused(415, "Unsupported request body type.")


async def reply(
    send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """A JSON error reply, {"detail": ...}, as FastAPI gives them."""
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
