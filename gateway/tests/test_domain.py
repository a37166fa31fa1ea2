"""Pure rules: token buckets, webhook signatures, audit classification."""
import time

import jwt
import pytest

from guanxi_gateway.domain.audit import audit_action, customer_in
from guanxi_gateway.domain.rate_limit import TokenBuckets, retry_after_header
from guanxi_gateway.domain.signing import backoff_seconds, signature, verify
from guanxi_gateway.domain.tokens import mint_access, read_access, signing_key


def test_bucket_allows_the_burst_then_asks_to_wait():
    buckets = TokenBuckets(rate=2.0, burst=3)
    assert [buckets.take("k", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("k", 0.0) == pytest.approx(0.5)  # one token takes 1/2 s at 2/s
    assert buckets.take("k", 0.5) == 0.0
    assert buckets.take("other", 0.5) == 0.0


def test_retry_after_is_whole_seconds_at_least_one():
    assert retry_after_header(0.01) == "1"
    assert retry_after_header(2.2) == "3"


def test_signature_verifies_and_rejects_tampering_and_old_timestamps():
    body = b'{"id":"e1"}'
    header = signature(secret="s", timestamp=1000, body=body)
    assert header.startswith("t=1000,v1=")
    assert verify(secret="s", header=header, body=body, now=1100)
    assert not verify(secret="s", header=header, body=b'{"id":"e2"}', now=1100)
    assert not verify(secret="other", header=header, body=body, now=1100)
    assert not verify(secret="s", header=header, body=body, now=2000)


def test_backoff_doubles_up_to_the_cap():
    assert [backoff_seconds(n, 10) for n in (1, 2, 3, 4)] == [2, 4, 8, 10]


@pytest.mark.parametrize(("method", "path", "action"), [
    ("GET", "registry/customers/c1", "read"),
    ("PATCH", "registry/customers/c1", "change"),
    ("GET", "registry/contacts", "read"),
    ("DELETE", "registry/privacy/customers/c1", "erase"),
    ("GET", "needs/privacy/customers/c1", "export"),
    ("GET", "segmentation/pareto", None),
])
def test_audit_action(method, path, action):
    assert audit_action(method, path) == action


def test_customer_in_path_or_query():
    assert customer_in("customers/c1/contacts", {}) == "c1"
    assert customer_in("contacts", {"customer_id": "c2"}) == "c2"
    assert customer_in("groups", {}) is None


def test_access_token_key_differs_from_the_internal_secret_and_expires():
    key = signing_key("suite-secret")
    assert key != b"suite-secret"
    token = mint_access(key=key, user_id="u1", generation=3, ttl=60)
    claims = read_access(token, key=key)
    assert (claims.user_id, claims.generation) == ("u1", 3)
    old = mint_access(key=key, user_id="u1", generation=3, ttl=60, now=time.time() - 120)
    with pytest.raises(jwt.ExpiredSignatureError):
        read_access(old, key=key)
    with pytest.raises(jwt.InvalidSignatureError):
        read_access(token, key=signing_key("another"))
