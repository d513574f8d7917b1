"""The lock file: it covers what pyproject.toml asks for, and it is what is installed."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from helpers import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)


def pins(lock: Path) -> dict[str, str]:
    """Package name -> pinned version, as the lock file names them."""
    return {canonicalize_name(n): v for n, v in PIN.findall(lock.read_text(encoding="utf-8"))}


def test_every_dependency_of_the_project_is_pinned_with_hashes():
    locked = pins(REPO / "requirements.txt")
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    missing = [r for r in map(Requirement, wanted) if canonicalize_name(r.name) not in locked]
    assert missing == []
    for requirement in map(Requirement, wanted):
        version = locked[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (REPO / "requirements.txt").read_text())
    unhashed = [b.split()[0] for b in blocks if PIN.match(b) and "--hash=sha256:" not in b]
    assert unhashed == []
    assert locked["torch"].endswith("+cpu")  # never the multi-GB CUDA build


def test_the_installed_versions_are_the_locks():
    # `make install` syncs a venv to a lock and marks it; test-latest's venv holds its own lock.
    if not Path(sys.prefix, ".installed").exists():
        pytest.skip("not a venv made by `make install`")
    own = Path(sys.prefix, "requirements.txt")
    locked = pins(own if own.exists() else REPO / "requirements.txt")
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
