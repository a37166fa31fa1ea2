"""The relationship balance (情感银行): care deposits, failures withdraw, weights are policy.

A high balance survives an occasional mistake; a balance in debt turns every conflict into a
break ("不断透支…关系被推入破产边缘"). Weights are magnitudes set by an admin; whether a kind
deposits or withdraws is fixed here, so no policy can turn a complaint into a deposit.
"""
from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class BalanceKind(StrEnum):
    # deposits
    greeting = "greeting"                          # a greeting or message delivered
    call = "call"
    visit = "visit"
    gift = "gift"
    task = "task"                                  # a care task done
    event = "event"                                # attended a customer event
    complaint_resolved = "complaint_resolved"
    expectation_met = "expectation_met"            # satisfaction index 100, or goal reached
    expectation_exceeded = "expectation_exceeded"  # satisfaction index above 100
    # withdrawals
    complaint = "complaint"
    sla_missed = "sla_missed"                      # a complaint past its SLA
    commitment_broken = "commitment_broken"        # a promise past its due date
    satisfaction_below_100 = "satisfaction_below_100"


WITHDRAWALS = frozenset({BalanceKind.complaint, BalanceKind.sla_missed,
                         BalanceKind.commitment_broken, BalanceKind.satisfaction_below_100})
DEFAULT_WEIGHTS: dict[BalanceKind, Decimal] = {
    BalanceKind.greeting: Decimal(1), BalanceKind.call: Decimal(1), BalanceKind.task: Decimal(1),
    BalanceKind.visit: Decimal(3), BalanceKind.gift: Decimal(2), BalanceKind.event: Decimal(2),
    BalanceKind.complaint_resolved: Decimal(3), BalanceKind.expectation_met: Decimal(2),
    BalanceKind.expectation_exceeded: Decimal(4), BalanceKind.complaint: Decimal(3),
    BalanceKind.sla_missed: Decimal(4), BalanceKind.commitment_broken: Decimal(5),
    BalanceKind.satisfaction_below_100: Decimal(3)}

# engagement's touch.recorded kinds; a "complaint" touch is one that was resolved (a touch is
# care given), and shares the key of needs' own resolution deposit so it counts once.
TOUCH_KINDS: dict[str, BalanceKind] = {
    "message": BalanceKind.greeting, "call": BalanceKind.call, "visit": BalanceKind.visit,
    "gift": BalanceKind.gift, "task": BalanceKind.task, "event": BalanceKind.event,
    "complaint": BalanceKind.complaint_resolved}


def signed_points(kind: BalanceKind, weights: dict[str, Decimal]) -> Decimal:
    """What one occurrence adds to the balance under these weights (negative: a withdrawal)."""
    weight = Decimal(str(weights.get(kind.value, DEFAULT_WEIGHTS[kind])))
    return -weight if kind in WITHDRAWALS else weight


def expectation_kind(*, index: Decimal | None, reached: bool) -> BalanceKind | None:
    """A result check: the satisfaction index decides; without one, a reached goal is met."""
    if index is not None:
        if index < 100:
            return BalanceKind.satisfaction_below_100
        return BalanceKind.expectation_met if index == 100 else BalanceKind.expectation_exceeded
    return BalanceKind.expectation_met if reached else None


def apply(balance: Decimal, points: list[Decimal]) -> list[Decimal]:
    """The running balance after each entry, in order."""
    out = []
    for p in points:
        balance += p
        out.append(balance)
    return out
