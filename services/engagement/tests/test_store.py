"""The store called directly, without HTTP: what each write keeps and refuses."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from guanxi_engagement.schemas.calendar import OfficialScheduleLoad
from guanxi_engagement.schemas.contracts import ContractRenewal
from guanxi_engagement.schemas.customer_events import CustomerEventCreate
from guanxi_engagement.schemas.flows import FlowPolicyUpdate
from guanxi_engagement.schemas.tasks import TaskComplete, TaskCreate
from guanxi_engagement.schemas.visits import VisitComplete, VisitCreate
from guanxi_engagement.store import calendar, contracts, customer_events, policy, tasks, visits
from guanxi_engagement.store.event_tables import EventInvitation
from guanxi_engagement.store.runs import record_run
from guanxi_engagement.store.tables import (
    ContactRef,
    Contract,
    CustomerRef,
    Reason,
    Rule,
    SchedulerRun,
    Task,
)
from guanxi_shared.auth import Principal, Role
from guanxi_shared.errors import Conflict, Invalid
from guanxi_shared.events import OutboxEvent

REP = Principal(sub="rep-1", role=Role.rep, team_id="team-1")


@pytest.fixture
def book(session):
    session.add_all([CustomerRef(id="c1", name="One", owner_id="rep-1", team_id="team-1"),
                     ContactRef(id="p1", customer_id="c1", name="Li")])
    session.commit()
    return session


def touches(session) -> list[dict]:
    return [e.payload["data"] for e in session.scalars(
        select(OutboxEvent).where(OutboxEvent.event_type == "touch.recorded")
        .order_by(OutboxEvent.created_at))]


def test_a_task_done_is_a_touch_and_done_only_once(book):
    task = tasks.create(session=book, customer=book.get(CustomerRef, "c1"), task_in=TaskCreate(
        customer_id="c1", title="Call", due_on=date(2027, 1, 4)))
    assert task.assignee_id == "rep-1" and task.version == 1
    done = tasks.complete(session=book, task=task, task_in=TaskComplete(outcome="Reached"))
    assert (done.status, done.outcome, done.version) == ("done", "Reached", 2)
    assert [t["kind"] for t in touches(book)] == ["call"]
    with pytest.raises(Conflict):
        tasks.complete(session=book, task=done, task_in=TaskComplete(outcome="Again"))
    assert len(touches(book)) == 1


def test_a_visit_planned_has_its_task_and_completed_its_follow_up_and_thanks(book):
    at = datetime(2027, 1, 4, 2, tzinfo=UTC)
    visit = visits.plan(session=book, principal=REP, customer=book.get(CustomerRef, "c1"),
                        visit_in=VisitCreate(customer_id="c1", contact_id="p1", purpose="bond",
                                             appointment_at=at, company_checklist=False))
    assert [(t.kind, t.due_on) for t in book.scalars(select(Task))] == [("visit", at.date())]
    visits.complete(session=book, visit=visit, visit_in=VisitComplete(
        result="Good", next_appointment_on=date(2027, 2, 1)))
    due = {t.rule_id: t.due_on for t in book.scalars(select(Task))}
    assert due[visits.FOLLOW_UP_RULE] == date(2027, 2, 1)
    assert due[visits.THANKS_RULE] >= at.date()
    with pytest.raises(Conflict):
        visits.complete(session=book, visit=visit, visit_in=VisitComplete(
            result="Again", no_follow_up_reason="none"))


def test_a_renewal_needs_an_active_reason_and_is_recorded_once(book):
    book.add_all([Reason(code="price", label_zh="价格", label_en="Price", controllable=True),
                  Contract(id="k1", customer_id="c1", title="Support", amount=Decimal(1),
                           ends_on=date(2027, 3, 1))])
    book.commit()
    contract = contracts.get(session=book, contract_id="k1")
    with pytest.raises(Invalid):
        contracts.record_renewal(session=book, contract=contract, renewal_in=ContractRenewal(
            renewal="lost", reason_code="unknown"))
    contracts.record_renewal(session=book, contract=contract, renewal_in=ContractRenewal(
        renewal="lost", reason_code="price"))
    assert (contract.renewal, contract.reason_code) == ("lost", "price")
    with pytest.raises(Conflict):
        contracts.record_renewal(session=book, contract=contract,
                                 renewal_in=ContractRenewal(renewal="renewed"))


def test_the_flow_policy_refuses_a_channel_listed_twice(book):
    current = policy.flow_policy(book)
    with pytest.raises(Invalid):
        policy.update_flow_policy(session=book, policy=current, policy_in=FlowPolicyUpdate(
            service_channels=["sms", "sms"]))
    changed = policy.update_flow_policy(session=book, policy=current, policy_in=FlowPolicyUpdate(
        service_channels=["sms", "email"]))
    assert policy.flow_policy(book).service_channels == ["sms", "email"] == \
        changed.service_channels


def test_an_official_schedule_names_each_wrong_day_and_replaces_the_loaded_one(book):
    with pytest.raises(Invalid) as refused:
        calendar.load_schedule(session=book, year=2031, loaded_by="admin",
                               schedule_in=OfficialScheduleLoad.model_validate({
                                   "days_off": [{"on": "2030-10-01"}],
                                   "workdays": [{"on": "2031-09-30"}]}))
    assert [e["field"] for e in refused.value.errors] == ["days_off.0.on", "workdays.0.on"]
    load = OfficialScheduleLoad.model_validate({"days_off": [{"on": "2031-10-01"}]})
    first = calendar.load_schedule(session=book, year=2031, schedule_in=load, loaded_by="a")
    again = calendar.load_schedule(session=book, year=2031, schedule_in=load, loaded_by="b")
    assert (again.id, again.version, again.loaded_by) == (first.id, 2, "b")
    assert calendar.work_calendar(book).source(2031) == "loaded"


def test_a_yes_beyond_the_capacity_is_refused(book):
    book.add(ContactRef(id="p2", customer_id="c1", name="Wang"))
    event = customer_events.create(session=book, created_by="m", event_in=CustomerEventCreate(
        name="VIP", kind="vip_gathering", starts_at=datetime.now(UTC) + timedelta(days=9),
        capacity=1, channel="sms", invitation_text="{name}"))
    assert customer_events.invite(book, event=event, principal=REP, audience={}, roles=None,
                                  now=datetime.now(UTC)) == 2
    first, second = book.scalars(select(EventInvitation).order_by(EventInvitation.contact_id))
    assert customer_events.answer(session=book, event=event, invitation=first,
                                  rsvp="yes")["rsvp"] == "yes"
    with pytest.raises(Conflict, match="full"):
        customer_events.answer(session=book, event=event, invitation=second, rsvp="yes")


def test_a_run_is_recorded_with_what_it_created(book):
    book.add(Rule(id="r1", name="Revisit", trigger="revisit", every_days=30, channel="call"))
    book.commit()
    created, warnings = record_run(session=book, day=date(2027, 1, 4), trigger="api",
                                   timezone="Asia/Shanghai", greeting_hour=9)
    assert created == 1
    run = book.scalars(select(SchedulerRun)).one()
    assert (run.trigger, run.created, run.warnings) == ("api", 1, warnings)
