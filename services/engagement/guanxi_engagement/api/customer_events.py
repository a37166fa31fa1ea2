"""/v1/customer-events: VIP gatherings and customer meetings (VIP 联谊, 客户会): invitations to a
segment or group announced a week ahead, RSVPs, attendance (a touch) and follow-up tasks."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import func, select
from sqlmodel import Session

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager, Writer
from guanxi_shared.errors import Conflict
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageQuery, paginate

from ..schemas.customer_events import (
    AttendanceBody,
    AttendanceResult,
    CustomerEventCreate,
    CustomerEventPage,
    CustomerEventRead,
    CustomerEventUpdate,
    InvitationPage,
    InvitationRead,
    InviteRequest,
    InviteResult,
    RsvpBody,
)
from ..store import customer_events as store
from ..store.event_tables import CustomerEvent, EventInvitation
from .deps import first_or_404, get_or_404

router = APIRouter(prefix="/v1/customer-events", tags=["customer events"])


def read(session: Session, event: CustomerEvent) -> CustomerEventRead:
    return CustomerEventRead.model_validate(
        {**event.model_dump(), "counts": store.counts(session, [event.id])[event.id]})


def _event(session: Session, event_id: str) -> CustomerEvent:
    return get_or_404(session, CustomerEvent, event_id, "Event")


def _open(event: CustomerEvent) -> None:
    if event.status == "cancelled":
        raise Conflict(f"Event {event.id} is cancelled")


@router.post("", response_model=CustomerEventRead, status_code=201)
def create_event(body: CustomerEventCreate, session: DbSession, principal: Manager,
                 response: Response) -> CustomerEventRead:
    """A VIP gathering (联谊) or customer meeting (客户会); invite its guests next."""
    event = CustomerEvent.model_validate({**body.model_dump(), "created_by": principal.sub})
    session.add(event)
    session.commit()
    session.refresh(event)
    response.status_code = 201
    set_etag(response, event.id, event.version)
    return read(session, event)


@router.get("", response_model=CustomerEventPage)
def list_events(session: DbSession, _: CurrentPrincipal, page: PageQuery,
                status: Literal["planned", "held", "cancelled"] | None = None) -> CustomerEventPage:
    stmt = select(CustomerEvent)
    if status is not None:
        stmt = stmt.where(CustomerEvent.status == status)
    rows, cursor = paginate(session, stmt, sort=CustomerEvent.id, key=CustomerEvent.id,
                            page=page)
    counts = store.counts(session, [e.id for e in rows])
    return CustomerEventPage(items=[CustomerEventRead.model_validate(
        {**e.model_dump(), "counts": counts[e.id]}) for e in rows], next_cursor=cursor)


@router.get("/{event_id}", response_model=CustomerEventRead)
def get_event(event_id: str, session: DbSession, _: CurrentPrincipal,
              response: Response) -> CustomerEventRead:
    event = _event(session, event_id)
    set_etag(response, event.id, event.version)
    return read(session, event)


@router.patch("/{event_id}", response_model=CustomerEventRead)
def update_event(event_id: str, body: CustomerEventUpdate, session: DbSession, _: Manager,
                 request: Request, response: Response) -> CustomerEventRead:
    """Change the details, mark it held (no-shows who accepted get a follow-up task) or
    cancelled (invitations not yet sent are withdrawn). A cancelled event stays so."""
    event = _event(session, event_id)
    check_if_match(request, event.id, event.version)
    _open(event)
    given = body.model_dump(exclude_unset=True)
    if given.get("status") == "held" and event.status == "held":
        given.pop("status")
    for key, value in given.items():
        setattr(event, key, value)
    now = utcnow()
    if given.get("status") == "cancelled":
        store.withdraw_announcements(session, event)
    elif given.get("status") == "held":
        store.follow_up_no_shows(session, event, now)
    event.version += 1
    session.add(event)
    session.commit()
    session.refresh(event)
    set_etag(response, event.id, event.version)
    return read(session, event)


@router.post("/{event_id}/invitations", response_model=InviteResult)
def invite(event_id: str, body: InviteRequest, session: DbSession, principal: Manager
           ) -> InviteResult:
    """Invite the current contacts of a segment, tier, group (分组), tag or list of customers
    (a manager: their team's). Each invitation is sent on the event's channel
    `announce_days_before` days ahead (at once when that is past), through the usual delivery:
    consent, quiet hours and the marketing cap apply. Inviting again adds only the new."""
    event = _event(session, event_id)
    _open(event)
    if event.status == "held":
        raise Conflict(f"Event {event_id} has already been held")
    now = utcnow()
    audience = body.model_dump(exclude={"roles"}, exclude_none=True)
    invited = store.invite(session, event=event, principal=principal, audience=audience,
                           roles=body.roles, now=now)
    session.commit()
    return InviteResult(invited=invited, announce_after=store.announce_after(event, now))


@router.get("/{event_id}/invitations", response_model=InvitationPage)
def list_invitations(event_id: str, session: DbSession, principal: CurrentPrincipal,
                     page: PageQuery,
                     rsvp: Literal["pending", "yes", "no", "maybe"] | None = None,
                     attended: bool | None = None,
                     customer_id: Annotated[str | None, Query(max_length=32)] = None
                     ) -> InvitationPage:
    """The guest list (a rep sees their customers' guests)."""
    _event(session, event_id)
    stmt = store.visible_invitations(principal).where(EventInvitation.event_id == event_id)
    if rsvp is not None:
        stmt = stmt.where(EventInvitation.rsvp == rsvp)
    if attended is not None:
        stmt = stmt.where(EventInvitation.attended == attended)
    if customer_id is not None:
        stmt = stmt.where(EventInvitation.customer_id == customer_id)
    rows, cursor = paginate(session, stmt, sort=EventInvitation.id, key=EventInvitation.id,
                            page=page)
    return InvitationPage(items=[InvitationRead.model_validate(r)
                                 for r in store.invitation_rows(session, rows)],
                          next_cursor=cursor)


@router.post("/{event_id}/invitations/{invitation_id}/rsvp", response_model=InvitationRead)
def answer(event_id: str, invitation_id: str, body: RsvpBody, session: DbSession,
           principal: Writer, request: Request, response: Response) -> InvitationRead:
    """Record the guest's answer; a yes beyond the event's capacity is refused."""
    event = _event(session, event_id)
    _open(event)
    invitation = first_or_404(session, store.visible_invitations(principal).where(
        EventInvitation.event_id == event_id, EventInvitation.id == invitation_id),
        "Invitation", invitation_id)
    check_if_match(request, invitation.id, invitation.version)
    if body.answer == "yes" and invitation.rsvp != "yes" and event.capacity is not None:
        accepted = session.scalar(select(func.count()).select_from(EventInvitation).where(
            EventInvitation.event_id == event_id, EventInvitation.rsvp == "yes")) or 0
        if accepted >= event.capacity:
            raise Conflict(f"Event {event_id} is full: {accepted} of {event.capacity} places "
                           "taken")
    invitation.rsvp = body.answer
    invitation.rsvp_at = utcnow()
    invitation.version += 1
    session.add(invitation)
    session.commit()
    session.refresh(invitation)
    set_etag(response, invitation.id, invitation.version)
    return InvitationRead.model_validate(store.invitation_rows(session, [invitation])[0])


@router.post("/{event_id}/attendance", response_model=AttendanceResult)
def attendance(event_id: str, body: AttendanceBody, session: DbSession,
               principal: Writer) -> AttendanceResult:
    """Mark guests as present. Each customer's first guest present is a touch (touch.recorded,
    kind "event"; once, however often it is marked) and every guest present gets a thank-you
    follow-up task for the owner, due `follow_up_days` after the event."""
    event = _event(session, event_id)
    _open(event)
    if event.starts_at.date() > utcnow().date():
        raise Conflict(f"Event {event_id} has not started yet")
    marked, touches, tasks = store.mark_attended(session, event=event, principal=principal,
                                                 invitation_ids=body.invitation_ids,
                                                 now=utcnow())
    session.commit()
    return AttendanceResult(marked=marked, touches=touches, follow_up_tasks=tasks)
