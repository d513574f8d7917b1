"""Amounts and durations: match the ones in a question to the ranges and tiers a rule states."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Durations are compared in months, money in its own currency.
_MONTHS_PER = {"day": 1 / 30, "week": 12 / 52, "month": 1.0, "quarter": 3.0, "year": 12.0}
_CURRENCY_WORDS = {
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "$": "USD",
    "sgd": "SGD",
    "gbp": "GBP",
    "£": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
}
_NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_CURRENCY = r"(eur|usd|sgd|gbp|€|\$|£)"
_MONEY_BEFORE = re.compile(rf"{_CURRENCY}\s?{_NUMBER}(k)?\b", re.IGNORECASE)
_MONEY_AFTER = re.compile(rf"\b{_NUMBER}(k)?\s?(eur|euros?|usd|dollars?|sgd|gbp|pounds?)\b", re.I)
_UNIT = r"(day|week|month|quarter|year)s?\b"
_DASH = r"(?:-|\u2013|to|and)"
_DURATION = re.compile(rf"\b{_NUMBER}\s?{_DASH}?\s?{_NUMBER}?(\+)?\s?{_UNIT}", re.IGNORECASE)
_RANGE_JOIN = re.compile(rf"\s*{_DASH}\s*")
# "EUR 1,000 (USD 1,100 / SGD 1,500)": the equivalents share the first amount's bound.
_EQUIVALENT = re.compile(r"^[\s(/,]*$")
_BOUND_WORDS = {
    "above": ">",
    "over": ">",
    "more than": ">",
    "exceeding": ">",
    "after": ">",
    "at least": ">=",
    "minimum": ">=",
    "minimum of": ">=",
    "below": "<",
    "under": "<",
    "less than": "<",
    "within": "<=",
    "up to": "<=",
    "at most": "<=",
    "maximum": "<=",
    "capped at": "<=",
}
_OR_MORE = re.compile(r"\s*(?:or more|or longer|\+)", re.IGNORECASE)
_BOUND = re.compile(r"\b(" + "|".join(map(re.escape, _BOUND_WORDS)) + r")\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """An amount of money (unit = currency) or a duration (unit = "month")."""

    unit: str
    low: float
    high: float  # equal to low for a single figure

    def fits(self, rule: Condition) -> bool:
        """Whether this quantity satisfies the rule's condition."""
        value = self.low
        if rule.quantity.unit != self.unit:
            return False
        bound = rule.quantity.low
        return {
            ">": value > bound,
            ">=": value >= bound,
            "<": value < bound,
            "<=": value <= bound,
            "in": rule.quantity.low <= value <= rule.quantity.high,
        }[rule.relation]


@dataclass(frozen=True)
class Condition:
    """A range or tier stated in a document: "more than EUR 1,000", "between 6 and 12 months"."""

    relation: str  # > >= < <= or "in" (a closed range)
    quantity: Quantity


def _number(text: str, thousands: str | None = None) -> float:
    value = float(text.replace(",", ""))
    return value * 1000 if thousands else value


def _plain(text: str) -> str:
    return text.replace("**", "").replace("__", "")


def quantities(text: str) -> list[tuple[int, int, Quantity]]:
    """Every amount of money and duration in the text, with where it starts and ends."""
    text = _plain(text)
    found: list[tuple[int, int, Quantity]] = []
    for match in _MONEY_BEFORE.finditer(text):
        currency = _CURRENCY_WORDS[match.group(1).lower()]
        value = _number(match.group(2), match.group(3))
        found.append((match.start(), match.end(), Quantity(currency, value, value)))
    for match in _MONEY_AFTER.finditer(text):
        currency = _CURRENCY_WORDS[match.group(3).lower()]
        value = _number(match.group(1), match.group(2))
        found.append((match.start(), match.end(), Quantity(currency, value, value)))
    for match in _DURATION.finditer(text):
        per = _MONTHS_PER[match.group(4).lower()]
        low = _number(match.group(1)) * per
        high = _number(match.group(2)) * per if match.group(2) else low
        found.append((match.start(), match.end(), Quantity("month", low, high)))
    return _ranges(sorted(found, key=lambda found: found[0]), text)


def _ranges(found: list[tuple[int, int, Quantity]], text: str) -> list[tuple[int, int, Quantity]]:
    """Join "$1,000.01 - $5,000" and "EUR 25,000 to EUR 150,000" into one range."""
    joined: list[tuple[int, int, Quantity]] = []
    for start, end, quantity in found:
        if joined:
            first_start, first_end, first = joined[-1]
            between = text[first_end:start]
            if (
                first.unit == quantity.unit
                and first.low == first.high
                and _RANGE_JOIN.fullmatch(between)
            ):
                joined[-1] = (first_start, end, Quantity(first.unit, first.low, quantity.high))
                continue
        joined.append((start, end, quantity))
    return joined


def conditions(text: str) -> list[Condition]:
    """The ranges and tiers a sentence states ("more than EUR 1,000", "6-12 months")."""
    plain = _plain(text)
    stated: list[Condition] = []
    previous: tuple[int, str] | None = None  # where the last stated rule ended, its relation
    for start, end, quantity in quantities(plain):
        bound = _BOUND.search(plain[max(0, start - 40) : start])
        relation = ""
        if quantity.high > quantity.low:
            relation = "in"
        elif bound:
            relation = _BOUND_WORDS[bound.group(1).lower()]
        elif _OR_MORE.match(plain, end) or "+" in plain[start:end]:
            relation = ">="
        elif previous and _EQUIVALENT.match(plain[previous[0] : start]):
            relation = previous[1]
        if relation:
            stated.append(Condition(relation, quantity))
            previous = (end, relation)
    return stated


def amount_match(asked: Sequence[Quantity], text: str) -> float:
    """How well the text's rules answer the question's figures (`asked`, from `quantities`): 1
    when one of its ranges or tiers holds a figure, 0.5 when it states a limit the figure falls
    outside (that answers "does this need approval?" too), 0 when it says nothing comparable."""
    best = 0.0
    for rule in conditions(text) if asked else []:
        comparable = [q for q in asked if q.unit == rule.quantity.unit]
        if comparable:
            best = max(best, 1.0 if any(q.fits(rule) for q in comparable) else 0.5)
    return best
