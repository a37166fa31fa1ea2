"""Webhook signatures (HMAC-SHA256 over "<timestamp>.<body>") and retry backoff."""
from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Guanxi-Signature"


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(*, secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse stale timestamps."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def backoff_seconds(attempts: int, cap: float) -> float:
    """2, 4, 8 ... seconds after the 1st, 2nd, 3rd failure, never more than `cap`."""
    return min(cap, 2.0 ** attempts)
