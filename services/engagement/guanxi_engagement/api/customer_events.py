"""/v1/customer-events: VIP gatherings and customer meetings (VIP 联谊, 客户会): invitations to a
segment or group announced a week ahead, RSVPs, attendance (a touch) and follow-up tasks."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager, Writer
from guanxi_shared.http_cache import check_if_match
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageQuery

from ..schemas import customer_events as schemas
from ..store import customer_events as store
from ..store.event_tables import CustomerEvent
from .deps import tagged

router = APIRouter(prefix="/v1/customer-events", tags=["customer events"])


def read(session: Session, event: CustomerEvent, response: Response) -> schemas.CustomerEventRead:
    tagged(response, event)
    return schemas.CustomerEventRead.model_validate(store.with_counts(session, [event])[0])


@router.post("", response_model=schemas.CustomerEventRead, status_code=201)
def create_event(body: schemas.CustomerEventCreate, session: DbSession, principal: Manager,
                 response: Response) -> schemas.CustomerEventRead:
    """A VIP gathering (联谊) or customer meeting (客户会); invite its guests next."""
    return read(session, store.create(session=session, event_in=body,
                                      created_by=principal.sub), response)


@router.get("", response_model=schemas.CustomerEventPage)
def list_events(session: DbSession, _: CurrentPrincipal, page: PageQuery,
                status: Literal["planned", "held", "cancelled"] | None = None,
                ) -> schemas.CustomerEventPage:
    rows, cursor = store.list_page(session=session, page=page, status=status)
    return schemas.CustomerEventPage(items=[schemas.CustomerEventRead.model_validate(e)
                                            for e in store.with_counts(session, rows)],
                             next_cursor=cursor)


@router.get("/{event_id}", response_model=schemas.CustomerEventRead)
def get_event(event_id: str, session: DbSession, _: CurrentPrincipal,
              response: Response) -> schemas.CustomerEventRead:
    return read(session, store.get(session=session, event_id=event_id), response)


@router.patch("/{event_id}", response_model=schemas.CustomerEventRead)
def update_event(event_id: str, body: schemas.CustomerEventUpdate, session: DbSession, _: Manager,
                 request: Request, response: Response) -> schemas.CustomerEventRead:
    """Change the details, mark it held (no-shows who accepted get a follow-up task) or
    cancelled (invitations not yet sent are withdrawn). A cancelled event stays so."""
    event = store.get(session=session, event_id=event_id)
    check_if_match(request, event.id, event.version)
    return read(session, store.update_event(session=session, event=event, event_in=body),
                response)


@router.post("/{event_id}/invitations", response_model=schemas.InviteResult)
def invite(event_id: str, body: schemas.InviteRequest, session: DbSession, principal: Manager
           ) -> schemas.InviteResult:
    """Invite the current contacts of a segment, tier, group (分组), tag or list of customers
    (a manager: their team's). Each invitation is sent on the event's channel
    `announce_days_before` days ahead (at once when that is past), through the usual delivery:
    consent, quiet hours and the marketing cap apply. Inviting again adds only the new."""
    event = store.get(session=session, event_id=event_id)
    now = utcnow()
    invited = store.invite_audience(session=session, event=event, principal=principal,
                                    invite_in=body, now=now)
    return schemas.InviteResult(invited=invited, announce_after=store.announce_after(event, now))


@router.get("/{event_id}/invitations", response_model=schemas.InvitationPage)
def list_invitations(event_id: str, session: DbSession, principal: CurrentPrincipal,
                     page: PageQuery,
                     rsvp: Literal["pending", "yes", "no", "maybe"] | None = None,
                     attended: bool | None = None,
                     customer_id: Annotated[str | None, Query(max_length=32)] = None
                     ) -> schemas.InvitationPage:
    """The guest list (a rep sees their customers' guests)."""
    event = store.get(session=session, event_id=event_id)
    rows, cursor = store.invitations_page(session=session, principal=principal, event=event,
                                          page=page, filters={
                                              "rsvp": rsvp, "attended": attended,
                                              "customer_id": customer_id})
    return schemas.InvitationPage(items=[schemas.InvitationRead.model_validate(r) for r in rows],
                                  next_cursor=cursor)


@router.post("/{event_id}/invitations/{invitation_id}/rsvp", response_model=schemas.InvitationRead)
def answer(event_id: str, invitation_id: str, body: schemas.RsvpBody, session: DbSession,
           principal: Writer, request: Request, response: Response) -> schemas.InvitationRead:
    """Record the guest's answer; a yes beyond the event's capacity is refused."""
    event = store.get(session=session, event_id=event_id)
    invitation = store.get_invitation(session=session, principal=principal, event=event,
                                      invitation_id=invitation_id)
    check_if_match(request, invitation.id, invitation.version)
    row = store.answer(session=session, event=event, invitation=invitation, rsvp=body.answer)
    tagged(response, invitation)
    return schemas.InvitationRead.model_validate(row)


@router.post("/{event_id}/attendance", response_model=schemas.AttendanceResult)
def attendance(event_id: str, body: schemas.AttendanceBody, session: DbSession,
               principal: Writer) -> schemas.AttendanceResult:
    """Mark guests as present. Each customer's first guest present is a touch (touch.recorded,
    kind "event"; once, however often it is marked) and every guest present gets a thank-you
    follow-up task for the owner, due `follow_up_days` after the event."""
    event = store.get(session=session, event_id=event_id)
    marked, touches, tasks = store.attend(session=session, event=event, principal=principal,
                                          invitation_ids=body.invitation_ids)
    return schemas.AttendanceResult(marked=marked, touches=touches, follow_up_tasks=tasks)
