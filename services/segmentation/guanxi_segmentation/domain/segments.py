"""Named RFM segments and what to do about each (DOMAIN.md section 2).

A segment is chosen by the recency score R and the rounded mean of the frequency and monetary
scores FM; the first rule whose ranges contain (R, FM) wins. The default mapping follows the
widely used eleven-segment RFM grid; a company may replace it through its policy.
"""
from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field, StrictInt


class SegmentRule(BaseModel):
    name: str = Field(pattern=r"^[a-z_]{1,40}$")
    label: str
    r: tuple[StrictInt, StrictInt] = Field(description="Inclusive range of R scores")
    fm: tuple[StrictInt, StrictInt] = Field(description="Inclusive range of round((F+M)/2)")
    strategy: str


DEFAULT_RULES: list[SegmentRule] = [
    SegmentRule(name="champions", label="重要价值客户 Champions", r=(5, 5), fm=(4, 5),
                strategy="Reward them, invite them to VIP events, ask for referrals; they "
                         "adopt new products first."),
    SegmentRule(name="loyal", label="忠诚客户 Loyal", r=(3, 5), fm=(4, 5),
                strategy="Upsell higher-value products, ask for reviews, keep regular revisits."),
    SegmentRule(name="cant_lose_them", label="重要挽留客户 Can't lose them", r=(1, 1), fm=(4, 5),
                strategy="Win them back with a personal visit and a renewal offer; find out "
                         "why they stopped; do not lose them to a competitor."),
    SegmentRule(name="at_risk", label="重要唤回客户 At risk", r=(1, 2), fm=(3, 5),
                strategy="Personal call from the owner rep, a relevant offer, service check."),
    SegmentRule(name="potential_loyalists", label="潜力客户 Potential loyalists", r=(4, 5),
                fm=(2, 3), strategy="Offer membership or a loyalty programme, recommend "
                                    "related products (正相关需求)."),
    SegmentRule(name="new_customers", label="新客户 New customers", r=(5, 5), fm=(1, 1),
                strategy="Thank them, onboard them well, make the second purchase easy."),
    SegmentRule(name="promising", label="有希望的客户 Promising", r=(4, 4), fm=(1, 1),
                strategy="Build the relationship: greetings, useful content, a small gift."),
    SegmentRule(name="need_attention", label="需关注客户 Need attention", r=(3, 3), fm=(2, 3),
                strategy="Limited-time offers based on past purchases; a revisit to learn "
                         "new needs."),
    SegmentRule(name="about_to_sleep", label="将沉睡客户 About to sleep", r=(2, 3), fm=(1, 2),
                strategy="Share popular products, reconnect before they lapse."),
    SegmentRule(name="lost", label="流失客户 Lost", r=(1, 1), fm=(1, 1),
                strategy="Record the churn reason; revive only with a strong reason, otherwise "
                         "stop spending on them (but they can still refer)."),
    SegmentRule(name="hibernating", label="沉睡客户 Hibernating", r=(1, 2), fm=(1, 2),
                strategy="Offer other relevant products; low-cost contact only."),
]
UNMATCHED = "other"


def assign(r: np.ndarray, f: np.ndarray, m: np.ndarray,
           rules: list[SegmentRule] = DEFAULT_RULES) -> np.ndarray:
    """Segment name per customer, vectorised: one pass per rule, first match wins."""
    fm = np.floor((f.astype(float) + m.astype(float)) / 2 + 0.5).astype(int)
    out = np.full(len(r), UNMATCHED, dtype=object)
    free = np.ones(len(r), dtype=bool)
    for rule in rules:
        hit = free & (r >= rule.r[0]) & (r <= rule.r[1]) & (fm >= rule.fm[0]) & (fm <= rule.fm[1])
        out[hit] = rule.name
        free &= ~hit
    return out
