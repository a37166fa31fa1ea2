"""The daily run: every active rule turns into tasks and messages for one day, set-based.

Each rule is one INSERT ... SELECT ... ON CONFLICT DO NOTHING over the unique occurrence key
(rule, subject, date): running a day twice, on two replicas, or after a crash creates
nothing new.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, false, func, literal, not_, null, or_, select, true, tuple_
from sqlmodel import Session

from guanxi_shared.models import UTCDateTime, utcnow

from ..domain.calendar import (
    days_after,
    lunar_birthday_keys,
    occasions_on,
    solar_birthday_keys,
)
from .audience import audience_filter
from .occasions import due_condition
from .sql import insert_ignore, not_stored, sequential_ids
from .tables import (
    CompanyDate,
    ContactRef,
    Contract,
    CustomerRef,
    Message,
    Occasion,
    Rule,
    Task,
)

MESSAGE_CHANNELS = ("email", "sms", "wechat", "log")
TASK_CHANNELS = ("call", "visit", "gift", "mail")
TRIGGERS = ("holiday", "company_date", "birthday", "anniversary", "purchase_thanks",
            "referrer_thanks", "revisit", "month_start", "month_end", "renewal", "life_event")

cu = CustomerRef.__table__.c
co = ContactRef.__table__.c
oc = Occasion.__table__.c
ct = Contract.__table__.c


def birthday_condition(day: date):
    solar = and_(co.birthday_calendar != "lunar",
                 tuple_(co.birth_month, co.birth_day).in_(solar_birthday_keys(day)))
    lunar = and_(co.birthday_calendar == "lunar",
                 or_(*(and_(co.lunar_birthday_month == m, co.lunar_birthday_day == d,
                            co.lunar_birthday_leap == (true() if leap else false()))
                       for m, d, leap in lunar_birthday_keys(day))))
    return or_(solar, lunar)


def customer_condition(session: Session, rule: Rule, day: date):
    """Which customers the rule's trigger picks on `day` (None: the trigger is not due)."""
    trigger = rule.trigger
    if trigger == "holiday":
        return true() if rule.occasion in occasions_on(day) else None
    if trigger == "company_date":
        due = session.get(CompanyDate, rule.occasion or "")
        return true() if due and (due.month, due.day) == (day.month, day.day) else None
    if trigger == "anniversary":
        return and_(cu.founded_month == day.month, cu.founded_day == day.day,
                    cu.founded_on < day)
    if trigger in ("purchase_thanks", "referrer_thanks"):
        return None  # acted on when the purchase's event arrives (store/flows.py)
    if trigger == "revisit":
        since = day - timedelta(days=rule.every_days or 30)
        t = Task.__table__.c
        return no_task_yet(session, rule, cu.id, t.due_on > since, t.due_on <= day)
    if trigger == "month_start":
        return true() if day.day == 1 else None
    if trigger == "month_end":
        return true() if day.day == calendar.monthrange(day.year, day.month)[1] else None
    if trigger == "renewal":  # the condition is on the contract, joined in run_rule
        ends_on = days_after(day, rule.days_before or 30)
        if ends_on is None:
            return None
        reminded = (true() if rule.channel in MESSAGE_CHANNELS
                    else no_task_yet(session, rule, ct.id))  # also after days_before changed
        return and_(ct.renewal == "pending", ct.ends_on == ends_on, reminded)
    if trigger == "life_event":  # the condition is on the occasion, N days ahead
        falls_on = days_after(day, rule.days_before or 0)
        if falls_on is None:
            return None
        return due_condition(kind=rule.occasion, falls_on=falls_on)
    return true()  # birthday: the condition is on the contact


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


def run_rule(*, session: Session, rule: Rule, day: date, send_after: datetime) -> int:
    """Create the rule's occurrences for `day`; returns how many are new."""
    condition = customer_condition(session, rule, day)
    if condition is None:
        return 0
    where = and_(audience_filter(session, rule.audience), condition)
    now = literal(utcnow(), UTCDateTime)
    occasion, subject, title = literal(rule.occasion or rule.trigger), cu.id, literal(rule.name)
    occasion_id = null()
    if rule.trigger == "life_event":
        # One task per occasion; a message to the contact it concerns, or to every current
        # contact of the customer when it is the customer's (an office move, an award).
        occasions = Occasion.__table__.join(CustomerRef.__table__, oc.customer_id == cu.id)
        occasion, subject, occasion_id = oc.kind, oc.id, oc.id
        title = func.substr(title + literal(": ") + func.coalesce(oc.note, oc.kind), 1, 300)
        if rule.channel in MESSAGE_CHANNELS:
            where = and_(where, co.left_on.is_(None))
            source = select(cu.id, co.id).select_from(occasions.join(
                ContactRef.__table__, and_(co.customer_id == oc.customer_id,
                                           or_(oc.contact_id.is_(None), oc.contact_id == co.id))))
        else:
            source = select(cu.id, oc.contact_id).select_from(occasions)
    elif rule.trigger == "renewal":
        # One task per contract, naming it; a message to every current contact of its customer.
        contracts = Contract.__table__.join(CustomerRef.__table__, ct.customer_id == cu.id)
        if rule.channel in MESSAGE_CHANNELS:
            where = and_(where, co.left_on.is_(None))
            source = select(cu.id, co.id).select_from(contracts.join(
                ContactRef.__table__, co.customer_id == cu.id))
        else:
            subject = ct.id
            title = func.substr(title + literal(": ") + ct.title, 1, 300)
            source = select(cu.id, null()).select_from(contracts)
    elif rule.trigger == "birthday" or rule.channel in MESSAGE_CHANNELS:
        where = and_(where, co.left_on.is_(None))
        if rule.trigger == "birthday":
            where = and_(where, birthday_condition(day))
            subject = co.id
        source = select(cu.id, co.id).select_from(
            ContactRef.__table__.join(CustomerRef.__table__, co.customer_id == cu.id))
    else:
        source = select(cu.id, null())
    if rule.channel in MESSAGE_CHANNELS:
        cols = ["id", "rule_id", "customer_id", "contact_id", "channel", "kind", "occasion",
                "occasion_id", "template_id", "occurs_on", "status", "send_after", "created_at",
                "updated_at"]
        rows = source.add_columns(
            literal(rule.channel), literal(rule.kind), occasion, occasion_id,
            literal(rule.template_id), literal(day), literal("pending"),
            literal(send_after, UTCDateTime), now, now)
        target = Message.__table__
        m = target.c
        where = and_(where, not_stored(session, exists().where(
            m.rule_id == rule.id, m.contact_id == co.id, m.occurs_on == day)))
    else:
        cols = ["id", "rule_id", "customer_id", "contact_id", "subject_id", "assignee_id",
                "kind", "title", "due_on", "status", "version", "created_at", "updated_at"]
        rows = source.add_columns(subject, cu.owner_id, literal(rule.channel), title,
                                  literal(day), literal("open"), literal(1), now, now)
        target = Task.__table__
        t = target.c
        where = and_(where, not_stored(session, exists().where(
            t.rule_id == rule.id, t.subject_id == subject, t.due_on == day)))
    rows = rows.where(where).with_only_columns(sequential_ids(session), literal(rule.id),
                                               *rows.selected_columns)
    stmt = insert_ignore(session, target).from_select(cols, rows).on_conflict_do_nothing()
    return session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount


def run_day(*, session: Session, day: date, timezone: str, greeting_hour: int) -> int:
    """Every active rule for `day`, in one transaction; returns the number of new occurrences."""
    send_after = datetime.combine(day, time(greeting_hour), ZoneInfo(timezone))
    rules = session.scalars(select(Rule).where(Rule.active == true()).order_by(Rule.id)).all()
    created = sum(run_rule(session=session, rule=rule, day=day, send_after=send_after)
                  for rule in rules)
    session.commit()
    return created


def run_mass_greeting(*, session: Session, channel: str, kind: str, occasion: str,
                      template_id: str | None, audience: dict, day: date,
                      now: datetime) -> int:
    """A one-off rule: one message per contact of the audience, unique per occasion and day."""
    rule = Rule(id=f"mass:{occasion}"[:32], name=occasion, trigger="mass", occasion=occasion,
                channel=channel, kind=kind, template_id=template_id, audience=audience)
    created = run_rule(session=session, rule=rule, day=day, send_after=now)
    session.commit()
    return created
