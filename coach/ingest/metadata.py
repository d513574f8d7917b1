"""The front matter schema every knowledge document may carry, and its validation."""

from __future__ import annotations

import datetime as dt
import reprlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coach.errors import bounded
from coach.personas import AUDIENCES, Audience

# Fields that take one value or a list of them.
LIST_FIELDS = ("next_roles", "lateral_moves", "certifications")

# A value shown in a reason is abridged: front matter may hold megabytes in one field.
_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxdict = _SHORT.maxtuple = _SHORT.maxset = 4
_SHORT.maxlevel = 2


class DocMeta(BaseModel):
    """Validated front matter; unknown keys are allowed so foreign documents still load."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    title: str | None = None
    audience: Audience | None = None
    doc_type: str | None = None
    owner: str | None = None
    updated: dt.date | None = None
    description: str | None = None
    role_id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    track: str | None = None
    level: int | None = Field(None, ge=0, le=20)
    next_roles: list[str] = []
    lateral_moves: list[str] = []
    typical_months: int | None = Field(None, ge=0, le=240)
    certifications: list[str] = []

    @field_validator("title", "doc_type", "owner", "track", "description", mode="before")
    @classmethod
    def _scalar_to_text(cls, value: Any) -> Any:
        # YAML reads `title: 2026` as a number; a title is text all the same.
        return str(value) if isinstance(value, int | float) else value

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
        stored[name] = value.isoformat() if isinstance(value, dt.date) else value
    return stored
