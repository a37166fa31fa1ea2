"""Engagement's read model of the registry: customers (the shared kit, plus founding day,
groups, tags, and segmentation's segment and tier), contacts and purchases."""
from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from guanxi_shared.customer_ref import Customer, CustomerReadModel, RegistryList
from guanxi_shared.db import upsert
from guanxi_shared.models import utcnow

from . import flows
from .event_tables import EventInvitation
from .flow_tables import FlowMark
from .privacy import erase_customer
from .tables import (
    ContactRef,
    CustomerRef,
    Message,
    Occasion,
    OpenNeed,
    PurchaseFact,
    Task,
    Visit,
)

_REPOINTED = (ContactRef, PurchaseFact, OpenNeed, Task, Message, Visit, Occasion, FlowMark,
              EventInvitation)


def customer_columns(customer: Customer) -> dict[str, Any]:
    """Groups and tags as lists, and the founding date with its month and day (anniversaries)."""
    columns = {key: customer.get(key) or [] for key in ("groups", "tags") if key in customer}
    if "founded_on" in customer:
        founded = str(customer["founded_on"]) if customer["founded_on"] else None
        columns |= {"founded_on": founded,
                    "founded_month": int(founded[5:7]) if founded else None,
                    "founded_day": int(founded[8:10]) if founded else None}
    return columns


def contact_row(data: dict[str, Any]) -> dict[str, Any]:
    birthday = str(data["birthday"]) if data.get("birthday") else None
    phones = data.get("phones") or []
    return {"id": data["id"], "customer_id": data["customer_id"], "name": data.get("name") or "",
            "birthday_calendar": data.get("birthday_calendar"), "birthday": birthday,
            "birth_month": int(birthday[5:7]) if birthday else None,
            "birth_day": int(birthday[8:10]) if birthday else None,
            "lunar_birthday_month": data.get("lunar_birthday_month"),
            "lunar_birthday_day": data.get("lunar_birthday_day"),
            "lunar_birthday_leap": bool(data.get("lunar_birthday_leap")),
            "email": data.get("email"),
            "phone": data.get("primary_phone") or (phones[0]["number"] if phones else None),
            "wechat": data.get("wechat"), "role": data.get("role"),
            "language": data.get("language") or "zh", "timezone": data.get("timezone"),
            "cares_about": [*(data.get("cares_about_people") or []),
                            *(data.get("cares_about_things") or []),
                            *(data.get("hobbies") or [])],
            "left_on": data.get("left_on"), "native_place": data.get("native_place"),
            "ethnicity": data.get("ethnicity"), "hobbies": data.get("hobbies") or [],
            "updated_at": utcnow()}


def purchase_row(data: dict[str, Any]) -> dict[str, Any]:
    return {"id": data["id"], "customer_id": data["customer_id"],
            "purchased_on": str(data["purchased_on"]), "amount": str(data["amount"]),
            "currency": data.get("currency") or "CNY",
            "referrer_customer_id": data.get("referrer_customer_id"), "updated_at": utcnow()}


def _typed(model, row: dict[str, Any]) -> dict[str, Any]:
    """Validate through the table model so dates and decimals arrive typed on both backends."""
    typed = model.model_validate(row)
    return {key: getattr(typed, key) for key in row}


def save(session: Session, model, rows: list[dict[str, Any]]) -> None:
    upsert(session, model.__table__, [_typed(model, r) for r in rows], key=["id"])


def save_contacts(session: Session, items: list[dict[str, Any]]) -> None:
    save(session, ContactRef, [contact_row(item) for item in items])


def save_purchases(session: Session, items: list[dict[str, Any]]) -> None:
    save(session, PurchaseFact, [purchase_row(item) for item in items])


def merge(*, session: Session, merged_id: str, into_id: str) -> None:
    """The merged customer's contacts, purchases, work and flows follow the survivor."""
    for model in _REPOINTED:
        session.execute(update(model).where(model.customer_id == merged_id)
                        .values(customer_id=into_id))
    flows.merge_customer(session, old=merged_id, new=into_id)


customers = CustomerReadModel(
    table=CustomerRef, copied=("region",), derived=customer_columns, merge=merge,
    erase=erase_customer,
    lists=(RegistryList("contacts", "/v1/contacts", save_contacts),
           RegistryList("purchases", "/v1/purchases", save_purchases)))
