"""Level structure: a document's parallel level sections ("Senior CSM", "Staff CSM"; "IC2", "IC3").

Real ladder pages describe each level in sibling sections that look alike. Found here from the
Markdown's heading tokens (markdown-it), each section is placed on its ladder (the job family),
at a level with an order, and given a kind (responsibilities, requirements...), so answers can
quote the level asked about and the career engine can infer a ladder without front matter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

IC, MANAGEMENT = "ic", "management"
# Codes with a number: IC3, L4, M5, P2, E6 ("M" codes are managers').
_CODE = re.compile(r"\b(IC|[LMPE])\s?-?(\d{1,2})\b")
_GRADE = re.compile(r"\b(?:job\s+)?grade\s+(\d{1,2}(?:\.\d)?)\b", re.I)
_LEVEL = re.compile(r"\blevel\s+(\d{1,2})\b", re.I)
_ROMAN = re.compile(r"\b[A-Z][A-Za-z]+\s+(I{1,3}|IV|V|VI)\b")  # "CSM II", "Engineer III"
# The kinds of document (front matter's doc_type) that are about roles and their levels.
_LADDER_DOC_TYPE = re.compile(r"role|ladder|level|job|career|framework|famil", re.I)
_ROMAN_VALUE = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
# Management titles, from the title's head: "Manager, CSM" or "Director of ..." is a manager;
# "Customer Success Manager" is not.
_MANAGEMENT = (
    (re.compile(r"^(?:vice president|vp|svp|chief)\b", re.I), "Vice President", 14.0),
    (re.compile(r"^(?:senior|sr\.?)\s+director\b", re.I), "Senior Director", 13.0),
    (re.compile(r"^(?:director|head)\b", re.I), "Director", 12.0),
    (re.compile(r"^(?:senior|sr\.?)\s+manager\b", re.I), "Senior Manager", 11.0),
    (re.compile(r"^manager\b", re.I), "Manager", 10.0),
)
# ... said inside a question ("as a Senior Manager"); a bare "manager" is too often a role's noun
# ("Customer Success Manager") to count there.
_MANAGEMENT_IN_TEXT = (
    (re.compile(r"\b(?:vice president|vp)\b", re.I), "Vice President", 14.0),
    (re.compile(r"\b(?:senior|sr\.?)\s+director\b", re.I), "Senior Director", 13.0),
    (re.compile(r"(?<!senior )(?<!sr )(?<!sr\. )\bdirector\b", re.I), "Director", 12.0),
    (re.compile(r"\b(?:senior|sr\.?)\s+manager\b", re.I), "Senior Manager", 11.0),
)
# Individual contributors' seniority words, in order.
_SENIORITY = (
    (re.compile(r"\b(?:associate|junior|jr\.?)\b", re.I), "Associate", 1.0),
    (re.compile(r"\bintermediate\b", re.I), "Intermediate", 2.0),
    (re.compile(r"\b(?:senior|sr\.?)\b", re.I), "Senior", 3.0),
    (re.compile(r"\bstaff\b", re.I), "Staff", 4.0),
    (re.compile(r"\bprincipal\b", re.I), "Principal", 5.0),
    (re.compile(r"\b(?:distinguished|fellow)\b", re.I), "Distinguished", 6.0),
)
PLAIN_ORDER = 2.0  # a title with no seniority word among ones that have one: "the" role
# What a section under a level says, by the words of its heading.
_KINDS = (
    ("responsibilities", re.compile(r"responsibilit|duties|what you.?ll do", re.I)),
    ("requirements", re.compile(r"requirement|qualification|what you.?ll need|skills", re.I)),
    ("job grade", re.compile(r"\bgrade\b", re.I)),
    ("performance indicators", re.compile(r"performance indicator|\bkpi|metric|target|sla", re.I)),
    ("impact", re.compile(r"\bimpact\b", re.I)),
    ("scope", re.compile(r"\bscope\b", re.I)),
    ("execution", re.compile(r"\bexecution\b", re.I)),
    ("expectations", re.compile(r"expectation|competenc", re.I)),
    ("promotion", re.compile(r"promot|progress|next level|moving up", re.I)),
)
_PARENTHESES = re.compile(r"\([^)]*\)")
# A heading that only gathers the levels: they belong to the document's own family.
_GENERIC_PARENT = re.compile(
    r"^(?:the\s+)?(?:job\s+|career\s+)?(?:levels?|roles?|grades?|positions?|titles?|ladder)\b", re.I
)
_NOT_A_NAME = re.compile(r"[^a-z0-9 ]+")


@dataclass(frozen=True)
class Level:
    """A level a title names: its name, order on its ladder, and track."""

    name: str
    order: float
    track: str = IC


@dataclass(frozen=True)
class Placement:
    """Where a section stands: on which ladder, at which level, saying what."""

    ladder: str  # the job family: "Customer Success Management"
    role: str  # the level's own heading: "Senior CSM"
    level: str  # "Senior", "IC3", "Job Grade 7"
    order: float
    track: str  # "ic" | "management"
    kind: str  # "responsibilities", "requirements"... ("" for the level's own text)

    def as_metadata(self) -> dict[str, str | float]:
        """The placement as chunk metadata (Chroma keeps scalars only)."""
        # Prefixed: front matter's own "level" and "track" describe a role page, not a section.
        return {
            "section_ladder": self.ladder,
            "section_role": self.role,
            "section_level": self.level,
            "section_level_order": self.order,
            "section_track": self.track,
            "section_kind": self.kind,
        }


def holds_levels(doc_type: str | None) -> bool:
    """Whether a document of this kind may describe levels of a ladder: any page that does not
    say (most real ones), and those whose front matter names a kind about roles. A catalog's
    "CCSM Level 1, 2, 3" are certifications, not rungs."""
    return not doc_type or bool(_LADDER_DOC_TYPE.search(doc_type))


def level_of(title: str) -> Level | None:
    """The level a heading or role title names, if it names one."""
    plain = title.strip()
    if code := _CODE.search(plain):
        prefix = code.group(1).upper()
        track = MANAGEMENT if prefix == "M" else IC
        return Level(f"{prefix}{code.group(2)}", float(code.group(2)), track)
    for pattern, name, order in _MANAGEMENT:
        if pattern.search(plain):
            return Level(name, order, MANAGEMENT)
    if grade := _GRADE.search(plain):
        return Level(f"Job Grade {grade.group(1)}", float(grade.group(1)))
    if level := _LEVEL.search(plain):
        return Level(f"Level {level.group(1)}", float(level.group(1)))
    if roman := _ROMAN.search(plain):
        return Level(roman.group(1), float(_ROMAN_VALUE[roman.group(1)]))
    for pattern, name, order in _SENIORITY:
        if pattern.search(plain):
            return Level(name, order)
    return None


def levels_in(text: str) -> list[Level]:
    """Every level a question names, in order ("IC4 vs IC3": both; "a Senior CSM": Senior)."""
    codes = [
        Level(f"{m.group(1).upper()}{m.group(2)}", float(m.group(2)),
              MANAGEMENT if m.group(1).upper() == "M" else IC)
        for m in _CODE.finditer(text)
    ]
    if codes:
        return codes
    words = [
        (m.start(), Level(name, order))
        for pattern, name, order in _SENIORITY
        for m in pattern.finditer(text)
    ]
    leads = [
        (m.start(), Level(name, order, MANAGEMENT))
        for pattern, name, order in _MANAGEMENT_IN_TEXT
        for m in pattern.finditer(text)
    ]
    if leads:  # "Senior Manager" is a manager's level, not a senior one's
        return [level for _, level in sorted(leads, key=lambda w: w[0])]
    if words:
        return [level for _, level in sorted(words, key=lambda w: w[0])]
    level = level_of(text)
    return [level] if level else []


def only_a_level(title: str) -> bool:
    """Whether a title names a level and nothing else: "Senior", "IC3", "Junior (L1)"."""
    bare = _level_words_removed(_PARENTHESES.sub("", title))
    return level_of(title) is not None and not _NOT_A_NAME.sub("", bare.lower()).strip()


def family_of(heading: str, document_title: str) -> str:
    """The ladder a levels table under this heading describes: the heading's, unless it only
    gathers levels ("Levels", "Job grades"): then the document's."""
    if not heading or _GENERIC_PARENT.search(heading):
        return document_title
    return heading


def kind_of(title: str) -> str:
    """What a section under a level says, from its heading ("" when it does not say)."""
    return next((kind for kind, pattern in _KINDS if pattern.search(title)), "")


@dataclass(frozen=True)
class _Heading:
    at: int  # token index of its heading_open
    depth: int
    title: str
    parent: int | None  # token index of the heading it is under


def placements(tokens: Sequence[Token], document_title: str) -> dict[int, Placement]:
    """Each heading (by its token index) inside a parallel level section, placed."""
    headings = _headings(tokens)
    by_at = {h.at: h for h in headings}
    levels: dict[int, tuple[Level, str, str]] = {}  # heading -> its level, ladder and role
    siblings: dict[int | None, list[_Heading]] = {}
    for heading in headings:
        siblings.setdefault(heading.parent, []).append(heading)
    grades = _stated_grades(tokens, headings)
    for parent, group in siblings.items():
        found = _parallel(group, grades)
        if not found:
            continue
        ladder = _ladder_name(group, found, by_at.get(parent) if parent is not None else None)
        role, role_level = "", None
        for heading, level in found.items():
            # A flat page puts "Senior X Job Grade" beside "Senior X": that level's section.
            if not kind_of(heading.title) or level != role_level:
                role, role_level = heading.title, level
            levels[heading.at] = (level, ladder or document_title, role)
    placed: dict[int, Placement] = {}
    for heading in headings:
        owner = heading
        while owner is not None and owner.at not in levels:
            owner = by_at.get(owner.parent) if owner.parent is not None else None
        if owner is None:
            continue
        level, ladder, role = levels[owner.at]
        kind = kind_of(heading.title)
        placed[heading.at] = Placement(ladder, role, level.name, level.order, level.track, kind)
    return placed


def _headings(tokens: Sequence[Token]) -> list[_Heading]:
    """Every heading with the heading it is under."""
    found: list[_Heading] = []
    open_at: list[_Heading] = []  # the current path, shallowest first
    for i, token in enumerate(tokens):
        if token.type != "heading_open" or token.level != 0 or i + 1 >= len(tokens):
            continue
        depth = int(token.tag[1])
        while open_at and open_at[-1].depth >= depth:
            open_at.pop()
        parent = open_at[-1].at if open_at else None
        heading = _Heading(i, depth, tokens[i + 1].content.strip(), parent)
        found.append(heading)
        open_at.append(heading)
    return found


def _parallel(group: list[_Heading], grades: dict[int, float]) -> dict[_Heading, Level]:
    """The siblings that are levels of one ladder: at least two distinct levels; a sibling
    without a level word joins when its title is another's without that word ("Customer
    Success Engineer" beside "Senior Customer Success Engineer"), or when its section states a
    job grade as theirs do: placed among them by that grade ("Customer Success Operations
    Specialist", grade 5, below the Intermediate Analyst's 6)."""
    named = {h: level for h in group if (level := level_of(h.title)) is not None}
    if len({(level.track, level.order) for level in named.values()}) < 2:
        return {}
    stems = {_stem(h.title) for h in named}
    graded = [  # an individual contributor's grade places it among theirs
        (grades[h.at], level.order)
        for h, level in named.items()
        if h.at in grades and level.track == IC
    ]
    for heading in group:
        if heading in named or kind_of(heading.title) != "":
            continue
        if _stem(heading.title) in stems:
            named[heading] = Level(heading.title, PLAIN_ORDER)
        elif heading.at in grades and (order := _order_at(grades[heading.at], graded)):
            named[heading] = Level(heading.title, order)
    return dict(sorted(named.items(), key=lambda item: item[0].at))


def _order_at(grade: float, graded: list[tuple[float, float]]) -> float | None:
    """A level's order from its grade, among (grade, order) pairs of the levels named around
    it: theirs at an equal grade, else between the nearest below and above, one past the end
    beyond them. None when no level beside it states a grade."""
    same = [order for g, order in graded if g == grade]
    below = [order for g, order in graded if g < grade]
    above = [order for g, order in graded if g > grade]
    if same:
        return same[0]
    if below and above:
        return (max(below) + min(above)) / 2
    if below or above:
        return max(below) + 1 if below else max(min(above) - 1, 0.5)
    return None


def _stated_grades(tokens: Sequence[Token], headings: list[_Heading]) -> dict[int, float]:
    """The job grade each heading's own text states ("The Senior Analyst is a grade 7"), or its
    "Job Grade" subsection's, by the heading's token index. Deeper sections' grades are their
    own: "Specialties" does not take its first specialty's."""
    grades: dict[int, float] = {}
    ends = [h.at for h in headings[1:]] + [len(tokens)]
    for heading, end in zip(headings, ends[: len(headings)], strict=True):
        owner = heading.at
        if kind_of(heading.title) == "job grade" and heading.parent is not None:
            owner = heading.parent
        if owner in grades:
            continue
        for token in tokens[heading.at + 2 : end]:  # past the heading's own inline title
            if token.type == "inline" and (grade := _GRADE.search(token.content)):
                grades[owner] = float(grade.group(1))
                break
    return grades


def _ladder_name(
    group: list[_Heading], found: dict[_Heading, Level], parent: _Heading | None
) -> str:
    """The family the levels belong to ("" for the document's own): levels straight under the
    document or under a heading like "Levels" are the document's; under another heading
    ("Specialties", "Support Engineering"), the name they share once their level words are gone
    ("Customer Success Engineer"), else that heading."""
    if parent is None or _GENERIC_PARENT.search(parent.title):
        return ""
    stems = {_stem(h.title) for h in found if not kind_of(h.title)}
    if len(stems) == 1 and (stem := next(iter(stems))):
        shared = next(h for h in found if _stem(h.title) == stem and not kind_of(h.title))
        return _without_level(_PARENTHESES.sub("", shared.title))
    return parent.title


def _without_level(title: str) -> str:
    """The title without its level words and codes, as written: "Customer Success Engineer"."""
    return _level_words_removed(title) or title


def _level_words_removed(title: str) -> str:
    """The title without its level words and codes ("" when it is nothing else)."""
    text = _CODE.sub("", title)
    for pattern, _, _ in (*_MANAGEMENT, *_SENIORITY):
        text = pattern.sub("", text)
    text = _GRADE.sub("", _LEVEL.sub("", text))
    text = re.sub(r"\b(I{1,3}|IV|V|VI)\b", "", text)
    return " ".join(text.replace(",", " ").split()).strip(" -:")


def _stem(title: str) -> str:
    """A title without level words, parentheses or punctuation, lower-cased: how siblings of
    one family are told apart from other sections."""
    bare = _without_level(_PARENTHESES.sub("", title)).lower()
    return " ".join(_NOT_A_NAME.sub(" ", bare).split())
