"""The `coach` command line: config, check, index (more commands join as stages land)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from coach.config import Settings, load_settings
from coach.errors import CoachError, ConfigError, StoreError

app = typer.Typer(
    help="A grounded, cited career coach for Customer Success Managers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

KnowledgeOpt = Annotated[
    Path | None,
    typer.Option("--knowledge", help="Knowledge folder (overrides COACH_KNOWLEDGE_DIR)."),
]
DataOpt = Annotated[
    Path | None, typer.Option("--data", help="Data folder (overrides COACH_DATA_DIR).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
T = TypeVar("T")


def _settings(knowledge: Path | None, data: Path | None) -> Settings:
    settings = load_settings(knowledge_dir=knowledge, data_dir=data)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    return settings


def _run(action: Callable[[], T]) -> T:
    """Run a command body; a CoachError becomes one line on stderr and an exit code."""
    try:
        return action()
    except (ConfigError, StoreError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except CoachError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@app.command("config")
def config_command(knowledge: KnowledgeOpt = None, data: DataOpt = None, as_json: JsonOpt = False):
    """Print the effective settings (secrets masked)."""
    shown = _run(lambda: _settings(knowledge, data).describe())
    if as_json:
        typer.echo(json.dumps(shown, indent=2, default=str))
        return
    width = max(len(name) for name in shown)
    for name, value in shown.items():
        typer.echo(f"{name.ljust(width)}  {'(unset)' if value is None else value}")


@app.command("check")
def check_command(knowledge: KnowledgeOpt = None, data: DataOpt = None, as_json: JsonOpt = False):
    """Validate the knowledge folder (front matter, audiences, role links) without indexing."""
    from coach.check import check_folder

    settings = _run(lambda: _settings(knowledge, data))
    problems = _run(lambda: check_folder(settings))
    errors = [p for p in problems if p.severity == "error"]
    if as_json:
        typer.echo(json.dumps([p.__dict__ for p in problems], indent=2))
    else:
        for problem in problems:
            typer.echo(str(problem))
        typer.echo(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    raise typer.Exit(1 if errors else 0)


@app.command("index")
def index_command(
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
    watch: Annotated[bool, typer.Option("--watch", help="Keep syncing as files change.")] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Drop the index and embed everything again.")
    ] = False,
):
    """Sync the knowledge folder into the index: new and changed files in, deleted files out."""
    from coach.compose import Coach

    coach = Coach(_run(lambda: _settings(knowledge, data)))
    progress = not as_json and sys.stderr.isatty()
    report = _run(lambda: coach.sync(progress=progress, rebuild=rebuild))
    _print_report(report, as_json)
    if not watch:
        raise typer.Exit(1 if report.failed else 0)
    from coach.watch import watch_and_sync

    typer.echo(f"watching {coach.settings.knowledge_dir} (Ctrl-C to stop)", err=True)
    for report in _run(lambda: watch_and_sync(coach.settings.knowledge_dir, coach.sync)):
        _print_report(report, as_json)


def _print_report(report, as_json: bool) -> None:  # noqa: ANN001 - SyncReport, imported lazily
    if as_json:
        typer.echo(json.dumps(report.as_json()))
        return
    typer.echo(
        f"{report.documents} documents, {report.chunks} chunks in the index "
        f"({len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
        f"{len(report.failed)} failed) in {report.seconds:.1f} s"
    )
    for failure in report.failed:
        typer.echo(f"failed: {failure['path']}: {failure['error']}", err=True)
