"""`coach eval`: HR's regression questions, scored for retrieval, terms, refusals and latency."""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from coach.answer.answerer import Answerer
from coach.answer.blocks import word_count
from coach.answer.offline import QUOTED_LABEL
from coach.errors import ConfigError
from coach.personas import DEFAULT_PERSONA, PERSONAS

# The asked fact should be read at once: lead recall counts the expected terms said this early.
LEAD_WORDS = 60


class EvalCase(BaseModel):
    """One regression question."""

    model_config = ConfigDict(extra="forbid")

    question: str
    persona: str = DEFAULT_PERSONA
    expect_sources: list[str] = []
    expect_terms: list[str] = []
    expect_refusal: bool | None = None


@dataclass(frozen=True, kw_only=True)
class CaseResult:
    """How one regression question went."""

    question: str
    persona: str
    expect_sources: list[str]
    source_rank: int | None  # where the first expected source came, None if not in the top k
    sources: list[str]
    expect_terms: list[str]
    terms_found: int
    terms_in_lead: int  # ... of them within the answer's first LEAD_WORDS words
    expect_refusal: bool | None
    refused: bool
    mode: str
    latency_ms: float
    answer_words: int
    answer: str


@dataclass
class EvalReport:
    """Scores over all cases, and each case's outcome."""

    results: list[CaseResult] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The figures `coach eval --json` prints."""
        rs = self.results
        sourced = [r for r in rs if r.expect_sources]
        termed = [r for r in rs if r.expect_terms]
        judged = rs  # a question not marked expect_refusal is expected to be answered
        latencies = sorted(r.latency_ms for r in rs)
        words = sorted(r.answer_words for r in rs if not r.refused)
        return {
            "questions": len(rs),
            "source_hit_at_k": _mean([r.source_rank is not None for r in sourced]),
            "mrr": _mean([1 / r.source_rank if r.source_rank else 0.0 for r in sourced]),
            "term_recall": _mean([r.terms_found / len(r.expect_terms) for r in termed]),
            "lead_recall": _mean([r.terms_in_lead / len(r.expect_terms) for r in termed]),
            "refusal_accuracy": _mean([r.refused == bool(r.expect_refusal) for r in judged]),
            "answer_words_p50": _percentile(words, 50),
            "answer_words_p95": _percentile(words, 95),
            "latency_p50_ms": round(_percentile(latencies, 50), 1),
            "latency_p95_ms": round(_percentile(latencies, 95), 1),
            "results": [asdict(r) for r in rs],
        }


def load_cases(path: Path) -> list[EvalCase]:
    """Read and validate an eval file; any problem is a one-line ConfigError."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{path} must be a non-empty list of questions")
    cases = []
    for number, item in enumerate(raw, start=1):
        try:
            case = EvalCase.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "item"
            raise ConfigError(f"{path}: question {number}: {where}: {first['msg']}") from None
        if case.persona not in PERSONAS:
            raise ConfigError(f"{path}: question {number}: unknown persona {case.persona!r}")
        cases.append(case)
    return cases


def check_sources(cases: list[EvalCase], knowledge_dir: Path, path: Path) -> None:
    """Every expected source must exist, or a typo would pass as a retrieval miss."""
    for number, case in enumerate(cases, start=1):
        for source in case.expect_sources:
            if not (knowledge_dir / source).is_file():
                raise ConfigError(
                    f"{path}: question {number}: expect_sources {source!r} is not a file in "
                    f"{knowledge_dir}"
                )


def run_eval(answerer: Answerer, cases: list[EvalCase], k: int) -> EvalReport:
    """Ask every question and score it."""
    report = EvalReport()
    for case in cases:
        started = time.perf_counter()
        answer = answerer.ask(case.question, case.persona)
        latency = (time.perf_counter() - started) * 1000
        # Retrieval is judged by what the reader was shown; for a refused question, by a search
        # of its own (refusals show no sources).
        sources = answer.sources or answerer.retriever.retrieve(
            answer.question or case.question, case.persona, k
        )
        paths = [s.path for s in sources[:k]]
        rank = next((i for i, p in enumerate(paths, 1) if p in case.expect_sources), None)
        # A refusal carries no fact, even when it names the asked word ("nothing about Thriving").
        said = "" if answer.refused else answer.text
        text, lead = said.lower(), lead_of(said).lower()
        report.results.append(
            CaseResult(
                question=case.question,
                persona=case.persona,
                expect_sources=case.expect_sources,
                source_rank=rank if case.expect_sources else None,
                sources=paths,
                expect_terms=case.expect_terms,
                terms_found=sum(term.lower() in text for term in case.expect_terms),
                terms_in_lead=sum(term.lower() in lead for term in case.expect_terms),
                expect_refusal=case.expect_refusal,
                refused=answer.refused,
                mode=answer.mode,
                latency_ms=round(latency, 1),
                answer_words=word_count(answer.text),
                answer=answer.text,
            )
        )
    return report


def lead_of(text: str) -> str:
    """What a person reads first: the answer's first LEAD_WORDS words, after its label."""
    body = text.removeprefix(QUOTED_LABEL)
    return " ".join(body.split()[:LEAD_WORDS])


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, round(pct / 100 * len(values) + 0.5) - 1))
    return values[index]
