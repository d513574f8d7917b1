"""Sign-in throttling: failed sign-ins counted per user name and per address, and each
address's password checks queued in turn, in front of Gradio's `/login`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from coach.app.asgi import Receive, Refused, Scope, Send, form_of, read_body, replay, reply

log = logging.getLogger(__name__)

# One sign-in check at a time per address, with a bounded line: a burst from one address cannot
# hold the bcrypt slots that everyone else's sign-ins need.
WAITING_PER_ADDRESS = 32
# Password checks at once: bcrypt takes ~0.25 s of a core by design, and the answers need the rest.
SIGN_IN_SLOTS = 2


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


async def sign_in(
    app: Callable[[Scope, Receive, Send], Awaitable[None]],
    throttle: SignInThrottle,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Pass one sign-in to Gradio's `/login` unless the throttle refuses it; count the outcome.

    The form is read as FastAPI reads it (the browser's page posts multipart, scripts often
    url-encoded), so every attempt counts against the name Gradio checks."""
    body = await read_body(scope, receive)
    form = await form_of(scope, body, receive)
    user = form.get("username")
    if not isinstance(user, str) or not user.strip() or not isinstance(form.get("password"), str):
        raise Refused(400, "Sign in with a user name and a password.")
    user = user.strip()  # as Gradio's check strips it
    address = (scope.get("client") or ("unknown", 0))[0]

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
        await reply(send, 400, reason, [(b"retry-after", str(wait).encode())])
        return True

    async def attempt() -> None:
        if await refused():  # again: failures may have piled up while this one waited
            return
        status: list[int] = []

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await app(scope, replay(body.raw, receive), watch)
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
