"""The app's HTTP guard, deny by default: only the routes in coach/app/allowed.py pass, each
after its check, and every session a request names must belong to the user signed in on it.

Gradio names a browser session by a hash the browser picks and shows in URLs, serves cached
files by path, and adds routes with each release. This ASGI middleware sits inside Gradio's app
and answers 404 to every route it does not know, so a new one is closed until it is listed.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from threading import Lock
from typing import Any

from starlette.requests import Request

from coach.app.allowed import Check, Match, match
from coach.app.asgi import (
    Body,
    Receive,
    Refused,
    Scope,
    Send,
    header,
    media_type,
    read_body,
    replay,
    reply,
    sessions_named,
)
from coach.app.signin import SignInThrottle, sign_in
from coach.personas import may_manage_knowledge

log = logging.getLogger(__name__)


class _Bounded(OrderedDict):
    """A dict that forgets its oldest entries past `limit` (memory stays bounded)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: str, value: str) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class FileGrants:
    """Which user may download which file the app made for them (their exports)."""

    def __init__(self, limit: int = 100_000) -> None:
        self._owners = _Bounded(limit)
        self._lock = Lock()

    def grant(self, user: str, path: Path) -> None:
        """Let `user`, and nobody else, download this file."""
        with self._lock:
            self._owners.remember(str(path.resolve()), user)

    def allows(self, user: str | None, path: str) -> bool:
        """Whether `user` may download the file at `path` (as the file route names it)."""
        try:
            resolved = str(Path(path).resolve())
        except (ValueError, OSError):  # a NUL byte, a path too long: no file of anyone's
            return False
        with self._lock:
            return user is not None and self._owners.get(resolved) == user


class Guard:
    """ASGI middleware: lets through only allowed routes, checked against the signed-in user."""

    def __init__(
        self,
        app: Callable[[Scope, Receive, Send], Awaitable[None]],
        *,
        role_of: Callable[[str], str | None],
        files: FileGrants,
        throttle: SignInThrottle | None,
        demo_user: str | None = None,
    ) -> None:
        self.app = app
        self.role_of = role_of  # the user's role from the users file; None once deleted
        self.files = files
        self.throttle = throttle  # None: sign-ins go straight to Gradio's check
        self.demo_user = demo_user  # the local demo has no sign-in: everyone is this user
        self.sessions = _Bounded(200_000)  # Gradio session hash -> the user who first used it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no route of the app is a websocket
            await send({"type": "websocket.close", "code": 1008})
            return
        found = match(scope["method"], scope["path"])
        try:
            if found is None:
                raise Refused(404, "Not found.")
            await self._checked(found, scope, receive, send)
        except Refused as refused:
            if refused.status != 404:
                log.info("refused %s %s: %s", scope["method"], scope["path"], refused.detail)
            await reply(send, refused.status, refused.detail)

    async def _checked(self, found: Match, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the route's check, then the session check, then the app."""
        check, params = found.route.check, found.params
        if check is Check.SIGN_IN and self.throttle is not None:
            await sign_in(self.app, self.throttle, scope, receive, send)
            return
        user = self._user(scope)
        if check is Check.SIGN_OUT:
            self._sign_out(scope)
        elif check not in (Check.OPEN, Check.SIGN_IN) and user is None:
            raise Refused(401, "Not signed in.")
        body: Body | None = None
        if scope["method"] == "POST" and found.route.reads_body:
            body = await read_body(scope, receive)
            receive = replay(body.raw, receive)
        sessions = await sessions_named(scope, params, body, receive)
        if check is Check.SESSION and not sessions:
            raise Refused(400, "No session named.")
        if check is Check.OWN_EVENT:
            self._public_api(scope, params["api_name"])
            sessions.append(self._event_session(scope, params["event_id"]))
        for session in sessions:
            self._bind(session, user, strict=check is Check.OWN_EVENT)
        if check is Check.OWN_FILE and not self.files.allows(user, params["path_or_url"]):
            log.warning("refused: %s asked for file %s", user, params["path_or_url"])
            raise Refused(404, "File not found.")
        if check is Check.HR:
            if not may_manage_knowledge(self.role_of(user or "")):
                raise Refused(403, "Only HR uploads documents.")
            content_type = header(scope, b"content-type")
            if found.route.reads_body is False and media_type(content_type) != (
                "multipart",
                "form-data",
            ):
                raise Refused(415, "Uploads are multipart/form-data.")
        if check is Check.PUBLIC_API:
            self._public_api(scope, params["api_name"])
            assert user is not None
            send = self._binding_event(send, user)
        await self.app(scope, receive, send)

    def _user(self, scope: Scope) -> str | None:
        """The user signed in on this request, found as Gradio finds them; a deleted user's
        sign-in is revoked here."""
        if self.demo_user is not None:
            return self.demo_user
        gradio = scope["app"]
        cookies = Request(scope).cookies
        token = cookies.get(f"access-token-{gradio.cookie_id}") or cookies.get(
            f"access-token-unsecure-{gradio.cookie_id}"
        )
        user = gradio.tokens.get(token) if token else None
        if user is not None and self.role_of(user) is None:  # removed since signing in
            gradio.tokens.pop(token, None)
            return None
        return user

    def _sign_out(self, scope: Scope) -> None:
        """Revoke every token the browser sends, whichever cookie holds it: Gradio's own
        Log out (with all_session=false) drops only the secure one, which plain HTTP off
        loopback never stores."""
        gradio = scope["app"]
        for name, token in Request(scope).cookies.items():
            if name.startswith("access-token-"):
                gradio.tokens.pop(token, None)

    def _bind(self, session: str, user: str | None, strict: bool = False) -> None:
        """Tie a session hash to the first signed-in user who uses it; Refused if it is
        another's (or, `strict`, nobody's yet).

        Only its own browser knows a hash before it is used, so its owner always comes first.
        """
        if user is None:
            raise Refused(401, "Not signed in.")
        owner = self.sessions.get(session)
        if owner is None and not strict:
            self.sessions.remember(session, user)
            return
        if owner is None or owner != user:
            log.warning("refused: %s used the session of %s", user, owner)
            raise Refused(403, "This session belongs to another sign-in.")

    def _event_session(self, scope: Scope, event_id: str) -> str:
        """The session whose queue `/call/<api>/<event_id>` streams, found as Gradio finds it:
        the event's session, else the session still holding its result, else the id itself."""
        queue = scope["app"].get_blocks()._queue
        event = queue.event_ids_to_events.get(event_id)
        if event is not None:
            return event.session_hash
        pending = queue.pending_event_ids_session.items()
        return next((s for s, ids in pending if event_id in ids), event_id)

    def _public_api(self, scope: Scope, api_name: str) -> None:
        """Refuse an API name the app does not publish (the page's private handlers)."""
        blocks = scope["app"].get_blocks()
        public = {
            fn.api_name
            for fn in blocks.fns.values()
            if fn.api_name and getattr(fn, "api_visibility", "public") == "public"
        }
        if api_name not in public:
            raise Refused(404, "Not found.")

    def _binding_event(self, send: Send, user: str) -> Send:
        """A send that ties the event id `/call/<api>` returns to the caller: Gradio takes an
        event's id as its session hash when the call names none."""
        chunks: list[bytes] = []

        async def binding(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    try:
                        event_id = json.loads(b"".join(chunks)).get("event_id")
                    except (ValueError, AttributeError):
                        event_id = None
                    if isinstance(event_id, str):
                        self.sessions.remember(event_id, user)
            await send(message)

        return binding
