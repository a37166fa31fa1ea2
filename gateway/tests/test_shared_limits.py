"""Rate limits and the login throttle shared by gateway replicas through Redis (issue 19), and
the local fallback when Redis does not answer."""
import logging
import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis

from guanxi_testing.fixtures import assert_problem, require_redis

from .conftest import ADMIN_PASSWORD, user_headers

EMPTY = {"items": [], "next_cursor": None}


@pytest.fixture
def shared(services):
    """Settings for replicas sharing one Redis, under a key prefix of this test's own."""
    url = require_redis()
    prefix = f"guanxi-test:{uuid.uuid4().hex}:"
    services.json("registry", "GET", "/v1/customers", EMPTY)
    yield {"redis_url": url, "redis_prefix": prefix}
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def keys_of(settings: dict) -> dict[str, int]:
    client = redis.Redis.from_url(settings["redis_url"])
    try:
        return {key.decode(): client.pttl(key)
                for key in client.scan_iter(match=f"{settings['redis_prefix']}*")}
    finally:
        client.close()


def test_two_replicas_enforce_one_credential_limit(make_client, shared):
    limits = {"rate_per_credential": 0.01, "burst_per_credential": 4}
    one, two = make_client(**shared, **limits), make_client(**shared, **limits)
    codes = [replica.get("/api/v1/registry/customers").status_code
             for replica in (one, two, one, two, one, two)]
    assert codes == [200, 200, 200, 200, 429, 429]  # alone, each would have allowed four
    resp = two.get("/api/v1/registry/customers")
    assert_problem(resp, 429)
    assert int(resp.headers["retry-after"]) >= 1
    # another credential has its own bucket, on both replicas
    _, rep = user_headers(make_client(**shared), "rep")
    assert one.get("/api/v1/registry/customers", headers=rep).status_code == 200
    assert two.get("/api/v1/registry/customers", headers=rep).status_code == 200
    # every key expires by itself, and no credential is stored as it is
    stored = keys_of(shared)
    assert stored and all(ttl > 0 for ttl in stored.values())
    assert not any("test-admin-api-key" in key for key in stored)


def test_two_replicas_enforce_one_address_limit(make_client, shared):
    limits = {"rate_per_ip": 0.01, "burst_per_ip": 3}
    one, two = make_client(**shared, **limits), make_client(**shared, **limits)
    assert [r.get("/healthz").status_code for r in (one, two, one, two)] == [200, 200, 200, 429]


def test_two_replicas_share_the_login_throttle(make_client, shared):
    one = make_client(**shared, login_max_failures=3)
    two = make_client(**shared, login_max_failures=3)
    user_headers(one, "rep", username="user-b")
    wrong = {"username": "admin", "password": "wrong-password"}
    for replica in (one, two, one):
        assert_problem(replica.post("/api/v1/auth/token", json=wrong), 401)
    right = {"username": "admin", "password": ADMIN_PASSWORD}
    for replica in (two, one):  # both replicas know the account waits
        body = assert_problem(replica.post("/api/v1/auth/token", json=right), 429)
        assert "failed logins" in body["detail"]
    # only that account: user B logs in through either replica
    other = {"username": "user-b", "password": "password-user-b"}
    assert two.post("/api/v1/auth/token", json=other).status_code == 200
    stored = keys_of(shared)
    assert any(":login:lock:" in key for key in stored)
    assert all(ttl > 0 for ttl in stored.values())
    assert not any("admin" in key for key in stored)  # account names are hashed


def test_a_spray_through_both_replicas_is_stopped_at_the_shared_address_limit(make_client,
                                                                              shared):
    one = make_client(**shared, login_max_failures_per_ip=6)
    two = make_client(**shared, login_max_failures_per_ip=6)
    codes = [(one if n % 2 else two).post(
        "/api/v1/auth/token", json={"username": f"guess-{n}", "password": "x"}).status_code
        for n in range(8)]
    assert codes == [401] * 6 + [429] * 2


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_redis_down_falls_back_to_local_limits_logged_never_a_500(make_client, services):
    services.json("registry", "GET", "/v1/customers", EMPTY)
    records = Records()
    logger = logging.getLogger("guanxi.gateway.limits")
    logger.addHandler(records)
    try:
        client = make_client(redis_url=f"redis://127.0.0.1:{closed_port()}/0",
                             rate_per_credential=0.01, burst_per_credential=3,
                             login_max_failures=2)
        codes = [client.get("/api/v1/registry/customers").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]  # the limit still holds, kept locally
        wrong = {"username": "admin", "password": "wrong-password"}
        other = make_client(redis_url=f"redis://127.0.0.1:{closed_port()}/0",
                            login_max_failures=2)
        for _ in range(2):
            assert_problem(other.post("/api/v1/auth/token", json=wrong), 401)
        assert_problem(other.post("/api/v1/auth/token",
                                  json={"username": "admin", "password": ADMIN_PASSWORD}), 429)
    finally:
        logger.removeHandler(records)
    fallbacks = [m for m in records.messages if "redis unavailable" in m]
    assert 1 <= len(fallbacks) <= 2, records.messages  # once per replica, not per request
    assert "this process's own limits" in fallbacks[0]


def test_redis_stopping_mid_run_falls_back_and_comes_back(make_client, services, tmp_path,
                                                         monkeypatch):
    """A private redis-server, stopped and started again under a running gateway."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("no redis-server binary to start a private Redis")
    import guanxi_gateway.limits as limits

    monkeypatch.setattr(limits, "REDIS_RETRY_SECONDS", 0.2)
    services.json("registry", "GET", "/v1/customers", EMPTY)
    port = closed_port()

    def start() -> subprocess.Popen:
        proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1",  # noqa: S603
                                 "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                                stdout=subprocess.DEVNULL)
        probe = redis.Redis(port=port)
        for _ in range(100):
            try:
                probe.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        probe.close()
        return proc

    proc = start()
    try:
        settings = {"redis_url": f"redis://127.0.0.1:{port}/0", "rate_per_credential": 0.01,
                    "burst_per_credential": 3}
        one, two = make_client(**settings), make_client(**settings)
        assert [r.get("/api/v1/registry/customers").status_code
                for r in (one, two)] == [200, 200]
        proc.kill()
        proc.wait()
        # Redis gone: each replica serves on its own buckets (three more here), no 500
        codes = [one.get("/api/v1/registry/customers").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        proc = start()  # empty again, as after a Redis restart without persistence
        time.sleep(0.3)
        codes = [r.get("/api/v1/registry/customers").status_code for r in (two, one, two, one)]
        assert codes == [200, 200, 200, 429]  # shared again: three in Redis's fresh bucket
    finally:
        proc.kill()
        proc.wait()
