"""Renewal report rules (续费). Periods are guanxi_shared.periods: a contract counts in the
period its end date (ends_on) falls in, as that is when it is due."""
from __future__ import annotations

from guanxi_shared.periods import rate


def renewal_rate(renewed: int, not_renewed: int) -> float | None:
    """Renewed among the contracts decided; None while none is decided."""
    return rate(renewed, renewed + not_renewed)
