"""Engagement settings, from GUANXI_ENGAGEMENT_* environment variables."""
from decimal import Decimal

from pydantic import Field

from guanxi_shared.settings import service_settings


class Settings(service_settings("engagement")):
    # When the daily run fires (company-local time) and how often due messages are sent.
    daily_run_hour: int = 6
    send_interval_seconds: float = 30.0
    greeting_hour: int = 9
    leader_retry_seconds: float = 5.0
    scheduler_lock_id: int = 5_120_305
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "guanxi@localhost"
    smtp_timeout_seconds: float = 10.0
    sms_provider_url: str = ""
    wechat_provider_url: str = ""
    gift_budget_per_customer: Decimal = Decimal("2000")
    gift_budget_period_days: int = 365
    gift_min_days_between: int = 30
    # How far ahead the customer context shows weddings, moves and achievements.
    upcoming_occasion_days: int = Field(default=30, ge=0, le=366)
