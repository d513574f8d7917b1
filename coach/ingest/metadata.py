"""The front matter schema every knowledge document may carry, and its validation."""

from __future__ import annotations

import datetime as dt
import json
import re
import reprlib
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coach.errors import bounded
from coach.personas import AUDIENCES, Audience

# Fields that take one value or a list of them.
LIST_FIELDS = (
    "next_roles",
    "lateral_moves",
    "dual_roles",
    "certifications",
    "aliases",
    "promotion_criteria",
)
# Fields holding records (lists of mappings): stored in Chroma as JSON text.
RECORD_FIELDS = ("competencies", "designations", "rotations", "courses")
# The three kinds of career plan: up the track, a second responsibility or track, another team.
PlanType = Literal["vertical", "dual", "horizontal"]
PLAN_TYPES: tuple[str, ...] = get_args(PlanType)
MAX_MONTHS = 240
_ID = r"^[a-z0-9][a-z0-9-]*$"
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-|\u2013|to)\s*(\d+)\s*$")

# A value shown in a reason is abridged: front matter may hold megabytes in one field.
_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxdict = _SHORT.maxtuple = _SHORT.maxset = 4
_SHORT.maxlevel = 2


def _month_range(value: Any) -> Any:
    """18, "18-30", [18, 30] -> [low, high]; anything else is left for pydantic to reject."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [value, value]
    if isinstance(value, str) and (found := _RANGE.match(value)):
        return [int(found.group(1)), int(found.group(2))]
    return value


class Competency(BaseModel):
    """A competency a role expects, by a stable id shared across levels, at a proficiency."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=_ID)
    proficiency: int = Field(ge=1, le=5)
    label: str = ""  # the bold label of the body's bullet that describes it at this level


class Designation(BaseModel):
    """A dual-plan designation: a second responsibility taken on beside the role."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str
    min_level: int = Field(0, ge=0, le=20)
    months: list[int] = Field([], max_length=2)  # "6-12" or 6, read as [low, high]
    prepares_for: str = ""  # a role id
    tracks: list[str] = []  # the tracks it is open to; empty: every track

    @field_validator("months", mode="before")
    @classmethod
    def _months(cls, value: Any) -> Any:
        return _month_range(value)


class Rotation(BaseModel):
    """A horizontal rotation into another team: its length and the minimum level to join."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str
    months: int = Field(ge=1, le=MAX_MONTHS)
    min_level: int = Field(0, ge=0, le=20)
    role: str = ""  # the host team's role id, if the ladder has one
    tracks: list[str] = []  # the tracks it is open to; empty: every track


class Course(BaseModel):
    """A course or certification a training document describes: cost, who pays, approval."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str
    cost: str = ""
    paid_by: str = ""
    approval: str = ""


class DocMeta(BaseModel):
    """Validated front matter; unknown keys are allowed so foreign documents still load."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    title: str | None = None
    audience: Audience | None = None
    doc_type: str | None = None
    owner: str | None = None
    updated: dt.date | None = None
    description: str | None = None
    plan_type: PlanType | None = None  # a plan-type or program document: the plan it explains
    role_id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    track: str | None = None
    level: int | None = Field(None, ge=0, le=20)
    aliases: list[str] = []
    next_roles: list[str] = []
    lateral_moves: list[str] = []
    dual_roles: list[str] = []  # the other track's role at the same level, when not obvious
    typical_months: list[int] | None = Field(None, min_length=2, max_length=2)
    min_months: int | None = Field(None, ge=0, le=MAX_MONTHS)  # before a move may be asked for
    certifications: list[str] = []
    competencies: list[Competency] = []
    promotion_criteria: list[str] = []
    designations: list[Designation] = []
    rotations: list[Rotation] = []
    courses: list[Course] = []

    @field_validator("title", "doc_type", "owner", "track", "description", mode="before")
    @classmethod
    def _scalar_to_text(cls, value: Any) -> Any:
        # YAML reads `title: 2026` as a number; a title is text all the same.
        return str(value) if isinstance(value, int | float) else value

    @field_validator("typical_months", mode="before")
    @classmethod
    def _months(cls, value: Any) -> Any:
        return _month_range(value)

    @field_validator("typical_months")
    @classmethod
    def _ordered(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and not 0 <= value[0] <= value[1] <= MAX_MONTHS:
            raise ValueError(f"expected months from 0 to {MAX_MONTHS}, low before high")
        return value

    @field_validator("updated", mode="before")
    @classmethod
    def _date_only(cls, value: Any) -> Any:
        return value.date() if isinstance(value, dt.datetime) else value

    @field_validator(*LIST_FIELDS, mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value


def validate_meta(raw: dict[str, Any]) -> DocMeta:
    """Validate front matter, raising ValueError with one readable line on the first problem."""
    try:
        return DocMeta.model_validate(raw)
    except ValidationError as exc:
        raise ValueError(describe_problem(exc.errors()[0], raw)) from None


def describe_problem(error: Any, raw: dict[str, Any]) -> str:
    """Turn one pydantic error into plain words about the front matter, in one short line."""
    key = error["loc"][0] if error["loc"] else "front matter"
    value = _SHORT.repr(raw.get(key))
    if key == "audience":
        return bounded(f"unknown audience {value} (expected one of: {', '.join(AUDIENCES)})")
    return bounded(f"front matter field {_SHORT.repr(key)} = {value}: {error['msg'].lower()}")


def store_metadata(meta: DocMeta) -> dict[str, Any]:
    """The known fields as Chroma-storable values (no None, no dates, no empty lists)."""
    stored: dict[str, Any] = {}
    for name in DocMeta.model_fields:
        value = getattr(meta, name)
        if value is None or value == []:
            continue
        if name in RECORD_FIELDS:
            value = json.dumps([record.model_dump() for record in value])
        stored[name] = value.isoformat() if isinstance(value, dt.date) else value
    return stored
