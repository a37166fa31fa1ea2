"""Commitment schemas (答应的事一定做到): a promise to a contact, due on a date."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from guanxi_shared.models import InputModel, UpdateModel, changeable, readable
from guanxi_shared.pagination import Page

from ..domain.commitments import CommitmentOrigin, CommitmentStatus
from .common import AboutCustomer, Id, Identified, Text

Promise = Annotated[str, Field(min_length=1, max_length=2000)]
Ref = Annotated[str, Field(min_length=1, max_length=64)]


class CommitmentCreate(AboutCustomer):
    contact_id: Id | None = Field(default=None, description="Who the promise was made to")
    promise: Promise
    due_on: date
    origin: CommitmentOrigin = Field(description="Where it was made: a visit, a complaint, a call")
    origin_ref: Ref | None = Field(
        default=None, description="The visit, complaint or call id; a complaint must be the "
                                  "same customer's")


class CommitmentUpdate(changeable(CommitmentCreate, "promise", "due_on", "contact_id"),
                       UpdateModel):  # type: ignore[misc]
    """Only while open; a promise already past its due date cannot be moved (it is broken)."""

    __read_model__ = "CommitmentRead"


class CommitmentKeep(InputModel):
    kept_on: date | None = Field(default=None, description="Defaults to today")
    note: Text | None = None


class CommitmentCancel(InputModel):
    reason: Text


class CommitmentRead(readable(CommitmentCreate), Identified):  # type: ignore[misc]
    made_by: str
    status: CommitmentStatus
    overdue: bool = Field(description="Open past its due date")
    kept_on: date | None
    kept_late: bool
    outcome_note: str | None
    flagged_at: datetime | None = Field(
        description="When the overdue promise was flagged to the manager and withdrew from "
                    "the relationship balance")
    created_at: datetime
    updated_at: datetime
    version: int


class CommitmentPage(Page[CommitmentRead]):
    pass
