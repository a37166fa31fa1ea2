"""The needs status machine across the three layers: operations, business management, decision."""
from __future__ import annotations

from enum import StrEnum


class NeedStatus(StrEnum):
    collected = "collected"      # operations: recorded by sales, implementation or service
    classified = "classified"    # operations: class and category checked
    analysed = "analysed"        # business management: counted and analysed
    accepted = "accepted"        # decision layer
    planned = "planned"          # decision layer: accepted for a later release
    rejected = "rejected"        # decision layer
    fulfilled = "fulfilled"      # delivered to the customer


DECISIONS = {NeedStatus.accepted, NeedStatus.planned, NeedStatus.rejected}
UNMET = {NeedStatus.collected, NeedStatus.classified, NeedStatus.analysed, NeedStatus.accepted,
         NeedStatus.planned}

ALLOWED: dict[NeedStatus, set[NeedStatus]] = {
    NeedStatus.collected: {NeedStatus.classified, NeedStatus.rejected},
    NeedStatus.classified: {NeedStatus.analysed, NeedStatus.collected},
    NeedStatus.analysed: DECISIONS | {NeedStatus.classified},
    NeedStatus.planned: {NeedStatus.accepted, NeedStatus.rejected},
    NeedStatus.accepted: {NeedStatus.fulfilled},
    NeedStatus.rejected: set(),
    NeedStatus.fulfilled: set(),
}


class IllegalTransition(ValueError):
    """A status change the machine does not allow; the message says why."""


def check_transition(current: NeedStatus, target: NeedStatus, *, feedback: str | None) -> None:
    """Raise IllegalTransition unless `current -> target` is allowed."""
    if target == current:
        raise IllegalTransition(f"The need is already {current.value}")
    if target not in ALLOWED[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[current])) or "none (final)"
        raise IllegalTransition(
            f"A need cannot go from {current.value} to {target.value}; "
            f"allowed next: {allowed}")
    if target in DECISIONS and not feedback:
        raise IllegalTransition(
            f"Deciding a need ({target.value}) needs the feedback sent back to the customer")
