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

LOCK = REPO / "uv.lock"  # written by `make lock` (uv lock)


def locked_packages(lock: Path) -> list[dict]:
    """The lock's package entries (coach itself is not a download)."""
    packages = tomllib.loads(lock.read_text(encoding="utf-8"))["package"]
    return [p for p in packages if p["name"] != "coach"]


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
    # Every file the installer may fetch is checked against its hash; the one file read from
    # this machine's own folder of wheels is torch's CPU build (uv records no hash for a path).
    artifacts = [
        (package["name"], artifact)
        for package in locked_packages(LOCK)
        for artifact in [*package.get("wheels", []), package.get("sdist", {})]
        if artifact
    ]
    fetched = [(name, a) for name, a in artifacts if "path" not in a]
    assert [name for name, a in fetched if not a.get("hash", "").startswith("sha256:")] == []
    assert {name for name, a in artifacts if "path" in a} == {"torch"}
    assert all(p.get("wheels") or p.get("sdist") for p in locked_packages(LOCK))
    assert locked["torch"].endswith("+cpu")  # never the multi-GB CUDA build


def test_the_installed_versions_are_the_locks():
    # `make install` syncs a venv to a lock and marks it; test-latest's venv holds its own lock.
    if not Path(sys.prefix, ".installed").exists():
        pytest.skip("not a venv made by `make install`")
    own = Path(sys.prefix, "project", "uv.lock")
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
