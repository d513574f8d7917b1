"""Property-based: whatever its bytes, a file is read, or fails alone with one short line, in time.

Every example goes through the guarded path (a worker process under the per-file limits), as a
sync reads it. Example counts stay modest: the whole file runs in well under a minute.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from helpers import KNOWLEDGE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.config import load_settings
from coach.ingest.documents import SUPPORTED_SUFFIXES
from coach.ingest.reader import read_documents

SAMPLES = {
    "catalog.pdf": (KNOWLEDGE / "growth/certification-catalog.pdf").read_bytes(),
    "mentoring.docx": (KNOWLEDGE / "growth/mentoring-program.docx").read_bytes(),
    "dual-plan.md": (KNOWLEDGE / "plans/dual-plan.md").read_bytes(),
}
LIMITS = load_settings(file_timeout_s=10, file_memory_mb=512)


def examples(count: int) -> settings:
    """Hypothesis settings for `count` examples of a slow-ish property (each starts real work)."""
    # The autouse fixture only isolates the environment: nothing in it needs resetting per example.
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def read_alone(name: str, data: bytes) -> None:
    """Read one file beside a good one; both must come back, the good one indexed-ready."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / name).write_bytes(data)
        (root / "good.md").write_text("# Good\n\nStill read.\n")
        started = time.perf_counter()
        outcomes = list(read_documents([root / name, root / "good.md"], root, LIMITS))
        elapsed = time.perf_counter() - started
    hostile, good = outcomes
    assert good.document is not None and good.document.title == "Good", good.error
    if hostile.document is None:
        assert hostile.error and "\n" not in hostile.error and len(hostile.error) <= 300
        assert "Traceback" not in hostile.error
    else:
        assert hostile.document.text.strip()
    assert elapsed < LIMITS.file_timeout_s + 5


@examples(60)
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(sorted(SUPPORTED_SUFFIXES)))
def test_random_bytes(data, suffix):
    read_alone(f"random{suffix}", data)


@examples(40)
@given(sample=st.sampled_from(sorted(SAMPLES)), cut=st.floats(0, 1))
def test_truncated_samples(sample, cut):
    data = SAMPLES[sample]
    read_alone(sample, data[: int(len(data) * cut)])


@examples(50)
@given(
    sample=st.sampled_from(sorted(SAMPLES)),
    changes=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=20),
)
def test_mutated_samples(sample, changes):
    data = bytearray(SAMPLES[sample])
    for where, byte in changes:
        data[min(int(len(data) * where), len(data) - 1)] = byte
    read_alone(sample, bytes(data))


@examples(40)
@given(
    opening=st.lists(st.sampled_from(["[", "{a: ", "- ", "  a:\n"]), max_size=400),
    toml=st.booleans(),
)
def test_random_nesting_in_front_matter(opening, toml):
    if toml:
        brackets = "".join("[" if part.startswith(("[", "-")) else "{a = " for part in opening)
        closing = "".join("]" if b == "[" else "}" for b in brackets if b in "[{")[::-1]
        header = f"+++\ntitle = {brackets}1{closing}\n+++\n"
    else:
        header = f"---\ntitle: {''.join(opening)}x\n---\n"
    read_alone("nested.md", f"{header}\n# Body\n\nText.\n".encode())


@examples(20)
@given(char=st.sampled_from(list("<[{!#-*`a (>")), length=st.integers(100_000, 1_500_000))
def test_huge_lines(char, length):
    read_alone("line.md", f"# Title\n\n{char * length}\n".encode())


@examples(25)
@given(levels=st.integers(1, 12), width=st.integers(1, 12), field=st.sampled_from(["title", "x"]))
def test_yaml_alias_bombs(levels, width, field):
    lines = ["---", "l0: &l0 [" + ",".join(['"lol"'] * width) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*l{level - 1}"] * width) + "]")
    lines += [f"{field}: *l{levels}", "---", "", "Body text."]
    read_alone("bomb.md", "\n".join(lines).encode())
