"""Dependencies that load what a route acts on, already checked against the caller's rights."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal

from ..store import contacts as contact_store
from ..store import customers as customer_store
from ..store.tables import Contact, Customer


def visible_customer(customer_id: str, session: DbSession,
                     principal: CurrentPrincipal) -> Customer:
    """The customer (following a merge to the survivor), or 404."""
    return customer_store.get_visible(session=session, principal=principal,
                                      customer_id=customer_id)


def visible_contact(contact_id: str, session: DbSession, principal: CurrentPrincipal) -> Contact:
    return contact_store.get_visible(session=session, principal=principal, contact_id=contact_id)


VisibleCustomer = Annotated[Customer, Depends(visible_customer)]
VisibleContact = Annotated[Contact, Depends(visible_contact)]
