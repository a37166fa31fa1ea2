"""The customer read model (客户参照) engagement, needs and segmentation keep of the registry:
its table base (with visibility), its projection from the customer events, merge and erasure,
and resync.

A service declares one `CustomerReadModel` (its store/read_model.py): its table, the registry
fields it copies besides the base ones, and its own part of a merge and of an erasure. Events
and resync save customers through the same `save`, so the two cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Self

from sqlalchemy import delete, select
from sqlmodel import Field, Session

from . import auth
from .client import ServiceClient
from .db import upsert
from .event_types import EventType
from .events import Event, EventHandler
from .models import Timestamped, utcnow

Customer = dict[str, Any]  # a customer as the registry publishes and lists it (CustomerRead)
BASE_FIELDS = ("name", "status", "owner_id", "team_id")


class CustomerRefBase(Timestamped):
    """What every service knows of a registry customer; each service's table adds its own."""

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    status: str = Field(default="prospect", max_length=16)
    owner_id: str | None = Field(default=None, max_length=64, index=True)
    team_id: str | None = Field(default=None, max_length=64, index=True)

    @classmethod
    def visible_or_404(cls, session: Session, principal: auth.Principal,
                       customer_id: str) -> Self:
        """The customer when the principal may see it (a rep their own, a manager their
        team's); otherwise the 404 an unknown customer gets."""
        return auth.visible_or_404(principal, session.get(cls, customer_id), "Customer",
                                   customer_id)


class RegistryList(NamedTuple):
    """A registry list a resync copies, and how one page of it is saved."""

    name: str
    path: str
    save: Callable[[Session, list[dict[str, Any]]], None]


def _nothing_derived(customer: Customer) -> dict[str, Any]:
    return {}


@dataclass(frozen=True, kw_only=True)
class CustomerReadModel:
    """One service's customer read model.

    - `copied`: the service's own columns, taken as the registry sends them;
    - `derived(customer)`: columns computed from a customer (engagement's founding day);
    - `before_save(session=, customers=, previous=, at=)`: runs before customers are saved,
      `previous` mapping those already known to their stored status (segmentation's status
      history); `at` is when the registry changed them, None in a resync;
    - `merge(session=, merged_id=, into_id=)`: moves the merged customer's rows to the
      survivor; the merged customer's reference is deleted after it;
    - `erase(session=, customer_id=)`: the service's one erasure, for the event and the
      endpoint alike;
    - `lists`, `after_resync`: what else a resync copies, and what it rebuilds at the end.
    """

    table: type[CustomerRefBase]
    merge: Callable[..., None]
    erase: Callable[..., dict[str, int]]
    copied: tuple[str, ...] = ()
    derived: Callable[[Customer], dict[str, Any]] = _nothing_derived
    before_save: Callable[..., None] | None = None
    lists: tuple[RegistryList, ...] = ()
    after_resync: Callable[[Session], None] | None = None

    def row(self, customer: Customer) -> dict[str, Any]:
        """The columns a customer sets: those it carries (a partial update keeps the rest)."""
        row = {"id": customer["id"]} | {key: customer[key] for key in (*BASE_FIELDS, *self.copied)
                                        if key in customer}
        if "name" in row:
            row["name"] = row["name"] or ""
        return row | self.derived(customer)

    def save(self, session: Session, customers: list[Customer],
             at: datetime | None = None) -> None:
        """Insert or update customers (one event, or a page): one statement per set of fields."""
        if not customers:
            return
        table, ids = self.table, [customer["id"] for customer in customers]
        session.flush()
        if self.before_save is not None:
            previous = dict(session.execute(select(table.id, table.status)
                                            .where(table.id.in_(ids))).tuples().all())
            self.before_save(session=session, customers=customers, previous=previous, at=at)
        now, columns = utcnow(), list(table.__table__.columns.keys())
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for customer in customers:
            row = self.row(customer) | {"updated_at": now}
            shapes.setdefault(tuple(row), []).append(row)
        for shape, rows in shapes.items():
            typed = [table.model_validate({"name": ""} | row) for row in rows]
            upsert(session, table.__table__, [{c: getattr(t, c) for c in columns} for t in typed],
                   key=["id"], update=list(shape))
        for customer_id in ids:  # the statement bypassed the ORM: reload what it had loaded
            loaded = session.identity_map.get(session.identity_key(table, customer_id))
            if loaded is not None:
                session.expire(loaded)

    def resync(self, *, session: Session, client: ServiceClient) -> dict[str, int]:
        """Rebuild from the registry's lists (after a restore, or an install that missed
        events); each page is committed as it arrives. Returns the items copied per list."""
        counts: dict[str, int] = {}
        for name, path, save in (RegistryList("customers", "/v1/customers", self.save),
                                 *self.lists):
            counts[name] = 0
            for items in client.pages(path):
                save(session, items)
                counts[name] += len(items)
                session.commit()
        if self.after_resync is not None:
            self.after_resync(session)
            session.commit()
        return counts

    def erase_now(self, *, session: Session, customer_id: str) -> dict[str, int]:
        """The erasure on request (DELETE /v1/privacy/customers/{id}), committed; the event's
        runs in the consumer's transaction."""
        erased = self.erase(session=session, customer_id=customer_id)
        session.commit()
        return erased

    @property
    def handlers(self) -> dict[EventType, EventHandler]:
        """The registry's customer events, for the service's handler table."""
        return {EventType.customer_created: self._on_customer,
                EventType.customer_updated: self._on_customer,
                EventType.customer_merged: self._on_merged,
                EventType.customer_erased: self._on_erased}

    def _on_customer(self, session: Session, event: Event) -> None:
        self.save(session, [event.data], at=event.occurred_at)

    def _on_merged(self, session: Session, event: Event) -> None:
        merged_id = event.data["merged_id"]
        self.merge(session=session, merged_id=merged_id, into_id=event.data["into_id"])
        session.execute(delete(self.table).where(self.table.id == merged_id))

    def _on_erased(self, session: Session, event: Event) -> None:
        self.erase(session=session, customer_id=event.data["customer_id"])
