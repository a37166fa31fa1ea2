"""Token buckets (令牌桶) for rate limits and the login-failure counter: pure, in-process."""
from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class TokenBuckets:
    """One bucket per key: `rate` tokens per second, holding at most `burst`."""

    rate: float
    burst: int
    max_keys: int = 100_000
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str, now: float) -> float:
        """0 when allowed; otherwise the seconds to wait before retrying."""
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            if len(self._buckets) >= self.max_keys and key not in self._buckets:
                self._buckets.clear()  # a flood of distinct keys must not exhaust memory
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate


def retry_after_header(wait_seconds: float) -> str:
    return str(max(1, math.ceil(wait_seconds)))


@dataclass
class LoginThrottle:
    """After `max_failures` failed logins for a name or an address, refuse for `lockout` s."""

    max_failures: int
    lockout: float
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)

    def wait(self, keys: list[str], now: float) -> float:
        waits = [until - now for count, until in (self._failures.get(k, (0, 0.0)) for k in keys)
                 if count >= self.max_failures and until > now]
        return max(waits, default=0.0)

    def failed(self, keys: list[str], now: float) -> None:
        for key in keys:
            count, until = self._failures.get(key, (0, 0.0))
            if until and until <= now and count >= self.max_failures:
                count = 0  # the lockout is over: count afresh
            self._failures[key] = (count + 1, now + self.lockout)

    def succeeded(self, keys: list[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)
