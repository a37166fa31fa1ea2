"""Pure rules of the event-driven flows: when a thank-you goes out, which facts are too old to
act on, what a MAN recommendation asks the rep to do, and how the customer is told."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

# Task rule ids of the flows (real rules have 32-hex ids, so these never collide).
REFERRER_THANKS = "referrer_thanks"
REFERRAL_ASK = "referral_ask"
AT_RISK = "at_risk_revisit"
KEEP_IN_TOUCH = "contact_left"
FIND_SUCCESSOR = "find_successor"
MAN_PREFIX = "man:"
FLOW_TASKS = (REFERRER_THANKS, REFERRAL_ASK, AT_RISK, KEEP_IN_TOUCH, FIND_SUCCESSOR)
RECOMMENDATIONS = ("ideal_prospect", "contact_and_sell", "find_authority", "check_finances",
                   "nurture", "not_a_customer")
SATISFIED_FROM = Decimal(100)  # the satisfaction index at which a customer is satisfied


def greeting_send_after(now: datetime, timezone: str, greeting_hour: int) -> datetime:
    """The next greeting window: today's greeting hour if it is still ahead, else now (the
    quiet hours then hold a late-evening send until morning)."""
    local = now.astimezone(ZoneInfo(timezone))
    opens = datetime.combine(local.date(), time(greeting_hour), ZoneInfo(timezone))
    return opens if local < opens else now


def is_recent(day: date, today: date, late_days: int) -> bool:
    """A fact dated `day` is still worth acting on today: not older than `late_days` days (a
    backfill or an import of last year's sales thanks nobody) and not more than a day ahead."""
    return today - timedelta(days=late_days) <= day <= today + timedelta(days=1)


def satisfaction_index(expected: str | None, experienced: str | None) -> Decimal | None:
    """Experienced value / expected value x 100, or None when it cannot be computed."""
    try:
        exp, got = Decimal(str(expected)), Decimal(str(experienced))
    except (InvalidOperation, ValueError):
        return None
    if not exp.is_finite() or not got.is_finite() or exp <= 0:
        return None
    return got / exp * 100


@dataclass(frozen=True)
class PlannedTask:
    kind: str
    title: str
    due_on: date


def man_tasks(*, recommendation: str, title: str, today: date, nurture_every_days: int,
              nurture_touches: int) -> list[PlannedTask]:
    """The follow-up tasks of a MAN recommendation (DOMAIN.md section 4)."""
    if recommendation == "ideal_prospect":
        return [PlannedTask("call", f"Contact now, ideal prospect (M+A+N): {title}", today)]
    if recommendation == "contact_and_sell":
        return [PlannedTask("call", f"Contact and sell, good selling can create the need: "
                                    f"{title}", today)]
    if recommendation == "find_authority":
        return [PlannedTask("call", f"Find the decision maker: {title}", today)]
    if recommendation == "check_finances":
        return [PlannedTask("call", f"Check credit and financing, offer financing: {title}",
                            today)]
    if recommendation == "nurture":
        return [PlannedTask("call", f"Nurture ({n} of {nurture_touches}): observe and keep in "
                                    f"touch: {title}",
                            today + timedelta(days=nurture_every_days * (n - 1)))
                for n in range(1, nurture_touches + 1)]
    return []  # not_a_customer: stop spending effort


def at_risk_title(customer: str, reasons: list[str]) -> str:
    why = "; ".join(reasons) if reasons else "no reason given"
    return f"Revisit {customer}: at risk ({why})"[:300]


def departure_titles(*, contact: str, customer: str, went_to: str | None, role: str | None,
                     job_title: str | None) -> tuple[str, str]:
    """(送一程: keep in touch at the new company, find the successor)."""
    where = went_to or "their new company"
    position = ", ".join(p for p in (job_title, role) if p)
    keep = f"送一程: keep in touch with {contact} at {where}"
    successor = f"Find the successor of {contact}{f' ({position})' if position else ''} at " \
                f"{customer}"
    return keep[:300], successor[:300]


def pick_channel(preferences: list[str], addresses: dict[str, str | None],
                 opted_out: set[str]) -> str:
    """The first preferred channel the contact can be reached on and has not refused; else
    the first preference (the send is then kept as blocked, with the reason)."""
    for channel in preferences:
        if channel not in opted_out and (channel == "log" or addresses.get(channel)):
            return channel
    return preferences[0] if preferences else "log"


def goal_report(*, goal: str, goal_kind: str, stage_no: int | None, reached_on: str,
                result: str | None) -> str:
    what = f"stage {stage_no} of " if goal_kind == "staged" and stage_no else ""
    text = f"Progress report: {what}'{goal}' was reached on {reached_on}."
    return f"{text} {result}"[:4000] if result else text
