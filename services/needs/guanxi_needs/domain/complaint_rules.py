"""Complaint severities, statuses and the SLA that escalates an overdue complaint (投诉)."""
from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class ComplaintStatus(StrEnum):
    opened = "opened"
    investigating = "investigating"
    resolved = "resolved"
    closed = "closed"


OPEN = {ComplaintStatus.opened, ComplaintStatus.investigating}


def due_at(opened_at: datetime, severity: Severity, sla_hours: dict[str, float]) -> datetime:
    """When the complaint must be resolved, from the configured SLA of its severity."""
    return opened_at + timedelta(hours=sla_hours[severity.value])


def is_overdue(*, status: ComplaintStatus, due: datetime, now: datetime) -> bool:
    return status in OPEN and now > due
