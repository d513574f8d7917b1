"""A question, parsed once: what it asks for, in which words, about whom; later steps read it."""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bm25s.stopwords import STOPWORDS_EN_PLUS
from rapidfuzz import fuzz

from coach.answer.amounts import Quantity, quantities
from coach.answer.answerability import Asked, Lookup
from coach.answer.numbered import numbered_names
from coach.answer.sides import COMPARES, Sides, compared
from coach.answer.words import singular
from coach.index.keyword import tokenize
from coach.index.ladder import CareerRole
from coach.ingest.levels import Level, levels_in


class Wants(enum.Enum):
    """A kind of answer a question asks for (a question may ask for several)."""

    DATE = "a date"
    FIGURE = "a figure"
    PERCENTAGE = "a percentage"
    MONEY = "an amount of money"
    REQUIREMENT = "who qualifies or what it takes"
    COMPARISON = "a comparison"
    NEXT_STEP = "the asker's next step"
    MOVE = "a way into another team or role"
    YES_NO = "yes or no"


# "When is...", "when's my next chance", "by when?", "the last day"; not "back when I return".
_ASKS_DATE = re.compile(
    r"^\s*when\b|\bwhen(?:'s|\u2019s| is| are| do| does| did| can| will| should| would)\b|"
    r"\b(?:which (?:day|days|month|months|date)|deadline|by when|last day|cut-?off)\b",
    re.I,
)
_ASKS_FIGURE = re.compile(
    r"\bhow (much|many|long|big|often|soon)\b|\bwhat (percentage|share|amount)\b", re.I
)
# "How many accounts", "how much ARR": the answer is a figure said of that thing ("8-14 named
# accounts", "a budget of EUR 1,500"), not any figure. "How much of my week" asks for a share.
_ASKS_AMOUNT_OF = re.compile(r"\bhow (?:much|many) (?!of\b)(?:the |my |our )?([a-z][a-z-]+)", re.I)
_NOT_A_THING = {
    *("is", "are", "was", "do", "does", "did", "will", "would", "can", "could", "should"),
    *("happens", "happen", "happened", "exactly"),
}
# "What % of ...", "in percent": a passage that states no percentage does not answer it, however
# close its topic ("pay range" for "how big a raise, in percent?").
_ASKS_PERCENT = re.compile(
    r"\b(?:what|which|how many|in|as an?)\s+(?:%|per ?cent(?:age)?\b)|\bpercentage\b", re.I
)
# "What do I need before I can mentor?", "who can apply?": the answer is a section that says who
# qualifies (Eligibility, Who can take part, Requirements), which may not repeat the question's
# words.
_ASKS_REQUIREMENTS = re.compile(
    r"\b(what do i need|what does it take|requirements?|prerequisites?|eligib\w*|qualify|"
    r"who can (apply|join|take part|become|be)|am i allowed|before i can|mandatory|"
    r"have to (take|pass|attend)|requir(ed|es)|must i|"
    r"(what|which) \w+ do i need|need to (become|be promoted)|"
    r"can i (already|still|yet) (use|apply|join|take|get))\b",
    re.I,
)
# "What should I do next?", "how do I get promoted?": the asker's own next step.
_NEXT_STEP = re.compile(
    r"\b(next steps?|do next|what'?s next|next (move|role|level)|get promoted|be promoted|"
    r"move up|my career|(grow|progress)(ing)? (my|in my))\b",
    re.IGNORECASE,
)
# "Can I move into Solutions Consulting?", "switching to Renewals": the path there is the answer.
_ASKS_MOVE = re.compile(
    r"\b(?:can|could|may) (?:i|a \w+(?: \w+)?) (?:move|switch|transfer|go|change|rotate)\b|"
    r"\b(?:mov(?:e|ing)|switch(?:ing)?|transfer(?:ring)?)(?: \w+ly)? (?:in)?to\b|"
    # "is there a way into presales?", "the path into management"
    r"\b(?:way|path|route) into\b",
    re.I,
)
# "What does the level after IC3 look like?", "above Senior": the next level is asked about.
_AFTER_LEVEL = re.compile(r"\b(after|above|beyond|next|move up|promoted|promotion)\b", re.I)
# Questions about the asker's own path ("what should I do next?") get the profile added to the
# search; questions about the company in general ("what is the training budget?") do not.
_PERSONAL = re.compile(r"\b(i|i'm|me|my|mine|myself|next|should i)\b", re.IGNORECASE)
_YES_NO = re.compile(
    r"^\s*(is|are|was|were|do|does|did|can|could|will|would|should|may|must|has|have)\b", re.I
)
# A date, or a point in time ("within 30 days", "by the end of your third month"): not any
# number ("20% of your development") nor a length ("at least 12 months in your role").
_DATE = re.compile(
    r"\b(?:19|20)\d\d\b|\b\d{1,2}(?:st|nd|rd|th)\b|\b(?:day|week|month|year|quarter)s? \d|"
    r"\b(?:within|after|before|by|every|until|in|from) (?:the end of )?(?:your |the )?"
    r"(?:\d+[\s-](?:business |working )?|first |second |third |fourth |fifth |sixth |next )"
    r"(?:days?|weeks?|months?|years?|quarters?)\b|"
    r"\bmay \d|\b(january|february|march|april|june|july|august|september|october|november|"
    r"december|(?:mon|tues|wednes|thurs|fri|satur|sun)days?|weekly|monthly|quarterly|"
    r"annually|yearly|q[1-4]|h[12])\b",
    re.IGNORECASE,
)
_FIGURE = re.compile(r"\d")
# "What training...", "which Slack channels...", "what kind of coaching...": the words after
# "what"/"which" up to the verb name the thing asked for (its last word, "channels").
_WHAT_THING = re.compile(
    r"\b(?:what|which)\s+(?:kinds? of |types? of |sorts? of )?"
    r"((?:[a-z][\w&-]*\s+){0,2}?[a-z][\w&-]*)"
    r"(?=\s+(?:do|does|did|is|are|was|were|can|could|should|would|will|must|have|has|"
    r"i|we|you|they|a|an|the|my|our|to|for|in|of|on)\b)",
    re.I,
)
# "How long is the rotation?" is answered by a length of time ("6 months", "two weeks").
# ... and so is "how much (prep) time" or "how much notice": a span, not a count of "prep".
_ASKS_LENGTH = re.compile(r"\bhow long\b|\bhow much (?:[a-z-]+ )?(?:time|notice)\b", re.I)
_LENGTH = re.compile(
    r"(?:\b\d+(?:[.,]\d+)?(?:\s?(?:-|to)\s?\d+)?|\b(?:one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|eighteen|twenty-four))[\s-](?:business |working |calendar )?"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?|quarters?)\b"
    # "less than half a day a month", "a full day": a length in words
    r"|\bhalf[\s-](?:an? )?(?:hour|day|week|month|year)\b|\ba (?:full|half)[\s-](?:day|week)\b",
    re.I,
)
# "How much money can I get?", "how much does a Senior CSM earn?": any amount of money answers,
# whatever it is said to be of; and only an amount of money does.
_MONEY_WORDS = frozenset({"money", "cash", "funding"})
# Not "how much of my course is paid" (a share) nor "how much time ... to make Senior" (a span).
_ASKS_MONEY = re.compile(
    r"\bhow much (?!of\b|time\b)(?:\w+ ){0,5}?(?:earn|cost|charge|paid)\w*\b|"
    # "what does it cost?", "what's the price of CCSM Level 2?", "how expensive is it?"
    r"\bwhat (?:does|do|will|would) (?:\w+ ){1,5}?cost\b|"
    # "what's PostHog's share price?"; not "what's the price uplift?" (a percentage)
    r"\bwhat(?:'s|\u2019s| is| are) (?:the |\w+(?:'s|\u2019s) )?(?:\w+ )?(?:cost|price|fee)s?\b"
    r"(?! (?:uplift|increase|rise|change))|\bhow expensive\b",
    re.I,
)
_MONEY = re.compile(
    r"[$\u20ac\u00a3]\s?\d|\b(?:USD|EUR|GBP|SGD|CAD|AUD)\s?\d|\d[\d,.]*k?\s?(?:USD|EUR|GBP|SGD|CAD|AUD)\b"
)
_FIGURE_OR_WORD = re.compile(r"\d[\d,.]*|[a-z]+", re.I)
NEAR_WORDS = 3  # how close a figure stands to the thing it counts
# A role name this long, each word spelt this nearly (rapidfuzz ratio), is the role ("Senoir
# CSM"); words this short must be exact ("I" and "II" are different levels).
MISSPELT_MIN_CHARS = 8
MISSPELT_SCORE = 82  # "senoir"/"senior" 83; "consulting"/"consultant" 80 is a real word
SHORT_WORD = 3

# Words of a family's name that say nothing of it: "Customer Success Operations Job Family".
_FAMILY_FILLER = frozenset({"job", "famili", "famil", "team", "ladder", "level"})


@dataclass(frozen=True)
class AnswerKind:
    """What an answering part must hold for a kind of question: a date, a figure, or a figure
    said of the thing asked about."""

    pattern: re.Pattern[str]
    counted: str = ""  # "account" in "how many accounts"
    exact: bool = False  # held only by what answers ("8-14 accounts", "EUR 1,500"), not "6 months"

    def held_by(self, text: str) -> bool:
        """Whether the text holds this kind of answer."""
        if not self.counted:
            return bool(self.pattern.search(text))
        return figure_near(text, lambda word: singular(word) == self.counted)


def figure_near(text: str, is_thing: Callable[[str], bool]) -> bool:
    """Whether the text states a figure right by a word naming the thing ("8-14 named
    accounts", "the standard price uplift is 5-7%")."""
    words = [w.lower() for w in _FIGURE_OR_WORD.findall(text)]
    figures = [i for i, w in enumerate(words) if w[0].isdigit()]
    things = [i for i, w in enumerate(words) if is_thing(w)] if figures else []
    return any(abs(f - t) <= NEAR_WORDS for f in figures for t in things)


@dataclass(frozen=True)
class Question:
    """What was asked, parsed once; measured against the asker's documents by `measured`."""

    text: str
    tokens: tuple[str, ...]  # its index terms (stemmed), in order
    wants: frozenset[Wants]
    answer_kind: AnswerKind | None  # what an answering part must hold, when that is clear
    numbered: frozenset[str]  # "level 2", "module 3"
    quantities: tuple[Quantity, ...]  # the money and durations it names
    personal: bool  # about the asker ("I", "my", "next")
    levels: tuple[Level, ...] = ()  # the levels it names ("IC2", "Senior")
    roles: tuple[CareerRole, ...] = ()  # the ladder roles it names, in order
    sides: Sides = field(default_factory=Sides)  # a comparison's two sides
    asked_for: str = ""  # the index term of the thing a "what X"/"which X" question asks for
    focus: str = ""  # the asker's own role page, to favour (see Profile.focus)
    lookup: Lookup = field(default_factory=Lookup)  # its words against the visible documents

    @property
    def weights(self) -> dict[str, float]:
        """Each term's rarity among the documents the asker may read."""
        return self.lookup.weights

    @property
    def missing(self) -> tuple[Asked, ...]:
        """What it asks about that none of the asker's documents mentions."""
        return self.lookup.missing

    @property
    def rare_tokens(self) -> tuple[str, ...]:
        """The rare asked-about words (or the documents' words for them) an answer must say."""
        return tuple(a.token for a in self.lookup.rare)

    @functools.cached_property
    def terms(self) -> frozenset[str]:
        """Its index terms as a set."""
        return frozenset(self.tokens)

    @functools.cached_property
    def total_weight(self) -> float:
        """The weight of all its terms: a part saying every one scores 1 on word overlap."""
        return sum(self.weights.get(t, 1.0) for t in self.terms) or 1.0

    @functools.cached_property
    def wanted_levels(self) -> frozenset[tuple[str, float]]:
        """The (track, order) of the levels whose sections answer it: those it names, or the
        next one for "what comes after IC3?" or "I'm an IC2, what next?"."""
        if len(self.levels) == 1 and _AFTER_LEVEL.search(self.text):
            level = self.levels[0]
            return frozenset({(level.track, level.order + 1)})
        return frozenset((level.track, level.order) for level in self.levels)

    def asks(self, kind: Wants) -> bool:
        """Whether it asks for this kind of answer."""
        return kind in self.wants

    def measured(self, lookup: Lookup) -> Question:
        """The question with its words weighed against the asker's documents."""
        return replace(self, lookup=lookup)

    def focused(self, path: str) -> Question:
        """The question with the asker's own role page to favour."""
        return replace(self, focus=path)


def parse(text: str, roles: tuple[CareerRole, ...] = ()) -> Question:
    """Parse a question; `roles` are the ladder roles the asker may read, for naming."""
    wants = {
        kind
        for kind, pattern in (
            (Wants.DATE, _ASKS_DATE),
            (Wants.PERCENTAGE, _ASKS_PERCENT),
            (Wants.REQUIREMENT, _ASKS_REQUIREMENTS),
            (Wants.NEXT_STEP, _NEXT_STEP),
            (Wants.MOVE, _ASKS_MOVE),
            (Wants.COMPARISON, COMPARES),
            (Wants.YES_NO, _YES_NO),
        )
        if pattern.search(text)
    }
    kind = answer_kind(text)
    if kind is not None and kind.pattern in (_FIGURE, _MONEY, _LENGTH):
        wants.add(Wants.FIGURE)
    if kind is not None and kind.pattern is _MONEY:
        wants.add(Wants.MONEY)
    return Question(
        text=text,
        tokens=tuple(tokenize([text], as_ids=False)[0]),
        wants=frozenset(wants),
        answer_kind=kind,
        numbered=frozenset(numbered_names(text)),
        quantities=tuple(q for _, _, q in quantities(text)),
        personal=bool(_PERSONAL.search(text)),
        levels=tuple(levels_in(text)),
        roles=tuple(named_roles(text, list(roles))) if roles else (),
        sides=compared(text),
        asked_for=asked_for(text),
    )


def asked_for(question: str) -> str:
    """The index term of what a "what X" or "which X" question asks for: "train" in "What
    training does a Renewals Manager do?", "channel" in "Which Slack channels..."; "" if none."""
    for match in _WHAT_THING.finditer(question):
        words = [
            w
            for w in match.group(1).split()
            if w.lower() not in STOPWORDS_EN_PLUS and w.lower() not in _NOT_A_THING
        ]
        tokens = tokenize([words[-1]], as_ids=False)[0] if words else []
        if tokens:
            return tokens[0]
    return ""


def answer_kind(question: str) -> AnswerKind | None:
    """What an answering part must hold for this kind of question, if the kind is clear."""
    if _ASKS_DATE.search(question):
        return AnswerKind(_DATE)
    asked = _ASKS_AMOUNT_OF.search(question)
    if (asked and asked.group(1).lower() in _MONEY_WORDS) or _ASKS_MONEY.search(question):
        return AnswerKind(_MONEY, exact=True)
    if _ASKS_LENGTH.search(question):
        return AnswerKind(_LENGTH, exact=True)
    if asked and asked.group(1).lower() not in _NOT_A_THING:
        return AnswerKind(_FIGURE, singular(asked.group(1).lower()), exact=True)
    if _ASKS_FIGURE.search(question):
        return AnswerKind(_FIGURE)
    return None


def named_roles(question: str, roles: list[CareerRole]) -> list[CareerRole]:
    """Every role the question names, in the order it names them."""
    found: list[tuple[int, int, CareerRole]] = []
    for role in roles:
        for name in role.names:
            # "CSM I" must not match inside "CSM II": whole words, longest name wins at a spot.
            pattern = r"(?<![\w-])" + re.escape(name).replace(r"\ ", r"\s+") + r"(?![\w-])"
            for match in re.finditer(pattern, question, re.IGNORECASE):
                found.append((match.start(), -len(match.group()), role))
    taken: list[tuple[int, int]] = []
    named: list[CareerRole] = []
    for start, negative_length, role in sorted(found, key=lambda hit: hit[:2]):
        end = start - negative_length
        overlaps = [(b, s) for b, s in taken if start < s and b < end]
        if any(spot != (start, end) for spot in overlaps):
            continue  # inside a longer name found at the same place ("CSM I" in "CSM II")
        # The very same words naming two roles ("IC2" of two job families) name both.
        taken.append((start, end))
        if role not in named:
            named.append(role)
    if named:
        # "IC2" is a level of several job families: the one the question names comes first
        # ("as an IC2 support engineer" -> Support Engineering's IC2).
        return sorted(named, key=lambda role: not _names_family(question, role))
    misspelt = _misspelt_role(question, roles)
    return [misspelt] if misspelt else []


def _names_family(question: str, role: CareerRole) -> bool:
    """Whether the question says the role's job family ("support engineer" for "Support
    Engineering"), word stems compared."""
    if not role.family:
        return False
    family = set(tokenize([role.family], as_ids=False)[0]) - _FAMILY_FILLER
    return bool(family) and family <= set(tokenize([question], as_ids=False)[0])


def _misspelt_role(question: str, roles: list[CareerRole]) -> CareerRole | None:
    """The role whose long name the question spells nearly, word for word ("Senoir CSM");
    short words ("I", "II", "Sr") must match exactly, so levels are never confused."""
    words = [m.group().lower() for m in re.finditer(r"[\w-]+", question)]
    for start in range(len(words)):
        for role in roles:
            for name in role.names:
                wanted = name.lower().split()
                # Ids and one-word names are matched exactly only: "manager" is no role.
                if len(wanted) < 2 or len(name) < MISSPELT_MIN_CHARS:
                    continue
                run = words[start : start + len(wanted)]
                if len(run) == len(wanted) and all(map(_near, run, wanted)):
                    return role
    return None


def _near(word: str, wanted: str) -> bool:
    if len(wanted) <= SHORT_WORD:
        return word == wanted
    return fuzz.ratio(word, wanted) >= MISSPELT_SCORE


