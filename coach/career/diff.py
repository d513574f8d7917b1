"""What a target role expects that the current one does not: competencies new or stronger."""

from __future__ import annotations

from dataclasses import dataclass

from coach.index.ladder import CareerRole

# The proficiency scale of the `competencies` front matter.
PROFICIENCY = {1: "foundational", 2: "developing", 3: "proficient", 4: "advanced", 5: "expert"}


@dataclass(frozen=True)
class Change:
    """One competency that is new at the target, or expected at a higher proficiency."""

    id: str
    label: str  # how the target role's page names it
    before: int | None  # None: new at the target
    after: int

    @property
    def name(self) -> str:
        """The competency id in words: "account-strategy" -> "Account strategy"."""
        return self.id.replace("-", " ").capitalize()

    def summary(self) -> str:
        """ "New: Executive presence (foundational)" or "Stronger: Commercial (developing ->
        proficient)"."""
        if self.before is None:
            return f"New: {self.name} ({PROFICIENCY[self.after]})"
        return f"Stronger: {self.name} ({PROFICIENCY[self.before]} -> {PROFICIENCY[self.after]})"


def competency_changes(have: dict[str, int], target: CareerRole) -> list[Change]:
    """The target's competencies that are new or stronger than what the person has (id ->
    proficiency), new first; those at the same or a lower proficiency are left out (never
    restated)."""
    changes = [
        Change(c.id, c.label or c.id, have.get(c.id), c.proficiency)
        for c in target.competencies
        if c.proficiency > have.get(c.id, 0)
    ]
    return sorted(changes, key=lambda change: change.before is not None)
