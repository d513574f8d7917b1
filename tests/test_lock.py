"""The lock file: it covers what pyproject.toml asks for, and it is what is installed."""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from helpers import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = REPO / "pylock.toml"  # PEP 751, written by `make lock` (uv)


def locked_packages(lock: Path) -> list[dict]:
    """The lock's package entries."""
    return tomllib.loads(lock.read_text(encoding="utf-8"))["packages"]


def pins(lock: Path) -> dict[str, str]:
    """Package name -> pinned version, as the lock file names them."""
    return {canonicalize_name(p["name"]): p["version"] for p in locked_packages(lock)}


def test_every_dependency_of_the_project_is_pinned_with_hashes():
    locked = pins(LOCK)
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    missing = [r for r in map(Requirement, wanted) if canonicalize_name(r.name) not in locked]
    assert missing == []
    for requirement in map(Requirement, wanted):
        version = locked[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)
    # Every file the installer may fetch is checked against its hash.
    unhashed = [
        package["name"]
        for package in locked_packages(LOCK)
        for artifact in [*package.get("wheels", []), package.get("sdist", {})]
        if artifact and "sha256" not in artifact.get("hashes", {})
    ]
    assert unhashed == []
    assert all(p.get("wheels") or p.get("sdist") for p in locked_packages(LOCK))
    assert locked["torch"].endswith("+cpu")  # never the multi-GB CUDA build


def test_the_installed_versions_are_the_locks():
    # `make install` syncs a venv to a lock and marks it; test-latest's venv holds its own lock.
    if not Path(sys.prefix, ".installed").exists():
        pytest.skip("not a venv made by `make install`")
    own = Path(sys.prefix, "pylock.toml")
    locked = pins(own if own.exists() else LOCK)
    installed = {
        canonicalize_name(d.metadata["Name"]): d.version
        for d in metadata.distributions()
        if d.metadata["Name"]
    }
    differing = {
        name: (version, installed.get(name))
        for name, version in locked.items()
        if installed.get(name) != version
    }
    assert differing == {}
    # Nothing beyond the lock but coach itself and the venv's own pip.
    assert set(installed) - set(locked) <= {"coach", "pip"}
