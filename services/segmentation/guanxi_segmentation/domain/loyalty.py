"""Loyalty as the course measures it (客户忠诚度): attitude plus behaviour, crossed with value.

- attitude (态度): the latest satisfaction index (capped at 100) and, where recorded, would
  recommend (0-10, times 10), averaged into a 0-100 score; high from ATTITUDE_HIGH. Without
  either it is unknown and the customer is "unmeasured".
- behaviour (行为): buying over the last 12 months kept up with the 12 before, and, where the
  customer's total budget for what we sell is known, our share of it (share of wallet) is at
  least SHARE_HIGH.
- value: the Pareto tier; "invest" (top 20%) is high value.

attitude high + behaviour high: loyal (真正忠诚); attitude low + behaviour high: passive
(被动忠诚: buys but would leave); attitude high + behaviour low: latent (潜在忠诚); both low:
disloyal (不忠诚). Crossed with high/low value: eight groups.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ATTITUDE_HIGH = 70.0
SHARE_HIGH = 0.5

GROUPS = {
    "loyal": "真正忠诚: likes us and buys more; reward and ask for referrals",
    "passive": "被动忠诚: buys but would leave (no alternative, habit, switching cost); "
               "find out what displeases them before a competitor does",
    "latent": "潜在忠诚: likes us but buys less or a small share; find the barrier "
              "(price, range, budget) and grow the share of wallet",
    "disloyal": "不忠诚: neither likes us nor buys more; decide whether to invest",
    "unmeasured": "No satisfaction check or would-recommend answer yet: ask",
}


@dataclass(frozen=True)
class Loyalty:
    attitude_score: float | None
    behaviour_high: bool
    share_of_wallet: float | None
    group: str
    value: str


def attitude_score(satisfaction_index: float | None, would_recommend: int | None
                   ) -> float | None:
    parts = [min(satisfaction_index, 100.0)] if satisfaction_index is not None else []
    if would_recommend is not None:
        parts.append(would_recommend * 10.0)
    return round(sum(parts) / len(parts), 1) if parts else None


def classify(*, satisfaction_index: float | None, would_recommend: int | None,
             last_12: Decimal, previous_12: Decimal, budget: Decimal | None,
             tier: str) -> Loyalty:
    """The reference rule; the SQL in store/loyalty.py computes the same for everyone."""
    score = attitude_score(satisfaction_index, would_recommend)
    share = float(last_12 / budget) if budget else None
    behaviour = last_12 > 0 and last_12 >= previous_12 and (share is None
                                                             or share >= SHARE_HIGH)
    if score is None:
        group = "unmeasured"
    elif score >= ATTITUDE_HIGH:
        group = "loyal" if behaviour else "latent"
    else:
        group = "passive" if behaviour else "disloyal"
    return Loyalty(score, behaviour, share, group, "high" if tier == "invest" else "low")
