"""The app's routes, allowed by name: every route the page and the `/chat` API use, each with
the check the guard makes before it. Anything else is answered 404 (coach/app/guard.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from starlette.routing import compile_path


class Check(Enum):
    """What the guard makes sure of before a route runs (besides the session check every
    route gets: any session a request names must be the signed-in user's)."""

    OPEN = "anyone: the sign-in page and its scripts"
    SIGNED_IN = "a signed-in user"
    SESSION = "a signed-in user naming a session of their own"
    PUBLIC_API = "a signed-in user calling a public API endpoint; the event is theirs"
    OWN_EVENT = "the session this event streams is the signed-in user's"
    OWN_FILE = "the file was made for the signed-in user"
    HR = "a signed-in user with role hr"
    SIGN_IN = "throttled per user name and per address"
    SIGN_OUT = "every token the browser holds is revoked"


@dataclass(frozen=True)
class Allowed:
    """One route the app answers: its methods, its path (Starlette's syntax) and its check."""

    methods: frozenset[str]
    path: str
    check: Check
    use: str  # who calls it, and why it is open
    reads_body: bool = True  # False: Gradio reads the body as uploaded files only

    @property
    def pattern(self) -> re.Pattern[str]:
        """The path as a regex (compiled by Starlette, as Gradio's own routes are)."""
        return _compiled(self.path)


def _allowed(methods: str, path: str, check: Check, use: str, **extra: Any) -> Allowed:
    return Allowed(frozenset(methods.split()), path, check, use, **extra)


API = "/gradio_api"
ALLOWED: tuple[Allowed, ...] = (
    _allowed("GET HEAD", "/", Check.OPEN, "the page, or the sign-in page"),
    _allowed("GET", "/assets/{path:path}", Check.OPEN, "the page's scripts and styles"),
    _allowed("GET", "/static/{path:path}", Check.OPEN, "the page's fonts and images"),
    _allowed("GET", "/favicon.ico", Check.OPEN, "the tab's icon"),
    _allowed("GET", "/theme.css", Check.OPEN, "the page's theme"),
    _allowed("POST", "/login", Check.SIGN_IN, "the sign-in form and gradio_client"),
    _allowed("GET", "/logout", Check.SIGN_OUT, "the Log out button"),
    _allowed("GET", "/config", Check.SIGNED_IN, "the page's layout, read by page and client"),
    _allowed("GET", f"{API}/info", Check.SIGNED_IN, "the API page and gradio_client"),
    _allowed("GET", f"{API}/startup-events", Check.OPEN, "Gradio itself, once at launch"),
    _allowed("POST", f"{API}/queue/join", Check.SESSION, "every event of the page and client"),
    _allowed("GET", f"{API}/queue/data", Check.SESSION, "the session's event stream"),
    _allowed("GET", f"{API}/heartbeat/{{session_hash}}", Check.SESSION, "the session's pulse"),
    _allowed("POST", f"{API}/cancel", Check.SESSION, "the Stop button"),
    _allowed("POST", f"{API}/reset", Check.SIGNED_IN, "the Stop button (a no-op in Gradio 6)"),
    _allowed("POST", f"{API}/call/{{api_name}}", Check.PUBLIC_API, "the API page's curl"),
    _allowed("GET", f"{API}/call/{{api_name}}/{{event_id}}", Check.OWN_EVENT, "the curl's result"),
    _allowed(
        "GET HEAD", f"{API}/file={{path_or_url:path}}", Check.OWN_FILE, "exports and gap CSVs"
    ),
    _allowed("POST", f"{API}/upload", Check.HR, "the desk's uploads", reads_body=False),
    _allowed("GET", f"{API}/upload_progress", Check.HR, "the desk's upload progress"),
)


@dataclass(frozen=True)
class Match:
    """The allowed route a request takes, with its path parameters."""

    route: Allowed
    params: dict[str, str]


def match(method: str, path: str) -> Match | None:
    """The allowed route for this request, or None: not one the app answers."""
    for route in ALLOWED:
        found = route.pattern.match(path)
        if found and method in route.methods:
            return Match(route, found.groupdict())
    return None


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(path: str) -> re.Pattern[str]:
    if path not in _CACHE:
        _CACHE[path] = compile_path(path)[0]
    return _CACHE[path]
