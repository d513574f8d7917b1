"""Answerability: what a question asks about that the documents open to this persona lack.

Every figure here comes from the persona's own keyword level: what a CSM or a candidate is told
never depends on a document they may not read (tests/answer/test_non_interference.py)."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field, replace

import numpy as np
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_EN_PLUS
from langchain_core.embeddings import Embeddings
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from coach.answer.vectors import embed_units
from coach.answer.words import PHRASING, is_english_word, singular
from coach.index.keyword import KeywordLevel, tokenize

# A word whose own embedding is this close to its question's is what the question is about
# ("sick" in "how many sick days do I get?"), not phrasing ("exactly", "became", "my").
SALIENT = 0.4
# The bar for a word no document has, measured with the noun after it ("sick days"): higher,
# since a phrase says more than its word and phrasing ("held against") must not pass.
PHRASE_SALIENT = 0.48
# ... and the phrase must be this much closer than its other word alone: "company car" is about
# the car (0.53 against 0.40 for "company"), "says certification" not about saying.
PHRASE_GAIN = 0.12
# A word at least this close to a word of the passages found says the same in other words.
SYNONYM = 0.7
# ... and a verb form ("driving", "paid") must be closer still: "car" is 0.72 from "driving" in
# "driving platform adoption", while "coworker" and "colleague" are 0.78, "lunch" and "meal" 0.71.
VERB_FORM_SYNONYM = 0.8
_VERB_FORM = re.compile(r".{3,}(?:ing|ed)$")
# A word in at most this many passages (or this share of them) is rare: an answer must say it.
RARE_COUNT = 3
RARE_SHARE = 0.01
# An asked token this long is said by a longer word it starts ("admin" by "administrator").
MIN_PREFIX = 5
# Words shorter than this are not named or weighed: "hr", "ok", "de".
MIN_LETTERS = 3
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]")
# A question's words may hold digits: "401k" (written "401(k)" too) is asked about like any word;
# a bare number ("2026") or span ("70-20-10") is not a word.
_ASKED_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019-]*[A-Za-z0-9]")
_LETTER_IN_PARENS = re.compile(r"(\d)\(([A-Za-z])\)")
# A named gap reads better with the word after it when that word looks like a noun: "sick days",
# "parental leave", "vesting schedule"; not "weather going".
_NOT_A_NOUN = re.compile(
    r".*(ing|ed|ly)$|^(do|does|did|get|go|can|could|would|should|my|your"
    r"|within|since|per|without|across|toward|towards|upon)$"
)
# Words that put a question before its subject and verb: "does Lumenfield pay for ...?"
_AUXILIARIES = frozenset({"do", "does", "did", "will", "would", "can", "could"})
# "Travelling around X", "moving to X", "relocating from X": X is where the asker goes.
_GOING = re.compile(r"^(travel|trip|mov|relocat|nomad|visit)")
_PLACE_PREPOSITIONS = frozenset({"to", "around", "across", "through", "in", "from", "between"})
# Words that negate the verb after them: "don't click", "never showed up". Not "no" nor "isn't":
# "no parental leave?" and "isn't there parental leave?" ask about a subject.
_NEGATIONS = frozenset({"not", "never", "dont", "doesnt", "didnt", "cant", "cannot", "wont"})
_NEGATED_BEING = frozenset({"isn't", "aren't", "wasn't", "weren't", "ain't"})
# ... and what may stand between the negation and its verb: "don't really click".
_ADVERBS = frozenset({"just", "really", "even", "ever", "always", "quite"})


@dataclass(frozen=True)
class Asked:
    """A word of the question, its index token and the phrase that names it in a refusal."""

    word: str
    token: str
    phrase: str


@dataclass(frozen=True)
class Lookup:
    """The question's words measured against the documents one persona may read."""

    weights: dict[str, float] = field(default_factory=dict)  # token -> rarity (idf) among them
    missing: tuple[Asked, ...] = ()  # what it asks about that none of them mentions
    rare: tuple[Asked, ...] = ()  # what it asks about that few of them mention

    def gap(self, asked: tuple[Asked, ...] = ()) -> str:
        """What the documents open to the persona do not mention, as a phrase for a refusal."""
        phrases = [a.phrase for a in asked or self.missing]
        return " and ".join(list(dict.fromkeys(phrases))[:2])

    def uncovered(self, text: str) -> tuple[Asked, ...]:
        """The rare asked-about words the text does not contain (a longer form counts:
        "administrator" covers "admin"), unless it says a rarer word of the question."""
        present = set(tokenize([text], as_ids=False)[0])
        missed = [a for a in self.rare if not any(_covers(t, a.token) for t in present)]
        # Saying the question's rarest words is saying what it asks about: "a formal career
        # ladder or checklist, to get promoted?" is answered by the page's "checklist" passage.
        rarest_said = max((w for t, w in self.weights.items() if t in present), default=0.0)
        return tuple(a for a in missed if self.weights.get(a.token, math.inf) > rarest_said)

    def explained_by(self, texts: list[str], embeddings: Embeddings) -> Lookup:
        """Missing words the texts say in other words ("colleague" for "coworker") stop being
        missing; their other word becomes one the answer must say, like a rare word."""
        if not self.missing:
            return self
        words = passage_words(texts)
        if not words:
            return self
        vocabulary = np.array(embed_units(embeddings, words))
        asked = np.array(embed_units(embeddings, [singular(a.word.lower()) for a in self.missing]))
        # Each word measured against its own bar: a verb form's is higher.
        handicap = np.array(
            [VERB_FORM_SYNONYM - SYNONYM if _VERB_FORM.match(w) else 0.0 for w in words]
        )
        similarity = asked @ vocabulary.T - handicap
        kept: list[Asked] = []
        said_as: list[Asked] = []
        for a, row in zip(self.missing, similarity, strict=True):
            best = int(row.argmax())
            token = tokenize([words[best]], as_ids=False)[0]
            if row[best] < SYNONYM or not token:
                kept.append(a)
            else:
                said_as.append(replace(a, token=token[0]))
        return replace(self, missing=tuple(kept), rare=self.rare + tuple(said_as))


def passage_words(texts: list[str]) -> list[str]:
    """The passages' words that may say a missing word in other words, sorted."""
    # Content words only: stop words are never the other word for a topic, and each word
    # embedded is time the asker waits for.
    return sorted(
        {
            form
            for text in texts
            for w in _WORD.findall(text)
            if len(w) > MIN_LETTERS and w.lower() not in STOPWORDS_EN_PLUS
            for form in _forms(w.lower())
        }
    )


def look_up(
    question: str, vector: list[float], visible: KeywordLevel, embeddings: Embeddings
) -> Lookup:
    """Weigh the question's terms by rarity and find the salient ones the documents lack, all
    measured on the keyword level of the documents the asker may read."""
    written = _LETTER_IN_PARENS.sub(r"\1\2", question)
    words = [w for w in _ASKED_WORD.findall(written) if any(c.isalpha() for c in w)]
    tokens = tokenize(words, as_ids=False) if words else []  # one list of tokens per word
    counts = visible.doc_counts([t[0] for t in tokens if t])
    total = max(visible.size, 1)
    weights = {t: _idf(c, total) for t, c in counts.items()}
    kinds: dict[int, str] = {}
    for i, (word, token) in enumerate(zip(words, tokens, strict=True)):
        if not token or len(word) < MIN_LETTERS:
            continue
        count = counts[token[0]]
        if count == 0 and not _spelled_like_indexed(word, token[0], visible.vocabulary):
            if not (
                _has_a_said_alternative(words, tokens, counts, i)
                or _asked_action(words, i)
                or _where_the_asker_goes(words, i)
                or _negated_verb(words, i)
            ):
                kinds[i] = "missing"
        elif 0 < count <= max(RARE_COUNT, RARE_SHARE * total) and not _excluded(words, i):
            kinds[i] = "rare"
    salient = _salient(words, list(kinds), vector, embeddings)
    # A word no document has, or few, may still be the asked-about thing as part of a phrase
    # ("sick" in "sick days", "car" in "company car"), measured with the noun after it or the
    # word before it against a higher bar, and only when the word, not its companion, is what
    # makes the phrase salient ("says certification" is about certifications).
    unsure = [i for i, kind in kinds.items() if kind == "missing" and i not in salient]
    named: dict[int, str] = {}
    for i, (phrase, companion) in _phrases(words, unsure):
        if i not in named:
            phrase_bar = _similarity([phrase, companion], vector, embeddings)
            if phrase_bar[0] >= PHRASE_SALIENT and phrase_bar[0] - phrase_bar[1] >= PHRASE_GAIN:
                named[i] = phrase
    salient |= set(named)
    found: dict[str, list[Asked]] = {"missing": [], "rare": []}
    for i, kind in kinds.items():
        if i in salient:
            found[kind].append(Asked(words[i], tokens[i][0], named.get(i) or _phrase(words, i)))
    return Lookup(weights, tuple(found["missing"]), tuple(found["rare"]))


def rare_asked_about(
    question: str, vector: list[float], visible: KeywordLevel, embeddings: Embeddings
) -> set[str]:
    """The index tokens of the question's words that few visible passages say and that carry its
    meaning ("Thriving" in "how do I go from Established to Thriving?"; not "compare")."""
    words = [w for w in _ASKED_WORD.findall(question) if len(w) >= MIN_LETTERS]
    tokens = tokenize(words, as_ids=False) if words else []
    counts = visible.doc_counts([t[0] for t in tokens if t])
    rare_bar = max(RARE_COUNT, RARE_SHARE * visible.size)
    rare = [i for i, t in enumerate(tokens) if t and 0 < counts[t[0]] <= rare_bar]
    return {tokens[i][0] for i in _salient(words, rare, vector, embeddings)}


def _covers(said: str, asked: str) -> bool:
    """Whether a said token is the asked one or a longer form of it ("administrator" for
    "admin"); a short stem is no word's start ("car" is not said by "career")."""
    return said == asked or (len(asked) >= MIN_PREFIX and said.startswith(asked))


def _excluded(words: list[str], i: int) -> bool:
    """Whether the question asks about the case without this word ("can my pay go up without
    being promoted?"): an answer need not say it."""
    before = [w.lower() for w in words[max(0, i - 2) : i]]
    return "without" in before


def _asked_action(words: list[str], i: int) -> bool:
    """Whether the word is the verb of a "does X pay for Y?" question: what is asked about is
    Y, and the documents may say the paying in other words ("we fund them")."""
    following = words[i + 1].lower() if i + 1 < len(words) else ""
    before = {w.lower() for w in words[max(0, i - 3) : i]}
    return following == "for" and bool(before & _AUXILIARIES)


def _where_the_asker_goes(words: list[str], i: int) -> bool:
    """Whether the word names where the asker travels or moves ("travelling around South
    America", "relocating to Porto"): the place is the case, the policy is what is asked about,
    and a travel or relocation policy holds wherever the asker goes."""
    before = [w.lower() for w in words[max(0, i - 4) : i]]
    # The place's own words may come first ("South" of "South America").
    at = next((j for j in range(len(before) - 1, -1, -1) if before[j] in _PLACE_PREPOSITIONS), -1)
    return at >= 0 and len(before) - at <= 3 and any(map(_GOING.match, before[:at]))


def _negated_verb(words: list[str], i: int) -> bool:
    """Whether the word is a verb the question negates ("my mentor and I just don't click"):
    how the asker puts their case, not the subject the documents must cover."""
    before = [w.lower().replace("\u2019", "'") for w in words[max(0, i - 2) : i]]
    if len(before) == 2 and before[1] in _ADVERBS:
        before = before[:1]
    negation = before[-1] if before else ""
    return negation in _NEGATIONS or (negation.endswith("n't") and negation not in _NEGATED_BEING)


def _has_a_said_alternative(
    words: list[str], tokens: list[list[str]], counts: dict[str, int], i: int
) -> bool:
    """Whether the word is one of two alternatives ("a career ladder or checklist") and the
    documents say the other: either answers the question."""
    for step in (2, -2):
        other = i + step
        between = (i + other) // 2
        if 0 <= other < len(words) and words[between].lower() == "or" and tokens[other]:
            said = counts.get(tokens[other][0], 0) > 0
            if said:
                return True
    return False


def _idf(count: int, total: int) -> float:
    return math.log(1 + (total - count + 0.5) / (count + 0.5))


def _spelled_like_indexed(word: str, token: str, vocabulary: list[str]) -> bool:
    """An abbreviation ("promo") or a misspelling ("certfication") of an indexed word."""
    if len(token) >= 4:
        at = bisect.bisect_left(vocabulary, token)
        if at < len(vocabulary) and vocabulary[at].startswith(token):
            return True
    # A word of its own is no misspelling of its neighbour: "strike" is not "stroke", nor
    # "stock" "stuck".
    if len(token) < 5 or not vocabulary or is_english_word(word):
        return False
    cutoff = 1 if len(token) < 8 else 2
    near = process.extractOne(token, vocabulary, scorer=Levenshtein.distance, score_cutoff=cutoff)
    return near is not None


def _salient(
    words: list[str],
    indexes: list[int],
    vector: list[float],
    embeddings: Embeddings,
    bar: float = SALIENT,
) -> set[int]:
    """Which of these words carry the question's meaning, judged by the embedding model.

    Measuring every word with its noun, or by how far the question moves without it, also
    flagged phrasing ("happens", "until") and refused answerable questions."""
    if not indexes:
        return set()
    vectors = np.array(embed_units(embeddings, [words[i].lower() for i in indexes]))
    similarity = vectors @ np.array(vector)
    return {i for i, s in zip(indexes, similarity, strict=True) if s >= bar}


def _forms(word: str) -> tuple[str, ...]:
    """The word as written, and its singular when it differs: the model places a singular
    nearer its synonyms ("lunch" and "meal" are closer than "lunch" and "meals")."""
    one = singular(word)
    return (word,) if one == word else (word, one)


def _phrases(words: list[str], indexes: list[int]) -> list[tuple[int, tuple[str, str]]]:
    """Each word with the noun after it, then with the word before it ("company car"), and
    the companion word alone; only where there is one."""
    pairs = []
    for i in indexes:
        after = _phrase(words, i)
        if after != words[i]:
            pairs.append((i, (after, after.split(" ", 1)[1])))
    for i in indexes:
        before = words[i - 1] if i else ""
        if len(before) >= MIN_LETTERS and before.lower() not in STOPWORDS_EN:
            pairs.append((i, (f"{before} {words[i]}", before)))
    return pairs


def _similarity(texts: list[str], vector: list[float], embeddings: Embeddings) -> np.ndarray:
    return np.array(embed_units(embeddings, [t.lower() for t in texts])) @ np.array(vector)


def _phrase(words: list[str], i: int) -> str:
    """The word as asked, with the noun after it when there is one ("sick days")."""
    following = words[i + 1] if i + 1 < len(words) else ""
    lowered = following.lower()
    if (
        len(following) >= MIN_LETTERS
        and lowered not in STOPWORDS_EN_PLUS  # not "sabbatical after"
        and not _NOT_A_NOUN.match(lowered)
    ):
        return f"{words[i]} {following}"
    return words[i]


def subjects_of(questions: list[str], vectors: np.ndarray, embeddings: Embeddings) -> list[str]:
    """What each question is about, as a short phrase ("parental leave", "Renewals rotation"):
    its content word nearest the whole question (its vector), joined with a neighbour when the
    pair is nearer still. Judged from the question alone: no document decides it. Two batches
    of embeddings for all the questions: HR's gap view asks for hundreds at once."""
    worded = [_ASKED_WORD.findall(_LETTER_IN_PARENS.sub(r"\1\2", q)) for q in questions]
    contents = [[i for i, w in enumerate(words) if _is_content(w)] for words in worded]
    units = sorted({w.lower() for words in worded for w in words if _is_content(w)})
    near = dict(zip(units, embed_units(embeddings, units), strict=True))
    candidates: list[list[str]] = []
    for words, content, vector in zip(worded, contents, vectors, strict=True):
        if not content:
            candidates.append([])
            continue
        best = max(content, key=lambda i: float(np.array(near[words[i].lower()]) @ vector))
        pairs = [(a, b) for a, b in ((best - 1, best), (best, best + 1)) if a >= 0]
        candidates.append(
            [words[best]]
            + [f"{words[a]} {words[b]}" for a, b in pairs if a in content and b in content]
        )
    phrases = sorted({c.lower() for found in candidates for c in found})
    phrase_vectors = dict(zip(phrases, embed_units(embeddings, phrases), strict=True))
    return [
        max(found, key=lambda c: float(np.array(phrase_vectors[c.lower()]) @ vector))
        if found
        else " ".join(question.split()).rstrip("?!. ")
        for question, found, vector in zip(questions, candidates, vectors, strict=True)
    ]


def _is_content(word: str) -> bool:
    """A word that may name a subject: not a stop word, not the question's phrasing."""
    lowered = word.lower()
    return (
        len(word) >= MIN_LETTERS
        and any(c.isalpha() for c in word)
        and lowered not in STOPWORDS_EN_PLUS
        and lowered not in PHRASING
    )
