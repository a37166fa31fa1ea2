"""The daily run: every active rule turns into tasks and messages for one day, set-based.

A dated trigger (festival, company date, birthday, anniversary, month start or end, renewal,
life event) has an event day D; its occurrence is due on D minus the rule's lead time
(days_before), moved off rest days by the company's working-day policy for tasks and for
messages other than greetings (a greeting for the day is sent on the day). The run on a day
looks ahead by the lead time plus the longest shift, and creates what is due that day, and
what fell due earlier but was not created (new rule, longer lead time, missed run) while its
event is still ahead: rule_day remembers which event days of a rule were created.

Each part is one INSERT ... SELECT ... ON CONFLICT DO NOTHING over the unique occurrence key
(rule, subject, event day): running a day twice, on two replicas, after a crash or after a
lead-time change creates nothing new.
"""
from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Integer,
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

from guanxi_shared.models import UTCDateTime, utcnow

from ..domain.calendar import (
    MAX_SHIFT,
    Direction,
    WorkCalendar,
    date_in,
    due_events,
    lunar_birthday_keys,
    occasions_on,
    solar_birthday_keys,
)
from .audience import audience_filter
from .calendar import work_calendar
from .delivery import current_policy
from .occasions import occasion_falls
from .sql import insert_ignore, not_stored, sequential_ids
from .tables import (
    CompanyDate,
    ContactRef,
    Contract,
    CustomerRef,
    Message,
    Occasion,
    Rule,
    RuleDay,
    Task,
)

MESSAGE_CHANNELS = ("email", "sms", "wechat", "log")
DATED = ("holiday", "company_date", "birthday", "anniversary", "month_start", "month_end",
         "renewal", "life_event")
DEFAULT_LEAD = {"renewal": 30}

cu = CustomerRef.__table__.c
co = ContactRef.__table__.c
oc = Occasion.__table__.c
ct = Contract.__table__.c
SendAt = Callable[[date], datetime]


def shifts(rule: Rule) -> bool:
    """Tasks and gifts (people's work) and non-greeting messages move off rest days; a
    greeting sent for the day itself (a holiday or birthday greeting) stays on it."""
    return rule.channel not in MESSAGE_CHANNELS or rule.kind != "greeting"


def lead_time(rule: Rule) -> int:
    return rule.days_before if rule.days_before is not None else DEFAULT_LEAD.get(rule.trigger, 0)


def event_days(session: Session, rule: Rule, day: date, work: WorkCalendar,
               direction: Direction) -> list[tuple[date, date]]:
    """(event day, due day) of the rule's occurrences the run on `day` creates."""
    direction = direction if shifts(rule) else "keep"
    if rule.trigger in ("purchase_thanks", "referrer_thanks"):
        return []  # acted on when the purchase's event arrives (store/flows.py)
    if rule.trigger not in DATED:
        # Not dated ahead (a revisit cadence, a purchase): due today, or on the next working
        # day when today is a rest day.
        moves = rule.trigger == "revisit" and direction != "keep"
        return [(day, work.shift(day, "next") if moves else day)]
    done = set(session.scalars(select(RuleDay.occurs_on).where(
        RuleDay.rule_id == rule.id, RuleDay.occurs_on >= day - timedelta(days=MAX_SHIFT))))
    pairs = due_events(day=day, lead=lead_time(rule), direction=direction, calendar=work,
                       already=done.__contains__)
    trigger = rule.trigger
    if trigger == "holiday":
        return [p for p in pairs if rule.occasion in occasions_on(p[0])]
    if trigger == "company_date":
        due = session.get(CompanyDate, rule.occasion or "")
        return [p for p in pairs
                if due is not None and date_in(p[0].year, due.month, due.day) == p[0]]
    if trigger == "month_start":
        return [p for p in pairs if p[0].day == 1]
    if trigger == "month_end":
        return [p for p in pairs
                if p[0].day == calendar.monthrange(p[0].year, p[0].month)[1]]
    return pairs


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


def day_parts(rule: Rule, pairs: list[tuple[date, date]], send_at: SendAt
              ) -> Iterator[tuple[object, ColumnElement]]:
    """(days CTE, condition tying a row to its event day) for each INSERT of the rule."""
    dated = [(event, due, send_at(due)) for event, due in pairs]
    trigger = rule.trigger
    if trigger == "birthday":
        solar = [(*row, m, d) for row in dated for m, d in solar_birthday_keys(row[0])]
        days = day_table("solar_days", solar, ("m", Integer()), ("d", Integer()))
        yield days, and_(func.coalesce(co.birthday_calendar, "solar") != "lunar",
                         co.birth_month == days.c.m, co.birth_day == days.c.d)
        lunar = [(*row, m, d, leap) for row in dated for m, d, leap in lunar_birthday_keys(row[0])]
        days = day_table("lunar_days", lunar, ("m", Integer()), ("d", Integer()),
                         ("leap", Boolean()))
        yield days, and_(co.birthday_calendar == "lunar", co.lunar_birthday_month == days.c.m,
                         co.lunar_birthday_day == days.c.d,
                         co.lunar_birthday_leap == days.c.leap)
    elif trigger in ("anniversary", "life_event"):
        keyed = [(*row, m, d) for row in dated for m, d in solar_birthday_keys(row[0])]
        days = day_table("event_days", keyed, ("m", Integer()), ("d", Integer()))
        if trigger == "anniversary":
            yield days, and_(cu.founded_month == days.c.m, cu.founded_day == days.c.d,
                             cu.founded_on < days.c.occurs_on)
        else:
            yield days, occasion_falls(rule.occasion, days)
    elif trigger == "renewal":
        days = day_table("event_days", dated)
        yield days, ct.ends_on == days.c.occurs_on
    else:
        # Every customer or contact on one event day (a festival, a month start): literal
        # values, so the planner drives the insert from contact_ref in key order as before.
        for event, due, send_after in dated:
            yield OneDay(event, due, send_after), true()


class OneDay:
    """One event day as literal columns, in place of a derived table (nothing to join)."""

    def __init__(self, occurs_on: date, due_on: date, send_after: datetime):
        self.c = SimpleNamespace(occurs_on=literal(occurs_on, Date()),
                                 due_on=literal(due_on, Date()),
                                 send_after=literal(send_after, UTCDateTime()))


def joined(source, days, on):
    """`source` joined to the event days (nothing to join for one literal day)."""
    return source if isinstance(days, OneDay) else source.join(days, on)


def customer_condition(session: Session, rule: Rule, day: date):
    """What the trigger asks of the customer (or contract) beyond its event day."""
    trigger = rule.trigger
    if trigger == "revisit":
        since = day - timedelta(days=rule.every_days or 30)
        t = Task.__table__.c
        return no_task_yet(session, rule, cu.id, t.occurs_on > since, t.occurs_on <= day)
    if trigger == "renewal":  # the condition is on the contract, joined in run_rule
        reminded = (true() if rule.channel in MESSAGE_CHANNELS
                    else no_task_yet(session, rule, ct.id))  # also after days_before changed
        return and_(ct.renewal == "pending", reminded)
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


def run_rule(*, session: Session, rule: Rule, day: date, send_at: SendAt,
             work: WorkCalendar | None = None, direction: Direction = "previous") -> int:
    """Create the rule's occurrences the run on `day` owes; returns how many are new."""
    work = work or WorkCalendar()
    pairs = event_days(session, rule, day, work, direction)
    if not pairs:
        return 0
    created = sum(_insert(session=session, rule=rule, day=day, days=days, on=on)
                  for days, on in day_parts(rule, pairs, send_at))
    if rule.trigger in DATED:
        mark = insert_ignore(session, RuleDay.__table__).values(
            [{"rule_id": rule.id, "occurs_on": event} for event, _ in pairs])
        session.execute(mark.on_conflict_do_nothing())
    return created


def _insert(*, session: Session, rule: Rule, day: date, days, on) -> int:
    where = and_(audience_filter(session, rule.audience), customer_condition(session, rule, day))
    now = literal(utcnow(), UTCDateTime)
    occasion, subject, title = literal(rule.occasion or rule.trigger), cu.id, literal(rule.name)
    occasion_id = null()
    if rule.trigger == "life_event":
        # One task per occasion; a message to the contact it concerns, or to every current
        # contact of the customer when it is the customer's (an office move, an award).
        occasions = joined(Occasion.__table__.join(CustomerRef.__table__,
                                                   oc.customer_id == cu.id), days, on)
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
        contracts = joined(Contract.__table__.join(CustomerRef.__table__,
                                                   ct.customer_id == cu.id), days, on)
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
            subject = co.id
        source = select(cu.id, co.id).select_from(joined(
            ContactRef.__table__.join(CustomerRef.__table__, co.customer_id == cu.id), days, on))
    else:
        source = select(cu.id, null()).select_from(joined(CustomerRef.__table__, days, on))
    if rule.channel in MESSAGE_CHANNELS:
        cols = ["id", "rule_id", "customer_id", "contact_id", "channel", "kind", "occasion",
                "occasion_id", "template_id", "occurs_on", "status", "send_after", "created_at",
                "updated_at"]
        rows = source.add_columns(
            literal(rule.channel), literal(rule.kind), occasion, occasion_id,
            literal(rule.template_id), days.c.occurs_on, literal("pending"),
            days.c.send_after, now, now)
        target = Message.__table__
        m = target.c
        where = and_(where, not_stored(session, exists().where(
            m.rule_id == rule.id, m.contact_id == co.id, m.occurs_on == days.c.occurs_on)))
    else:
        cols = ["id", "rule_id", "customer_id", "contact_id", "subject_id", "assignee_id",
                "kind", "title", "due_on", "occurs_on", "status", "version", "created_at",
                "updated_at"]
        rows = source.add_columns(subject, cu.owner_id, literal(rule.channel), title,
                                  days.c.due_on, days.c.occurs_on, literal("open"), literal(1),
                                  now, now)
        target = Task.__table__
        t = target.c
        where = and_(where, not_stored(session, exists().where(
            t.rule_id == rule.id, t.occurs_on == days.c.occurs_on, t.subject_id == subject)))
    rows = rows.where(where).with_only_columns(sequential_ids(session), literal(rule.id),
                                               *rows.selected_columns)
    stmt = insert_ignore(session, target).from_select(cols, rows).on_conflict_do_nothing()
    return session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount


def greeting_time(day_of: date, *, timezone: str, greeting_hour: int) -> datetime:
    return datetime.combine(day_of, time(greeting_hour), ZoneInfo(timezone))


def run_day(*, session: Session, day: date, timezone: str, greeting_hour: int) -> int:
    """Every active rule for `day`, in one transaction; returns the number of new occurrences."""
    work = work_calendar(session)
    direction = current_policy(session).workday_shift

    def send_at(due: date) -> datetime:
        return greeting_time(due, timezone=timezone, greeting_hour=greeting_hour)

    rules = session.scalars(select(Rule).where(Rule.active == true()).order_by(Rule.id)).all()
    created = sum(run_rule(session=session, rule=rule, day=day, send_at=send_at, work=work,
                           direction=direction) for rule in rules)
    session.commit()
    return created


def run_mass_greeting(*, session: Session, channel: str, kind: str, occasion: str,
                      template_id: str | None, audience: dict, day: date,
                      now: datetime) -> int:
    """A one-off rule: one message per contact of the audience, unique per occasion and day."""
    rule = Rule(id=f"mass:{occasion}"[:32], name=occasion, trigger="mass", occasion=occasion,
                channel=channel, kind=kind, template_id=template_id, audience=audience)
    created = run_rule(session=session, rule=rule, day=day, send_at=lambda _: now,
                       direction="keep")
    session.commit()
    return created
