"""Options the `coach` commands share, and the settings they make."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from coach.config import Settings, load_settings
from coach.personas import PERSONA_IDS, PERSONAS

KnowledgeOpt = Annotated[
    Path | None,
    typer.Option("--knowledge", help="Knowledge folder (overrides COACH_KNOWLEDGE_DIR)."),
]
DataOpt = Annotated[
    Path | None, typer.Option("--data", help="Data folder (overrides COACH_DATA_DIR).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _known_persona(value: str) -> str:
    if value not in PERSONAS:
        raise typer.BadParameter(
            f"unknown persona {value!r} (expected one of: {', '.join(PERSONA_IDS)})"
        )
    return value


PersonaOpt = Annotated[
    str,
    typer.Option(
        "--persona",
        help="Who asks, which decides what it may see.",
        metavar="[" + "|".join(PERSONA_IDS) + "]",
        callback=_known_persona,
    ),
]


def settings_for(knowledge: Path | None, data: Path | None) -> Settings:
    """The settings with the command's folders, and logging set to their level."""
    settings = load_settings(knowledge_dir=knowledge, data_dir=data)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    return settings
