"""Customer queries and writes; every write publishes its event in the same transaction."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import Select, bindparam, delete, exists, select, text
from sqlalchemy import update as sql_update
from sqlmodel import Session

from guanxi_shared.auth import Principal, Role, owner_filter, visible_or_404, where_visible
from guanxi_shared.db import commit_or_conflict
from guanxi_shared.errors import Conflict, Forbidden, Invalid, NotFound
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageParams, paginate

from ..domain.identity import name_key, search_text
from ..schemas.admin import CustomFieldCreate
from ..schemas.customers import CustomerCreate, CustomerRead, CustomerUpdate
from . import reasons as reason_store
from .tables import (
    Contact,
    Customer,
    CustomerTag,
    CustomFieldDef,
    FieldChange,
    GroupMember,
    Note,
)

TRACKED_FIELDS = ("economic_scale", "employee_count", "prosperity_index", "owner_id", "team_id",
                  "status", "lost_reason_code")
Row = TypeVar("Row")
SORTS = {"created_at": Customer.created_at, "updated_at": Customer.updated_at,
         "name": Customer.name}


def read_model(customer: Customer, group_ids: list[str] | None = None) -> CustomerRead:
    read = CustomerRead.model_validate(customer, from_attributes=True)
    read.group_ids = group_ids or []
    return read


def event_data(session: Session, customer: Customer) -> dict[str, Any]:
    groups = group_ids_of(session, [customer.id]).get(customer.id, [])
    return read_model(customer, groups).model_dump(mode="json")


def group_ids_of(session: Session, customer_ids: list[str]) -> dict[str, list[str]]:
    rows = session.execute(select(GroupMember.customer_id, GroupMember.group_id)
                           .where(GroupMember.customer_id.in_(customer_ids))).all()
    out: dict[str, list[str]] = {}
    for customer_id, group_id in rows:
        out.setdefault(customer_id, []).append(group_id)
    return out


def get_visible(*, session: Session, principal: Principal, customer_id: str,
                follow_merge: bool = True) -> Customer:
    """The customer, or 404 when it does not exist or the caller may not see it.

    A merged customer leads to the one it was merged into (follow_merge) so that contacts,
    notes and purchases sent to an old id land in the right place.
    """
    customer = session.get(Customer, customer_id)
    for _ in range(10):
        if customer is None or not follow_merge or customer.merged_into_id is None:
            break
        customer = session.get(Customer, customer.merged_into_id)
    return visible_or_404(principal, customer, "Customer", customer_id)


def get_visible_row(*, session: Session, principal: Principal, table: type[Row], row_id: str,
                    what: str) -> Row:
    """A contact, note or invoice, or 404 when it does not exist or the caller may not see
    its customer."""
    row = session.get(table, row_id)
    if row is not None:
        customer = session.get(Customer, row.customer_id)  # type: ignore[attr-defined]
        if customer is not None and principal.can_see(owner_id=customer.owner_id,
                                                      team_id=customer.team_id):
            return row
    raise NotFound(f"{what} {row_id} not found")


def select_visible(table: Any, principal: Principal) -> Select:
    """The rows of `table` (contacts, notes, purchases) whose customer the caller may see."""
    stmt = select(table)
    visible = owner_filter(principal, Customer.owner_id, Customer.team_id)
    if visible is not None:
        stmt = stmt.join(Customer, Customer.id == table.customer_id).where(visible)
    return stmt


def validate_custom_fields(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    defs = {d.key: d for d in session.scalars(select(CustomFieldDef)
                                              .where(CustomFieldDef.key.in_(list(values))))}
    errors = []
    for key, value in values.items():
        definition = defs.get(key)
        if definition is None:
            errors.append({"loc": ["body", "custom_fields", key], "field": f"custom_fields.{key}",
                           "type": "unknown_field", "msg": "no custom field with this key"})
        elif value is not None and not _fits(definition, value):
            errors.append({"loc": ["body", "custom_fields", key], "field": f"custom_fields.{key}",
                           "type": "wrong_type", "msg": f"expected {definition.type}"})
    if errors:
        raise Invalid("Custom fields do not match their definitions", errors=errors)
    return values


def _fits(definition: CustomFieldDef, value: Any) -> bool:
    if definition.type == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if definition.type == "boolean":
        return isinstance(value, bool)
    if definition.type == "date":
        try:
            date.fromisoformat(str(value))
            return True
        except ValueError:
            return False
    if definition.type == "choice":
        return value in definition.choices
    return isinstance(value, str) and len(value) <= 2000


def check_credit_code_free(session: Session, code: str | None, customer_id: str | None) -> None:
    if not code:
        return
    other = session.scalar(select(Customer.id).where(Customer.credit_code == code,
                                                     Customer.merged_into_id.is_(None)))
    if other and other != customer_id:
        raise Conflict(f"Customer {other} already has credit code {code}; merge instead")


def check_assignment(principal: Principal, owner_id: str | None, team_id: str | None) -> None:
    """Reps own what they create; managers assign within their team; admins anywhere."""
    if principal.role in (Role.admin, Role.service, Role.integration):
        return
    if principal.role == Role.manager and team_id in (None, principal.team_id):
        return
    if principal.role == Role.rep and owner_id in (None, principal.sub) and team_id in (
            None, principal.team_id):
        return
    raise Forbidden("Only a manager or an admin may assign customers to someone else")


def create(*, session: Session, principal: Principal, customer_in: CustomerCreate) -> Customer:
    check_assignment(principal, customer_in.owner_id, customer_in.team_id)
    values = customer_in.model_dump(exclude_none=True)
    values["owner_id"] = values.get("owner_id") or principal.sub
    values["team_id"] = values.get("team_id") or principal.team_id
    values["tags"] = sorted(set(values.get("tags", [])))
    values["custom_fields"] = validate_custom_fields(session, values.get("custom_fields", {}))
    check_credit_code_free(session, values.get("credit_code"), None)
    reason_store.check_code(session, values.get("lost_reason_code"))
    customer = Customer.model_validate(values | {"name_key": name_key(values["name"])})
    session.add(customer)
    session.flush()
    set_tags(session, customer.id, customer.tags)
    refresh_search_text(session, [customer.id])
    publish(session=session, event_type=EventType.customer_created, data=event_data(session, customer),
            source="registry")
    session.commit()
    return customer


def update(*, session: Session, principal: Principal, customer: Customer,
           customer_in: CustomerUpdate) -> Customer:
    if customer.erased_at is not None:
        raise Conflict("This customer's personal data was erased; it cannot be edited")
    changes = customer_in.model_dump(exclude_unset=True)
    if "owner_id" in changes or "team_id" in changes:
        check_assignment(principal, changes.get("owner_id"), changes.get("team_id"))
    if "custom_fields" in changes:
        given = validate_custom_fields(session, changes["custom_fields"] or {})
        changes["custom_fields"] = {**customer.custom_fields, **given}
    if "tags" in changes:
        changes["tags"] = sorted(set(changes["tags"] or []))
        set_tags(session, customer.id, changes["tags"])
    if "credit_code" in changes:
        check_credit_code_free(session, changes["credit_code"], customer.id)
    if changes.get("status") and changes["status"] != "lost":
        changes.setdefault("lost_reason", None)
        changes.setdefault("lost_reason_code", None)
    if "lost_reason_code" in changes:
        lost = changes.get("status", customer.status) == "lost"
        if lost and changes["lost_reason_code"] is None:
            raise Invalid("A lost customer keeps a reason", errors=[{
                "loc": ["body", "lost_reason_code"], "field": "lost_reason_code",
                "type": "missing", "msg": "may not be null while the customer is lost"}])
        reason_store.check_code(session, changes["lost_reason_code"])
    record_history(session, customer, changes, principal.sub)
    for field, value in changes.items():
        setattr(customer, field, value)
    customer.name_key = name_key(customer.name)
    customer.version += 1
    session.add(customer)
    session.flush()
    refresh_search_text(session, [customer.id])
    publish(session=session, event_type=EventType.customer_updated, data=event_data(session, customer),
            source="registry")
    session.commit()
    return customer


def record_history(session: Session, customer: Customer, changes: dict[str, Any],
                   changed_by: str) -> None:
    rows = [{"customer_id": customer.id, "field": field, "changed_by": changed_by,
             "old_value": None if getattr(customer, field) is None else str(getattr(customer, field)),
             "new_value": None if changes[field] is None else str(changes[field]),
             "created_at": utcnow(), "updated_at": utcnow()}
            for field in TRACKED_FIELDS
            if field in changes and str(changes[field]) != str(getattr(customer, field))]
    if rows:
        session.execute(FieldChange.__table__.insert(), rows)


def set_tags(session: Session, customer_id: str, tags: list[str]) -> None:
    session.execute(delete(CustomerTag).where(CustomerTag.customer_id == customer_id))
    if tags:
        now = utcnow()
        session.execute(CustomerTag.__table__.insert(), [
            {"customer_id": customer_id, "tag": t, "created_at": now, "updated_at": now}
            for t in tags])


def refresh_search_text(session: Session, customer_ids: list[str]) -> None:
    """Rebuild what full-text search scans for these customers (three queries in all)."""
    if not customer_ids:
        return
    customers = session.execute(
        select(Customer.id, Customer.name, Customer.phone, Customer.email, Customer.address,
               Customer.region, Customer.credit_code, Customer.industry)
        .where(Customer.id.in_(customer_ids))).all()
    extra: dict[str, list[str | None]] = {cid: [] for cid in customer_ids}
    for row in session.execute(select(Contact.customer_id, Contact.name, Contact.primary_phone,
                                      Contact.email, Contact.address, Contact.organisation)
                               .where(Contact.customer_id.in_(customer_ids))):
        extra[row[0]].extend(row[1:])
    for cid, body in session.execute(select(Note.customer_id, Note.body)
                                     .where(Note.customer_id.in_(customer_ids))):
        extra[cid].append(_strip_tags(body))
    rows = [{"cid": c.id, "text": search_text(*c[1:], *extra.get(c.id, []))} for c in customers]
    table = Customer.__table__
    session.execute(sql_update(table).where(table.c.id == bindparam("cid"))
                    .values(search_text=bindparam("text")), rows)


def _strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def matches(session: Session, folded: str):
    """Substring search over search_text, served by the trigram index of each database.

    SQLite: the FTS5 trigram table (migration search_index) for 3+ characters. PostgreSQL: the
    pg_trgm GIN index serves LIKE directly. Shorter queries (华为) scan, which is still exact.
    """
    if len(folded) >= 3 and session.get_bind().dialect.name == "sqlite":
        phrase = '"' + folded.replace('"', '""') + '"'
        return text("customer.rowid IN (SELECT rowid FROM customer_search "
                    "WHERE customer_search MATCH :phrase)").bindparams(phrase=phrase)
    return Customer.search_text.like(like_pattern(folded), escape="\\")


def like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_page(*, session: Session, principal: Principal, page: PageParams,
              q: str | None = None, owner_id: str | None = None, team_id: str | None = None,
              group_id: str | None = None, tag: str | None = None, status: str | None = None,
              region: str | None = None, industry: str | None = None, kind: str | None = None,
              created_from: datetime | None = None, created_to: datetime | None = None,
              updated_from: datetime | None = None, updated_to: datetime | None = None,
              birthday_month: int | None = None,
              sort: Literal["created_at", "updated_at", "name"] = "created_at",
              descending: bool = False) -> tuple[list[Customer], str | None]:
    stmt = select(Customer).where(Customer.merged_into_id.is_(None))
    stmt = where_visible(stmt, principal, Customer.owner_id, Customer.team_id)
    equal = {Customer.owner_id: owner_id, Customer.team_id: team_id, Customer.status: status,
             Customer.region: region, Customer.industry: industry, Customer.kind: kind}
    stmt = stmt.where(*(col == value for col, value in equal.items() if value is not None))
    if q:
        stmt = stmt.where(matches(session, search_text(q)))
    if tag:
        stmt = stmt.where(exists().where(CustomerTag.customer_id == Customer.id,
                                         CustomerTag.tag == tag))
    if group_id:
        stmt = stmt.where(exists().where(GroupMember.customer_id == Customer.id,
                                         GroupMember.group_id == group_id))
    if birthday_month:
        stmt = stmt.where(exists().where(Contact.customer_id == Customer.id,
                                         Contact.birthday_month == birthday_month,
                                         Contact.left_on.is_(None)))
    ranges = [(Customer.created_at, created_from, created_to),
              (Customer.updated_at, updated_from, updated_to)]
    for col, start, end in ranges:
        if start:
            stmt = stmt.where(col >= start)
        if end:
            stmt = stmt.where(col < end)
    return paginate(session, stmt, sort=SORTS[sort], key=Customer.id, page=page,
                    descending=descending)



def history(*, session: Session, customer_id: str) -> list[FieldChange]:
    return list(session.scalars(select(FieldChange).where(FieldChange.customer_id == customer_id)
                                .order_by(FieldChange.created_at, FieldChange.id)))


def add_custom_field(*, session: Session, field_in: CustomFieldCreate) -> CustomFieldDef:
    definition = CustomFieldDef.model_validate(field_in.model_dump())
    session.add(definition)
    commit_or_conflict(session, f"Custom field '{field_in.key}' already exists")
    return definition


def custom_fields(*, session: Session) -> list[CustomFieldDef]:
    return list(session.scalars(select(CustomFieldDef).order_by(CustomFieldDef.key)))
