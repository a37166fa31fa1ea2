"""The customer experience map (客户体验地图): touchpoints before, during and after the purchase
and in use, and the dated care steps they become for one customer's purchase."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Stage(StrEnum):
    before = "before"    # before the purchase: kept on the map for prospects, never scheduled
    during = "during"    # ordering, delivery, installation
    after = "after"      # right after: the thank-you, the first check
    in_use = "in_use"    # while they use it, up to the next purchase


class Anchor(StrEnum):
    purchase = "purchase"      # days after the purchase
    repurchase = "repurchase"  # days around the expected repurchase (negative: before it)


class StepStatus(StrEnum):
    open = "open"        # scheduled, not yet done
    done = "done"
    skipped = "skipped"


@dataclass(frozen=True)
class Touchpoint:
    stage: Stage
    anchor: Anchor
    offset_days: int


def due_dates(touchpoints: list[Touchpoint], *, purchased_on: date,
              repurchase_after_days: int | None) -> list[tuple[int, date]]:
    """(touchpoint number, due date) for each touchpoint a purchase schedules."""
    steps = []
    for no, tp in enumerate(touchpoints):
        if tp.stage == Stage.before:
            continue
        if tp.anchor == Anchor.repurchase:
            if repurchase_after_days is None:
                continue
            base = purchased_on + timedelta(days=repurchase_after_days)
        else:
            base = purchased_on
        steps.append((no, max(purchased_on, base + timedelta(days=tp.offset_days))))
    return steps
