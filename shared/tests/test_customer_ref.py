"""The customer read-model kit: events and resync save alike, merge, erase, visibility."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlmodel import Field, SQLModel

from guanxi_shared.auth import Principal, Role
from guanxi_shared.customer_ref import CustomerReadModel, CustomerRefBase, RegistryList
from guanxi_shared.errors import NotFound
from guanxi_shared.events import Event, apply_events
from guanxi_shared.models import new_id, utcnow
from guanxi_testing.fixtures import paged_registry


class KitCustomer(CustomerRefBase, table=True):
    """A service's table: the base, a copied column and one of its own (`segment`)."""

    __tablename__ = "kit_customer_ref"

    region: str | None = Field(default=None, max_length=100)
    region_code: str | None = Field(default=None, max_length=3)
    segment: str | None = Field(default=None, max_length=64)


class KitNote(SQLModel, table=True):
    __tablename__ = "kit_note"

    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32)


class KitStatusChange(SQLModel, table=True):
    __tablename__ = "kit_status_change"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(max_length=32)
    status: str = Field(max_length=16)


def record_changes(*, session, customers: list[dict[str, Any]], previous: dict[str, str],
                   at) -> None:
    for c in customers:
        if "status" in c and previous.get(c["id"]) != c["status"]:
            session.add(KitStatusChange(customer_id=c["id"], status=c["status"]))


def merge(*, session, merged_id: str, into_id: str) -> None:
    session.execute(update(KitNote).where(KitNote.customer_id == merged_id)
                    .values(customer_id=into_id))


def erase(*, session, customer_id: str) -> dict[str, int]:
    return {"notes": session.execute(delete(KitNote).where(
        KitNote.customer_id == customer_id)).rowcount}


def save_notes(session, items: list[dict[str, Any]]) -> None:
    for item in items:
        session.merge(KitNote(**item))


MODEL = CustomerReadModel(
    table=KitCustomer, copied=("region",), merge=merge, erase=erase,
    derived=lambda c: {"region_code": c["region"][:3]} if c.get("region") else {},
    before_save=record_changes, lists=(RegistryList("notes", "/v1/notes", save_notes),))


def send(sessions, type_: str, data: dict[str, Any]) -> None:
    event = Event(id=new_id(), type=type_, source="registry", occurred_at=utcnow(), data=data)
    assert apply_events(sessions, [event], MODEL.handlers).applied == 1


@pytest.fixture
def sessions(engine, sessions):
    with sessions() as session, session.begin():
        session.add_all([KitNote(id="n1", customer_id="c1"), KitNote(id="n2", customer_id="c2")])
    return sessions


def test_an_update_sets_what_it_carries_and_keeps_the_service_columns(sessions):
    send(sessions, "customer.created", {"id": "c1", "name": None, "status": "active",
                                        "owner_id": "rep-1", "region": "Shanghai"})
    with sessions() as session, session.begin():
        session.execute(update(KitCustomer).values(segment="champions"))
    send(sessions, "customer.updated", {"id": "c1", "name": "华为", "status": "lost"})
    with sessions() as session:
        row = session.get(KitCustomer, "c1")
        assert (row.name, row.status, row.owner_id, row.region, row.region_code,
                row.segment) == ("华为", "lost", "rep-1", "Shanghai", "Sha", "champions")
        assert session.scalars(select(KitStatusChange.status)
                               .order_by(KitStatusChange.id)).all() == ["active", "lost"]


def test_a_merge_moves_rows_and_drops_the_merged_reference(sessions):
    for cid in ("c1", "c2"):
        send(sessions, "customer.created", {"id": cid, "name": cid, "status": "active"})
    send(sessions, "customer.merged", {"merged_id": "c2", "into_id": "c1"})
    with sessions() as session:
        assert session.scalars(select(KitCustomer.id)).all() == ["c1"]
        assert set(session.scalars(select(KitNote.customer_id))) == {"c1"}


def test_an_erasure_runs_the_services_erase(sessions):
    send(sessions, "customer.erased", {"customer_id": "c2"})
    with sessions() as session:
        assert session.scalars(select(KitNote.id)).all() == ["n1"]


def test_resync_saves_pages_as_the_events_do(sessions):
    pages = {"/v1/customers": [
        {"items": [{"id": "c1", "name": "one", "status": "active", "owner_id": "rep-1"}],
         "next_cursor": "2"},
        {"items": [{"id": "c3", "name": "three", "status": "lost", "region": "Beijing"}]}],
        "/v1/notes": [{"items": [{"id": "n3", "customer_id": "c3"}]}]}
    for _ in range(2):
        with sessions() as session:
            counts = MODEL.resync(session=session, client=paged_registry(pages, caller="t"))
        assert counts == {"customers": 2, "notes": 1}
    with sessions() as session:
        assert session.get(KitCustomer, "c3").region_code == "Bei"
        assert sorted(session.scalars(select(KitStatusChange.customer_id))) == ["c1", "c3"]


def test_visible_or_404_follows_the_role(sessions):
    send(sessions, "customer.created", {"id": "c1", "name": "one", "status": "active",
                                        "owner_id": "rep-1", "team_id": "t1"})
    seen = {"rep-1": Principal(sub="rep-1", role=Role.rep),
            "manager of t1": Principal(sub="m", role=Role.manager, team_id="t1")}
    hidden = {"another rep": Principal(sub="rep-2", role=Role.rep),
              "manager of t2": Principal(sub="m", role=Role.manager, team_id="t2")}
    with sessions() as session:
        for principal in seen.values():
            assert KitCustomer.visible_or_404(session, principal, "c1").id == "c1"
        for principal in [*hidden.values(), seen["rep-1"]]:
            customer_id = "c1" if principal in hidden.values() else "unknown"
            with pytest.raises(NotFound, match=f"Customer {customer_id} not found"):
                KitCustomer.visible_or_404(session, principal, customer_id)
