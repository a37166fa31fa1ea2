"""Needs settings, from GUANXI_NEEDS_* environment variables."""
from pydantic import Field

from guanxi_shared.settings import service_settings


class Settings(service_settings("needs")):
    # 机会保留底线: days a rep may hold an opportunity without any follow-up
    protection_days: int = 30
    stale_after_days: int = 14
    # hours to resolve a complaint, per severity (JSON in the environment)
    complaint_sla_hours: dict[str, float] = Field(
        default_factory=lambda: {"low": 120, "medium": 72, "high": 24, "critical": 4})
    housekeeping_minutes: float = 5
