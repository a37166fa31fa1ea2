"""The daily run: every active rule turns into tasks and messages for one day, set-based.

A dated trigger (store/triggers.py says which, and what each asks) has an event day D; its
occurrence is due on D minus the rule's lead time (days_before), moved off rest days by the company's working-day policy for tasks and for
messages other than greetings (a greeting for the day is sent on the day). The run on a day
looks ahead by the lead time plus the longest shift, and creates what is due that day, and
what fell due earlier but was not created (new rule, longer lead time, missed run) while its
event is still ahead: rule_day remembers which event days of a rule were created.

Each part is one INSERT ... SELECT ... ON CONFLICT DO NOTHING over the unique occurrence key
(rule, subject, event day): running a day twice, on two replicas, after a crash or after a
lead-time change creates nothing new.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, literal, null, select, true
from sqlmodel import Session

from guanxi_shared.models import UTCDateTime, utcnow
from guanxi_shared.pagination import PageParams, paginate

from ..domain.calendar import MAX_SHIFT, Direction, WorkCalendar, due_events
from .audience import audience_filter
from .calendar import log_warnings, schedule_warnings, work_calendar
from .policy import current_policy
from .sql import insert_ignore, not_stored, sequential_ids
from .tables import Message, Rule, RuleDay, SchedulerRun, Task
from .triggers import MESSAGE_CHANNELS, TRIGGERS, Trigger, co, cu, joined

SendAt = Callable[[date], datetime]
# A mass greeting: a one-off rule for every contact of an audience on one day.
MASS = Trigger("A one-off greeting to an audience", lead=None)


def shifts(rule: Rule) -> bool:
    """Tasks and gifts (people's work) and non-greeting messages move off rest days; a
    greeting sent for the day itself (a holiday or birthday greeting) stays on it."""
    return rule.channel not in MESSAGE_CHANNELS or rule.kind != "greeting"


def lead_time(rule: Rule, trigger: Trigger) -> int:
    return rule.days_before if rule.days_before is not None else trigger.lead or 0


def event_days(session: Session, rule: Rule, trigger: Trigger, day: date, work: WorkCalendar,
               direction: Direction) -> list[tuple[date, date]]:
    """(event day, due day) of the rule's occurrences the run on `day` creates."""
    direction = direction if shifts(rule) else "keep"
    if not trigger.daily:
        return []
    if not trigger.dated:
        # Due today, or on the next working day when today is a rest day.
        return [(day, day if direction == "keep" else work.shift(day, "next"))]
    done = set(session.scalars(select(RuleDay.occurs_on).where(
        RuleDay.rule_id == rule.id, RuleDay.occurs_on >= day - timedelta(days=MAX_SHIFT))))
    pairs = due_events(day=day, lead=lead_time(rule, trigger), direction=direction,
                       calendar=work, already=done.__contains__)
    falls = trigger.falls_on(session, rule)
    return [p for p in pairs if falls(p[0])]


def run_rule(*, session: Session, rule: Rule, day: date, send_at: SendAt,
             work: WorkCalendar | None = None, direction: Direction = "previous",
             trigger: Trigger | None = None) -> int:
    """Create the rule's occurrences the run on `day` owes; returns how many are new."""
    trigger = trigger or TRIGGERS.get(rule.trigger)
    if trigger is None:
        return 0  # a trigger this version no longer knows
    pairs = event_days(session, rule, trigger, day, work or WorkCalendar(), direction)
    if not pairs:
        return 0
    dated = [(event, due, send_at(due)) for event, due in pairs]
    created = sum(_insert(session=session, rule=rule, trigger=trigger, day=day, days=days,
                          on=on) for days, on in trigger.days(rule, dated))
    if trigger.dated:
        mark = insert_ignore(session, RuleDay.__table__).values(
            [{"rule_id": rule.id, "occurs_on": event} for event, _ in pairs])
        session.execute(mark.on_conflict_do_nothing())
    return created


def _insert(*, session: Session, rule: Rule, trigger: Trigger, day: date, days, on) -> int:
    messages = rule.channel in MESSAGE_CHANNELS
    where = and_(audience_filter(session, rule.audience), trigger.condition(session, rule, day))
    rows = trigger.subject(rule, lambda source: joined(source, days, on), messages)
    if rows.where is not None:
        where = and_(where, rows.where)
    now = literal(utcnow(), UTCDateTime)
    occasion = rows.occasion if rows.occasion is not None \
        else literal(rule.occasion or rule.trigger)
    if messages:
        cols = ["id", "rule_id", "customer_id", "contact_id", "channel", "kind", "occasion",
                "occasion_id", "template_id", "occurs_on", "status", "send_after", "created_at",
                "updated_at"]
        selected = rows.source.add_columns(
            literal(rule.channel), literal(rule.kind), occasion,
            null() if rows.occasion_id is None else rows.occasion_id,
            literal(rule.template_id), days.c.occurs_on, literal("pending"),
            days.c.send_after, now, now)
        target = Message.__table__
        m = target.c
        where = and_(where, not_stored(session, exists().where(
            m.rule_id == rule.id, m.contact_id == co.id,
            m.occurs_on == days.c.occurs_on)))
    else:
        cols = ["id", "rule_id", "customer_id", "contact_id", "subject_id", "assignee_id",
                "kind", "title", "due_on", "occurs_on", "status", "version", "created_at",
                "updated_at"]
        title = rows.title if rows.title is not None else literal(rule.name)
        selected = rows.source.add_columns(
            rows.subject, cu.owner_id, literal(rule.channel), title, days.c.due_on,
            days.c.occurs_on, literal("open"), literal(1), now, now)
        target = Task.__table__
        t = target.c
        where = and_(where, not_stored(session, exists().where(
            t.rule_id == rule.id, t.occurs_on == days.c.occurs_on, t.subject_id == rows.subject)))
    selected = selected.where(where).with_only_columns(
        sequential_ids(session), literal(rule.id), *selected.selected_columns)
    stmt = insert_ignore(session, target).from_select(cols, selected).on_conflict_do_nothing()
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
                       direction="keep", trigger=MASS)
    session.commit()
    return created


def record_run(*, session: Session, day: date, trigger: str, timezone: str,
               greeting_hour: int) -> tuple[int, list[str]]:
    """The daily run for `day`, recorded with its warnings (a missing official holiday
    schedule): (occurrences created, warnings)."""
    created = run_day(session=session, day=day, timezone=timezone, greeting_hour=greeting_hour)
    warnings = schedule_warnings(work_calendar(session), day)
    log_warnings(warnings, day)
    session.add(SchedulerRun(run_on=day, trigger=trigger, created=created, warnings=warnings))
    session.commit()
    return created, warnings


def runs_page(*, session: Session, page: PageParams) -> tuple[list[SchedulerRun], str | None]:
    """The daily runs, newest first."""
    return paginate(session, select(SchedulerRun), sort=SchedulerRun.created_at,
                    key=SchedulerRun.id, page=page, descending=True)
