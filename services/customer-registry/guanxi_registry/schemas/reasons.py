"""The churn / non-renewal reasons list (流失原因) as admins write it."""
from __future__ import annotations

from pydantic import Field, field_validator

from guanxi_shared.models import InputModel, UpdateModel
from guanxi_shared.reasons import CODE_PATTERN, UNRECORDED, ReasonRead

__all__ = ["ReasonCreate", "ReasonRead", "ReasonUpdate"]


class ReasonCreate(InputModel):
    code: str = Field(pattern=CODE_PATTERN, max_length=32, examples=["delivery_delay"],
                      description="Lower-case letters, digits and _; never changes")
    label_zh: str = Field(min_length=1, max_length=100, examples=["交付延误"])
    label_en: str = Field(min_length=1, max_length=100, examples=["Delivery delay"])
    controllable: bool = Field(description="Could the company have prevented this loss")

    @field_validator("code")
    @classmethod
    def not_reserved(cls, code: str) -> str:
        if code == UNRECORDED:
            raise ValueError(f"'{UNRECORDED}' is what reports call a loss without a reason")
        return code


class ReasonUpdate(UpdateModel):
    """Rename, change whether it is controllable, retire (or bring back); only fields sent."""

    __read_model__ = ReasonRead

    label_zh: str | None = Field(default=None, min_length=1, max_length=100)
    label_en: str | None = Field(default=None, min_length=1, max_length=100)
    controllable: bool | None = None
    retired: bool | None = Field(default=None, description="A retired reason is not offered "
                                                           "for new losses; old ones keep it")
    position: int | None = Field(default=None, ge=0, le=10_000, description="Order in lists")
