"""Where the rate limits and the login throttle keep their counts: this process, or Redis.

Without `GUANXI_REDIS_URL` each gateway process counts on its own (`TokenBuckets`,
`LoginThrottle`). With it, every replica counts in the same Redis keys, so two replicas
enforce one limit together: each check is one Lua script (atomic, one round trip, Redis's own
clock), and every key expires by itself once it no longer matters. Credentials are keyed by
their SHA-256, never stored as they are.

If Redis does not answer (down, unreachable, timing out), the gateway keeps serving with its
local counts, logs the fallback once, and tries Redis again after `REDIS_RETRY_SECONDS`; it
never turns a Redis failure into a 500.
"""
from __future__ import annotations

import hashlib
import logging
import math
import threading
import time

import redis
import redis.asyncio
import redis.asyncio.retry
import redis.retry
from redis.backoff import NoBackoff

from .domain.rate_limit import LoginThrottle, TokenBuckets
from .settings import Settings

log = logging.getLogger("guanxi.gateway.limits")
REDIS_RETRY_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.25

# KEYS: buckets in the order they are charged; ARGV: rate, burst per key. Returns 0 when every
# bucket gave a token, else the milliseconds to wait (the buckets before the refusing one have
# been charged, as in TokenBuckets used one after the other).
TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1]) or burst
  local at = tonumber(state[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
  local ttl = math.ceil(burst / rate * 1000) + 1000
  if tokens >= 1 then
    redis.call('HSET', key, 'tokens', tostring(tokens - 1), 'at', tostring(now))
    redis.call('PEXPIRE', key, ttl)
  else
    redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
    redis.call('PEXPIRE', key, ttl)
    return math.ceil((1 - tokens) / rate * 1000)
  end
end
return 0
"""

# KEYS: account failures, account lock, address failures; ARGV: max failures, delay ms,
# longest delay ms, window ms. The account's count lives `window` after its last failure; the
# address's window starts at its first.
FAILED = """
local maxf, delay, maxd, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
  tonumber(ARGV[4])
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], math.max(window, maxd))
if n >= maxf then
  local wait = math.min(maxd, delay * 2 ^ math.min(n - maxf, 62))
  redis.call('SET', KEYS[2], '1', 'PX', math.max(1, math.floor(wait)))
end
if redis.call('INCR', KEYS[3]) == 1 then
  redis.call('PEXPIRE', KEYS[3], window)
end
return n
"""

# KEYS: account lock, address failures; ARGV: the address's limit. Returns the ms to wait.
WAIT = """
local wait = math.max(0, redis.call('PTTL', KEYS[1]))
local count = tonumber(redis.call('GET', KEYS[2]) or '0')
if count >= tonumber(ARGV[1]) then
  wait = math.max(wait, redis.call('PTTL', KEYS[2]))
end
return wait
"""


def client_options(*, asynchronous: bool) -> dict:
    """Short timeouts (a slow Redis must not slow every request), and one immediate retry on a
    fresh connection when a pooled one turns out closed (Redis restarted)."""
    retry = (redis.asyncio.retry.Retry if asynchronous else redis.retry.Retry)(NoBackoff(), 1)
    return {"socket_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "retry": retry, "retry_on_error": [redis.ConnectionError]}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class RedisState:
    """Whether Redis is worth trying now, shared by the request path and the login route."""

    def __init__(self, url: str):
        self.url = url
        self._down_until = 0.0
        self._down = False
        self._lock = threading.Lock()

    def usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self._down_until = time.monotonic() + REDIS_RETRY_SECONDS
            if not self._down:
                self._down = True
                log.warning("redis unavailable (%s: %s), using this process's own limits",
                            type(exc).__name__, exc)

    def answered(self) -> None:
        if self._down:
            with self._lock:
                if self._down:
                    self._down = False
                    log.warning("redis answers again, limits shared across replicas")


class LocalLimits:
    """Per-address and per-credential token buckets in this process."""

    def __init__(self, settings: Settings):
        self.per_credential = TokenBuckets(settings.rate_per_credential,
                                           settings.burst_per_credential)
        self.per_ip = TokenBuckets(settings.rate_per_ip, settings.burst_per_ip)

    async def take(self, ip: str, credential: str | None) -> float:
        return self.take_now(ip, credential)

    def take_now(self, ip: str, credential: str | None) -> float:
        now = time.monotonic()
        wait = self.per_ip.take(ip, now)
        if not wait and credential:
            wait = self.per_credential.take(credential, now)
        return wait

    async def aclose(self) -> None:
        pass


class SharedLimits:
    """The same buckets in Redis, with the local ones standing in while Redis is away."""

    def __init__(self, settings: Settings, state: RedisState):
        self.settings = settings
        self.state = state
        self.prefix = settings.redis_prefix
        self.local = LocalLimits(settings)
        self.client = redis.asyncio.Redis.from_url(state.url, **client_options(asynchronous=True))
        self.script = self.client.register_script(TAKE)

    async def take(self, ip: str, credential: str | None) -> float:
        if not self.state.usable():
            return self.local.take_now(ip, credential)
        s = self.settings
        keys, args = [f"{self.prefix}rate:ip:{ip}"], [s.rate_per_ip, s.burst_per_ip]
        if credential:
            keys.append(f"{self.prefix}rate:cred:{_digest(credential)}")
            args += [s.rate_per_credential, s.burst_per_credential]
        try:
            wait_ms = await self.script(keys=keys, args=args)
        except (redis.RedisError, OSError) as exc:
            self.state.failed(exc)
            return self.local.take_now(ip, credential)
        self.state.answered()
        return int(wait_ms) / 1000.0

    async def aclose(self) -> None:
        await self.client.aclose()


class SharedLoginThrottle:
    """LoginThrottle's counts in Redis (called from the login route's worker thread)."""

    def __init__(self, local: LoginThrottle, settings: Settings, state: RedisState):
        self.local = local
        self.state = state
        self.prefix = settings.redis_prefix
        self.client = redis.Redis.from_url(state.url, **client_options(asynchronous=False))
        self.wait_script = self.client.register_script(WAIT)
        self.failed_script = self.client.register_script(FAILED)

    def _keys(self, account: str, ip: str) -> tuple[str, str, str]:
        name = _digest(account)
        return (f"{self.prefix}login:fail:{name}", f"{self.prefix}login:lock:{name}",
                f"{self.prefix}login:ip:{ip}")

    def wait(self, account: str, ip: str, now: float) -> float:
        if self.state.usable():
            _, lock, address = self._keys(account, ip)
            try:
                wait_ms = self.wait_script(keys=[lock, address],
                                           args=[self.local.max_failures_per_ip])
            except (redis.RedisError, OSError) as exc:
                self.state.failed(exc)
            else:
                self.state.answered()
                return int(wait_ms) / 1000.0
        return self.local.wait(account, ip, now)

    def failed(self, account: str, ip: str, now: float) -> None:
        self.local.failed(account, ip, now)  # kept too, to stand in if Redis goes away
        if not self.state.usable():
            return
        t = self.local
        try:
            self.failed_script(keys=list(self._keys(account, ip)),
                               args=[t.max_failures, math.ceil(t.delay * 1000),
                                     math.ceil(t.max_delay * 1000), math.ceil(t.window * 1000)])
        except (redis.RedisError, OSError) as exc:
            self.state.failed(exc)
        else:
            self.state.answered()

    def succeeded(self, account: str) -> None:
        self.local.succeeded(account)
        if not self.state.usable():
            return
        fails, lock, _ = self._keys(account, "")
        try:
            self.client.delete(fails, lock)
        except (redis.RedisError, OSError) as exc:
            self.state.failed(exc)
        else:
            self.state.answered()

    def entries(self) -> int:
        return self.local.entries()

    def close(self) -> None:
        self.client.close()


def build(settings: Settings) -> tuple[LocalLimits | SharedLimits,
                                       LoginThrottle | SharedLoginThrottle]:
    """The request limits and the login throttle the settings ask for."""
    throttle = LoginThrottle(
        max_failures=settings.login_max_failures, delay=settings.login_delay_seconds,
        max_delay=settings.login_lockout_seconds, window=settings.login_window_seconds,
        max_failures_per_ip=settings.login_max_failures_per_ip,
        max_entries=settings.login_max_entries)
    if not settings.redis_url:
        return LocalLimits(settings), throttle
    state = RedisState(settings.redis_url)
    return SharedLimits(settings, state), SharedLoginThrottle(throttle, settings, state)
