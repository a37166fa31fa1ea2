"""Customer events: invitations to an audience, their announcement as messages (sent through
the usual delivery: consent, quiet hours, caps), attendance as touches, follow-up tasks."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select, update
from sqlmodel import Session

from guanxi_shared.auth import Principal, owner_filter
from guanxi_shared.errors import Conflict
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish_many
from guanxi_shared.models import UTCDateTime, utcnow
from guanxi_shared.pagination import PageParams, paginate, where_given

from ..schemas.customer_events import CustomerEventCreate, CustomerEventUpdate, InviteRequest
from .audience import audience_filter
from .event_tables import CustomerEvent, EventInvitation
from .records import add, change, first_or_404, get_or_404
from .sql import insert_ignore, sequential_ids
from .tables import ContactRef, CustomerRef, Message, Task

FOLLOW_UP_RULE = "event-follow-up"
NO_SHOW_RULE = "event-no-show"


def visible_invitations(principal: Principal):
    stmt = select(EventInvitation).join(CustomerRef,
                                        CustomerRef.id == EventInvitation.customer_id)
    condition = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    return stmt if condition is None else stmt.where(condition)


def counts(session: Session, event_ids: list[str]) -> dict[str, dict[str, int]]:
    """Invited, answers and attendance per event, in one query."""
    i = EventInvitation
    found = {eid: {"invited": 0, "yes": 0, "no": 0, "maybe": 0, "pending": 0, "attended": 0}
             for eid in event_ids}
    if not event_ids:
        return found

    def n(cond):
        return func.sum(case((cond, 1), else_=0))

    rows = session.execute(select(i.event_id, func.count(), n(i.rsvp == "yes"),
                                  n(i.rsvp == "no"), n(i.rsvp == "maybe"),
                                  n(i.rsvp == "pending"), n(i.attended))
                           .where(i.event_id.in_(event_ids)).group_by(i.event_id))
    for eid, *values in rows:
        found[eid] = dict(zip(("invited", "yes", "no", "maybe", "pending", "attended"),
                              (int(v or 0) for v in values), strict=True))
    return found


def announce_after(event: CustomerEvent, now: datetime) -> datetime:
    return max(now, event.starts_at - timedelta(days=event.announce_days_before))


def invite(session: Session, *, event: CustomerEvent, principal: Principal,
           audience: dict, roles: list[str] | None, now: datetime) -> int:
    """Invite the current contacts of the audience's customers (only those the caller may
    see), and queue each one's invitation message, in two INSERT ... SELECT statements."""
    cu, co = CustomerRef.__table__.c, ContactRef.__table__.c
    where = [audience_filter(session, audience), co.left_on.is_(None)]
    if roles:
        where.append(co.role.in_(roles))
    condition = owner_filter(principal, cu.owner_id, cu.team_id)
    if condition is not None:
        where.append(condition)
    source = (select(cu.id, co.id).select_from(ContactRef.__table__.join(
        CustomerRef.__table__, co.customer_id == cu.id)).where(and_(*where)))
    stamp = literal(now, UTCDateTime)
    rows = source.add_columns(literal(event.id), literal("pending"), literal(False),
                              literal(principal.sub), literal(1), stamp, stamp)
    rows = rows.with_only_columns(sequential_ids(session), *rows.selected_columns)
    invited = session.execute(insert_ignore(session, EventInvitation.__table__).from_select(
        ["id", "customer_id", "contact_id", "event_id", "rsvp", "attended", "invited_by",
         "version", "created_at", "updated_at"], rows).on_conflict_do_nothing()
        .execution_options(preserve_rowcount=True)).rowcount
    # The announcement: one message per invitation of this event, sent through the usual
    # delivery from a week ahead; a contact's message for the event is never queued twice.
    inv = EventInvitation.__table__.c
    day = event.starts_at.date()
    text = literal(event.invitation_text)
    for placeholder, value in (("{name}", co.name), ("{customer}", cu.name),
                               ("{event}", literal(event.name)),
                               ("{date}", literal(day.isoformat()))):
        text = func.replace(text, placeholder, value)
    messages = (select(sequential_ids(session), literal(event.id), inv.customer_id,
                       inv.contact_id, literal(event.channel), literal("marketing"),
                       literal(event.name[:64]), literal(day), literal("pending"),
                       func.substr(text, 1, 4000),
                       literal(announce_after(event, now), UTCDateTime), stamp, stamp)
                .select_from(EventInvitation.__table__
                             .join(ContactRef.__table__, co.id == inv.contact_id)
                             .join(CustomerRef.__table__, cu.id == inv.customer_id))
                .where(inv.event_id == event.id))
    session.execute(insert_ignore(session, Message.__table__).from_select(
        ["id", "rule_id", "customer_id", "contact_id", "channel", "kind", "occasion",
         "occurs_on", "status", "body", "send_after", "created_at", "updated_at"], messages)
        .on_conflict_do_nothing())
    return invited


def withdraw_announcements(session: Session, event: CustomerEvent) -> None:
    """A cancelled event's invitations not yet sent are blocked, with the reason."""
    session.execute(update(Message).where(Message.rule_id == event.id,
                                          Message.status == "pending")
                    .values(status="blocked", reason="event cancelled"))


def mark_attended(session: Session, *, event: CustomerEvent, principal: Principal,
                  invitation_ids: list[str], now: datetime) -> tuple[int, int, int]:
    """Mark invitations as attended; each customer's first attendance at the event is one
    touch (touch.recorded, kind "event"), each attendee gets a thank-you follow-up task."""
    visible = visible_invitations(principal).where(
        EventInvitation.event_id == event.id, EventInvitation.id.in_(invitation_ids),
        EventInvitation.attended.is_(False))
    newly = list(session.scalars(visible))
    if not newly:
        return 0, 0, 0
    before = set(session.scalars(select(EventInvitation.customer_id).where(
        EventInvitation.event_id == event.id, EventInvitation.attended,
        EventInvitation.customer_id.in_({i.customer_id for i in newly}))))
    ids = [i.id for i in newly]
    session.execute(update(EventInvitation).where(EventInvitation.id.in_(ids))
                    .values(attended=True, attended_at=now, updated_at=now,
                            version=EventInvitation.version + 1))
    first: dict[str, EventInvitation] = {}
    for invitation in sorted(newly, key=lambda i: i.id):
        if invitation.customer_id not in before:
            first.setdefault(invitation.customer_id, invitation)
    at = min(event.starts_at, now).isoformat()
    publish_many(session=session, event_type=EventType.touch_recorded, source="engagement", items=[
        {"customer_id": i.customer_id, "contact_id": i.contact_id, "kind": "event", "at": at,
         "source_id": i.id} for i in first.values()])
    tasks = _tasks(session, event=event, rule_id=FOLLOW_UP_RULE,
                   title=f"Thank for coming to {event.name} (致谢)",
                   where=EventInvitation.id.in_(ids), now=now)
    return len(ids), len(first), tasks


def follow_up_no_shows(session: Session, event: CustomerEvent, now: datetime) -> int:
    """The event was held: those who accepted and did not come get a follow-up task."""
    return _tasks(session, event=event, rule_id=NO_SHOW_RULE,
                  title=f"Missed at {event.name}: call and share what they missed",
                  where=and_(EventInvitation.rsvp == "yes",
                             EventInvitation.attended.is_(False)), now=now)


def _tasks(session: Session, *, event: CustomerEvent, rule_id: str, title: str, where,
           now: datetime) -> int:
    inv, cu = EventInvitation, CustomerRef
    due = event.starts_at.date() + timedelta(days=event.follow_up_days)
    stamp = literal(now, UTCDateTime)
    rows = (select(sequential_ids(session), literal(rule_id), inv.id, inv.customer_id,
                   inv.contact_id, cu.owner_id, literal("call"), literal(title[:300]),
                   literal(due), literal("open"), literal(1), stamp, stamp)
            .select_from(inv).join(cu, cu.id == inv.customer_id)
            .where(inv.event_id == event.id, where))
    return session.execute(insert_ignore(session, Task.__table__).from_select(
        ["id", "rule_id", "subject_id", "customer_id", "contact_id", "assignee_id", "kind",
         "title", "due_on", "status", "version", "created_at", "updated_at"], rows)
        .on_conflict_do_nothing().execution_options(preserve_rowcount=True)).rowcount


def invitation_rows(session: Session, invitations: list[EventInvitation]) -> list[dict]:
    """A page of invitations with the contact's name and the announcement's status."""
    contact_ids = [i.contact_id for i in invitations]
    names = dict(session.execute(select(ContactRef.id, ContactRef.name)
                                 .where(ContactRef.id.in_(contact_ids))).all())
    statuses = {(eid, cid): status for eid, cid, status in session.execute(
        select(Message.rule_id, Message.contact_id, Message.status)
        .where(Message.contact_id.in_(contact_ids),
               Message.rule_id.in_({i.event_id for i in invitations})))}
    return [{**i.model_dump(), "contact_name": names.get(i.contact_id),
             "announcement": statuses.get((i.event_id, i.contact_id))} for i in invitations]


def with_counts(session: Session, events: list[CustomerEvent]) -> list[dict]:
    """The events as read, each with its invitation counts (one query)."""
    found = counts(session, [e.id for e in events])
    return [{**e.model_dump(), "counts": found[e.id]} for e in events]


def create(*, session: Session, event_in: CustomerEventCreate,
           created_by: str) -> CustomerEvent:
    return add(session, CustomerEvent.model_validate({**event_in.model_dump(),
                                                      "created_by": created_by}))


def get(*, session: Session, event_id: str) -> CustomerEvent:
    return get_or_404(session, CustomerEvent, event_id, "Event")


def list_page(*, session: Session, page: PageParams,
              status: str | None) -> tuple[list[CustomerEvent], str | None]:
    stmt = where_given(select(CustomerEvent), (CustomerEvent.status, status))
    return paginate(session, stmt, sort=CustomerEvent.id, key=CustomerEvent.id, page=page)


def _open(event: CustomerEvent) -> None:
    if event.status == "cancelled":
        raise Conflict(f"Event {event.id} is cancelled")


def update_event(*, session: Session, event: CustomerEvent,
                 event_in: CustomerEventUpdate) -> CustomerEvent:
    """Change the details, mark it held (no-shows who accepted get a follow-up task) or
    cancelled (invitations not yet sent are withdrawn). A cancelled event stays so."""
    _open(event)
    given = event_in.model_dump(exclude_unset=True)
    if given.get("status") == "held" and event.status == "held":
        given.pop("status")
    for key, value in given.items():
        setattr(event, key, value)
    if given.get("status") == "cancelled":
        withdraw_announcements(session, event)
    elif given.get("status") == "held":
        follow_up_no_shows(session, event, utcnow())
    return change(session, event, {})


def invite_audience(*, session: Session, event: CustomerEvent, principal: Principal,
                    invite_in: InviteRequest, now: datetime) -> int:
    """Invite (see `invite`) to an event neither cancelled nor held yet."""
    _open(event)
    if event.status == "held":
        raise Conflict(f"Event {event.id} has already been held")
    invited = invite(session, event=event, principal=principal, roles=invite_in.roles, now=now,
                     audience=invite_in.model_dump(exclude={"roles"}, exclude_none=True))
    session.commit()
    return invited


def invitations_page(*, session: Session, principal: Principal, event: CustomerEvent,
                     page: PageParams, filters: dict[str, Any]) -> tuple[list[dict], str | None]:
    """The guest list (a rep sees their customers' guests), with names and announcements."""
    stmt = visible_invitations(principal).where(EventInvitation.event_id == event.id)
    stmt = where_given(stmt, (EventInvitation.rsvp, filters.get("rsvp")),
                       (EventInvitation.attended, filters.get("attended")),
                       (EventInvitation.customer_id, filters.get("customer_id")))
    rows, cursor = paginate(session, stmt, sort=EventInvitation.id, key=EventInvitation.id,
                            page=page)
    return invitation_rows(session, rows), cursor


def get_invitation(*, session: Session, principal: Principal, event: CustomerEvent,
                   invitation_id: str) -> EventInvitation:
    return first_or_404(session, visible_invitations(principal).where(
        EventInvitation.event_id == event.id, EventInvitation.id == invitation_id),
        "Invitation", invitation_id)


def answer(*, session: Session, event: CustomerEvent, invitation: EventInvitation,
           rsvp: str) -> dict:
    """Record the guest's answer; a yes beyond the event's capacity is refused."""
    _open(event)
    if rsvp == "yes" and invitation.rsvp != "yes" and event.capacity is not None:
        accepted = session.scalar(select(func.count()).select_from(EventInvitation).where(
            EventInvitation.event_id == event.id, EventInvitation.rsvp == "yes")) or 0
        if accepted >= event.capacity:
            raise Conflict(f"Event {event.id} is full: {accepted} of {event.capacity} places "
                           "taken")
    change(session, invitation, {"rsvp": rsvp, "rsvp_at": utcnow()})
    return invitation_rows(session, [invitation])[0]


def attend(*, session: Session, event: CustomerEvent, principal: Principal,
           invitation_ids: list[str]) -> tuple[int, int, int]:
    """Mark guests present (see `mark_attended`) once the event has started."""
    _open(event)
    if event.starts_at.date() > utcnow().date():
        raise Conflict(f"Event {event.id} has not started yet")
    marked = mark_attended(session, event=event, principal=principal,
                           invitation_ids=invitation_ids, now=utcnow())
    session.commit()
    return marked
