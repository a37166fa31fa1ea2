"""Sending due messages: claim each one, apply the respect rules, deliver, log the outcome."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from ..channels import Channel, Outgoing
from ..domain.respect import QuietHours, block_reason
from ..domain.templates import render
from .policy import current_policy
from .tables import Consent, ContactRef, CustomerRef, Message, Occasion, Template
from .templates import product_values
from .touches import publish_touch

log = logging.getLogger("guanxi.engagement.delivery")
ADDRESS = {"email": "email", "sms": "phone", "wechat": "wechat"}


def _claim(session, message_id: str) -> bool:
    """Mark one pending message as ours; another replica that tries the same row gets 0 rows."""
    result = session.execute(update(Message).where(Message.id == message_id,
                                                   Message.status == "pending")
                             .values(status="sending"))
    session.commit()
    return result.rowcount == 1


def _finish(session, message: Message, status: str, reason: str | None = None,
            **values) -> None:
    session.execute(update(Message).where(Message.id == message.id)
                    .values(status=status, reason=reason, **values))
    session.commit()


def _sent_count(session, contact_id: str, kind: str, since: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Message).where(
        Message.contact_id == contact_id, Message.kind == kind, Message.status == "sent",
        Message.sent_at >= since)) or 0


def deliver_one(*, session, message: Message, channels: dict[str, Channel], now: datetime,
                timezone: str) -> str:
    policy = current_policy(session)
    contact = session.get(ContactRef, message.contact_id)
    tz = (contact.timezone if contact and contact.timezone else None) or timezone
    allowed = QuietHours(policy.quiet_start, policy.quiet_end).next_allowed(now, tz)
    if allowed > now:
        _finish(session, message, "pending", f"deferred: quiet hours until {allowed.isoformat()}",
                send_after=allowed)
        return "deferred"
    consent = session.get(Consent, (message.contact_id, message.channel))
    address = getattr(contact, ADDRESS.get(message.channel, "name"), None) if contact else None
    local_midnight = datetime.combine(now.astimezone(ZoneInfo(tz)).date(), datetime.min.time(),
                                      ZoneInfo(tz))
    reason = block_reason(
        kind=message.kind, channel=message.channel,
        consented=consent.granted if consent else None, address=address,
        marketing_sent=_sent_count(session, message.contact_id, "marketing",
                                   now - timedelta(days=policy.marketing_window_days)),
        marketing_cap=policy.marketing_cap,
        greetings_today=_sent_count(session, message.contact_id, "greeting", local_midnight),
        greetings_per_day=policy.greetings_per_day)
    if reason is None and message.channel not in channels:
        reason = f"no {message.channel} provider configured"
    if reason is not None:
        _finish(session, message, "blocked", reason)
        return "blocked"
    template = session.get(Template, message.template_id) if message.template_id else None
    values = _values(session, message, contact, template)
    language = contact.language if contact else None
    body = message.body or (render(template.body, language, values) if template
                            else f"{values['name']}: {values['occasion']}")
    subject = render(template.subject, language, values) if template and template.subject \
        else (message.occasion or "Guanxi")
    try:
        channels[message.channel].send(Outgoing(to=address, subject=subject, body=body,
                                                message_id=message.id))
    except Exception as exc:  # a failed provider is logged on the message, not raised
        log.warning("send failed", extra={"message_id": message.id, "error": repr(exc)})
        _finish(session, message, "failed", repr(exc)[:500], body=body)
        return "failed"
    publish_touch(session, customer_id=message.customer_id, contact_id=message.contact_id,
                  kind="message", source_id=message.id, at=now)
    _finish(session, message, "sent", None, body=body, sent_at=now)
    return "sent"


def _values(session, message: Message, contact: ContactRef | None,
            template: Template | None) -> dict[str, str]:
    customer = session.get(CustomerRef, message.customer_id)
    greeted = session.get(Occasion, message.occasion_id) if message.occasion_id else None
    return {"name": contact.name if contact else "", "customer": customer.name if customer
            else "", "occasion": message.occasion or "", "date": message.occurs_on.isoformat(),
            "note": (greeted.note or "") if greeted else "",
            **product_values(session, template.product_id if template else None)}


def deliver_due(*, sessions: sessionmaker, channels: dict[str, Channel], now: datetime,
                timezone: str, batch_size: int = 500) -> dict[str, int]:
    """Send everything due now, batch after batch; returns counts by outcome.

    A message another replica claimed is skipped; one left 'sending' by a crash stays so
    (at most once) and shows in the delivery log.
    """
    counts: dict[str, int] = {}
    with sessions() as session:
        while True:
            due = session.scalars(select(Message).where(Message.status == "pending",
                                                        Message.send_after <= now)
                                  .order_by(Message.send_after, Message.id)
                                  .limit(batch_size)).all()
            for message in due:
                if not _claim(session, message.id):
                    continue
                outcome = deliver_one(session=session, message=message, channels=channels,
                                      now=now, timezone=timezone)
                counts[outcome] = counts.get(outcome, 0) + 1
            if len(due) < batch_size:
                return counts
