"""/v1/templates, /v1/messages, /v1/consents, /v1/policies: what is sent, and with what respect."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager, Principal, Writer
from guanxi_shared.db import local_today
from guanxi_shared.http_cache import check_if_match
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageQuery

from ..schemas import messages as schemas
from ..store import messages as store
from ..store import policy, templates
from ..store.tables import Consent, ContactRef, Policy, Template
from .deps import tagged, visible_customer

router = APIRouter(tags=["messages"])


@router.post("/v1/templates", response_model=schemas.TemplateRead, status_code=201)
def create_template(body: schemas.TemplateCreate, session: DbSession, _: Manager,
                    response: Response) -> Template:
    return tagged(response, templates.create(session=session, template_in=body))


@router.get("/v1/templates", response_model=schemas.TemplatePage)
def list_templates(session: DbSession, _: CurrentPrincipal,
                   page: PageQuery) -> schemas.TemplatePage:
    rows, cursor = templates.list_page(session=session, page=page)
    return schemas.TemplatePage(items=[
        schemas.TemplateRead.model_validate(t, from_attributes=True) for t in rows],
        next_cursor=cursor)


@router.patch("/v1/templates/{template_id}", response_model=schemas.TemplateRead)
def update_template(template_id: str, body: schemas.TemplateUpdate, session: DbSession, _: Manager,
                    request: Request, response: Response) -> Template:
    template = templates.get(session=session, template_id=template_id)
    check_if_match(request, template.id, template.version)
    return tagged(response, templates.update(session=session, template=template,
                                             template_in=body))


@router.post("/v1/messages/mass", status_code=202)
def mass_greeting(body: schemas.MassGreeting, session: DbSession,
                  principal: Writer) -> dict[str, int]:
    """Queue one greeting per contact of the selected customers; sends follow the respect rules.

    A rep can only reach their own customers: the audience is narrowed to what they may see.
    """
    queued = store.mass_greeting(session=session, principal=principal, greeting=body,
                                 day=body.on or local_today(session), now=utcnow())
    return {"queued": queued}


@router.get("/v1/messages", response_model=schemas.MessagePage)
def list_messages(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                  customer_id: Annotated[str | None, Query(max_length=32)] = None,
                  contact_id: Annotated[str | None, Query(max_length=32)] = None,
                  status: Literal["pending", "sending", "sent", "blocked",
                                  "failed"] | None = None) -> schemas.MessagePage:
    """The delivery log: every send with its status, and the reason for a block."""
    rows, cursor = store.list_page(session=session, principal=principal, page=page, filters={
        "customer_id": customer_id, "contact_id": contact_id, "status": status})
    return schemas.MessagePage(items=[
        schemas.MessageRead.model_validate(m, from_attributes=True) for m in rows],
        next_cursor=cursor)


def _visible_contact(session: Session, principal: Principal, contact_id: str) -> ContactRef:
    contact = store.contact(session=session, contact_id=contact_id)
    visible_customer(session, principal, contact.customer_id)
    return contact


@router.put("/v1/consents", response_model=schemas.ConsentRead)
def set_consent(body: schemas.ConsentSet, session: DbSession, principal: Writer) -> Consent:
    """Record consent or an opt-out for one contact and channel (PIPL)."""
    _visible_contact(session, principal, body.contact_id)
    return store.set_consent(session=session, consent_in=body)


@router.get("/v1/consents", response_model=list[schemas.ConsentRead])
def list_consents(session: DbSession, principal: CurrentPrincipal,
                  contact_id: Annotated[str, Query(max_length=32)]) -> list[Consent]:
    _visible_contact(session, principal, contact_id)
    return store.consents_of(session=session, contact_id=contact_id)


@router.get("/v1/policies", response_model=schemas.PolicyRead)
def get_policy(session: DbSession, _: CurrentPrincipal, response: Response) -> Policy:
    """Quiet hours (in each contact's timezone) and frequency caps."""
    return tagged(response, policy.current_policy(session))


@router.patch("/v1/policies", response_model=schemas.PolicyRead)
def update_policy(body: schemas.PolicyUpdate, session: DbSession, _: Manager, request: Request,
                  response: Response) -> Policy:
    current = policy.current_policy(session)
    check_if_match(request, current.id, current.version)
    return tagged(response, policy.update_policy(session=session, policy=current,
                                                 policy_in=body))
