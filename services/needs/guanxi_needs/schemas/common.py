"""Types shared by the needs schemas."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from guanxi_shared.models import InputModel

Id = Annotated[str, StringConstraints(min_length=1, max_length=32)]
UserId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Score = Annotated[int, Field(ge=1, le=5)]


class Identified(BaseModel):
    """The start of an answer read from a row: its id. An answer derived from its input's
    fields (`readable(XCreate)`) lists it before them: `class XRead(readable(XCreate),
    Identified)`."""

    model_config = ConfigDict(from_attributes=True)

    id: str


class AboutCustomer(InputModel):
    """The start of a body that records something about a customer (a need, a complaint, a
    promise): which customer, and which of its contacts if one."""

    customer_id: Id
    contact_id: Id | None = None
