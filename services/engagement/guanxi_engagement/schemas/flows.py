"""The event-driven flows' policy as clients read and set it."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from guanxi_shared.models import UpdateModel

ServiceChannel = Literal["wechat", "sms", "email", "log"]


class FlowPolicyUpdate(UpdateModel):
    """Only the fields sent change; none of them may be null."""

    __read_model__ = "FlowPolicyRead"

    late_fact_days: int | None = Field(
        default=None, ge=0, le=366,
        description="A purchase or departure older than this many days when its event arrives "
                    "(a backfill, an import) starts no thanks and no tasks")
    referral_ask_every_days: int | None = Field(
        default=None, ge=1, le=3660,
        description="At most one ask for introductions per customer in this many days")
    revisit_due_days: int | None = Field(
        default=None, ge=0, le=90, description="An at-risk revisit is due this many days on")
    nurture_every_days: int | None = Field(
        default=None, ge=1, le=366, description="Cadence of the MAN nurture tasks")
    nurture_touches: int | None = Field(
        default=None, ge=1, le=12, description="How many nurture tasks one advice creates")
    service_channels: list[ServiceChannel] | None = Field(
        default=None, min_length=1, max_length=4,
        description="Preferred channels, in order, for complaint progress and goal reports: "
                    "the first the contact has an address for and has not refused is used")


class FlowPolicyRead(BaseModel):
    late_fact_days: int
    referral_ask_every_days: int
    revisit_due_days: int
    nurture_every_days: int
    nurture_touches: int
    service_channels: list[str]
    version: int
