"""Opportunity stages, their win probabilities and the protection period (机会保留底线)."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum


class Stage(StrEnum):
    prospecting = "prospecting"
    qualified = "qualified"
    proposal = "proposal"
    negotiation = "negotiation"
    won = "won"
    lost = "lost"


PROBABILITY = {
    Stage.prospecting: Decimal("0.10"),
    Stage.qualified: Decimal("0.30"),
    Stage.proposal: Decimal("0.50"),
    Stage.negotiation: Decimal("0.75"),
    Stage.won: Decimal("1.00"),
    Stage.lost: Decimal("0.00"),
}
CLOSED = {Stage.won, Stage.lost}


def protection_until(last_activity_at: datetime, protection_days: int) -> datetime:
    """How long the owner may hold the opportunity without any activity."""
    return last_activity_at + timedelta(days=protection_days)


def in_pool(*, owner_id: str | None, stage: Stage, protected_until: datetime,
            now: datetime) -> bool:
    """An open opportunity without an owner, or idle past its protection, is in the pool."""
    if stage in CLOSED:
        return False
    return owner_id is None or protected_until <= now
