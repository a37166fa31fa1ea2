"""The daily run on demand and its record, as operators see them."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from guanxi_shared.models import InputModel
from guanxi_shared.pagination import Page


class RunCreate(InputModel):
    on: date = Field(description="The business date to run (company timezone), in the years "
                                 "the calendar covers (1901 to 2099)")
    send: bool = Field(default=True, description="Also send the messages now due")

    @field_validator("on")
    @classmethod
    def in_calendar(cls, value: date) -> date:
        # Lunar dates are computed for these years only; lead times and cadences stay clear
        # of date.min and date.max.
        if not 1901 <= value.year <= 2099:
            raise ValueError("the date must be between 1901 and 2099")
        return value


class RunRead(BaseModel):
    on: date
    created: int
    sent: dict[str, int]
    warnings: list[str] = Field(description="E.g. next year's official holiday schedule is "
                                "not known yet")


class RunRecord(BaseModel):
    id: str
    run_on: date
    trigger: str = Field(description="scheduler, catch-up or api")
    created: int
    warnings: list[str]
    created_at: datetime


RunRecordPage = Page[RunRecord]
