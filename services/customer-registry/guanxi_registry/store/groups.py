"""Groups (分组): free-form and unlimited; membership changes are customer updates."""
from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.db import commit_or_conflict, get_or_404
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish_many
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageParams, paginate

from ..schemas.relations import GroupCreate, GroupRead, GroupUpdate
from . import customers as customer_store
from .tables import Customer, CustomerGroup, GroupMember


def get(session: Session, group_id: str) -> CustomerGroup:
    return get_or_404(session, CustomerGroup, group_id, "Group")


def read(session: Session, group: CustomerGroup) -> GroupRead:
    count = session.scalar(select(func.count()).where(GroupMember.group_id == group.id))
    return GroupRead.model_validate(group, from_attributes=True).model_copy(
        update={"member_count": count or 0})


def create(*, session: Session, group_in: GroupCreate) -> CustomerGroup:
    return _save(session, CustomerGroup.model_validate(group_in.model_dump()))


def update(*, session: Session, group: CustomerGroup, group_in: GroupUpdate) -> CustomerGroup:
    for field, value in group_in.model_dump(exclude_unset=True).items():
        setattr(group, field, value)
    group.version += 1
    return _save(session, group)


def _save(session: Session, group: CustomerGroup) -> CustomerGroup:
    session.add(group)
    commit_or_conflict(session, f"A group named '{group.name}' already exists")
    return group


def list_page(*, session: Session, page: PageParams) -> tuple[list[CustomerGroup], str | None]:
    return paginate(session, select(CustomerGroup), sort=CustomerGroup.name,
                    key=CustomerGroup.id, page=page)


def change_members(*, session: Session, principal: Principal, group: CustomerGroup,
                   customer_ids: list[str], add: bool) -> int:
    visible = [customer_store.get_visible(session=session, principal=principal,
                                          customer_id=cid).id for cid in set(customer_ids)]
    current = set(session.scalars(select(GroupMember.customer_id).where(
        GroupMember.group_id == group.id, GroupMember.customer_id.in_(visible))))
    changed = [cid for cid in visible if (cid not in current) == add]
    if not changed:
        return 0
    if add:
        now = utcnow()
        session.execute(GroupMember.__table__.insert(), [
            {"group_id": group.id, "customer_id": cid, "created_at": now, "updated_at": now}
            for cid in changed])
    else:
        session.execute(delete(GroupMember).where(GroupMember.group_id == group.id,
                                                  GroupMember.customer_id.in_(changed)))
    customers = session.scalars(select(Customer).where(Customer.id.in_(changed))).all()
    publish_many(session=session, event_type=EventType.customer_updated,
                 items=[customer_store.event_data(session, c) for c in customers],
                 source="registry")
    session.commit()
    return len(changed)
