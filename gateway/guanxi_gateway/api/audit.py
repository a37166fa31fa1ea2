"""/api/v1/audit: who read or changed which customer's personal data (admins only)."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from guanxi_shared.app import DbSession
from guanxi_shared.models import Instant
from guanxi_shared.pagination import Page, PageQuery, paginate, where_given

from ..schemas.identity import AuditRead
from ..store.tables import AuditRecord
from .deps import Admin

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", summary="Audit records, newest first")
def list_audit(session: DbSession, _: Admin, page: PageQuery,
               customer_id: Annotated[str | None, Query(max_length=64)] = None,
               actor: Annotated[str | None, Query(max_length=100)] = None,
               action: Literal["read", "change", "export", "erase"] | None = None,
               since: Instant | None = None,
               until: Instant | None = None) -> Page[AuditRead]:
    stmt = select(AuditRecord)
    stmt = where_given(stmt, (AuditRecord.customer_id, customer_id),
                       (AuditRecord.actor, actor), (AuditRecord.action, action))
    if since is not None:
        stmt = stmt.where(AuditRecord.at >= since)
    if until is not None:
        stmt = stmt.where(AuditRecord.at < until)
    rows, cursor = paginate(session, stmt, sort=AuditRecord.at, key=AuditRecord.id, page=page,
                            descending=True)
    return Page(items=[AuditRead.model_validate(r, from_attributes=True) for r in rows],
                next_cursor=cursor)
