"""Import requests and reports."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Outcome = Literal["created", "updated", "merged", "rejected"]


class ImportRowResult(BaseModel):
    line: int
    outcome: Outcome
    name: str
    customer_id: str | None = None
    contact_id: str | None = None
    reason: str | None = None


class ImportReport(BaseModel):
    filename: str | None
    format: Literal["csv", "vcard"]
    dry_run: bool
    created: int
    updated: int
    merged: int
    rejected: int
    rows: list[ImportRowResult]
