"""Career stage: competency diffs, personal plans, their narrative and the career map, built on
the ladder the index holds (coach/index/ladder.py)."""

from coach.career.plan import Plan, build_plan

__all__ = ["Plan", "build_plan"]
