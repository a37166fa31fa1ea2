"""Retention's periods: the grain codes of its read model (the arithmetic is in
guanxi_shared.periods)."""
from __future__ import annotations

from guanxi_shared.periods import Period

GRAIN: dict[str, str] = {"month": "m", "quarter": "q", "year": "y"}  # the read model's code
PERIODS: tuple[Period, ...] = ("month", "quarter", "year")
