"""/v1/templates, /v1/messages, /v1/consents, /v1/policies: what is sent, and with what respect."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import select

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager, Writer, owner_filter
from guanxi_shared.db import local_today
from guanxi_shared.errors import NotFound
from guanxi_shared.http_cache import set_etag
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageQuery, paginate, where_given

from ..schemas.messages import (
    ConsentRead,
    ConsentSet,
    MassGreeting,
    MessagePage,
    MessageRead,
    PolicyRead,
    PolicyUpdate,
    TemplateCreate,
    TemplatePage,
    TemplateRead,
    TemplateUpdate,
)
from ..store.delivery import current_policy
from ..store.runs import run_mass_greeting
from ..store.tables import Consent, ContactRef, CustomerRef, Message, Policy, Template
from .deps import created, get_or_404, save_update, visible_customer

router = APIRouter(tags=["messages"])


@router.post("/v1/templates", response_model=TemplateRead, status_code=201)
def create_template(body: TemplateCreate, session: DbSession, _: Manager,
                    response: Response) -> Template:
    return created(session, Template.model_validate(body.model_dump()), response)


@router.get("/v1/templates", response_model=TemplatePage)
def list_templates(session: DbSession, _: CurrentPrincipal, page: PageQuery) -> TemplatePage:
    rows, cursor = paginate(session, select(Template), sort=Template.id, key=Template.id,
                            page=page)
    return TemplatePage(items=[TemplateRead.model_validate(t, from_attributes=True)
                               for t in rows], next_cursor=cursor)


@router.patch("/v1/templates/{template_id}", response_model=TemplateRead)
def update_template(template_id: str, body: TemplateUpdate, session: DbSession, _: Manager,
                    request: Request, response: Response) -> Template:
    return save_update(session, get_or_404(session, Template, template_id, "Template"), body,
                       request, response)


@router.post("/v1/messages/mass", status_code=202)
def mass_greeting(body: MassGreeting, session: DbSession, principal: Writer) -> dict[str, int]:
    """Queue one greeting per contact of the selected customers; sends follow the respect rules.

    A rep can only reach their own customers: the audience is narrowed to what they may see.
    """
    audience = body.audience.model_dump(exclude_none=True)
    if not principal.sees_everything:
        visible = select(CustomerRef.id).where(
            owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id))
        audience["customer_ids"] = [c for c in session.scalars(visible)
                                    if c in audience.get("customer_ids", [c])]
    queued = run_mass_greeting(session=session, channel=body.channel, kind=body.kind,
                               occasion=body.occasion, template_id=body.template_id,
                               audience=audience, day=body.on or local_today(session),
                               now=utcnow())
    return {"queued": queued}


@router.get("/v1/messages", response_model=MessagePage)
def list_messages(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                  customer_id: Annotated[str | None, Query(max_length=32)] = None,
                  contact_id: Annotated[str | None, Query(max_length=32)] = None,
                  status: Literal["pending", "sending", "sent", "blocked",
                                  "failed"] | None = None) -> MessagePage:
    """The delivery log: every send with its status, and the reason for a block."""
    stmt = select(Message).join(CustomerRef, CustomerRef.id == Message.customer_id)
    condition = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    stmt = where_given(stmt, (Message.customer_id, customer_id),
                       (Message.contact_id, contact_id), (Message.status, status))
    if condition is not None:
        stmt = stmt.where(condition)
    rows, cursor = paginate(session, stmt, sort=Message.id, key=Message.id, page=page)
    return MessagePage(items=[MessageRead.model_validate(m, from_attributes=True)
                              for m in rows], next_cursor=cursor)


def _visible_contact(session, principal, contact_id: str) -> ContactRef:
    contact = session.get(ContactRef, contact_id)
    if contact is None:
        raise NotFound(f"Contact {contact_id} not found")
    visible_customer(session, principal, contact.customer_id)
    return contact


@router.put("/v1/consents", response_model=ConsentRead)
def set_consent(body: ConsentSet, session: DbSession, principal: Writer) -> Consent:
    """Record consent or an opt-out for one contact and channel (PIPL)."""
    _visible_contact(session, principal, body.contact_id)
    consent = session.get(Consent, (body.contact_id, body.channel)) or Consent(
        contact_id=body.contact_id, channel=body.channel, granted=body.granted)
    consent.granted, consent.source, consent.updated_at = body.granted, body.source, utcnow()
    session.add(consent)
    session.commit()
    session.refresh(consent)
    return consent


@router.get("/v1/consents", response_model=list[ConsentRead])
def list_consents(session: DbSession, principal: CurrentPrincipal,
                  contact_id: Annotated[str, Query(max_length=32)]) -> list[Consent]:
    _visible_contact(session, principal, contact_id)
    return list(session.scalars(select(Consent).where(Consent.contact_id == contact_id)
                                .order_by(Consent.channel)))


@router.get("/v1/policies", response_model=PolicyRead)
def get_policy(session: DbSession, _: CurrentPrincipal, response: Response) -> Policy:
    """Quiet hours (in each contact's timezone) and frequency caps."""
    policy = current_policy(session)
    set_etag(response, policy.id, policy.version)
    return policy


@router.patch("/v1/policies", response_model=PolicyRead)
def update_policy(body: PolicyUpdate, session: DbSession, _: Manager, request: Request,
                  response: Response) -> Policy:
    return save_update(session, current_policy(session), body, request, response)
