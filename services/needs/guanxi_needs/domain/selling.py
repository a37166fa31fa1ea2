"""Selling from needs (宣传式, 正相关, 后端销售): how strongly a customer fits a product.

A launch's call list scores each customer from evidence: an open need in one of the product's
categories (points by urgency; a restrictive need is a condition, not demand, so it counts
little), and purchases: the same product (an upgrade's natural buyers), a product that names
this one as its positively correlated or back-end product, or another product of the same line.
Each purchased product counts once however often it was bought; the score is the sum.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class EvidenceKind(StrEnum):
    need = "need"                  # an open need in one of the product's categories
    bought_this = "bought_this"    # bought this very product before (an upgrade)
    related = "related"            # bought a product whose related/back-end list names this one
    same_line = "same_line"        # bought another product of the same line


class CallStatus(StrEnum):  # where a customer on a launch's call list stands
    to_call = "to_call"            # every customer starts here
    called = "called"
    interested = "interested"
    not_interested = "not_interested"


NEED_POINTS = {"urgent": 5, "high": 4, "normal": 3, "low": 2}
RESTRICTIVE_NEED_POINTS = 1
PURCHASE_POINTS = {EvidenceKind.bought_this: 4, EvidenceKind.related: 3,
                   EvidenceKind.same_line: 2}


@dataclass(frozen=True)
class Evidence:
    customer_id: str
    kind: EvidenceKind
    points: int
    on: date


def need_points(*, urgency: str, restrictive: bool) -> int:
    return RESTRICTIVE_NEED_POINTS if restrictive else NEED_POINTS[urgency]


def rank(evidence: list[Evidence]) -> list[tuple[str, int, date]]:
    """(customer, score, latest evidence) best first: score, then fresher evidence, then id.

    The store computes the same in SQL for a whole launch; this is the rule in one place.
    """
    scores: dict[str, tuple[int, date]] = {}
    for e in evidence:
        score, latest = scores.get(e.customer_id, (0, e.on))
        scores[e.customer_id] = (score + e.points, max(latest, e.on))
    return sorted(((c, s, d) for c, (s, d) in scores.items()),
                  key=lambda row: (-row[1], -row[2].toordinal(), row[0]))
