"""The latest touch of each customer (neglect's clock), kept as touches arrive late or twice."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from .tables import LastTouch


def record_touch(session: Session, customer_id: str, at: datetime, kind: str,
                 source_id: str | None, contact_id: str | None) -> bool:
    """Keep the customer's latest touch; an older or equal one (late, or sent twice) changes
    nothing. Returns whether it was kept."""
    current = session.get(LastTouch, customer_id)
    if current is not None and current.touched_at >= at:
        return False
    day = at.astimezone(ZoneInfo(session.info.get("timezone", "Asia/Shanghai"))).date()
    values = {"touched_at": at, "touched_on": day, "kind": kind, "source_id": source_id,
              "contact_id": contact_id}
    if current is None:
        session.add(LastTouch(customer_id=customer_id, **values))
    else:
        for key, value in values.items():
            setattr(current, key, value)
    session.flush()
    return True
