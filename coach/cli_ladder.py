"""`coach ladder`: the career ladder as coach reads it from the knowledge folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coach.cli_options import KnowledgeOpt, settings_for

ladder_app = typer.Typer(help="The career ladder read from the knowledge folder.")


@ladder_app.command("draft")
def draft_command(
    out: Annotated[
        Path, typer.Option("--out", help="Review folder for the drafted pages (created).")
    ] = Path("ladder-draft"),
    knowledge: KnowledgeOpt = None,
):
    """Write the front matter inferred for each role (from pages' level sections) as pages
    for HR to correct and move into the knowledge folder."""
    from coach.career.check import folder_ladder
    from coach.career.draft import draft_pages, write_drafts
    from coach.ingest.check import read_folder

    docs, _ = read_folder(settings_for(knowledge, None))
    ladder = folder_ladder(docs)
    pages = draft_pages(ladder, docs)
    for path, page in zip(write_drafts(pages, out), pages, strict=True):
        typer.echo(f"wrote {path}  ({page.role.title}, from {page.role.path})")
    for finding in ladder.unordered:
        typer.echo(f"warning: {finding.path}: {finding.message}")
    typer.echo(
        f"{len(pages)} role page(s) drafted in {out}: check each field, then move them into "
        "the knowledge folder (their front matter wins over the inferred roles)."
    )
