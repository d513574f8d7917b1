"""The `coach` command line: config, check, index, ask, plan, map, ladder, chat, eval, users."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from coach.cli_ladder import ladder_app
from coach.cli_options import DataOpt, JsonOpt, KnowledgeOpt, PersonaOpt, settings_for
from coach.cli_print import print_eval, print_sources, stream_answer
from coach.config import load_settings
from coach.errors import CareerError, CoachError, ConfigError, IndexBusyError, StoreError
from coach.personas import DEFAULT_PERSONA


class OneLineErrors(TyperGroup):
    """The CLI's one boundary: a CoachError becomes one line on stderr and an exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (ConfigError, StoreError, CareerError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except CoachError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as exc:
            # An embeddings endpoint (embedding_provider=openai) fails with the openai client's
            # errors.
            from coach.llm.failures import endpoint_failure

            reason = endpoint_failure(exc, "the embeddings endpoint")
            if reason is None:
                raise
            typer.echo(f"error: embeddings: {reason}", err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=OneLineErrors,
    help="A grounded, cited career coach for Customer Success Managers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

@app.command("config")
def config_command(knowledge: KnowledgeOpt = None, data: DataOpt = None, as_json: JsonOpt = False):
    """Print the effective settings (secrets masked)."""
    shown = settings_for(knowledge, data).describe()
    if as_json:
        typer.echo(json.dumps(shown, indent=2, default=str))
        return
    width = max(len(name) for name in shown)
    for name, value in shown.items():
        typer.echo(f"{name.ljust(width)}  {'(unset)' if value is None else value}")


@app.command("check")
def check_command(knowledge: KnowledgeOpt = None, data: DataOpt = None, as_json: JsonOpt = False):
    """Validate the knowledge folder (front matter, audiences, the career ladder) without
    indexing."""
    from coach.career.check import ladder_problems
    from coach.ingest.check import check_folder

    settings = settings_for(knowledge, data)
    problems = check_folder(settings, checks=[ladder_problems])
    count = Counter(p.severity for p in problems)
    errors = count["error"]
    if as_json:
        typer.echo(json.dumps([p.__dict__ for p in problems], indent=2))
    else:
        for problem in problems:
            typer.echo(str(problem))
        inferred = f", {count['note']} role(s) inferred" if count["note"] else ""
        typer.echo(f"{errors} error(s), {count['warning']} warning(s){inferred}")
    raise typer.Exit(1 if errors else 0)


@app.command("index")
def index_command(
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
    watch: Annotated[bool, typer.Option("--watch", help="Keep syncing as files change.")] = False,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Embed everything into a new collection; readers switch to it when complete.",
        ),
    ] = False,
):
    """Sync the knowledge folder into the index: new and changed files in, deleted files out."""
    from coach.compose import Coach

    coach = Coach(settings_for(knowledge, data))
    progress = not as_json and sys.stderr.isatty()
    report = coach.sync(progress=progress, rebuild=rebuild)
    _print_report(report, as_json)
    if not watch:
        raise typer.Exit(1 if report.failed else 0)
    from coach.index.watch import watch_and_sync

    typer.echo(f"watching {coach.settings.knowledge_dir} (Ctrl-C to stop)", err=True)

    def watch_forever() -> None:
        # Wait for a sync that `coach ask` started instead of giving up on the burst.
        for report in watch_and_sync(coach.settings.knowledge_dir, lambda: coach.sync(wait=300)):
            _print_report(report, as_json)

    watch_forever()


def _print_report(report, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.as_json()))
        return
    typer.echo(report.summary())
    for skip in report.skipped:
        typer.echo(f"skipped: {skip.path}: {skip.reason}", err=True)
    for failure in report.failed:
        typer.echo(f"failed: {failure.path}: {failure.error}", err=True)


def _ready_coach(knowledge: Path | None, data: Path | None):
    """A Coach whose index matches the folder (a quick no-op sync when nothing changed)."""
    from coach.compose import Coach

    coach = Coach(settings_for(knowledge, data))

    def sync_unless_busy():
        try:
            return coach.sync(progress=sys.stderr.isatty(), wait=2)
        except IndexBusyError:
            typer.echo("note: the index is being updated; answering from it as it is", err=True)
            return None

    report = sync_unless_busy()
    for failure in report.failed if report else ():
        typer.echo(f"warning: not indexed: {failure.path}: {failure.error}", err=True)
    return coach


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="Your question.")],
    persona: PersonaOpt = DEFAULT_PERSONA,
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Also print how the answer was reached: the parsed question, each candidate "
            "part's rule contributions, the verdict's reason.",
        ),
    ] = False,
):
    """Answer one question from the knowledge base, with numbered sources."""
    if not question.strip():
        raise typer.BadParameter("the question is empty", param_hint="QUESTION")
    coach = _ready_coach(knowledge, data)
    if explain:
        from coach.answer.explain import explanation

        answer, trace = coach.answerer.explain(question, persona)
        typer.echo(answer.text)
        print_sources(answer)
        typer.echo("\nHow this answer was reached:\n" + explanation(answer, trace))
        return
    if as_json:
        answer = coach.answerer.ask(question, persona)
        typer.echo(json.dumps(answer.as_json(), indent=2, ensure_ascii=False))
        return
    stream_answer(coach, question, persona, history=())


PlanTypeOpt = Annotated[
    str,
    typer.Option("--plan-type", help="Only this plan type.", metavar="[vertical|dual|horizontal]"),
]


@app.command("plan")
def plan_command(
    role: Annotated[
        str, typer.Option("--role", help='Your role: its id (csm-2) or title ("Senior CSM").')
    ],
    plan_type: PlanTypeOpt = "",
    target: Annotated[str, typer.Option("--target", help="A target role's id or title.")] = "",
    persona: PersonaOpt = DEFAULT_PERSONA,
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
):
    """A personal next-step plan for each plan type: targets, what changes, training, rules."""
    from coach.career.render import plan_json, plan_markdown

    plan = _ready_coach(knowledge, data).plan(role, persona, plan_type, target, narrate=True)
    if plan.notice:
        typer.echo(f"note: {plan.notice}", err=True)
    if as_json:
        typer.echo(json.dumps(plan_json(plan), indent=2, ensure_ascii=False))
    else:
        typer.echo(plan_markdown(plan), nl=False)


@app.command("map")
def map_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.png or FILE.svg.")],
    role: Annotated[str, typer.Option("--role", help="Your role's id or title, highlighted.")] = "",
    target: Annotated[str, typer.Option("--target", help="A target role, outlined.")] = "",
    persona: PersonaOpt = DEFAULT_PERSONA,
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
):
    """Draw the career map: tracks as lanes, levels as rows, vertical, dual and horizontal moves."""
    from coach.career.map import FORMATS, draw_map, save_map

    if output.suffix.lower() not in FORMATS:
        raise typer.BadParameter("write the map as .png or .svg", param_hint="--output")
    coach = _ready_coach(knowledge, data)
    ladder = coach.ladder(persona)
    role = ladder.role(role).id if role and ladder else role  # a title ("Senior CSM") too
    targets = (
        (target,) if target else tuple(m.target for m in ladder.moves_from(role)) if role else ()
    )
    save_map(draw_map(ladder, role, targets), output)
    typer.echo(f"wrote {output}")


@app.command("chat")
def chat_command(
    persona: PersonaOpt = DEFAULT_PERSONA, knowledge: KnowledgeOpt = None, data: DataOpt = None
):
    """A conversation in the terminal; follow-up questions use the history. Ctrl-D quits."""
    coach = _ready_coach(knowledge, data)
    typer.echo(f"coach ({coach.answerer.mode} mode, persona {persona}). Ctrl-D to quit.")
    history: list[tuple[str, str]] = []
    while True:
        try:
            question = input("\nyou> ").strip()
        except (EOFError, KeyboardInterrupt):
            typer.echo()
            return
        if not question:
            continue
        typer.echo("coach> ", nl=False)
        answer = stream_answer(coach, question, persona, history)
        history += [("user", question), ("assistant", answer.text)]


@app.command("eval")
def eval_command(
    file: Annotated[Path, typer.Argument(help="YAML list of regression questions.")],
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
    k: Annotated[int, typer.Option("--k", min=1, help="Sources that count as a hit.")] = 5,
    min_hit: Annotated[
        float | None, typer.Option("--min-hit", help="Fail below this hit@k.")
    ] = None,
    min_refusal: Annotated[
        float | None, typer.Option("--min-refusal", help="Fail below this refusal accuracy.")
    ] = None,
    min_terms: Annotated[
        float | None, typer.Option("--min-terms", help="Fail below this term recall.")
    ] = None,
    min_lead: Annotated[
        float | None,
        typer.Option("--min-lead", help="Fail below this lead recall (first 60 words)."),
    ] = None,
    as_json: JsonOpt = False,
):
    """Run HR's regression questions; exit 1 when a --min-* threshold is missed."""
    from coach.app.evaluate import check_sources, load_cases, run_eval

    cases = load_cases(file)
    if min_hit is not None and not any(case.expect_sources for case in cases):
        raise typer.BadParameter(
            "no question in the file has expect_sources", param_hint="--min-hit"
        )
    for floor, hint in ((min_terms, "--min-terms"), (min_lead, "--min-lead")):
        if floor is not None and not any(case.expect_terms for case in cases):
            raise typer.BadParameter("no question in the file has expect_terms", param_hint=hint)
    coach = _ready_coach(knowledge, data)
    check_sources(cases, coach.settings.knowledge_dir, file)
    summary = run_eval(coach.answerer, cases, k).summary()
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print_eval(summary, k)
    missed = [
        f"{name} {summary[key]} < {floor}"
        for name, key, floor in (
            ("hit@k", "source_hit_at_k", min_hit),
            ("refusal accuracy", "refusal_accuracy", min_refusal),
            ("term recall", "term_recall", min_terms),
            ("lead recall", "lead_recall", min_lead),
        )
        if floor is not None and (summary[key] or 0.0) < floor
    ]
    for line in missed:
        typer.echo(f"threshold missed: {line}", err=True)
    raise typer.Exit(1 if missed else 0)


@app.command("serve")
def serve_command(
    host: Annotated[
        str | None, typer.Option("--host", help="Listen address (overrides COACH_HOST).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Listen port (overrides COACH_PORT).")
    ] = None,
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
    index: Annotated[
        bool,
        typer.Option(
            "--index/--no-index",
            help="Bring the index up to date at start (replicas leave it to one `--watch`).",
        ),
    ] = True,
):
    """Start the web app (the same as `python ui.py`), bringing the index up to date meanwhile."""
    settings = load_settings(knowledge_dir=knowledge, data_dir=data, host=host, port=port)
    from ui import check_serving, launch  # Gradio loads in seconds: only when serving

    check_serving(settings)
    settings_for(knowledge, data)  # logging as configured
    launch(settings, sync=index)  # indexes in the background while the page says so


users_app = typer.Typer(help="Manage who may sign in to the app, and with which role.")
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add_command(
    name: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    role: Annotated[str, typer.Option("--role", help="csm, hiring_manager or hr.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Change an existing user.")] = False,
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
):
    """Add a user to the users file (COACH_USERS_FILE), with a bcrypt-hashed password."""
    from coach.app.users import add_user

    settings = settings_for(knowledge, data)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = add_user(settings.users_file, name, role, password, replace=replace)
    typer.echo(f"{user.name} ({user.role}) saved in {settings.users_file}")


@users_app.command("remove")
def users_remove_command(
    name: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
):
    """Remove a user from the users file; the app signs them out at their next request."""
    from coach.app.users import remove_user

    settings = settings_for(knowledge, data)
    remove_user(settings.users_file, name)
    typer.echo(f"{name} removed from {settings.users_file}")


app.add_typer(ladder_app, name="ladder")
