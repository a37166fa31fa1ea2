"""Experience map schemas (客户体验地图): touchpoints, and the care steps a purchase gets."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from guanxi_shared.models import Day, InputModel, UpdateModel, changeable, readable
from guanxi_shared.pagination import Page

from ..domain.experience import Anchor, Stage, StepStatus
from .common import Id, Identified, ShortText, Text


class StepKind(StrEnum):
    call = "call"
    visit = "visit"
    message = "message"
    gift = "gift"
    check = "check"      # a usage check (how is it working for you?)
    task = "task"


class TouchpointIn(InputModel):
    stage: Stage
    kind: StepKind
    title: ShortText
    anchor: Anchor = Anchor.purchase
    offset_days: Annotated[int, Field(ge=-3650, le=3650,
                                      description="Days after the anchor (negative: before)")] = 0
    note: Text | None = None


Touchpoints = Annotated[list[TouchpointIn], Field(min_length=1, max_length=50)]
RepurchaseDays = Annotated[int, Field(ge=1, le=3650,
                                      description="Expected days from a purchase to the next")]


class MapCreate(InputModel):
    name: ShortText
    product_id: Id | None = Field(default=None, description="The product it maps, if any")
    repurchase_after_days: RepurchaseDays | None = None
    auto_apply: bool = Field(default=True, description="Schedule the steps for every purchase "
                                                       "of the product as it is recorded")
    touchpoints: Touchpoints


class MapUpdate(changeable(MapCreate, "name", "product_id", "repurchase_after_days",
                           "auto_apply", "touchpoints"), UpdateModel):  # type: ignore[misc]
    """Only the fields sent change; steps already generated stay as they are."""

    __read_model__ = "MapRead"


class TouchpointRead(readable(TouchpointIn)):  # type: ignore[misc]
    note: str | None = None


class MapRead(readable(MapCreate), Identified):  # type: ignore[misc]
    touchpoints: list[TouchpointRead]
    created_at: datetime
    updated_at: datetime
    version: int


class MapPage(Page[MapRead]):
    pass


class ApplyMap(InputModel):
    customer_id: Id
    purchased_on: Day
    purchase_id: Annotated[str, Field(min_length=1, max_length=32)] | None = Field(
        default=None, description="The registry purchase; applying twice schedules nothing new")


class StepRead(Identified):
    customer_id: str
    map_id: str
    purchase_ref: str
    stage: Stage
    kind: StepKind
    title: str
    due_on: date
    status: StepStatus
    done_at: datetime | None
    done_by: str | None
    note: str | None
    version: int


class StepPage(Page[StepRead]):
    pass


class StepDone(InputModel):
    status: StepStatus = StepStatus.done
    note: Text | None = None
