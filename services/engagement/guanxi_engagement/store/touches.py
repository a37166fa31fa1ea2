"""`touch.recorded`: every completed call, visit or task, delivered message and given gift is
a touch, so that segmentation can tell who nobody has looked after (neglect)."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, select
from sqlmodel import Session

from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish
from guanxi_shared.models import utcnow

from .tables import GiftLog, Message, Task, Visit

TASK_TOUCH = {"call": "call", "visit": "visit", "gift": "gift", "mail": "message",
              "email": "message", "sms": "message", "wechat": "message"}  # else "task"


def publish_touch(session: Session, *, customer_id: str, contact_id: str | None, kind: str,
                  source_id: str, at: datetime | None = None) -> None:
    """In the caller's transaction, like every event."""
    publish(session=session, event_type=EventType.touch_recorded, source="engagement", data={
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


def last_touches(session: Session, customer_ids: list[str]) -> dict[str, tuple[date, str]]:
    """Each customer's last touch seen from engagement (a task done, a message sent, a visit
    done, a gift given by today): its business day and kind, in one grouped query per table.
    Segmentation's `last_touch` also counts resolved complaints."""
    tz = ZoneInfo(session.info.get("timezone", "Asia/Shanghai"))
    today = datetime.now(tz).date()
    found: dict[str, tuple[date, str]] = {}

    def keep(cid: str, day: date, kind: str) -> None:
        if cid not in found or day > found[cid][0]:
            found[cid] = (day, kind)

    queries = (
        select(Task.customer_id, Task.kind, func.max(Task.updated_at))
        .where(Task.customer_id.in_(customer_ids), Task.status == "done")
        .group_by(Task.customer_id, Task.kind),
        select(Message.customer_id, literal("message"), func.max(Message.sent_at))
        .where(Message.customer_id.in_(customer_ids), Message.status == "sent")
        .group_by(Message.customer_id),
        select(Visit.customer_id, literal("visit"), func.max(Visit.completed_at))
        .where(Visit.customer_id.in_(customer_ids), Visit.status == "done")
        .group_by(Visit.customer_id))
    for query in queries:
        for cid, kind, at in session.execute(query):
            if at is not None:
                keep(cid, at.astimezone(tz).date(), task_kind(kind))
    for cid, day in session.execute(
            select(GiftLog.customer_id, func.max(GiftLog.given_on))
            .where(GiftLog.customer_id.in_(customer_ids), GiftLog.given_on <= today)
            .group_by(GiftLog.customer_id)):
        keep(cid, day, "gift")  # a gift logged for a later day is a plan, not a touch yet
    return found
