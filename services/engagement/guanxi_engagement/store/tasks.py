"""Tasks and the agenda (日程): a rep's calls, visits, gifts and messages, seen as the
caller may see their customers."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from guanxi_shared.auth import Principal, owner_filter
from guanxi_shared.errors import Conflict
from guanxi_shared.pagination import PageParams, paginate, where_given, where_within

from ..domain.flows import MAN_PREFIX
from ..domain.gifts import gift_overdue
from ..schemas.tasks import TaskComplete, TaskCreate
from .birthdays import birthdays_between
from .gifts import last_gift_days
from .occasions import upcoming_occasions
from .policy import current_policy
from .records import add, change, first_or_404
from .tables import ContactRef, CustomerRef, OpenNeed, PurchaseFact, Task
from .touches import last_touches, publish_touch, task_kind

FOLLOW_UP_RULE = "visit-follow-up"


def visible_tasks(principal: Principal):
    """Tasks of customers the caller may see, or assigned to them."""
    stmt = select(Task).join(CustomerRef, CustomerRef.id == Task.customer_id, isouter=True)
    condition = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    if condition is not None:
        stmt = stmt.where(or_(condition, Task.assignee_id == principal.sub))
    return stmt


def customer_briefs(*, session: Session, customer_ids: list[str], on: date,
                    occasion_days: int = 30) -> dict[str, dict]:
    """Context for many customers in a fixed number of queries, whatever their number;
    occasions and birthdays are those falling within `occasion_days` days from `on`."""
    if not customer_ids:
        return {}
    briefs = {c.id: {"id": c.id, "name": c.name, "segment": c.segment, "tier": c.tier,
                     "last_purchase_on": None, "last_purchase_amount": None,
                     "open_needs": [], "contacts": [], "upcoming_occasions": [],
                     "upcoming_birthdays": [], "last_gift_on": None, "gift_flags": [],
                     "last_touch_on": None, "last_touch_kind": None}
              for c in session.scalars(select(CustomerRef)
                                       .where(CustomerRef.id.in_(customer_ids)))}
    latest = (select(PurchaseFact.customer_id, PurchaseFact.purchased_on, PurchaseFact.amount,
                     func.row_number().over(partition_by=PurchaseFact.customer_id,
                                            order_by=(PurchaseFact.purchased_on.desc(),
                                                      PurchaseFact.id.desc())).label("n"))
              .where(PurchaseFact.customer_id.in_(customer_ids)).subquery())
    for cid, on, amount in session.execute(select(latest.c.customer_id, latest.c.purchased_on,
                                                  latest.c.amount).where(latest.c.n == 1)):
        briefs[cid].update(last_purchase_on=on, last_purchase_amount=amount)
    for need in session.scalars(select(OpenNeed).where(OpenNeed.customer_id.in_(customer_ids))
                                .order_by(OpenNeed.created_at)):
        briefs[need.customer_id]["open_needs"].append(need.title)
    for contact in session.scalars(select(ContactRef).where(
            ContactRef.customer_id.in_(customer_ids), ContactRef.left_on.is_(None))
            .order_by(ContactRef.name)):
        briefs[contact.customer_id]["contacts"].append(
            {"id": contact.id, "name": contact.name, "role": contact.role,
             "cares_about": contact.cares_about})
    for cid, occasions in upcoming_occasions(session=session, customer_ids=list(briefs),
                                             start=on, days=occasion_days).items():
        briefs[cid]["upcoming_occasions"] = occasions
    try:
        end = on + timedelta(days=occasion_days)
    except OverflowError:
        end = date.max
    for birthday in birthdays_between(session, start=on, end=end,
                                      customers=CustomerRef.id.in_(list(briefs))):
        briefs[birthday["customer_id"]]["upcoming_birthdays"].append(birthday)
    limit = current_policy(session).gift_max_days_between
    for cid, last in last_gift_days(session, list(briefs)).items():
        briefs[cid]["last_gift_on"] = last
        flag = gift_overdue(last_given_on=last, on=on, max_days_between=limit)
        briefs[cid]["gift_flags"] = [flag] if flag else []
    for cid, (day, kind) in last_touches(session, list(briefs)).items():
        briefs[cid].update(last_touch_on=day, last_touch_kind=kind)
    return briefs


def agenda(*, session: Session, principal: Principal, assignee_id: str, start: date,
           end: date, limit: int) -> list[Task]:
    return list(session.scalars(
        visible_tasks(principal).where(Task.assignee_id == assignee_id, Task.status == "open",
                                       Task.due_on >= start, Task.due_on <= end)
        .order_by(Task.due_on, Task.id).limit(limit)))


def agenda_birthdays(*, session: Session, principal: Principal, owner_id: str, start: date,
                     end: date) -> list[dict]:
    """Birthdays from `start` to `end` of the contacts of `owner_id`'s customers that the
    caller may see."""
    customers = CustomerRef.owner_id == owner_id
    condition = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    if condition is not None:
        customers = and_(customers, condition)
    return birthdays_between(session, start=start, end=end, customers=customers)


def get_visible(*, session: Session, principal: Principal, task_id: str) -> Task:
    return first_or_404(session, visible_tasks(principal).where(Task.id == task_id), "Task",
                        task_id)


def create(*, session: Session, customer: CustomerRef, task_in: TaskCreate) -> Task:
    """A task by hand, for the customer's owner unless it names someone."""
    return add(session, Task.model_validate({
        **task_in.model_dump(mode="json"), "subject_id": customer.id,
        "assignee_id": task_in.assignee_id or customer.owner_id}))


def list_page(*, session: Session, principal: Principal, page: PageParams,
              filters: dict[str, Any]) -> tuple[list[Task], str | None]:
    recommendation = filters.get("recommendation")
    stmt = where_given(visible_tasks(principal), (Task.customer_id, filters.get("customer_id")),
                       (Task.assignee_id, filters.get("assignee_id")),
                       (Task.status, filters.get("status")), (Task.rule_id, filters.get("rule_id")),
                       (Task.rule_id, MAN_PREFIX + recommendation if recommendation else None))
    stmt = where_within(stmt, Task.due_on, filters.get("due_from"), filters.get("due_to"))
    return paginate(session, stmt, sort=Task.id, key=Task.id, page=page)


def change_open(*, session: Session, task: Task, changes: dict[str, Any]) -> Task:
    if task.status != "open":
        raise Conflict(f"Task {task.id} is already {task.status}")
    return change(session, task, changes)


def complete(*, session: Session, task: Task, task_in: TaskComplete) -> Task:
    """Done, with the outcome and the result check; a touch of the customer."""
    if task.status == "open":
        publish_touch(session, customer_id=task.customer_id, contact_id=task.contact_id,
                      kind=task_kind(task.kind), source_id=task.id)
    return change_open(session=session, task=task, changes={
        "status": "done", **task_in.model_dump(exclude_unset=True)})
