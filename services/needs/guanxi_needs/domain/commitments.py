"""Commitments (少承诺多做事、答应的事一定做到): a promise is kept, or it is broken once due."""
from __future__ import annotations

from datetime import date
from enum import StrEnum


class CommitmentStatus(StrEnum):
    open = "open"
    kept = "kept"
    cancelled = "cancelled"   # withdrawn by agreement before it fell due


class CommitmentOrigin(StrEnum):
    visit = "visit"
    complaint = "complaint"
    call = "call"


def is_overdue(*, status: CommitmentStatus, due_on: date, today: date) -> bool:
    """Open past its due date (the due day itself is still in time)."""
    return status == CommitmentStatus.open and today > due_on


def kept_late(*, due_on: date, kept_on: date | None) -> bool:
    return kept_on is not None and kept_on > due_on
