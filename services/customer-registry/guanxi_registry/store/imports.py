"""Importing phone contacts: match, create, merge or reject every row, then write in bulk.

All decisions are made in memory against two lookups (known phones/emails, known company
names); then customers, contacts and their events are written in bulk in one transaction, so a
bad row never stops good ones and nothing is half-written.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import String, any_, bindparam, func, literal_column, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

from guanxi_shared.auth import Principal, owner_filter
from guanxi_shared.db import refresh_statistics, streaming_insert
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish_many
from guanxi_shared.models import new_id, utcnow

from ..domain.identity import name_key, search_text
from ..domain.importing import ImportRow
from .contacts import event_data as contact_event
from .tables import Contact, Customer

EVENT_BATCH = 500
ANALYZE_AFTER_ROWS = 10_000


@dataclass
class NewContact:
    """A row that creates a contact (and perhaps its customer), with the rows merged into it."""

    row: ImportRow
    customer_id: str
    contact_id: str
    new_customer: bool
    merged: list[ImportRow] = field(default_factory=list)


def run_import(*, session: Session, principal: Principal, rows: list[ImportRow],
               dry_run: bool) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Decides every row against two lookups, new customers streaming to the database meanwhile;
    then the contacts and the events are written (nothing at all on a dry run)."""
    now = utcnow()
    phones = {p for r in rows for _, p in r.phones}
    emails = {e for r in rows for e in r.emails}
    known = _known_contacts(session, principal, phones, emails)
    companies = _known_companies(session, principal,
                                 {r.organisation for r in rows if r.organisation})
    created: list[NewContact] = []
    updates: dict[str, dict[str, Any]] = {}
    in_file: dict[str, NewContact] = {}  # phone/email -> the contact this file creates
    results = []
    customer_events: list[dict[str, Any]] = []
    with _new_customers(session, principal, now, customer_events, dry_run) as add_customer:
        for row in rows:
            if row.error:
                results.append(_result(row, "rejected", reason=row.error))
                continue
            keys = [p for _, p in row.phones] + row.emails
            existing = next((known[k] for k in keys if k in known), None)
            if existing is not None:
                fill = _fill_blanks(existing, row, now)
                if fill:
                    updates.setdefault(existing["id"], {"id": existing["id"]}).update(fill)
                results.append(_result(row, "updated", existing["customer_id"], existing["id"]))
                continue
            earlier = next((in_file[k] for k in keys if k in in_file), None)
            if earlier is not None:
                earlier.merged.append(row)
                results.append(_result(row, "merged", earlier.customer_id, earlier.contact_id,
                                       reason=f"same phone or email as line {earlier.row.line}"))
                continue
            customer_id = companies.get(row.organisation or "")
            new_customer = customer_id is None
            if new_customer:
                customer_id = new_id()
                if row.organisation:
                    companies[row.organisation] = customer_id
                add_customer(row, customer_id)
            new = NewContact(row, customer_id, new_id(), new_customer)
            created.append(new)
            for key in keys:
                in_file[key] = new
            results.append(_result(row, "created", new.customer_id, new.contact_id))
    counts = {o: sum(1 for r in results if r["outcome"] == o)
              for o in ("created", "updated", "merged", "rejected")}
    if not dry_run:
        _write(session, created, customer_events, list(updates.values()), now)
    return counts, results


def _result(row: ImportRow, outcome: str, customer_id: str | None = None,
            contact_id: str | None = None, reason: str | None = None) -> dict[str, Any]:
    return {"line": row.line, "outcome": outcome, "name": row.name, "customer_id": customer_id,
            "contact_id": contact_id, "reason": reason}


def _in(session: Session, column: Any, values: set[str]) -> Any:
    """`column IN values` with one parameter for any number of values: a PostgreSQL array, a
    JSON array on SQLite (whose limit on parameters a big import would pass)."""
    items = sorted(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, items, type_=ARRAY(String)))
    return column.in_(select(literal_column("value")).select_from(
        func.json_each(bindparam(None, orjson.dumps(items).decode()))))


def _known_contacts(session: Session, principal: Principal, phones: set[str],
                    emails: set[str]) -> dict[str, dict[str, Any]]:
    visible = owner_filter(principal, Customer.owner_id, Customer.team_id)
    found: dict[str, dict[str, Any]] = {}
    columns = (Contact.id, Contact.customer_id, Contact.primary_phone, Contact.email,
               Contact.job_title, Contact.department, Contact.birthday, Contact.address)
    for column, values in ((Contact.primary_phone, phones), (Contact.email, emails)):
        if not values:
            continue
        condition = _in(session, column, values)
        stmt = (select(*columns).join(Customer, Customer.id == Contact.customer_id)
                .where(condition))
        if visible is not None:
            stmt = stmt.where(visible)
        for row in session.execute(stmt).mappings():
            for key in (row["primary_phone"], row["email"]):
                if key:
                    found.setdefault(key, dict(row))
    return found


def _known_companies(session: Session, principal: Principal, names: set[str]) -> dict[str, str]:
    if not names:
        return {}
    visible = owner_filter(principal, Customer.owner_id, Customer.team_id)
    stmt = select(Customer.name, Customer.id).where(
        Customer.kind == "company", _in(session, Customer.name, names),
        Customer.merged_into_id.is_(None))
    if visible is not None:
        stmt = stmt.where(visible)
    return dict(session.execute(stmt).tuples().all())


def _customer_row(row: ImportRow, customer_id: str, principal: Principal,
                  now: Any) -> dict[str, Any]:
    is_company = bool(row.organisation)
    phone = None if is_company else (row.phones[0][1] if row.phones else None)
    email = None if is_company else (row.emails[0] if row.emails else None)
    name = row.organisation if is_company else row.name
    return {"id": customer_id, "kind": "company" if is_company else "person", "name": name,
            "name_key": name_key(name or ""), "status": "prospect", "owner_id": principal.sub,
            "team_id": principal.team_id,
            "phone": phone, "email": email, "address": None if is_company else row.address,
            "tags": [], "custom_fields": {}, "version": 1, "created_at": now, "updated_at": now,
            "search_text": search_text(name, phone, email, row.address, row.name,
                                       *(p for _, p in row.phones), *row.emails)}


def _contact_row(new: NewContact, now: Any) -> dict[str, Any]:
    """The contact's row, with what the rows merged into it added (phones, empty fields)."""
    row = new.row
    phones, job_title, department, address = row.phones, row.job_title, row.department, \
        row.address
    if new.merged:
        phones = list(phones)
        for other in new.merged:
            numbers = {p for _, p in phones}
            phones += [(k, p) for k, p in other.phones if p not in numbers]
            job_title = job_title or other.job_title
            department = department or other.department
            address = address or other.address
    mobiles = [p for kind, p in row.phones if kind == "mobile"]
    primary = (mobiles or [p for _, p in row.phones] or [None])[0]
    birthday = row.birthday
    return {"id": new.contact_id, "customer_id": new.customer_id, "name": row.name,
            "organisation": row.organisation, "job_title": job_title,
            "department": department, "address": address,
            "phones": [{"kind": k, "number": p} for k, p in phones],
            "primary_phone": primary, "email": row.emails[0] if row.emails else None,
            "birthday": birthday, "birthday_calendar": "solar" if birthday else None,
            "birthday_month": birthday.month if birthday else None,
            "lunar_birthday_leap": False, "hobbies": [], "cares_about_people": [],
            "cares_about_things": [], "social_circles": [], "version": 1, "created_at": now,
            "updated_at": now}


def _fill_blanks(existing: dict[str, Any], row: ImportRow, now: Any) -> dict[str, Any]:
    """An import never overwrites what a rep typed; it only fills what is missing."""
    fill = {field: value for field, value in (("job_title", row.job_title),
                                              ("department", row.department),
                                              ("birthday", row.birthday),
                                              ("address", row.address))
            if value and not existing.get(field)}
    if fill:
        fill["updated_at"] = now
        if "birthday" in fill:
            fill.update(birthday_calendar="solar", birthday_month=row.birthday.month)
    return fill


@contextmanager
def search_indexed_in_bulk(session: Session) -> Iterator[None]:
    """SQLite: index the inserted customers for search in one statement, not row by row.

    The per-row trigger is dropped inside this transaction and put back before it commits
    (SQLite has one writer, so no other insert can slip in meanwhile; readers keep seeing the
    schema with the trigger). PostgreSQL's GIN index needs nothing.
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    # pysqlite opens its transaction only at the first write; one comes before the DDL, so a
    # failure midway rolls the dropped trigger back with everything else
    session.execute(text("DELETE FROM customer WHERE 0"))
    trigger = session.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                   "AND name = 'customer_search_insert'")).scalar_one()
    before = session.execute(text("SELECT coalesce(max(rowid), 0) FROM customer")).scalar_one()
    session.execute(text("DROP TRIGGER customer_search_insert"))
    yield
    session.execute(text("INSERT INTO customer_search(rowid, search_text) "
                         "SELECT rowid, search_text FROM customer WHERE rowid > :before"),
                    {"before": before})
    session.execute(text(trigger))


@contextmanager
def _new_customers(session: Session, principal: Principal, now: Any,
                   events: list[dict[str, Any]], dry_run: bool) -> Iterator[Callable[..., None]]:
    """`add(row, customer_id)` streams a new customer to the database (see `streaming_insert`)
    while the rest of the file is still being decided, and keeps its event."""
    if dry_run:
        yield lambda row, customer_id: None
        return
    with search_indexed_in_bulk(session), streaming_insert(session, Customer.__table__) as add:
        def add_customer(row: ImportRow, customer_id: str) -> None:
            customer = _customer_row(row, customer_id, principal, now)
            add(customer)
            events.append(_event(customer, CUSTOMER_EVENT_FIELDS))

        yield add_customer


def _write(session: Session, created: list[NewContact], customer_events: list[dict[str, Any]],
           updates: list[dict[str, Any]], now: Any) -> None:
    """The contacts (with the rows merged into them), streamed like the customers were; the
    contacts the import completed; the events."""
    contact_events = []
    with streaming_insert(session, Contact.__table__) as add:
        for new in created:
            contact = _contact_row(new, now)
            add(contact)
            contact_events.append(_event(contact, CONTACT_EVENT_FIELDS))
    for change in updates:  # few: only contacts that gained a missing field
        session.execute(update(Contact).where(Contact.id == change["id"]).values(
            **{k: v for k, v in change.items() if k != "id"}, version=Contact.version + 1))
    changed = session.scalars(select(Contact).where(
        Contact.id.in_([c["id"] for c in updates]))).all() if updates else []
    publish_many(session=session, event_type=EventType.customer_created, batch_size=EVENT_BATCH,
                 items=customer_events, source="registry")
    publish_many(session=session, event_type=EventType.contact_changed, batch_size=EVENT_BATCH,
                 items=contact_events + [contact_event(c) for c in changed], source="registry")
    session.commit()
    if len(created) > ANALYZE_AFTER_ROWS:
        # A big import changes the tables' shape; fresh statistics keep list plans right.
        refresh_statistics(session, "customer", "contact")
        session.commit()


CUSTOMER_EVENT_FIELDS = ("id", "kind", "name", "status", "owner_id", "team_id", "phone", "email",
                         "address", "tags", "version")
CONTACT_EVENT_FIELDS = ("id", "customer_id", "name", "organisation", "job_title", "department",
                        "phones", "primary_phone", "email", "birthday", "birthday_calendar",
                        "birthday_month", "lunar_birthday_leap", "version")


def _event(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The row's fields that import can set, as JSON (imports leave the rest empty)."""
    out = {key: row[key] for key in fields if row[key] is not None}
    if "birthday" in out:  # the only date an import sets
        out["birthday"] = out["birthday"].isoformat()
    return out
