"""The trigger table, called directly: each trigger's occurrences for one day, and the rule
schema's triggers and checks derived from the table."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from guanxi_engagement.schemas.rules import RuleCreate
from guanxi_engagement.store.runs import run_rule
from guanxi_engagement.store.tables import (
    CompanyDate,
    ContactRef,
    Contract,
    CustomerRef,
    Message,
    Occasion,
    Rule,
    Task,
)
from guanxi_engagement.store.triggers import TRIGGERS, rule_problem

DAY = date(2027, 9, 15)  # a Wednesday, the Mid-Autumn Festival


def send_at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


@pytest.fixture
def book(session):
    """Two customers with a contact each; c1 founded on 15 September, p1 born on it."""
    session.add_all([
        CustomerRef(id="c1", name="One", owner_id="rep-1", founded_on=date(2010, 9, 15),
                    founded_month=9, founded_day=15),
        CustomerRef(id="c2", name="Two", owner_id="rep-2"),
        ContactRef(id="p1", customer_id="c1", name="Li", birthday=date(1980, 9, 15),
                   birth_month=9, birth_day=15),
        ContactRef(id="p2", customer_id="c2", name="Wang")])
    session.commit()
    return session


def run(session, on: date = DAY, **rule) -> tuple[int, list, list]:
    """Run one rule for a day (keeping rest days): (created, its tasks, its messages)."""
    entry = Rule(id=f"{rule['trigger']}-{on}"[:32], name=rule["trigger"], **rule)
    session.add(entry)
    session.flush()
    created = run_rule(session=session, rule=entry, day=on, send_at=send_at, direction="keep")
    tasks = session.scalars(select(Task).where(Task.rule_id == entry.id)
                            .order_by(Task.subject_id)).all()
    messages = session.scalars(select(Message).where(Message.rule_id == entry.id)
                               .order_by(Message.contact_id)).all()
    return created, tasks, messages


def test_holiday_greets_every_current_contact_on_the_festival(book):
    created, _, messages = run(book, trigger="holiday", occasion="mid_autumn", channel="sms")
    assert created == 2 and [m.contact_id for m in messages] == ["p1", "p2"]
    assert run(book, on=date(2027, 9, 16), trigger="holiday", occasion="lantern",
               channel="sms")[0] == 0


def test_company_date_falls_on_its_month_and_day(book):
    book.add(CompanyDate(id="thanks-day", name="客户答谢日", month=9, day=15))
    created, tasks, _ = run(book, trigger="company_date", occasion="thanks-day", channel="call")
    assert created == 2 and [t.customer_id for t in tasks] == ["c1", "c2"]


def test_birthday_is_one_task_per_contact_born_that_day(book):
    created, tasks, _ = run(book, trigger="birthday", channel="call")
    assert created == 1 and (tasks[0].subject_id, tasks[0].contact_id) == ("p1", "p1")


def test_anniversary_is_the_founding_day_of_later_years(book):
    created, tasks, _ = run(book, trigger="anniversary", channel="call")
    assert created == 1 and tasks[0].customer_id == "c1"


def test_purchase_and_referrer_thanks_are_not_part_of_the_daily_run(book):
    assert run(book, trigger="purchase_thanks", channel="call")[0] == 0
    assert run(book, trigger="referrer_thanks", channel="call")[0] == 0


def test_revisit_is_due_once_within_its_cadence(book):
    assert run(book, trigger="revisit", every_days=30, channel="call")[0] == 2
    rule = book.get(Rule, f"revisit-{DAY}")
    assert run_rule(session=book, rule=rule, day=date(2027, 10, 1), send_at=send_at,
                    direction="keep") == 0
    assert run_rule(session=book, rule=rule, day=date(2027, 10, 15), send_at=send_at,
                    direction="keep") == 2


def test_month_start_and_month_end(book):
    assert run(book, on=date(2027, 10, 1), trigger="month_start", channel="call")[0] == 2
    assert run(book, on=date(2027, 9, 30), trigger="month_end", channel="call")[0] == 2
    assert run(book, on=DAY, trigger="month_end", occasion="x", channel="call")[0] == 0


def test_renewal_names_the_pending_contract_due_by_default_30_days_ahead(book):
    book.add_all([Contract(id="k1", customer_id="c1", title="Support", amount=Decimal(10),
                           ends_on=date(2027, 10, 15)),
                  Contract(id="k2", customer_id="c2", title="Gone", amount=Decimal(10),
                           ends_on=date(2027, 10, 15), renewal="lost")])
    created, tasks, _ = run(book, trigger="renewal", channel="call")
    assert created == 1
    assert (tasks[0].subject_id, tasks[0].title) == ("k1", "renewal: Support")


def test_life_event_greets_the_contact_it_concerns(book):
    book.add_all([Occasion(id="o1", customer_id="c1", contact_id="p1", kind="wedding",
                           occurs_on=date(2020, 9, 15), month=9, day=15, recurs_yearly=True,
                           note="婚礼"),
                  Occasion(id="o2", customer_id="c2", kind="move", occurs_on=date(2020, 9, 15),
                           month=9, day=15)])
    created, _, messages = run(book, trigger="life_event", occasion="wedding", channel="sms")
    assert created == 1
    assert (messages[0].contact_id, messages[0].occasion, messages[0].occasion_id) == \
        ("p1", "wedding", "o1")


def test_the_rule_schema_allows_the_table_s_triggers_and_checks_their_needs():
    enum = RuleCreate.model_json_schema()["properties"]["trigger"]["enum"]
    assert enum == list(TRIGGERS)
    for name, entry in TRIGGERS.items():
        for field in entry.needs:
            with pytest.raises(ValidationError, match=f"needs {field}"):
                RuleCreate(name="r", trigger=name)
    with pytest.raises(ValidationError, match="occasion is one of wedding"):
        RuleCreate(name="r", trigger="life_event", occasion="mid_autumn")
    assert RuleCreate(name="r", trigger="life_event").occasion is None


def test_a_change_is_checked_only_on_the_fields_it_sets():
    assert rule_problem("revisit", {"active": False}, fields={"active"}) is None
    assert rule_problem("revisit", {"every_days": None}, fields={"every_days"}) == (
        "every_days", "a revisit rule needs every_days")
