"""Pareto (帕累托, 二八): who brings the revenue, and the 20/60/20 tiers."""
from __future__ import annotations

import numpy as np

TIERS = ("invest", "keep", "reconsider")  # top 20%, middle 60%, bottom 20% of customers
TIER_STRATEGY = {
    "invest": "Top 20%: invest, special service and VIP care.",
    "keep": "Middle 60%: roughly break-even; keep them and grow share of wallet.",
    "reconsider": "Bottom 20%: cost more than they bring; reduce cost to serve or let go, "
                  "but never ignore them: every customer can refer.",
}


def ranking(values: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Customer order by value, highest first (ties by id)."""
    return np.lexsort((ids, -values))


def tiers(values: np.ndarray, ids: np.ndarray) -> np.ndarray:
    n = len(values)
    rank = np.empty(n, dtype=np.int64)
    rank[ranking(values, ids)] = np.arange(n)
    out = np.full(n, "keep", dtype=object)
    out[rank < np.ceil(n * 0.2)] = "invest"
    out[rank >= n - np.floor(n * 0.2)] = "reconsider"
    return out


def curve(values: np.ndarray, ids: np.ndarray, points: int = 20) -> tuple[list[dict], float]:
    """Cumulative share of value against cumulative share of customers, and the top-20% share."""
    n = len(values)
    total = float(values.sum())
    if n == 0 or total <= 0:
        return [], 0.0
    cumulative = np.cumsum(values[ranking(values, ids)]) / total
    out = []
    for k in range(1, points + 1):
        count = max(1, int(np.ceil(n * k / points)))
        out.append({"customer_share": round(count / n, 4),
                    "value_share": round(float(cumulative[count - 1]), 4)})
    top = max(1, int(np.ceil(n * 0.2)))
    return out, round(float(cumulative[top - 1]), 4)
