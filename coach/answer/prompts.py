"""Prompt templates are files in prompts/, loaded by name."""

from __future__ import annotations

import functools
import string
from pathlib import Path

from coach.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


@functools.cache
def load_prompt(name: str, folder: Path = PROMPTS_DIR) -> str:
    """The text of prompts/<name>.md."""
    path = folder / f"{name}.md"
    try:
        return path.read_text(encoding="utf-8").strip() + "\n"
    except OSError:
        raise ConfigError(f"prompt template not found: {path}") from None


def variables(template: str) -> set[str]:
    """The {names} a template expects."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
