"""What the `coach` command prints: answers as they stream, and eval results."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # the answer stage loads the model's libraries: only when asked
    from coach.answer.answerer import Answer


def print_eval(summary: dict, k: int) -> None:
    """One line per question (hit, refusal, terms, words, time), then the totals."""
    for r in summary["results"]:
        hit = (
            "-"
            if not r["expect_sources"]
            else (f"#{r['source_rank']}" if r["source_rank"] else "miss")
        )
        refusal = "ok" if r["refused"] == bool(r["expect_refusal"]) else "WRONG"
        terms = f"{r['terms_found']}/{len(r['expect_terms'])}" if r["expect_terms"] else "-"
        lead = f"{r['terms_in_lead']}/{len(r['expect_terms'])}" if r["expect_terms"] else "-"
        typer.echo(
            f"{hit:>5} {refusal:>5} {terms:>5} {lead:>5} {r['answer_words']:>4} w "
            f"{r['latency_ms']:>6.0f} ms  {r['question'][:64]}"
        )
    typer.echo(
        f"\n{summary['questions']} questions: hit@{k} {summary['source_hit_at_k']}, "
        f"MRR {summary['mrr']}, term recall {summary['term_recall']}, "
        f"lead recall {summary['lead_recall']}, "
        f"refusal accuracy {summary['refusal_accuracy']}, "
        f"answer words p50 {summary['answer_words_p50']}, p95 {summary['answer_words_p95']}, "
        f"latency p50 {summary['latency_p50_ms']} ms, p95 {summary['latency_p95_ms']} ms"
    )


def stream_answer(coach, question: str, persona: str, history):
    """Print the answer as it streams, then its sources; return the Answer."""

    def stream() -> tuple[Answer, str]:
        shown = ""
        streamed = coach.answerer.stream(question, persona, history)
        for delta in streamed:
            shown += delta
            typer.echo(delta, nl=False)
        return streamed.answer, shown

    answer, shown = stream()
    if not answer.text.startswith(shown.strip()):
        # The LLM failed mid-answer: what was shown is replaced by the offline answer.
        typer.echo(f"\n\n{answer.text}", nl=False)
    typer.echo()
    print_sources(answer)
    return answer


def print_sources(answer: Answer) -> None:
    """After an answer's text: why LLM mode fell back, its sources, its mode."""
    if answer.notice:
        typer.echo(f"note: {answer.notice}", err=True)
    if answer.sources:
        typer.echo("\nSources:")
        for source in answer.sources:
            typer.echo(f"  {source.cite()}")
    typer.echo(f"({answer.mode} mode)")
