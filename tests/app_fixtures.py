"""The real app, launched on 127.0.0.1 for gradio_client and browser tests (one per session)."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coach.app.users import add_user
from coach.compose import Coach
from coach.config import Settings, load_settings

USERS = {  # name -> (role, password)
    "ana": ("csm", "ana-password-1"),
    "hana": ("hiring_manager", "hana-password-1"),
    "hugo": ("hr", "hugo-password-1"),
}


@dataclass
class RunningApp:
    """A launched app: its URL, settings, the service behind it, and who may sign in."""

    url: str
    settings: Settings
    app: object
    users: dict[str, tuple[str, str]] = field(default_factory=dict)

    def auth(self, name: str) -> tuple[str, str]:
        """(name, password) for gradio_client.Client(auth=...)."""
        return name, self.users[name][1]


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_of_indexed(source: Coach, folder: Path) -> tuple[Path, Path]:
    """A private copy of an indexed knowledge base (folder and index), so the app may change it."""
    knowledge, data = folder / "knowledge", folder / "data"
    shutil.copytree(source.settings.knowledge_dir, knowledge)
    shutil.copytree(source.settings.data_dir, data)
    return knowledge, data


def start_app(
    folder: Path, source: Coach, users: dict[str, tuple[str, str]], **overrides: object
) -> RunningApp:
    """Launch the app over a copy of `source`, with these users (none: the local demo)."""
    import ui

    knowledge, data = copy_of_indexed(source, folder)
    users_file = folder / "users.toml"
    for name, (role, password) in users.items():
        add_user(users_file, name, role, password)
    settings = load_settings(
        knowledge_dir=knowledge, data_dir=data, users_file=users_file, port=free_port(), **overrides
    )
    app, url = ui.launch(settings, Coach(settings), block=False)
    return RunningApp(url, settings, app, users)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory, lumenfield: Coach) -> Iterator[RunningApp]:
    """The app with sign-in: users ana (csm), hana (hiring_manager), hugo (hr)."""
    running = start_app(tmp_path_factory.mktemp("served"), lumenfield, USERS)
    yield running
    running.app.close()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory, lumenfield: Coach) -> Iterator[RunningApp]:
    """The app without a users file: the local single-user demo."""
    running = start_app(tmp_path_factory.mktemp("demo"), lumenfield, {})
    yield running
    running.app.close()


@pytest.fixture(scope="session")
def served_gitlab(tmp_path_factory: pytest.TempPathFactory, gitlab: Coach) -> Iterator[RunningApp]:
    """The app with sign-in over the real GitLab pages: a ladder inferred, no front matter."""
    running = start_app(tmp_path_factory.mktemp("served-gitlab"), gitlab, USERS)
    yield running
    running.app.close()
