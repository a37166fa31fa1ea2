"""/api/v1/privacy: export or erase a person's data in every service (个人信息 requests)."""
from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Request

from ..schemas.integrations import PersonalDataAnswer, PersonalDataRequest, ServiceOutcome
from ..settings import SERVICES
from ..upstream import call
from .deps import Admin

router = APIRouter(prefix="/api/v1/privacy", tags=["personal data"])


async def ask_everyone(request: Request, principal, method: str, customer_id: str,
                       action: str) -> PersonalDataAnswer:
    answers = await asyncio.gather(*(
        call(request, principal, service, method, f"/v1/privacy/customers/{quote(customer_id, safe='')}")
        for service in SERVICES))
    outcomes = [ServiceOutcome(service=a.service, ok=a.ok, status=a.status, result=a.body)
                for a in answers]
    failed = [o.service for o in outcomes if not o.ok]
    request.app.state.audit.request(request, principal, action=action,
                                    customer_id=customer_id, status=207 if failed else 200)
    return PersonalDataAnswer(customer_id=customer_id, complete=not failed, failed=failed,
                              services=outcomes)


@router.post("/export", summary="Everything every service holds about a customer")
async def export(body: PersonalDataRequest, request: Request,
                 principal: Admin) -> PersonalDataAnswer:
    return await ask_everyone(request, principal, "GET", body.customer_id, "export")


@router.post("/erase", summary="Erase a customer's personal data everywhere (retry if "
                               "`complete` is false: each service's erase is repeatable)")
async def erase(body: PersonalDataRequest, request: Request,
                principal: Admin) -> PersonalDataAnswer:
    return await ask_everyone(request, principal, "DELETE", body.customer_id, "erase")
