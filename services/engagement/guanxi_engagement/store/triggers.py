"""Rule triggers (触发): one entry per trigger says what a rule of it needs, on which days its
events fall, whom an occurrence is for (its subject) and on what condition.

The rule schema's allowed triggers and checks (schemas/rules.py) and the daily run
(store/runs.py) are derived from `TRIGGERS`: adding a trigger is one entry here plus its test.
Each part of the run stays one INSERT ... SELECT over all customers: an entry only supplies
the SQL pieces (the subject's rows, how they meet the event days, the condition).
"""
from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    column,
    exists,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    text,
    true,
)
from sqlmodel import Session

from guanxi_shared.models import UTCDateTime

from ..domain.calendar import date_in, lunar_birthday_keys, occasions_on, solar_birthday_keys
from ..domain.occasions import KINDS
from .occasions import occasion_falls
from .tables import CompanyDate, ContactRef, Contract, CustomerRef, Occasion, Rule, Task

MESSAGE_CHANNELS = ("email", "sms", "wechat", "log")

cu = CustomerRef.__table__.c
co = ContactRef.__table__.c
oc = Occasion.__table__.c
ct = Contract.__table__.c
Dated = tuple[date, date, datetime]  # (event day, due day, send after) of one occurrence


# --- How the event days meet the subject's rows ------------------------------------------------

def day_table(name: str, rows: list[tuple], *keys: tuple[str, object]):
    """A derived table of (occurs_on, due_on, send_after, *keys) rows: a plain VALUES
    subquery, since SQLite reports no row count for an INSERT that starts with WITH."""
    types = [("occurs_on", Date()), ("due_on", Date()), ("send_after", UTCDateTime()), *keys]
    params, tuples = [], []
    for i, row in enumerate(rows):
        names = []
        for j, ((_, kind), value) in enumerate(zip(types, row, strict=True)):
            params.append(bindparam(f"{name}_{i}_{j}", value, type_=kind))
            names.append(f":{name}_{i}_{j}")
        tuples.append(f"({', '.join(names)})")
    listed = ", ".join(f"column{j + 1} AS {col}" for j, (col, _) in enumerate(types))
    sql = f"SELECT {listed} FROM (VALUES {', '.join(tuples)}) AS {name}_rows"
    return text(sql).bindparams(*params).columns(
        *(column(col, kind) for col, kind in types)).subquery(name)


class OneDay:
    """One event day as literal columns, in place of a derived table (nothing to join)."""

    def __init__(self, occurs_on: date, due_on: date, send_after: datetime):
        self.c = SimpleNamespace(occurs_on=literal(occurs_on, Date()),
                                 due_on=literal(due_on, Date()),
                                 send_after=literal(send_after, UTCDateTime()))


def joined(source, days, on):
    """`source` joined to the event days (nothing to join for one literal day)."""
    return source if isinstance(days, OneDay) else source.join(days, on)


DayParts = Iterator[tuple[object, ColumnElement]]  # (event days, condition tying a row to one)


def each_day(rule: Rule, dated: list[Dated]) -> DayParts:
    """Every customer or contact on one event day (a festival, a month start): literal
    values, so the planner drives the insert from contact_ref in key order."""
    for event, due, send_after in dated:
        yield OneDay(event, due, send_after), true()


def _month_days(dated: list[Dated]):
    """The event days keyed by the (month, day) celebrated on them (29 February on the 28th
    in common years)."""
    keyed = [(*row, m, d) for row in dated for m, d in solar_birthday_keys(row[0])]
    return day_table("event_days", keyed, ("m", Integer()), ("d", Integer()))


def birth_days(rule: Rule, dated: list[Dated]) -> DayParts:
    """Solar birthdays on their month and day, lunar ones on the lunar day (two INSERTs)."""
    solar = [(*row, m, d) for row in dated for m, d in solar_birthday_keys(row[0])]
    days = day_table("solar_days", solar, ("m", Integer()), ("d", Integer()))
    yield days, and_(func.coalesce(co.birthday_calendar, "solar") != "lunar",
                     co.birth_month == days.c.m, co.birth_day == days.c.d)
    lunar = [(*row, m, d, leap) for row in dated for m, d, leap in lunar_birthday_keys(row[0])]
    days = day_table("lunar_days", lunar, ("m", Integer()), ("d", Integer()),
                     ("leap", Boolean()))
    yield days, and_(co.birthday_calendar == "lunar", co.lunar_birthday_month == days.c.m,
                     co.lunar_birthday_day == days.c.d, co.lunar_birthday_leap == days.c.leap)


def founding_days(rule: Rule, dated: list[Dated]) -> DayParts:
    days = _month_days(dated)
    yield days, and_(cu.founded_month == days.c.m, cu.founded_day == days.c.d,
                     cu.founded_on < days.c.occurs_on)


def occasion_days(rule: Rule, dated: list[Dated]) -> DayParts:
    days = _month_days(dated)
    yield days, occasion_falls(rule.occasion, days)


def contract_end_days(rule: Rule, dated: list[Dated]) -> DayParts:
    days = day_table("event_days", dated)
    yield days, ct.ends_on == days.c.occurs_on


# --- Whom an occurrence is for -----------------------------------------------------------------

@dataclass(frozen=True)
class Rows:
    """The (customer id, contact id) rows one INSERT makes occurrences from, and per row its
    subject (a task is once per rule, subject and event day), title and occasion; None keeps
    the rule's name and its occasion (or trigger)."""

    source: Select
    subject: ColumnElement
    where: ColumnElement | None = None
    title: ColumnElement | None = None
    occasion: ColumnElement | None = None
    occasion_id: ColumnElement | None = None


Join = Callable[[Any], Any]  # a FROM clause -> the same joined to the event days
CONTACTS = ContactRef.__table__.join(CustomerRef.__table__, co.customer_id == cu.id)


def _current_contacts(base, subject: ColumnElement) -> Rows:
    return Rows(select(cu.id, co.id).select_from(base), subject, where=co.left_on.is_(None))


def customers(rule: Rule, join: Join, messages: bool) -> Rows:
    """A task per customer; a message to each of its current contacts."""
    if messages:
        return _current_contacts(join(CONTACTS), cu.id)
    return Rows(select(cu.id, null()).select_from(join(CustomerRef.__table__)), cu.id)


def contacts(rule: Rule, join: Join, messages: bool) -> Rows:
    """A task or a message per current contact."""
    return _current_contacts(join(CONTACTS), co.id)


def contracts(rule: Rule, join: Join, messages: bool) -> Rows:
    """A task per contract, naming it; a message to every current contact of its customer."""
    base = join(Contract.__table__.join(CustomerRef.__table__, ct.customer_id == cu.id))
    if messages:
        return _current_contacts(base.join(ContactRef.__table__, co.customer_id == cu.id),
                                 cu.id)
    return Rows(select(cu.id, null()).select_from(base), ct.id,
                title=func.substr(literal(rule.name) + literal(": ") + ct.title, 1, 300))


def occasions(rule: Rule, join: Join, messages: bool) -> Rows:
    """A task per occasion; a message to the contact it concerns, or to every current
    contact of the customer when it is the customer's (an office move, an award)."""
    base = join(Occasion.__table__.join(CustomerRef.__table__, oc.customer_id == cu.id))
    if messages:
        rows = _current_contacts(base.join(ContactRef.__table__, and_(
            co.customer_id == oc.customer_id, or_(oc.contact_id.is_(None),
                                                  oc.contact_id == co.id))), oc.id)
    else:
        rows = Rows(select(cu.id, oc.contact_id).select_from(base), oc.id)
    title = func.substr(literal(rule.name) + literal(": ") + func.coalesce(oc.note, oc.kind),
                        1, 300)
    return replace(rows, title=title, occasion=oc.kind, occasion_id=oc.id)


# --- Conditions beyond the event day -----------------------------------------------------------

def always(session: Session, rule: Rule, day: date) -> ColumnElement:
    return true()


def no_task_yet(session: Session, rule: Rule, subject, *conditions):
    """No task of this rule for `subject` (matching `conditions`) is stored yet."""
    t = Task.__table__.c
    stored = and_(t.rule_id == rule.id, *conditions)
    if session.get_bind().dialect.name == "postgresql":
        # Read once, before this rule's tasks go in: probed per row from the table being
        # filled, PostgreSQL reads every page added so far for each row when its statistics
        # say the table is empty (a new install): quadratic. (SQLite probes the unique index,
        # and reports no row count for an INSERT that starts with WITH.)
        done = select(t.subject_id).where(stored).cte(f"done_{rule.trigger}").prefix_with(
            "MATERIALIZED")
        return not_(exists().where(done.c.subject_id == subject))
    return not_(exists().where(stored, t.subject_id == subject))


def not_revisited(session: Session, rule: Rule, day: date) -> ColumnElement:
    """No task of the rule for the customer within its cadence (every_days)."""
    t = Task.__table__.c
    since = day - timedelta(days=rule.every_days or 30)
    return no_task_yet(session, rule, cu.id, t.occurs_on > since, t.occurs_on <= day)


def renewal_open(session: Session, rule: Rule, day: date) -> ColumnElement:
    """The contract's renewal is pending, and a task rule has not reminded of it yet (also
    after its days_before changed)."""
    reminded = true() if rule.channel in MESSAGE_CHANNELS else no_task_yet(session, rule, ct.id)
    return and_(ct.renewal == "pending", reminded)


# --- Which days are event days -----------------------------------------------------------------

FallsOn = Callable[[Session, Rule], Callable[[date], bool]]


def any_day(session: Session, rule: Rule) -> Callable[[date], bool]:
    return lambda day: True


def festival(session: Session, rule: Rule) -> Callable[[date], bool]:
    return lambda day: rule.occasion in occasions_on(day)


def company_date(session: Session, rule: Rule) -> Callable[[date], bool]:
    due = session.get(CompanyDate, rule.occasion or "")
    return lambda day: due is not None and date_in(day.year, due.month, due.day) == day


def month_start(session: Session, rule: Rule) -> Callable[[date], bool]:
    return lambda day: day.day == 1


def month_end(session: Session, rule: Rule) -> Callable[[date], bool]:
    return lambda day: day.day == calendar.monthrange(day.year, day.month)[1]


# --- The table ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trigger:
    """One trigger. `lead` is a dated trigger's default days_before (an event on D is due on
    D minus the lead time); None: not dated, due on the day of the run. `daily` False: the
    trigger acts when an event arrives (store/flows.py), not in the daily run."""

    doc: str
    subject: Callable[[Rule, Join, bool], Rows] = customers
    needs: tuple[str, ...] = ()  # rule fields a rule of this trigger must set
    occasions: tuple[str, ...] | None = None  # the occasions it allows (None: any)
    lead: int | None = 0
    falls_on: FallsOn = any_day
    days: Callable[[Rule, list[Dated]], DayParts] = each_day
    condition: Callable[[Session, Rule, date], ColumnElement] = always
    daily: bool = True

    @property
    def dated(self) -> bool:
        return self.lead is not None


TRIGGERS: dict[str, Trigger] = {
    "holiday": Trigger("A festival (节日), named by occasion (e.g. spring_festival)",
                       needs=("occasion",), falls_on=festival),
    "company_date": Trigger("A company date (公司纪念日), named by occasion (its id)",
                            needs=("occasion",), falls_on=company_date),
    "birthday": Trigger("Each contact's birthday, solar or lunar (农历生日)", subject=contacts,
                        days=birth_days),
    "anniversary": Trigger("The customer's founding anniversary (周年)", days=founding_days),
    "purchase_thanks": Trigger("A purchase recorded lately: thanks, once", lead=None,
                               daily=False),
    "referrer_thanks": Trigger("A referred customer's first purchase: thanks to the referrer",
                               lead=None, daily=False),
    "revisit": Trigger("A revisit every every_days days since the rule's last task",
                       needs=("every_days",), lead=None, condition=not_revisited),
    "month_start": Trigger("The first day of each month", falls_on=month_start),
    "month_end": Trigger("The last day of each month", falls_on=month_end),
    "renewal": Trigger("A contract's end date while its renewal is pending (续费)",
                       subject=contracts, lead=30, days=contract_end_days,
                       condition=renewal_open),
    "life_event": Trigger("A wedding, move or achievement (人生大事); occasion names one kind "
                          "or none for every kind", subject=occasions, occasions=KINDS,
                          days=occasion_days),
}


def rule_problem(trigger: str, values: Mapping[str, Any],
                 fields: set[str] | None = None) -> tuple[str, str] | None:
    """(field, what is wrong) when the rule's values do not suit its trigger; `fields` limits
    the check to the fields a change sets."""
    entry = TRIGGERS[trigger]
    for field in entry.needs:
        if (fields is None or field in fields) and not values.get(field):
            return field, f"a {trigger} rule needs {field}"
    occasion = values.get("occasion")
    if entry.occasions is not None and (fields is None or "occasion" in fields) \
            and occasion is not None and occasion not in entry.occasions:
        return "occasion", (f"a {trigger} rule's occasion is one of "
                            f"{', '.join(entry.occasions)} (or none for every kind)")
    return None


def lead_times() -> str:
    """The default lead time of each dated trigger, in words (for the API's description)."""
    by_lead: dict[int, list[str]] = {}
    for name, entry in TRIGGERS.items():
        if entry.dated:
            by_lead.setdefault(entry.lead, []).append(name)
    return "; ".join(f"{', '.join(names)}: default {lead}" + (", on the day" if not lead else "")
                     for lead, names in sorted(by_lead.items()))
