"""Fixtures of the app's tests: a signed-in deployment over a small ladder."""

from __future__ import annotations

import pytest

# The browser tests' Chromium and page, here so that only the app's tests load Playwright.
from browsing import browser, page  # noqa: F401
from helpers import indexed_coach, role_doc, write

from coach.app.service import CoachService
from coach.app.users import add_user


@pytest.fixture
def service(kb, tmp_path, embeddings):
    """A signed-in deployment over a small ladder (users file present)."""
    write(
        kb,
        "ladder/csm-1.md",
        role_doc(
            "csm-1",
            "CSM I",
            "## Next steps\n\nThe next step from CSM I is CSM II after two years.",
            next_roles="[csm-2]",
        ),
    )
    write(
        kb,
        "ladder/csm-2.md",
        role_doc(
            "csm-2",
            "CSM II",
            "## Next steps\n\nThe next step from CSM II is Senior CSM or Team Lead.",
        ),
    )
    write(
        kb,
        "careers/faq.md",
        "---\ntitle: Candidate FAQ\naudience: public\n---\n\n"
        "Candidates learn that every CSM gets a mentor and a learning budget.\n",
    )
    coach = indexed_coach(kb, tmp_path / "data", users_file=tmp_path / "users.toml")
    for name, role in [("ana", "csm"), ("ben", "hiring_manager"), ("hugo", "hr")]:
        add_user(coach.settings.users_file, name, role, f"{name}-password")
    return CoachService(coach.settings, coach)
