"""The app's HTTP guard: sessions bound to their user, private files, throttled sign-in.

Gradio names a browser session by a hash the browser picks and shows in URLs, serves any cached
file to anyone signed in who knows its path, and turns a session into a shareable "deep link".
This ASGI middleware sits inside Gradio's app and closes those doors for every route at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import Any
from urllib.parse import parse_qs, unquote

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

API = "/gradio_api"
MAX_JSON_BODY = 1_048_576  # a question is 2,000 characters; nothing the page sends is larger
_SESSION_IN_PATH = re.compile(rf"^{API}/(?:heartbeat|stream)/([^/]+)")
# One sign-in check at a time per address, with a bounded line: a burst from one address cannot
# hold the bcrypt slots that everyone else's sign-ins need.
WAITING_PER_ADDRESS = 32
# Password checks at once: bcrypt takes ~0.25 s of a core by design, and the answers need the rest.
SIGN_IN_SLOTS = 2


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
        with self._lock:
            return user is not None and self._owners.get(str(Path(path).resolve())) == user


@dataclass(frozen=True, kw_only=True)
class SignInLimits:
    """Failed sign-ins allowed per user name and per client address within a window."""

    per_user: int
    per_address: int
    window_s: int


class SignInThrottle:
    """Refuses sign-ins after too many failures, and queues each address's checks in turn."""

    def __init__(self, limits: SignInLimits) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_user = RateLimitItemPerSecond(limits.per_user, limits.window_s)
        self._per_address = RateLimitItemPerSecond(limits.per_address, limits.window_s)
        self._turns: dict[str, asyncio.Semaphore] = {}
        self._waiting: dict[str, int] = {}
        self._slots: asyncio.Semaphore | None = None  # made in the server's own event loop

    def refusal(self, address: str, user: str) -> tuple[str, int] | None:
        """Why this attempt is refused before any password check and the seconds to wait, or
        None to go ahead."""
        for item, key in ((self._per_user, f"user:{user}"), (self._per_address, address)):
            if not self._limiter.test(item, key):
                stats = self._limiter.get_window_stats(item, key)
                wait = max(1, round(stats.reset_time - time.time()))
                return f"Too many failed sign-ins: try again in {wait} s.", wait
        return None

    def crowded(self, address: str) -> bool:
        """Whether this address already has a full line of sign-ins waiting."""
        return self._waiting.get(address, 0) >= WAITING_PER_ADDRESS

    def failed(self, address: str, user: str) -> None:
        """Count one failed attempt against the user name and the address."""
        self._limiter.hit(self._per_user, f"user:{user}")
        self._limiter.hit(self._per_address, address)

    def succeeded(self, user: str) -> None:
        """The right password clears the user's earlier slips (not the address's count)."""
        self._limiter.clear(self._per_user, f"user:{user}")

    async def in_turn(
        self,
        address: str,
        attempt: Callable[[], Awaitable[None]],
        gone: Callable[[], Awaitable[bool]],
    ) -> None:
        """Run one sign-in attempt after this address's earlier ones, when a password-check slot
        is free, unless the client has gone meanwhile (a timed-out client's check is wasted)."""
        turn = self._turns.setdefault(address, asyncio.Semaphore(1))
        self._slots = self._slots or asyncio.Semaphore(SIGN_IN_SLOTS)
        self._waiting[address] = self._waiting.get(address, 0) + 1
        try:
            async with turn, self._slots:
                if not await gone():
                    await attempt()
        finally:
            self._waiting[address] -= 1
            if not self._waiting[address]:  # forget idle addresses
                del self._waiting[address]
                self._turns.pop(address, None)


class Guard:
    """ASGI middleware: checks every request against the user signed in on it."""

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
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        if path.rstrip("/") == "/login" and method == "POST" and self.throttle is not None:
            await self._sign_in(scope, receive, send)
            return
        if path.startswith(f"{API}/deep_link"):
            # A deep link copies a session's state into a link anyone signed in can open;
            # the app offers none, so the route answers nothing.
            await _reply(send, 404, "Not found.")
            return
        user = self._user(scope)  # None: not signed in, and Gradio refuses what needs sign-in
        if path.startswith(f"{API}/file="):
            name = unquote(path.split("=", 1)[1])
            if not self.files.allows(user, name):
                log.warning("refused: %s asked for file %s", user, name)
                await _reply(send, 404, "File not found.")
                return
        if path.startswith(f"{API}/upload") and self.role_of(user or "") != "hr":
            await _reply(send, 403, "Only HR uploads documents.")
            return
        if method == "POST" and _is_json(scope):
            body = await _read_body(receive)
            if body is None:
                await _reply(send, 413, "Request too large.")
                return
            receive = _replay(body, receive)
            hashes = [*_hashes_in(scope), _hash_in_body(body)]
        else:
            hashes = _hashes_in(scope)
        for session in filter(None, hashes):
            if not self._bind(session, user):
                log.warning("refused: %s used the session of %s", user, self.sessions[session])
                await _reply(send, 403, "This session belongs to another sign-in.")
                return
        await self.app(scope, receive, send)

    def _user(self, scope: Scope) -> str | None:
        """The user signed in on this request; a deleted user's sign-in is revoked here."""
        if self.demo_user is not None:
            return self.demo_user
        gradio = scope["app"]
        cookies = Request(scope).cookies
        names = (f"access-token-{gradio.cookie_id}", f"access-token-unsecure-{gradio.cookie_id}")
        for name in names:
            token = cookies.get(name)
            user = gradio.tokens.get(token) if token else None
            if user is None:
                continue
            if self.role_of(user) is None:  # removed from the users file since signing in
                gradio.tokens.pop(token, None)
                return None
            return user
        return None

    def _bind(self, session: str, user: str | None) -> bool:
        """Tie a session hash to the first signed-in user who uses it; False if it is another's.

        Only its own browser knows a hash before it is used, so its owner always comes first.
        """
        owner = self.sessions.get(session)
        if owner is None and user is not None:
            self.sessions.remember(session, user)
        return owner is None or owner == user

    async def _sign_in(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.throttle is not None
        body = await _read_body(receive)
        if body is None:
            await _reply(send, 413, "Request too large.")
            return
        form = parse_qs(body.decode("utf-8", "replace"))
        user = (form.get("username") or [""])[0].strip()
        address = (scope.get("client") or ("unknown", 0))[0]
        throttle = self.throttle

        async def refused(arriving: bool = False) -> bool:
            found = throttle.refusal(address, user)
            if found is None and arriving and throttle.crowded(address):
                found = "Too many sign-ins at once from your address: try again shortly.", 5
            if found is None:
                return False
            reason, wait = found
            log.info("sign-in refused for %r from %s: %s", user, address, reason)
            # 400, as for a wrong password: Gradio's sign-in page shows nothing for any other
            # status, and a person pressing Login must see that it failed.
            await _reply(send, 400, reason, [(b"retry-after", str(wait).encode())])
            return True

        async def attempt() -> None:
            if await refused():  # again: failures may have piled up while this one waited
                return
            status: list[int] = []

            async def watch(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    status.append(message["status"])
                await send(message)

            await self.app(scope, _replay(body, receive), watch)
            if status and status[0] == 200:
                throttle.succeeded(user)
            else:
                throttle.failed(address, user)

        async def gone() -> bool:
            try:  # after the body, receive() returns only once the client disconnects
                message = await asyncio.wait_for(receive(), timeout=0.005)
            except TimeoutError:
                return False
            return message["type"] == "http.disconnect"

        if not await refused(arriving=True):
            await throttle.in_turn(address, attempt, gone)


def _is_json(scope: Scope) -> bool:
    headers = dict(scope.get("headers") or [])
    return headers.get(b"content-type", b"").split(b";")[0].strip() == b"application/json"


def _hashes_in(scope: Scope) -> list[str]:
    """Session hashes named in the URL: as a query parameter or a path segment."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    found = list(query.get("session_hash", []))
    in_path = _SESSION_IN_PATH.match(scope["path"])
    if in_path:
        found.append(unquote(in_path.group(1)))
    return found


def _hash_in_body(body: bytes) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    value = parsed.get("session_hash") if isinstance(parsed, dict) else None
    return value if isinstance(value, str) else None


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when it is over MAX_JSON_BODY."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_JSON_BODY:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the already-read body over once, then the real channel."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _reply(
    send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
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
