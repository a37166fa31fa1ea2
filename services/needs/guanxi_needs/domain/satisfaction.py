"""Satisfaction index (客户满意度) = experienced value / expected value x 100%."""
from __future__ import annotations

from decimal import Decimal


def satisfaction_index(*, expected: Decimal, experienced: Decimal) -> Decimal:
    if expected <= 0:
        raise ValueError("the expected value must be positive")
    return (experienced / expected * 100).quantize(Decimal("0.1"))


def perception(index: Decimal) -> str:
    """dissatisfied below 100, satisfied at 100, delighted above, moved (感动) from 120."""
    if index < 100:
        return "dissatisfied"
    if index == 100:
        return "satisfied"
    return "moved" if index >= 120 else "delighted"
