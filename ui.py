"""The Gradio app: serve the page of coach/app/layout.py, and launch it (`python ui.py`)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a private tool

import gradio as gr
from starlette.middleware import Middleware

from coach.app.guard import Guard
from coach.app.layout import CSS, PAGE_JS, build_app, theme
from coach.app.service import DEMO_USER, CoachService
from coach.app.signin import SIGN_IN_SLOTS, SignInLimits, SignInThrottle
from coach.app.users import authenticate, check_users_file
from coach.compose import Coach
from coach.config import Settings, load_settings
from coach.errors import CoachError, ConfigError

log = logging.getLogger("coach.ui")

# Serving --------------------------------------------------------------------------------------


def check_binding(settings: Settings, demo: bool) -> None:
    """Without a users file the app is a local demo: it refuses any address but loopback."""
    host = settings.host
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if demo and not loopback:
        raise ConfigError(
            f"refusing to listen on {host} without sign-in: create {settings.users_file} with "
            "`coach users add NAME --role ROLE`, or use COACH_HOST=127.0.0.1"
        )


def check_serving(settings: Settings) -> None:
    """Everything that must hold before the app listens: a usable users file, a safe address."""
    check_users_file(settings.users_file)
    check_binding(settings, demo=not settings.users_file.exists())


def guard(service: CoachService) -> Middleware:
    """The HTTP guard for this app: sessions, files and sign-in (see coach/app/guard.py)."""
    settings = service.settings
    throttle = None
    if not service.demo:
        throttle = SignInThrottle(
            SignInLimits(
                per_user=settings.signin_failures_per_user,
                per_address=settings.signin_failures_per_address,
                window_s=settings.signin_window_s,
            )
        )
    return Middleware(
        Guard,
        role_of=service.role_of,
        files=service.files,
        throttle=throttle,
        demo_user=DEMO_USER if service.demo else None,
    )


def sign_in_check(users_file: Path) -> Callable[[str, str], Awaitable[bool]]:
    """Gradio's password check, off the event loop: bcrypt takes ~0.3 s by design, and run
    inline it would freeze every session while anyone signs in."""
    slots = asyncio.Semaphore(SIGN_IN_SLOTS)  # a burst of sign-ins cannot take every core either

    async def check(name: str, password: str) -> bool:
        async with slots:
            return await asyncio.to_thread(authenticate, users_file, name, password) is not None

    return check


def launch(
    settings: Settings, coach: Coach | None = None, block: bool = True, sync: bool = False
) -> tuple[gr.Blocks, str]:
    """Build and start the app; returns it with its local URL. The knowledge base is prepared
    (with `sync`, the index brought up to date first) while the page already says so: a
    non-blocking launch returns once it is ready."""
    check_serving(settings)
    service = CoachService(settings, coach)
    preparing = service.prepare_in_background(
        sync, progress=sync and sys.stderr.isatty(), announce=_say if block else None
    )
    # Uploads and exports stay in the data dir, readable by this account only, not in /tmp
    # (unless GRADIO_TEMP_DIR says otherwise). Gradio reads it per process: the first app wins.
    if "GRADIO_TEMP_DIR" not in os.environ:
        private_files = settings.data_dir / "gradio"
        private_files.mkdir(parents=True, exist_ok=True)
        private_files.chmod(0o700)
        os.environ["GRADIO_TEMP_DIR"] = str(private_files.resolve())
    app = build_app(service)
    app.queue(default_concurrency_limit=settings.concurrency)
    users_file = settings.users_file
    _, url, _ = app.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=None if service.demo else sign_in_check(users_file),
        # The page can only say "Incorrect Credentials": it says up front what a pause means.
        auth_message=(
            "Sign in with the account HR gave you. After "
            f"{settings.signin_failures_per_user} wrong passwords, sign-in pauses for up to "
            f"{settings.signin_window_s // 60 or 1} minutes."
        ),
        prevent_thread_lock=not block,
        share=False,  # never a public gradio.live link for HR data
        footer_links=["api"],
        enable_monitoring=False,  # per-handler counts and session hashes are nobody's business
        max_file_size=settings.max_file_bytes,  # refused before a byte lands on the server
        app_kwargs={"middleware": [guard(service)]},
        css=CSS,
        theme=theme(),
        js=PAGE_JS,
        run_history=False,
        show_error=True,
        quiet=not block,
    )
    if not block:
        preparing.join()
    return app, url


def _say(step: str) -> None:
    """A preparing step on the terminal of whoever started the app."""
    print(f"coach: {step}", file=sys.stderr, flush=True)  # noqa: T201 - the command's own output


def main() -> None:
    """`python ui.py`: start the app with settings from the environment."""
    try:
        launch(load_settings())
    except CoachError as exc:
        sys.exit(f"error: {exc}")  # one line, as the CLI reports it


if __name__ == "__main__":
    main()
