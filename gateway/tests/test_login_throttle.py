"""Login throttling (issue 15): per account, a higher limit per address, bounded memory, and
the client's address from X-Forwarded-For only behind trusted proxies."""
import tracemalloc
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from guanxi_gateway.domain.client_address import client_address, parse_networks
from guanxi_gateway.domain.rate_limit import LoginThrottle, account_wait
from guanxi_gateway.limits import build
from guanxi_gateway.settings import Settings
from guanxi_testing.fixtures import assert_problem

from .conftest import ADMIN_KEY, ADMIN_PASSWORD

OFFICE = ("203.0.113.7", 40000)  # everybody in the office shares this address


def throttle_with(**limits: float) -> LoginThrottle:
    """A fresh throttle with the settings' default limits but for `limits`."""
    throttle = build(Settings(redis_url=""))[1]  # counted in this process
    assert isinstance(throttle, LoginThrottle)
    return replace(throttle, **limits)


def test_account_wait_grows_from_the_delay_to_the_cap():
    waits = [account_wait(n, max_failures=3, delay=30, max_delay=300) for n in range(1, 9)]
    assert waits == [0, 0, 30, 60, 120, 240, 300, 300]
    assert account_wait(10**6, max_failures=3, delay=30, max_delay=300) == 300  # no overflow


def test_an_account_waits_and_its_neighbour_does_not():
    throttle = throttle_with(max_failures=2, delay=10, max_delay=100, window=1000)
    throttle.failed("a", "ip1", 0)
    assert throttle.wait("a", "ip1", 1) == 0
    throttle.failed("a", "ip1", 1)
    assert throttle.wait("a", "ip1", 2) == pytest.approx(9)  # until 1 + 10
    assert throttle.wait("b", "ip1", 2) == 0  # same address, another account
    assert throttle.wait("a", "ip1", 11) == 0
    throttle.failed("a", "ip1", 11)
    assert throttle.wait("a", "ip1", 11) == pytest.approx(20)  # the next wait doubles
    throttle.succeeded("a")
    assert throttle.wait("a", "ip1", 12) == 0


def test_an_accounts_count_is_forgotten_after_the_window():
    throttle = throttle_with(max_failures=2, delay=10, max_delay=100, window=500)
    throttle.failed("a", "ip", 0)
    throttle.failed("a", "ip", 600)  # the first one is forgotten: this is failure one again
    assert throttle.wait("a", "ip", 601) == 0


def test_an_address_is_stopped_after_many_failures_over_any_names():
    throttle = throttle_with(max_failures=5, max_failures_per_ip=10, window=100)
    for n in range(10):
        assert throttle.wait(f"name{n}", "ip1", n) == 0
        throttle.failed(f"name{n}", "ip1", n)
    assert throttle.wait("somebody-else", "ip1", 10) == pytest.approx(90)  # window from 0
    assert throttle.wait("somebody-else", "ip2", 10) == 0
    assert throttle.wait("somebody-else", "ip1", 100) == 0  # the window is over
    throttle.succeeded("name1")  # a success does not reopen the address
    throttle.failed("x", "ip1", 101)
    assert throttle.wait("y", "ip1", 101) == 0


def test_the_table_stays_bounded_after_100k_distinct_names():
    throttle = throttle_with(max_failures=3, max_failures_per_ip=10**9, max_entries=5_000)

    def spray(names: range) -> None:
        for n in names:
            throttle.failed(f"user-{n}", f"10.{n % 200}.0.1", float(n) / 1000)

    tracemalloc.start()
    try:
        spray(range(10_000))  # the table is full from here on
        full = tracemalloc.get_traced_memory()[0]
        spray(range(10_000, 100_000))
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert throttle.entries() <= 5_000 + 200
    assert after < full * 1.1  # 90,000 more names, no more memory
    # the most recent names are still counted
    for _ in range(2):
        throttle.failed("user-99999", "10.0.0.1", 100.0)
    assert throttle.wait("user-99999", "10.0.0.1", 100.0) > 0


def test_client_address_believes_forwarded_for_only_from_trusted_proxies():
    trusted = parse_networks("10.0.0.0/8, 192.0.2.1")
    # no trusted proxies configured: the header is ignored
    assert client_address("10.0.0.5", ["198.51.100.9"], ()) == "10.0.0.5"
    # an untrusted peer cannot claim another address
    assert client_address("198.51.100.9", ["1.2.3.4"], trusted) == "198.51.100.9"
    # behind the load balancer: the hop it names
    assert client_address("10.0.0.5", ["198.51.100.9"], trusted) == "198.51.100.9"
    # a client's forged prefix is skipped: the rightmost untrusted hop is the client
    assert client_address("10.0.0.5", ["6.6.6.6, 198.51.100.9, 192.0.2.1"],
                          trusted) == "198.51.100.9"
    assert client_address("10.0.0.5", ["6.6.6.6", "198.51.100.9"], trusted) == "198.51.100.9"
    # junk stops the walk at the last hop a trusted proxy vouched for
    assert client_address("10.0.0.5", ["junk, 10.1.1.1"], trusted) == "10.1.1.1"
    assert client_address("10.0.0.5", [], trusted) == "10.0.0.5"
    assert client_address("::ffff:10.0.0.5", ["2001:db8::1"], trusted) == "2001:db8::1"
    with pytest.raises(ValueError, match="nonsense"):
        parse_networks("10.0.0.0/8, nonsense")


def test_a_bad_trusted_proxies_setting_fails_the_start():
    with pytest.raises(ValueError, match="not an address"):
        Settings(trusted_proxies="10.0.0.0/33")


def _login(client: TestClient, username: str, password: str, **headers):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       headers=headers)


def _office_client(make_client, **overrides) -> TestClient:
    # the app runs already (make_client entered it): a second lifespan would start background
    # rounds that nothing stops, still running when the test database is dropped
    return TestClient(make_client(**overrides).app, client=OFFICE)


def _create_user(client: TestClient, username: str, password: str) -> None:
    resp = client.post("/api/v1/users", headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                       json={"username": username, "password": password, "role": "rep"})
    assert resp.status_code == 201, resp.text


def test_user_b_logs_in_from_the_same_address_right_after_user_a_is_locked_out(make_client):
    client = _office_client(make_client, login_max_failures=3)
    _create_user(client, "user-a", "password-of-a")
    _create_user(client, "user-b", "password-of-b")
    for _ in range(3):
        assert_problem(_login(client, "user-a", "wrong-password"), 401)
    body = assert_problem(_login(client, "user-a", "password-of-a"), 429)  # A waits
    assert "failed logins" in body["detail"]
    resp = _login(client, "USER-A", "password-of-a")  # the same account in other letters
    assert resp.status_code == 429 and int(resp.headers["retry-after"]) >= 1
    assert _login(client, "user-b", "password-of-b").status_code == 200  # B does not
    assert _login(client, "admin", ADMIN_PASSWORD).status_code == 200


def test_a_spray_over_many_names_from_one_address_is_stopped(make_client):
    client = _office_client(make_client, login_max_failures_per_ip=20)
    _create_user(client, "real-user", "password-real")
    codes = [_login(client, f"guess-{n}", "Password1").status_code for n in range(25)]
    assert codes == [401] * 20 + [429] * 5  # no name failed more than once
    assert_problem(_login(client, "real-user", "password-real"), 429)
    # a colleague at another address is not touched
    other = TestClient(client.app, client=("198.51.100.20", 40000))
    assert _login(other, "real-user", "password-real").status_code == 200


def test_forwarded_for_names_the_client_only_behind_a_trusted_proxy(make_client):
    app = make_client(login_max_failures_per_ip=2, trusted_proxies="10.0.0.0/8").app
    balancer = TestClient(app, client=("10.0.0.2", 40000))
    for n in range(2):
        _login(balancer, f"x{n}", "nope", **{"X-Forwarded-For": "198.51.100.1"})
    assert _login(balancer, "x9", "nope", **{"X-Forwarded-For": "198.51.100.1"}
                  ).status_code == 429
    # another client behind the same balancer has its own count
    assert _login(balancer, "x9", "nope", **{"X-Forwarded-For": "198.51.100.2"}
                  ).status_code == 401
    # a client that is not a trusted proxy cannot choose its address by the header
    direct = TestClient(app, client=("198.51.100.66", 40000))
    for n in range(2):
        _login(direct, f"y{n}", "nope", **{"X-Forwarded-For": f"192.0.2.{n}"})
    assert _login(direct, "y9", "nope", **{"X-Forwarded-For": "192.0.2.99"}).status_code == 429


def test_forwarded_for_from_an_untrusted_peer_is_not_passed_to_the_services(make_client,
                                                                            services):
    services.json("registry", "GET", "/v1/customers", {"items": [], "next_cursor": None})
    client = make_client()
    client.get("/api/v1/registry/customers", headers={"X-Forwarded-For": "6.6.6.6"})
    assert services.seen[-1].headers.get_list("x-forwarded-for") == ["testclient"]
