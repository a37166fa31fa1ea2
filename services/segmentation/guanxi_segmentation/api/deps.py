"""Dependencies the segmentation routers share: the customer, loaded with the caller's rights."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal

from ..store.tables import CustomerRef


def visible_customer(customer_id: str, session: DbSession,
                     principal: CurrentPrincipal) -> CustomerRef:
    return CustomerRef.visible_or_404(session, principal, customer_id)


VisibleCustomer = Annotated[CustomerRef, Depends(visible_customer)]
