"""Customer queries and writes; every write publishes its event in the same transaction."""
from __future__ import annotations

from guanxi_shared.auth import Principal, owner_filter
from guanxi_shared.errors import NotFound
from guanxi_shared.events import publish
from guanxi_shared.pagination import PageParams, paginate
from sqlmodel import Session, select

from ..schemas.customers import CustomerCreate, CustomerRead, CustomerUpdate
from .tables import Customer


def event_data(customer: Customer) -> dict:
    return CustomerRead.model_validate(customer, from_attributes=True).model_dump(mode="json")


def get_visible(*, session: Session, principal: Principal, customer_id: str) -> Customer:
    """The customer, or 404 when it does not exist or the caller may not see it."""
    customer = session.get(Customer, customer_id)
    if customer is None or not principal.can_see(owner_id=customer.owner_id,
                                                 team_id=customer.team_id):
        raise NotFound(f"Customer {customer_id} not found")
    return customer


def create(*, session: Session, principal: Principal, customer_in: CustomerCreate) -> Customer:
    values = customer_in.model_dump()
    values["owner_id"] = values["owner_id"] or principal.sub
    values["team_id"] = values["team_id"] or principal.team_id
    customer = Customer(**values)
    session.add(customer)
    session.flush()
    publish(session=session, event_type="customer.created", data=event_data(customer),
            source="registry")
    session.commit()
    return customer


def update(*, session: Session, customer: Customer, customer_in: CustomerUpdate) -> Customer:
    for field, value in customer_in.model_dump(exclude_unset=True).items():
        setattr(customer, field, value)
    customer.version += 1
    session.add(customer)
    session.flush()
    publish(session=session, event_type="customer.updated", data=event_data(customer),
            source="registry")
    session.commit()
    return customer


def list_page(*, session: Session, principal: Principal, page: PageParams,
              status: str | None = None) -> tuple[list[Customer], str | None]:
    stmt = select(Customer)
    visible = owner_filter(principal, Customer.owner_id, Customer.team_id)
    if visible is not None:
        stmt = stmt.where(visible)
    if status:
        stmt = stmt.where(Customer.status == status)
    return paginate(session, stmt, sort=Customer.created_at, key=Customer.id, page=page)
