"""A role on the career ladder and the typical time spent in it."""

from __future__ import annotations

from dataclasses import dataclass

from coach.ingest.metadata import Competency


@dataclass(frozen=True)
class Months:
    """A typical span in months: "18 months" or "9-18 months"."""

    low: int
    high: int

    def __str__(self) -> str:
        span = str(self.low) if self.low == self.high else f"{self.low}-{self.high}"
        return f"{span} months"


@dataclass(frozen=True)
class CareerRole:
    """One role of the ladder, as its front matter defines it or its level section implies."""

    id: str
    title: str
    path: str
    audience: str
    track: str
    level: int
    aliases: tuple[str, ...] = ()
    typical: Months | None = None
    min_months: int | None = None
    next_roles: tuple[str, ...] = ()
    lateral_moves: tuple[str, ...] = ()
    dual_roles: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    competencies: tuple[Competency, ...] = ()
    criteria: tuple[str, ...] = ()
    # Inferred from a page's level sections (no front matter): the family and the section.
    family: str = ""
    section: str = ""  # the heading path of the role's own section
    facts: tuple[str, ...] = ()  # a levels table's other cells for it: "Scope: Features"
    inferred: bool = False

    @property
    def short_title(self) -> str:
        """The usual short form: "CSM II" for "Customer Success Manager II"."""
        if self.inferred and self.aliases:  # the page's own abbreviation: "Intermediate CSM"
            return self.aliases[-1]
        return self.title.replace("Customer Success Manager", "CSM").replace(
            "Customer Success", "CS"
        )

    @property
    def label(self) -> str:
        """How a picker lists it: title and id, and its job family when read from pages."""
        family = f", {self.family}" if self.family and self.family not in self.title else ""
        return f"{self.title} ({self.id}{family})"

    @property
    def names(self) -> tuple[str, ...]:
        """Every way people write this role: title, short form, id and aliases."""
        return tuple(dict.fromkeys((self.title, self.short_title, self.id, *self.aliases)))
