"""RFM scoring (Arthur Hughes): recency, frequency and monetary value, each scored 1 to 5.

Quintiles rank customers and cut the ranking into five equal groups; ties are broken by the
customer id so the same data always gives the same scores. Fixed thresholds (per company
policy) use four ascending cut points per dimension instead. Higher scores are better: the most
recent buyers get R=5.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Bins:
    """Four ascending cut points per dimension; a value v scores 1 + how many cuts are <= v
    (for recency, where fewer days is better, the score is reversed)."""

    recency_days: tuple[float, float, float, float]
    frequency: tuple[float, float, float, float]
    monetary: tuple[float, float, float, float]


def quintile_scores(values: np.ndarray, ids: np.ndarray, higher_is_better: bool = True,
                    ) -> np.ndarray:
    """1..5 by rank; equal values are ordered by id, so ties are deterministic."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    keyed = values if higher_is_better else -values
    order = np.lexsort((ids, keyed))  # ascending value, then id (or its rank)
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n)
    return (ranks * 5 // n + 1).astype(np.int8)


def threshold_scores(values: np.ndarray, cuts: tuple[float, ...], higher_is_better: bool = True,
                     ) -> np.ndarray:
    scores = 1 + np.searchsorted(np.asarray(cuts, dtype=float), values, side="right")
    return (scores if higher_is_better else 6 - scores).astype(np.int8)


def quintile_cuts(values: np.ndarray) -> tuple[float, float, float, float]:
    """The cut points quintiles used, kept so one new purchase can be scored incrementally."""
    if len(values) == 0:
        return (0.0, 0.0, 0.0, 0.0)
    return tuple(float(np.quantile(values, q, method="lower")) for q in (0.2, 0.4, 0.6, 0.8))


def score(recency_days: np.ndarray, frequency: np.ndarray, monetary: np.ndarray,
          ids: np.ndarray, bins: Bins | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if bins is None:
        return (quintile_scores(recency_days, ids, higher_is_better=False),
                quintile_scores(frequency, ids), quintile_scores(monetary, ids))
    return (threshold_scores(recency_days, bins.recency_days, higher_is_better=False),
            threshold_scores(frequency, bins.frequency),
            threshold_scores(monetary, bins.monetary))
