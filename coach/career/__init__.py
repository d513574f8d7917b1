"""Career stage: the ladder as data, competency diffs, personal plans and the career map."""

from coach.career.ladder import NO_LADDER, CareerRole, Ladder, Months, Move, build_ladder

__all__ = ["NO_LADDER", "CareerRole", "Ladder", "Months", "Move", "build_ladder"]
