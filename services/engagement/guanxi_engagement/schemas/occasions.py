"""Life occasions (人生大事: weddings, moves, achievements) as clients write and read them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from guanxi_shared.models import InputModel, UpdateModel
from guanxi_shared.pagination import Page

from ..domain.occasions import FIRST_YEAR, LAST_YEAR

OccasionKind = Literal["wedding", "move", "achievement", "other"]


def _in_range(value: date | None) -> date | None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"the date must be between {FIRST_YEAR} and {LAST_YEAR}")
    return value


class OccasionCreate(InputModel):
    customer_id: str = Field(max_length=32)
    contact_id: str | None = Field(default=None, max_length=32,
                                   description="The contact it concerns; none: the customer")
    kind: OccasionKind
    occurs_on: date = Field(description="The day it happens (or happened)")
    note: str | None = Field(default=None, max_length=300,
                             description="e.g. 'marries Wang Fang', 'new office in Pudong'")
    recurs_yearly: bool | None = Field(
        default=None, description="Greeted again every year on this day (an anniversary); "
                                  "defaults to true for a wedding, false otherwise")

    _occurs_on_in_range = field_validator("occurs_on")(_in_range)


class OccasionUpdate(UpdateModel):
    """Only the fields sent change; send If-Match with the ETag you read. contact_id and note
    may be set to null; the other fields may not."""

    __read_model__ = "OccasionRead"

    contact_id: str | None = Field(default=None, max_length=32)
    kind: OccasionKind | None = None
    occurs_on: date | None = None
    note: str | None = Field(default=None, max_length=300)
    recurs_yearly: bool | None = None

    _occurs_on_in_range = field_validator("occurs_on")(_in_range)


class OccasionRead(BaseModel):
    id: str
    customer_id: str
    contact_id: str | None
    kind: str
    occurs_on: date
    recurs_yearly: bool
    note: str | None
    recorded_by: str | None
    version: int
    created_at: datetime
    updated_at: datetime


OccasionPage = Page[OccasionRead]


class UpcomingOccasion(BaseModel):
    """An occasion coming up soon, for the agenda's customer context."""

    id: str
    contact_id: str | None
    kind: str
    on: date = Field(description="The next day it falls on")
    years: int = Field(description="Years since it first happened (0: the day itself)")
    note: str | None
