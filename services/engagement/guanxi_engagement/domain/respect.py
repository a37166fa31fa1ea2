"""Respect rules for sends (尊重客户): consent, quiet hours in the contact's timezone, caps."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    start: int  # local hour the quiet period begins (e.g. 21)
    end: int    # local hour it ends (e.g. 9)

    def is_quiet(self, local: datetime) -> bool:
        if self.start == self.end:
            return False
        if self.start > self.end:
            return local.hour >= self.start or local.hour < self.end
        return self.start <= local.hour < self.end

    def next_allowed(self, moment: datetime, tz: str) -> datetime:
        """`moment` itself when it is not quiet, else the end of the quiet period (aware UTC)."""
        local = moment.astimezone(ZoneInfo(tz))
        if not self.is_quiet(local):
            return moment
        end_day = local.date() + timedelta(days=1 if local.hour >= self.end else 0)
        return datetime.combine(end_day, time(self.end), ZoneInfo(tz)).astimezone(moment.tzinfo)


def block_reason(*, kind: str, channel: str, consented: bool | None, address: str | None,
                 marketing_sent: int, marketing_cap: int, greetings_today: int,
                 greetings_per_day: int) -> str | None:
    """Why a send must not go out, or None. No consent record means no objection (None)."""
    if consented is False:
        return f"contact opted out of {channel}"
    if not address and channel != "log":
        return f"contact has no {channel} address"
    if kind == "marketing" and marketing_sent >= marketing_cap:
        return f"frequency cap: {marketing_sent} marketing messages already in the window"
    if kind == "greeting" and greetings_today >= greetings_per_day:
        return "frequency cap: already greeted today"
    return None
