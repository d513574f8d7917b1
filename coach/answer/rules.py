"""The answer stage's scoring rules: each a small pure function, named and weighted in a table.

A part's score is its embedding similarity to the question plus every PART_RULES contribution
(weight x what the rule measures); a passage competes to lead with its parts' scores plus every
LEAD_RULES contribution. To add or weigh a rule, edit a table: `coach ask --explain` shows each
rule's contribution to each candidate part.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from coach.answer.amounts import amount_match
from coach.answer.blocks import label_of, plain
from coach.answer.numbered import numbered_names
from coach.answer.parts import Part, section_of
from coach.answer.question import Question, Wants, figure_near
from coach.answer.retrieve import Source
from coach.answer.words import function_terms, phrasing_terms
from coach.index.keyword import tokenize

T = TypeVar("T")

# What another role's page may answer: two roles side by side, a move, the next step up, and
# what it takes ("am I allowed to apply?" is said on the level that may).
_REACHES_OTHER_ROLES = frozenset(
    {Wants.COMPARISON, Wants.MOVE, Wants.NEXT_STEP, Wants.REQUIREMENT}
)

# Words that only say a name is a ladder's: "Customer Success Operations Job Family".
_FAMILY_WORDS = frozenset({"job", "family", "families", "ladder", "career", "framework"})
_NAME_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_INITIALISM = re.compile(r"\b[A-Z]{2,4}\b")  # "CS", "CSM", "TAM"

# A part that states a way into another team or role.
_STATES_PATH = re.compile(
    r"\brotation|\blateral|\bpermanent move|\btransfer|\bswitch|\bmove (?:in)?to\b", re.I
)
# Where a move question goes: the words after "into" or "to", up to punctuation.
_MOVE_TARGET = re.compile(r"\b(?:in)?to (?:the |an? )?([\w'&/ -]+?)\s*(?:[?.!,;:(]|$)", re.I)
_GENERIC_PLACES = "another other different new team role function department group job position"
# A section that says who qualifies (Eligibility, Who can take part, Requirements).
_SAYS_REQUIRED = re.compile(r"\b(requir(ed|ement|es)|mandatory|prerequisite)\b", re.I)
_STATES_REQUIREMENTS = re.compile(
    r"eligib|who can|requirement|prerequisite|criteria|before you (apply|start)", re.I
)


@dataclass(frozen=True)
class Rule(Generic[T]):
    """One named, weighted scoring rule: `measure` says how far it holds (usually 0 to 1)."""

    name: str
    weight: float
    measure: Callable[[Question, T], float]

    def __call__(self, question: Question, item: T) -> float:
        """The rule's contribution to the item's score."""
        return self.weight * self.measure(question, item)


def says_terms(question: Question, part: Part) -> float:
    """The share of the question's terms (weighted by rarity) the part's own words say."""
    return _overlap(question, part.own)


def says_terms_in_context(question: Question, part: Part) -> float:
    """The same share, said by the part together with its heading path and lead-in."""
    return _overlap(question, part.around)


def on_focus_page(question: Question, part: Part) -> float:
    """1 on the asker's own role page (a personal question, or one naming the role)."""
    return 1.0 if question.focus and part.unit.source.path == question.focus else 0.0


def in_requirements_section(question: Question, part: Part) -> float:
    """1 for a part of a who-qualifies section, when the question asks what it takes."""
    return requirements_passage(question, part.unit.source)


def says_what_is_required(question: Question, part: Part) -> float:
    """1 for a part saying itself that something is required ("Speaker Training - requirement
    for external speakers"), outside a who-qualifies section, when the question asks what it
    takes ("is there a training I have to take?")."""
    if not question.asks(Wants.REQUIREMENT) or states_requirements(part.unit.source):
        return 0.0
    return 1.0 if _SAYS_REQUIRED.search(part.unit.text) else 0.0


def states_a_path(question: Question, part: Part) -> float:
    """1 for a part naming a way in (a rotation, a lateral move, a transfer) when the question
    asks whether the asker can move somewhere, and into the place it names when it names one:
    "a way into presales?" is answered by the move to presales, not the switch to management."""
    if not question.asks(Wants.MOVE) or not _STATES_PATH.search(part.unit.text):
        return 0.0
    destination = _destination(question.text)
    return 1.0 if not destination or destination & part.around else 0.0


@functools.lru_cache(maxsize=1024)
def _destination(question: str) -> frozenset[str]:
    """The index terms of where a move question goes ("into Solutions Consulting"): the last
    "to" names it ("I want to transfer permanently to Renewals")."""
    found = _MOVE_TARGET.search(question)
    if found is None:
        return frozenset()
    place = re.split(r"\b(?:in)?to\b", found.group(1))[-1]
    return frozenset(tokenize([place], as_ids=False)[0]) - _generic_places()


@functools.cache
def _generic_places() -> frozenset[str]:
    """Words that name no place in particular: "another team" could be any team."""
    return frozenset(tokenize([_GENERIC_PLACES], as_ids=False)[0])


def path_passage(question: Question, source: Source) -> float:
    """1 for a passage naming a way in when the question asks whether the asker can move."""
    return 1.0 if question.asks(Wants.MOVE) and _STATES_PATH.search(source.text) else 0.0


def same_numbered_item(question: Question, part: Part) -> float:
    """1 when the part names an item the question names ("Level 2"), -1 when it names only
    other items of that series ("Level 3"), else 0."""
    if not question.numbered:
        return 0.0
    unit = part.unit
    named = numbered_names(f"{unit.context} {unit.table_row or unit.text}")
    if named & question.numbered:
        return 1.0
    series = {name.split()[0] for name in question.numbered}
    return -1.0 if any(name.split()[0] in series for name in named) else 0.0


def label_names_asked_thing(question: Question, part: Part) -> float:
    """The share of the part's own label ("Return guarantee") that the question says: such a
    part is about that subject, whatever its other words."""
    named = label_of(part.unit.text)
    if named is None:
        return 0.0
    label = _terms(named) - function_terms()
    if not label:
        return 0.0
    return len(label & question.terms) / len(label)


def figure_fits(question: Question, part: Part) -> float:
    """1 when a range or tier the part states holds the question's figure, 0.5 when the figure
    falls outside its limit, else 0 ("EUR 1,200" against "more than EUR 1,000")."""
    return amount_match(question.quantities, part.unit.text)


def holds_answer_kind(question: Question, part: Part) -> float:
    """1 when the part holds the kind of answer asked for: a date for "when", a figure for
    "how much", a figure of the thing for "how many accounts"."""
    kind = question.answer_kind
    return 1.0 if kind is not None and kind.held_by(part.unit.text) else 0.0


def at_the_asked_level(question: Question, part: Part) -> float:
    """1 for a part of the level the question asks about (the next one, for "what comes
    after"), -1 for a part of another level; 0 where either names no level."""
    metadata = part.unit.source.metadata
    order = metadata.get("section_level_order")
    if order is None or not question.wanted_levels:
        return 0.0
    return 1.0 if (metadata.get("section_track"), float(order)) in question.wanted_levels else -1.0


def on_another_roles_page(question: Question, part: Part) -> float:
    """-1 for a part of another role's page when the question is about one role (named, or the
    asker's own) and asks nothing another role's page answers (a comparison, a move, the next
    step, what it takes): "how long does a CSM I stay in level?" is not answered by the Senior
    CSM page's time in level."""
    if not question.focus or question.wants & _REACHES_OTHER_ROLES:
        return 0.0
    source = part.unit.source
    return -1.0 if source.metadata.get("role_id") and source.path != question.focus else 0.0


def on_the_named_ladder(question: Question, part: Part) -> float:
    """1 for a part of the ladder (job family) the question names ("in customer engineering")."""
    ladder = part.unit.source.metadata.get("section_ladder")
    return 1.0 if ladder and names_the_ladder(question, ladder) else 0.0


def names_the_ladder(question: Question, ladder: str) -> bool:
    """Whether the question names the ladder: each of its words said, or several in one
    initialism ("CS Operations" for "Customer Success Operations Job Family"); the words that
    only say it is a ladder need not be."""
    words = [w for w in _NAME_WORD.findall(ladder) if w.lower() not in _FAMILY_WORDS]
    if not words:
        return False
    initials = "".join(w[0].upper() for w in words)
    said = [False] * len(words)
    for initialism in set(_INITIALISM.findall(question.text)):
        at = initials.find(initialism)
        if at >= 0:
            said[at : at + len(initialism)] = [True] * len(initialism)
    rest = " ".join(w for w, done in zip(words, said, strict=True) if not done)
    return not rest or _terms(rest) <= question.terms


@functools.lru_cache(maxsize=4096)
def _terms(name: str) -> frozenset[str]:
    """The index terms of a short name (a ladder, a heading), remembered: names repeat."""
    return frozenset(tokenize([name], as_ids=False)[0])


def rare_words_said(question: Question, source: Source) -> float:
    """How many of the question's rare asked-about words ("MBA") the passage says."""
    said = set(tokenize([f"{source.label} {source.text}"], as_ids=False)[0])
    return float(sum(token in said for token in question.rare_tokens))


def heading_names_asked_thing(question: Question, source: Source) -> float:
    """1 when the passage's own section heading names what a "what X" question asks for
    ("Certifications and training" for "What training does a Renewals Manager do?")."""
    heading = section_of(source)
    # A comparison is answered by its two sides' passages ("which grade is each?").
    if not question.asked_for or question.sides.terms or heading == source.title:
        return 0.0
    return 1.0 if question.asked_for in _terms(heading) else 0.0


# A one-word heading the question says counts only when the word is this rare (idf): "Equity"
# may be what is asked, "Overview" or "Process" is not.
RARE_HEADING = 3.0


def heading_is_asked_about(question: Question, source: Source) -> float:
    """1 when the question says every word of the passage's own section heading ("any ground
    rules?" for "Ground rules"): the section is about what it asks."""
    heading = section_of(source)
    # A comparison is answered by its two sides' passages.
    asked = heading != source.title and not question.sides.terms
    # "How much" or "How long" says how a question is put, not what it is about.
    words = _terms(heading) - function_terms() - phrasing_terms() if asked else frozenset()
    if not words or not words <= question.terms:
        return 0.0
    weights = question.weights
    return 1.0 if len(words) >= 2 or weights.get(next(iter(words)), 0.0) >= RARE_HEADING else 0.0


def names_the_asked_item(question: Question, source: Source) -> float:
    """1 for a passage naming the numbered item the question names ("Module 7"), in its heading
    or its text: look-alike passages of other items share every other word."""
    if not question.numbered:
        return 0.0
    return 1.0 if numbered_names(f"{source.label} {source.text}") & question.numbered else 0.0


def passage_fits_the_figure(question: Question, source: Source) -> float:
    """1 when a range or tier of the passage holds the question's figure ("$0-$1,000" for "my
    training costs $800"): the rule that applies to the asker's case is there."""
    return 1.0 if amount_match(question.quantities, source.text) == 1.0 else 0.0


def passage_gives_asked_figure(question: Question, source: Source) -> float:
    """1 when the passage states a figure right by the thing a "what X" question asks for
    ("The standard price uplift is 5-7%" for "What uplift do Renewals Managers go for?")."""
    if not question.asked_for or question.answer_kind is not None or question.sides.terms:
        return 0.0
    asked = question.asked_for
    return 1.0 if figure_near(plain(source.text), lambda word: asked in _terms(word)) else 0.0


def passage_holds_answer_kind(question: Question, source: Source) -> float:
    """1 when the passage holds the exact kind of answer asked for: a figure of the thing asked
    about or an amount of money (any date or figure would favour too many passages)."""
    kind = question.answer_kind
    return 1.0 if kind is not None and kind.exact and kind.held_by(plain(source.text)) else 0.0


def requirements_passage(question: Question, source: Source) -> float:
    """1 for a who-qualifies section when the question asks what it takes: it is quoted whole,
    not in parts."""
    return 1.0 if question.asks(Wants.REQUIREMENT) and states_requirements(source) else 0.0


def states_requirements(source: Source) -> bool:
    """Whether the passage's heading says it is about who qualifies."""
    return bool(_STATES_REQUIREMENTS.search(source.heading))


def _overlap(question: Question, said: frozenset[str]) -> float:
    weights = question.weights
    return sum(weights.get(t, 1.0) for t in question.terms & said) / question.total_weight


# How much of the question a part says in words; its own words count most, since its heading
# is shared by every part under it.
WORD_RULES: tuple[Rule[Part], ...] = (
    Rule("says the question's words", 0.3, says_terms),
    Rule("... with its heading and lead-in", 0.1, says_terms_in_context),
)
# How well a part fits what the question asks for.
FIT_RULES: tuple[Rule[Part], ...] = (
    # A personal question is about the asker's own role page first: neighbouring roles' pages
    # name that role too and would otherwise be quoted as often.
    Rule("on the asker's own role page", 0.2, on_focus_page),
    # "What do I need before I can mentor?": the answer may not repeat the question's words.
    Rule("in a who-qualifies section", 0.1, in_requirements_section),
    # ... or by a part saying what is required, wherever it stands.
    Rule("says what is required", 0.1, says_what_is_required),
    # "Can I move into Solutions Consulting?" is answered by the rotation there, not the role.
    Rule("states a way in", 0.1, states_a_path),
    # The keyword index drops single digits, so "Level 2" needs a rule of its own.
    Rule("names the same numbered item", 0.15, same_numbered_item),
    Rule("a figure fits a range or tier", 0.15, figure_fits),
    Rule("holds the kind of answer asked", 0.08, holds_answer_kind),
    # Real ladder pages describe every level in look-alike sections: the one asked about wins.
    Rule("at the level asked about", 0.15, at_the_asked_level),
    # ... and so do role pages written for coach: another role's page is not the asker's.
    Rule("on another role's page", 0.15, on_another_roles_page),
    Rule("on the ladder named", 0.1, on_the_named_ladder),
    # Handbooks label their points ("**Return guarantee:**"): a label the question says is
    # what the part is about, where the embedding reads the rest of its words.
    Rule("its label names what is asked", 0.08, label_names_asked_thing),
)
PART_RULES = WORD_RULES + FIT_RULES
# What else makes a passage the one quoted first.
LEAD_RULES: tuple[Rule[Source], ...] = (
    Rule("says a rare asked-about word", 0.4, rare_words_said),
    # "What training...?" is answered by the section named for training, not the one whose
    # words sound closer ("Typical time in level" for "...in their first six months").
    Rule("its heading names what is asked for", 0.15, heading_names_asked_thing),
    # ... and so is the section whose heading the question says ("any ground rules?").
    Rule("the question says its heading", 0.1, heading_is_asked_about),
    # "Module 7" of a page that numbers seven: its passage leads, not the one with most modules.
    Rule("names the numbered item asked", 0.1, names_the_asked_item),
    # "My training costs $800": the passage whose tier holds $800 says whose approval it needs,
    # in words the question does not use ("Manager Approval: $0-$1,000").
    Rule("a range holds the asker's figure", 0.15, passage_fits_the_figure),
    # "What uplift ...?" is answered by the passage giving the uplift a figure.
    Rule("gives the asked-for thing a figure", 0.15, passage_gives_asked_figure),
    # "How many accounts?" is answered by a passage with a figure of accounts, not by the role's
    # introduction, however close.
    Rule("holds the exact kind of answer asked", 0.15, passage_holds_answer_kind),
    # ... and a who-qualifies passage leads unless another answers far better.
    Rule("a who-qualifies passage", 0.25, requirements_passage),
    # ... and so does the way in, for "can I move to X?".
    Rule("a passage naming a way in", 0.25, path_passage),
)
