"""`coach ask --explain`: how an answer was reached, as text a person can follow."""

from __future__ import annotations

from coach.answer.answerability import Asked
from coach.answer.answerer import Answer, Trace
from coach.answer.blocks import plain
from coach.answer.offline import Quoting
from coach.answer.question import Question
from coach.answer.rules import LEAD_RULES, PART_RULES
from coach.errors import bounded

SHOWN_PARTS = 10  # the embedded candidates; the rest only fill a lead passage
PART_CHARS = 90


def explanation(answer: Answer, trace: Trace) -> str:
    """The parsed question, the passages found, each candidate part's rule contributions, the
    passages' claims to lead and the verdict, in the order they were decided."""
    lines: list[str] = []
    if trace.question is not None:
        lines += _question(trace.question)
    if trace.quoting is not None and trace.quoting.ordinal:
        lines.append(f"  read as the numbered item: {trace.quoting.ordinal}")
    if trace.planned:
        lines.append("Answered by the career engine (a personal next step or a comparison).")
        return "\n".join(lines)
    if trace.query and trace.question is not None and trace.query != trace.question.text:
        lines.append(f"Searched as: {trace.query}")
    if trace.found is not None:
        lines.append("Passages found (p1, p2...: similarity, fused rank score, the answer's [n]):")
        lines += [
            f"  p{s.n} {s.similarity:.3f} {s.score:.4f} {_cited(trace, s.n)}  {s.path} — "
            f"{s.heading or s.title}"
            for s in trace.found.sources
        ]
    if trace.quoting is not None:
        lines += _parts(trace.quoting) + _leads(trace.quoting)
    elif trace.found is not None and trace.verdict.reason is None:
        lines.append("Parts: not ranked (the LLM answered from the passages).")
    lines.append(_verdict(answer, trace))
    return "\n".join(lines)


def _question(question: Question) -> list[str]:
    weights = question.weights
    terms = ", ".join(f"{t} {weights.get(t, 1.0):.2f}" for t in dict.fromkeys(question.tokens))
    kind = question.answer_kind
    wants = ", ".join(sorted(w.value for w in question.wants)) or "nothing in particular"
    if kind is not None and kind.counted:
        wants += f" (a figure said of '{kind.counted}')"
    return [
        f"Question: {question.text}",
        f"  wants: {wants}",
        f"  terms and their rarity: {terms or '-'}",
        f"  rare, an answer must say: {_words(question.lookup.rare)}",
        f"  no document open to the asker mentions: {_words(question.missing)}",
        f"  numbered items: {', '.join(sorted(question.numbered)) or '-'}; figures: "
        f"{len(question.quantities)}; roles named: "
        f"{', '.join(r.id for r in question.roles) or '-'}; personal: "
        f"{'yes' if question.personal else 'no'}; own role page: {question.focus or '-'}",
    ]


def _cited(trace: Trace, n: int) -> str:
    shown = trace.shown.get(n)
    return f"[{shown}]" if shown is not None else "   "


def _words(asked: tuple[Asked, ...]) -> str:
    return ", ".join(dict.fromkeys(a.phrase for a in asked)) or "-"


def _parts(quoting: Quoting) -> list[str]:
    lines = ["Candidate parts, best first (score = cosine + each rule's weight x measure):"]
    for rank, scored in enumerate(quoting.ranked[:SHOWN_PARTS], start=1):
        unit = scored.unit
        rules = [
            f"{rule.name} {value:+.3f}"
            for rule, value in zip(PART_RULES, scored.rules, strict=True)
            if value
        ]
        cosine = f"cosine {scored.similarity:.3f}" if scored.embedded else "not embedded"
        lines.append(f"  {rank:2}. {scored.score:.3f} p{unit.source.n} {cosine}")
        if rules:
            lines.append(f"      {'; '.join(rules)}")
        lines.append(f"      \"{bounded(plain(unit.text), PART_CHARS)}\"")
    rest = len(quoting.ranked) - SHOWN_PARTS
    if rest > 0:
        lines.append(f"  ... {rest} more, not embedded (they only fill a lead passage)")
    return lines


def _leads(quoting: Quoting) -> list[str]:
    if not quoting.leads:
        return []
    lines = ["Which passage leads (its parts' scores, the best weighted 1, the next 1/4...):"]
    for claim in quoting.leads:
        bonuses = [
            f" + {rule.name} {value:+.3f}"
            for rule, value in zip(LEAD_RULES, claim.rules, strict=True)
            if value
        ]
        lines.append(
            f"  p{claim.source.n} {claim.total:.3f} = parts {claim.parts:.3f}{''.join(bonuses)}"
        )
    return lines


def _verdict(answer: Answer, trace: Trace) -> str:
    reason = trace.verdict.reason
    if reason is None:
        return f"Verdict: answered ({answer.mode})."
    gap = f" ({trace.verdict.gap})" if trace.verdict.gap else ""
    told = f"; the asker reads: {trace.verdict.told.value}" if trace.verdict.told else ""
    return f"Verdict: refused: {reason.value}{gap}{told}; recorded as '{reason.recorded}'."
