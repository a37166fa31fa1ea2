"""`touch.recorded`: every completed call, visit or task, delivered message and given gift is
a touch, so that segmentation can tell who nobody has looked after (neglect)."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from guanxi_shared.events import publish
from guanxi_shared.models import utcnow

TASK_TOUCH = {"call": "call", "visit": "visit", "gift": "gift", "mail": "message",
              "email": "message", "sms": "message", "wechat": "message"}  # else "task"


def publish_touch(session: Session, *, customer_id: str, contact_id: str | None, kind: str,
                  source_id: str, at: datetime | None = None) -> None:
    """In the caller's transaction, like every event."""
    publish(session=session, event_type="touch.recorded", source="engagement", data={
        "customer_id": customer_id, "contact_id": contact_id, "kind": kind,
        "at": (at or utcnow()).isoformat(), "source_id": source_id})


def task_kind(kind: str) -> str:
    return TASK_TOUCH.get(kind, "task")


def day_instant(session: Session, day: date) -> datetime | None:
    """A business date as a touch time: now if today, local noon if earlier, None (not a touch
    yet) if later."""
    tz = ZoneInfo(session.info.get("timezone", "Asia/Shanghai"))
    today = datetime.now(tz).date()
    if day > today:
        return None
    return utcnow() if day == today else datetime.combine(day, time(12), tz)
