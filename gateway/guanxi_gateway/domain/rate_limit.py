"""Token buckets (令牌桶) for rate limits and the login-failure counter: pure, in-process."""
from __future__ import annotations

import math
from collections import OrderedDict
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


def account_wait(failures: int, *, max_failures: int, delay: float, max_delay: float) -> float:
    """How long an account waits after its `failures`-th failed login in a row: nothing before
    `max_failures`, then `delay` seconds, doubled with each further failure, at most `max_delay`.
    """
    if failures < max_failures:
        return 0.0
    return min(max_delay, delay * 2.0 ** min(failures - max_failures, 62))


@dataclass
class LoginThrottle:
    """Failed logins (登录限流), counted per account and, with a much higher limit, per address.

    An account's failures cost it a growing wait (`account_wait`), and only that account: the
    others behind the same office address log in as usual. An address that fails
    `max_failures_per_ip` times within `window` seconds, over any names, is refused until that
    window ends: a spray across many accounts from one place stops there. An account's count is
    forgotten `window` seconds after its last failure, or by a successful login; an address's
    when its window ends (a success does not reset it: one known password would otherwise
    reopen a spray). Each table holds at most `max_entries` keys, dropping the stalest first,
    so a flood of new names cannot grow memory. In-process; `SharedLoginThrottle` keeps the
    same counts in Redis for several replicas.
    """

    # the limits come from the settings (GUANXI_GATEWAY_LOGIN_*), which hold their defaults
    max_failures: int
    delay: float
    max_delay: float
    window: float
    max_failures_per_ip: int
    max_entries: int
    # key -> (failures, first failure, last failure); ordered by last failure, oldest first
    _accounts: OrderedDict[str, tuple[int, float, float]] = field(default_factory=OrderedDict)
    _addresses: OrderedDict[str, tuple[int, float, float]] = field(default_factory=OrderedDict)

    def wait(self, account: str, ip: str, now: float) -> float:
        """0 when a login may be tried now; otherwise the seconds to wait."""
        waits = [0.0]
        count, _, last = self._live(self._accounts, account, now, sliding=True)
        if count:
            waits.append(last + self.account_wait(count) - now)
        count, first, _ = self._live(self._addresses, ip, now, sliding=False)
        if count >= self.max_failures_per_ip:
            waits.append(first + self.window - now)
        return max(waits)

    def failed(self, account: str, ip: str, now: float) -> None:
        self._count(self._accounts, account, now, sliding=True)
        self._count(self._addresses, ip, now, sliding=False)

    def succeeded(self, account: str) -> None:
        self._accounts.pop(account, None)

    def account_wait(self, failures: int) -> float:
        return account_wait(failures, max_failures=self.max_failures, delay=self.delay,
                            max_delay=self.max_delay)

    def entries(self) -> int:
        return len(self._accounts) + len(self._addresses)

    def _live(self, table: OrderedDict, key: str, now: float, *,
              sliding: bool) -> tuple[int, float, float]:
        entry = table.get(key)
        # an account's count outlives its longest wait, whatever the window
        horizon = max(self.window, self.max_delay) if sliding else self.window
        if entry is None or (entry[2] if sliding else entry[1]) + horizon <= now:
            return 0, now, now
        return entry

    def _count(self, table: OrderedDict, key: str, now: float, *, sliding: bool) -> None:
        count, first, _ = self._live(table, key, now, sliding=sliding)
        table[key] = (count + 1, first, now)
        table.move_to_end(key)
        while len(table) > self.max_entries:
            table.popitem(last=False)  # the stalest: expired, or nearest to expiring
