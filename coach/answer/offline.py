"""Offline grounded answers: the best passage quoted whole, then a few cited points."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from coach.answer.amounts import amount_match
from coach.answer.blocks import Block, blocks_of, item_line, plain, word_count
from coach.answer.retrieve import Source
from coach.answer.vectors import embed_units
from coach.answer.words import singular
from coach.index.keyword import tokenize

QUOTED_LABEL = "Quoted from the company documents:"
ALSO_LABEL = "Also relevant:"
LEAD_WORDS = 130  # a lead passage longer than this is quoted by its best parts
SUPPORT_POINTS = 3  # points from other sources after the lead passage
SUPPORT_WORDS = 45  # a longer point would bury the lead
CANDIDATES = 10  # parts embedded per question: more did not find more facts, and cost time
UNIT_CHARS = 300  # a part is embedded by its start: cost grows with length, meaning rarely does
LEAD_IN_CHARS = 100
MIN_SUPPORT = 0.4  # cosine + overlap a part needs to be quoted at all
RELATIVE_SPAN = 0.2  # a supporting point must score within this much of the best part
# A question word this rare (idf; about 1 passage in 20 or fewer says it) that the answer does
# not say yet brings in the best part that does, up to FILL_POINTS of them.
DISTINCTIVE = 3.0
FILL_POINTS = 2
RARE_BONUS = 0.4  # per rare asked-about word a passage says, when choosing the lead
PASSAGE_DECAY = 0.25  # weight of a passage's 2nd, 3rd... best part when choosing the lead
OWN_WEIGHT = 0.3  # share of the question's (rarity-weighted) terms the part itself says
CONTEXT_WEIGHT = 0.1  # ... that it says together with its heading path and lead-in
AMOUNT_WEIGHT = 0.15  # a figure that fits a rule's range or tier ("EUR 1,200" vs "> EUR 1,000")
# A part that holds the kind of answer asked for: a figure for "how much", a date for "when".
ANSWER_KIND_BONUS = 0.08
_FIGURE = re.compile(r"\d")
_DATE = re.compile(
    r"\d|\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|weekly|monthly|quarterly|annually|"
    r"q[1-4])\b",
    re.IGNORECASE,
)
_ASKS_FIGURE = re.compile(
    r"\bhow (much|many|long|big|often|soon)\b|\bwhat (percentage|share|amount)\b", re.I
)
# "What % of ...", "in percent": a passage that states no percentage does not answer it, however
# close its topic ("pay range" for "how big a raise, in percent?").
_ASKS_PERCENT = re.compile(
    r"\b(?:what|which|how many|in|as an?)\s+(?:%|per ?cent(?:age)?\b)|\bpercentage\b", re.I
)
_PERCENT = re.compile(r"\d\s*%|\d\s*per ?cent\b", re.I)
_ASKS_DATE = re.compile(r"\b(when|which (day|days|month|months|date)|deadline|by when)\b", re.I)
# "How many accounts", "how much ARR": the answer is a figure said of that thing ("8-14 named
# accounts", "a budget of EUR 1,500"), not any figure. "How much of my week" asks for a share.
_ASKS_AMOUNT_OF = re.compile(r"\bhow (?:much|many) (?!of\b)(?:the |my |our )?([a-z][a-z-]+)", re.I)
_NOT_A_THING = {"is", "are", "was", "do", "does", "did", "will", "would", "can", "could", "should"}
_CITATION = re.compile(r"\[\d+\]")
NEAR_WORDS = 3  # how close a figure stands to the thing it counts
_FIGURE_OR_WORD = re.compile(r"\d[\d,.]*|[a-z]+", re.I)
# A personal question ("what should I do next?") is about the asker's own role page first; the
# pages of neighbouring roles name that role too and would otherwise be quoted as often.
FOCUS_BONUS = 0.1
# A name with a number ("CCSM Level 2", "module 3", "grade 7") names one item of a series; the
# keyword index drops single digits, so a part naming the same item gets this much, and one
# naming only another item of the series ("Level 3") loses as much.
NUMBERED_BONUS = 0.15
# Not an amount ("EUR 1,300") nor a span ("takes 6 weeks").
_NUMBERED = re.compile(
    r"\b([a-z]{2,})\s+(\d{1,3})\b(?![.,]\d)(?!\s*(?:%|percent|(?:minute|hour|day|week|month|year)s?\b))",
    re.I,
)
# "What do I need before I can mentor?", "who can apply?": the answer is a section that says who
# qualifies (Eligibility, Who can take part, Requirements), which may not repeat the question's
# words; its parts get this much.
_ASKS_REQUIREMENTS = re.compile(
    r"\b(what do i need|what does it take|requirements?|prerequisites?|eligib\w*|qualify|"
    r"who can (apply|join|take part|become|be)|am i allowed|before i can)\b",
    re.I,
)
_STATES_REQUIREMENTS = re.compile(
    r"eligib|who can|requirement|prerequisite|criteria|before you (apply|start)", re.I
)
REQUIREMENTS_BONUS = 0.1
REQUIREMENTS_LEAD_BONUS = 0.25  # ... and such a passage leads unless another answers far better


def asks_requirements(question: str) -> bool:
    """Whether the question asks who qualifies or what it takes ("what do I need before...")."""
    return bool(_ASKS_REQUIREMENTS.search(question))


@dataclass(frozen=True)
class Unit:
    """One quotable part (sentence, list item or table row) and where it stands."""

    source: Source
    block: int
    part: int
    text: str  # verbatim
    lead_in: str  # a list's lead-in or a table's header row ("" for a sentence)

    @property
    def context(self) -> str:
        """The heading path and the lead-in: scored together with the part's own words."""
        return f"{self.source.label}. {self.lead_in}".strip()

    @property
    def embed_text(self) -> str:
        """What is embedded: the nearest heading, a short lead-in or header, then the part
        itself (which must not be cut off by a long context)."""
        lead_in = self.lead_in[:LEAD_IN_CHARS]
        return f"{section_of(self.source)}: {lead_in} {plain(self.text)}"[:UNIT_CHARS]


@dataclass(frozen=True)
class Scored:
    """A unit and how well it answers the question."""

    unit: Unit
    score: float
    embedded: bool  # scored by embedding too, not only by the cheap prior


def units_of(source: Source, blocks: list[Block]) -> list[Unit]:
    """Every part of a passage, with the context it is scored in."""
    return [
        Unit(source, b, p, text, block.context)
        for b, block in enumerate(blocks)
        for p, text in enumerate(block.parts)
        if word_count(text) >= 2
    ]


@dataclass(frozen=True)
class AnswerKind:
    """What an answering part must hold for a kind of question: a date, a figure, or a figure
    said of the thing asked about."""

    pattern: re.Pattern[str]
    counted: str = ""  # "account" in "how many accounts"

    def held_by(self, text: str) -> bool:
        """Whether the text holds this kind of answer."""
        if not self.counted:
            return bool(self.pattern.search(text))
        words = [w.lower() for w in _FIGURE_OR_WORD.findall(text)]
        figures = [i for i, w in enumerate(words) if w[0].isdigit()]
        things = [i for i, w in enumerate(words) if singular(w) == self.counted]
        return any(abs(f - t) <= NEAR_WORDS for f in figures for t in things)


def numbered_names(text: str) -> set[str]:
    """The names with a number the text holds, lower-cased: {"level 2", "module 3"}."""
    return {f"{word.lower()} {number}" for word, number in _NUMBERED.findall(plain(text))}


def _same_item(asked: set[str], text: str) -> int:
    """1 when the text names an item the question names, -1 when it names only other items of
    the same series, else 0."""
    if not asked:
        return 0
    named = numbered_names(text)
    if named & asked:
        return 1
    series = {name.split()[0] for name in asked}
    return -1 if any(name.split()[0] in series for name in named) else 0


def wanted_answer(question: str) -> AnswerKind | None:
    """What an answering part must hold for this kind of question, if the kind is clear."""
    if _ASKS_DATE.search(question):
        return AnswerKind(_DATE)
    asked = _ASKS_AMOUNT_OF.search(question)
    if asked and asked.group(1).lower() not in _NOT_A_THING:
        return AnswerKind(_FIGURE, singular(asked.group(1).lower()))
    if _ASKS_FIGURE.search(question):
        return AnswerKind(_FIGURE)
    return None


def rank_units(
    question: str,
    query_vector: list[float],
    units: list[Unit],
    embeddings: Embeddings,
    weights: dict[str, float],
    focus: str = "",
) -> list[Scored]:
    """Units ranked by embedding similarity, weighted term overlap and figures that fit."""
    terms = set(tokenize([question], as_ids=False)[0])
    total = sum(weights.get(t, 1.0) for t in terms) or 1.0

    def overlap(texts: list[str]) -> list[float]:
        tokens = tokenize(texts, as_ids=False)
        return [sum(weights.get(t, 1.0) for t in terms & set(ts)) / total for ts in tokens]

    wanted = wanted_answer(question)
    # The part's own words count most: its heading is shared by every part under it.
    own = overlap([plain(u.text) for u in units])
    around = overlap([f"{u.context} {plain(u.text)}" for u in units])
    lexical = [OWN_WEIGHT * o + CONTEXT_WEIGHT * a for o, a in zip(own, around, strict=True)]
    requirements = asks_requirements(question)
    numbered = numbered_names(question)
    extra = [
        (FOCUS_BONUS if focus and u.source.path == focus else 0.0)
        + (
            REQUIREMENTS_BONUS
            if requirements and _STATES_REQUIREMENTS.search(u.source.heading)
            else 0.0
        )
        + NUMBERED_BONUS * _same_item(numbered, f"{u.context} {u.text}")
        + AMOUNT_WEIGHT * amount_match(question, u.text)
        + (ANSWER_KIND_BONUS if wanted and wanted.held_by(u.text) else 0.0)
        for u in units
    ]
    # Cheap pre-ranking by overlap and by how well the unit's passage matched.
    prior = [
        x + 0.5 * u.source.similarity + e for x, u, e in zip(lexical, units, extra, strict=True)
    ]
    order = sorted(range(len(units)), key=prior.__getitem__, reverse=True)
    shortlist = order[:CANDIDATES]
    texts = [units[i].embed_text for i in shortlist]
    cosine = np.array(embed_units(embeddings, texts)) @ np.array(query_vector) if texts else []
    scored = [
        Scored(units[i], float(cos) + lexical[i] + extra[i], True)
        for i, cos in zip(shortlist, cosine, strict=True)
    ]
    ranked = sorted(scored, key=lambda s: s.score, reverse=True)
    # The rest keep their prior order after the embedded ones; they only fill a lead passage.
    return ranked + [Scored(units[i], prior[i] - 1.0, False) for i in order[CANDIDATES:]]


def quoted_answer(
    question: str,
    query_vector: list[float],
    sources: list[Source],
    embeddings: Embeddings,
    weights: dict[str, float] | None = None,
    focus: str = "",
    rare: tuple[str, ...] = (),
) -> str | None:
    """The best passage quoted (whole, or its best parts), then a few cited points; None if no
    part answers well enough."""
    blocks = {source.n: blocks_of(source.text) for source in sources}
    units = [unit for source in sources for unit in units_of(source, blocks[source.n])]
    ranked = rank_units(question, query_vector, units, embeddings, weights or {}, focus)
    if not ranked or ranked[0].score < MIN_SUPPORT:
        return None
    lead = _lead_source(ranked, rare, asks_requirements(question))
    lines = [QUOTED_LABEL, "", f"**{lead.label}** [{lead.n}]", ""]
    lines += _lead_passage(blocks[lead.n], [s for s in ranked if s.unit.source.n == lead.n])
    if _ASKS_PERCENT.search(question) and not _PERCENT.search("\n".join(lines[4:])):
        return None
    quoted = {plain(u.text) for u in units if u.source.n == lead.n}
    points = _support(ranked, lead, quoted, blocks)
    answer = "\n".join(lines + points)
    points += _filling(question, answer, ranked, weights or {}, quoted, blocks, rare)
    said = _CITATION.sub("", "\n".join(lines[4:] + points))  # the quotes, not labels or [n]
    points += _kind_filling(question, said, ranked, quoted, blocks)
    if points:
        lines += ["", f"**{ALSO_LABEL}**", *points]
    return "\n".join(lines)


def _lead_source(ranked: list[Scored], rare: tuple[str, ...], requirements: bool) -> Source:
    """The passage whose parts answer best together: the whole passage is quoted, so a passage
    with several strong parts beats one with a single strong sentence among weak ones. A rare
    word the question asks about ("MBA") counts for the passages that say it."""
    totals: dict[int, float] = {}
    counts: dict[int, int] = {}
    sources = {}
    for scored in ranked:
        if not scored.embedded:
            break
        n = scored.unit.source.n
        sources[n] = scored.unit.source
        # Ranked best first, so a passage's parts arrive in falling order, weighted 1, 1/4, 1/16...
        totals[n] = totals.get(n, 0.0) + scored.score * PASSAGE_DECAY ** counts.get(n, 0)
        counts[n] = counts.get(n, 0) + 1
    for n, source in sources.items():
        said = set(tokenize([f"{source.label} {source.text}"], as_ids=False)[0])
        totals[n] += RARE_BONUS * sum(token in said for token in rare)
        if requirements and _STATES_REQUIREMENTS.search(source.heading):
            totals[n] += REQUIREMENTS_LEAD_BONUS  # who qualifies is quoted whole, not in parts
    return sources[max(totals, key=totals.__getitem__)]


def _lead_passage(blocks: list[Block], ranked: list[Scored]) -> list[str]:
    """The whole passage when it fits the word budget, else its best parts in their order."""
    whole = [b.render() for b in blocks]
    if sum(word_count("\n".join(lines)) for lines in whole) <= LEAD_WORDS:
        return _join(whole)
    chosen: dict[int, set[int]] = {}
    words = 0
    for scored in ranked:
        unit = scored.unit
        block = blocks[unit.block]
        cost = word_count(unit.text) + (0 if unit.block in chosen else word_count(block.context))
        if chosen and words + cost > LEAD_WORDS:
            continue
        chosen.setdefault(unit.block, set()).add(unit.part)
        words += cost
    return _join([blocks[b].render(parts) for b, parts in sorted(chosen.items())])


def _support(
    ranked: list[Scored], lead: Source, quoted: set[str], blocks: dict[int, list[Block]]
) -> list[str]:
    """A few points from other passages that answer nearly as well as the best part."""
    floor = max(MIN_SUPPORT, ranked[0].score - RELATIVE_SPAN)
    points: list[str] = []
    for scored in ranked:
        unit = scored.unit
        if not scored.embedded or scored.score < floor or len(points) == SUPPORT_POINTS:
            break
        if unit.source.n != lead.n and (point := _point(unit, quoted, blocks)):
            points.append(point)
    return points


def _filling(
    question: str,
    answer: str,
    ranked: list[Scored],
    weights: dict[str, float],
    quoted: set[str],
    blocks: dict[int, list[Block]],
    rare: tuple[str, ...] = (),
) -> list[str]:
    """A point for each distinctive word of the question the answer so far leaves out, from the
    best-ranked part that says it ("Q3" in "I joined in Q3, how much budget do I get?"). Rare
    asked-about words come first: they include the documents' word for one the question used
    ("meals" for "lunch")."""
    said = set(tokenize([answer], as_ids=False)[0])
    asked = [t for t in tokenize([question], as_ids=False)[0] if weights.get(t, 0.0) >= DISTINCTIVE]
    wanted = [token for token in dict.fromkeys([*rare, *asked]) if token not in said]
    if not wanted:
        return []
    says = tokenize([plain(s.unit.text) for s in ranked], as_ids=False)  # one call: it is slow
    points: list[str] = []
    for token in wanted[:FILL_POINTS]:
        for scored, tokens in zip(ranked, says, strict=True):
            if token in tokens and (point := _point(scored.unit, quoted, blocks)):
                points.append(point)
                break
    return points


def _kind_filling(
    question: str,
    answer: str,
    ranked: list[Scored],
    quoted: set[str],
    blocks: dict[int, list[Block]],
) -> list[str]:
    """When the question asks for a date or a figure and the answer so far holds none, the
    best-ranked part that does ("sign-up July 5-20" for "when's my next chance?")."""
    wanted = wanted_answer(question)
    if wanted is None or wanted.held_by(plain(answer)):
        return []
    for scored in ranked:
        if not scored.embedded or scored.score < MIN_SUPPORT:
            break
        unit = scored.unit
        if wanted.held_by(plain(unit.text)) and (point := _point(unit, quoted, blocks)):
            return [point]
    return []


def _point(unit: Unit, quoted: set[str], blocks: dict[int, list[Block]]) -> str:
    """The part as one cited bullet, remembered as quoted; "" when it can't be one (a table
    row, already quoted, or long enough to bury the lead)."""
    text = plain(unit.text)
    kind = blocks[unit.source.n][unit.block].kind
    if kind == "table" or text in quoted or word_count(text) > SUPPORT_WORDS:
        return ""
    quoted.add(text)
    # A list item means what its section says of it: "Travel, hotels and meals." is what the
    # budget does *not* cover.
    section = f"*{section_of(unit.source)}:* " if kind == "list" else ""
    return f"- {section}{item_line(unit.text)} [{unit.source.n}]"


def section_of(source: Source) -> str:
    """The passage's own section heading (its document's title when it has none)."""
    return source.heading.rsplit(" > ", 1)[-1] or source.title


def _join(rendered: list[list[str]]) -> list[str]:
    lines: list[str] = []
    for block_lines in rendered:
        if block_lines:
            lines += [*block_lines, ""]
    return lines[:-1]
