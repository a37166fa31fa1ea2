"""Expectation management schemas (期望值管理表): goals, result checks, satisfaction."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from guanxi_shared.models import InputModel, UpdateModel, changeable, readable
from guanxi_shared.pagination import Page

from .common import Id, Identified, Text

ValueScore = Annotated[Decimal, Field(gt=0, le=1000, max_digits=6, decimal_places=2)]


class GoalKind(StrEnum):
    single = "single"
    multiple = "multiple"
    staged = "staged"  # one stage (stage_no) of a longer goal, reported once reached
    ultimate = "ultimate"


class ExpectationCreate(InputModel):
    customer_id: Id
    goal_kind: GoalKind
    goal: Annotated[str, Field(min_length=1, max_length=500)]
    stage_no: Annotated[int, Field(ge=1, le=100)] | None = None
    expected_return: Text | None = None
    solution: Text | None = None
    safeguards: Text | None = None
    acceptance_criteria: Text | None = None


class ExpectationUpdate(changeable(ExpectationCreate, "goal", "expected_return", "solution",
                                   "safeguards", "acceptance_criteria"),
                        UpdateModel):  # type: ignore[misc]
    __read_model__ = "ExpectationRead"


class CheckCreate(InputModel):
    checked_on: date | None = None
    result: Text
    reached: bool = False
    expected_score: ValueScore | None = None
    experienced_score: ValueScore | None = None


class CheckRead(readable(CheckCreate)):  # type: ignore[misc]
    model_config = ConfigDict(from_attributes=True)

    checked_on: date
    checked_by: str


class ExpectationRead(readable(ExpectationCreate), Identified):  # type: ignore[misc]
    reached_on: date | None
    reported_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int


class ExpectationDetail(ExpectationRead):
    checks: list[CheckRead]
    satisfaction_index: Decimal | None
    perception: str | None


class ExpectationPage(Page[ExpectationRead]):
    pass
