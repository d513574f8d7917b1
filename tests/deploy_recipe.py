"""deploy/Procfile as the deployment test and the replica bench run it: commands and variables."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from chroma_servers import free_port

PROCFILE = Path(__file__).resolve().parents[1] / "deploy" / "Procfile"


def procfile() -> dict[str, str]:
    """deploy/Procfile's processes: name -> command."""
    lines = PROCFILE.read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def recipe_env(base: Path, knowledge: Path, database_url: str) -> dict[str, str]:
    """deploy/coach.env's variables for a deployment below `base`, on free local ports."""
    ports = {"CHROMA_PORT": free_port(), "WEB1_PORT": free_port(), "WEB2_PORT": free_port()}
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "OPENAI_"))},
        **{k: str(v) for k, v in ports.items()},
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "CHROMA_PATH": str(base / "chroma"),
        "COACH_STATE": str(base / "state"),
        "COACH_KNOWLEDGE_DIR": str(knowledge),
        "COACH_USERS_FILE": str(base / "users.toml"),
        "COACH_CHROMA_URL": f"http://127.0.0.1:{ports['CHROMA_PORT']}",
        "COACH_DATABASE_URL": database_url,
    }


def replica_urls(env: dict[str, str]) -> dict[str, str]:
    """The two replicas' page URLs."""
    return {name: f"http://127.0.0.1:{env[f'{name.upper()}_PORT']}/" for name in ("web1", "web2")}
