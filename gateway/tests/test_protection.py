"""Front-door rules: analyst read-only, rate limits, body size, headers, CORS, audit log."""
from guanxi_testing.fixtures import assert_problem

from .conftest import ADMIN_KEY, user_headers

EMPTY = {"items": [], "next_cursor": None}


def test_analyst_reads_but_writes_are_refused_at_the_gateway(client, services):
    services.json("registry", "GET", "/v1/customers", EMPTY)
    services.json("registry", "POST", "/v1/customers", {"id": "c1"}, status=201)
    _, analyst = user_headers(client, "analyst")
    assert client.get("/api/v1/registry/customers", headers=analyst).status_code == 200
    assert_problem(client.post("/api/v1/registry/customers", headers=analyst,
                               json={"name": "x"}), 403)
    assert not [r for r in services.seen if r.method == "POST"]  # never reached the service


def test_rate_limit_per_credential_answers_429_with_retry_after(make_client, services):
    services.json("registry", "GET", "/v1/customers", EMPTY)
    client = make_client(rate_per_credential=0.01, burst_per_credential=4)
    _, rep = user_headers(client, "rep")  # creating and logging in spend two of the four
    codes = [client.get("/api/v1/registry/customers").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    resp = client.get("/api/v1/registry/customers")
    assert_problem(resp, 429)
    assert int(resp.headers["retry-after"]) >= 1
    # another credential has its own bucket
    assert client.get("/api/v1/registry/customers", headers=rep).status_code == 200


def test_rate_limit_per_ip(make_client):
    client = make_client(rate_per_ip=0.01, burst_per_ip=2)
    assert [client.get("/healthz").status_code for _ in range(3)] == [200, 200, 429]


def test_body_size_limit_is_413_with_a_larger_limit_for_imports(make_client, services):
    services.json("registry", "POST", "/v1/customers", {"id": "c1"}, status=201)
    services.json("registry", "POST", "/v1/imports", {"created": 1})
    client = make_client(max_body_bytes=1000, max_import_body_bytes=100_000)
    big = "x" * 5000
    assert_problem(client.post("/api/v1/registry/customers", json={"name": big}), 413)
    resp = client.post("/api/v1/registry/imports", content=big.encode(),
                       headers={"content-type": "text/csv"})
    assert resp.status_code == 200


def test_security_headers_on_every_answer(make_client):
    resp = make_client(behind_https=True).get("/healthz")
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
    assert resp.headers["referrer-policy"] == "no-referrer"
    assert "max-age" in resp.headers["strict-transport-security"]


def test_cors_allows_only_listed_origins(make_client):
    client = make_client(cors_origins="https://console.example.com")
    ask = {"Access-Control-Request-Method": "GET"}
    good = client.options("/api/v1/users", headers={"Origin": "https://console.example.com",
                                                     **ask})
    assert good.headers["access-control-allow-origin"] == "https://console.example.com"
    bad = client.options("/api/v1/users", headers={"Origin": "https://evil.example", **ask})
    assert "access-control-allow-origin" not in bad.headers


def test_personal_data_access_is_audited_and_queryable_by_admins(client, services):
    services.json("registry", "GET", "/v1/customers/c1", {"id": "c1"})
    services.json("registry", "GET", "/v1/contacts", EMPTY)
    services.json("segmentation", "GET", "/v1/pareto", {})
    rep_id, rep = user_headers(client, "rep")
    client.get("/api/v1/registry/customers/c1", headers=rep)
    client.get("/api/v1/registry/contacts?customer_id=c2", headers=rep)
    client.get("/api/v1/segmentation/pareto", headers=rep)  # no personal data: not audited
    client.app.state.audit.flush()
    records = client.get("/api/v1/audit").json()["items"]
    assert [(r["actor"], r["action"], r["customer_id"]) for r in records] == [
        (rep_id, "read", "c2"), (rep_id, "read", "c1")]
    only_c1 = client.get("/api/v1/audit", params={"customer_id": "c1"}).json()["items"]
    assert [r["path"] for r in only_c1] == ["/api/v1/registry/customers/c1"]
    page = client.get("/api/v1/audit", params={"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    assert_problem(client.get("/api/v1/audit", headers=rep), 403)


def test_admin_api_key_keeps_working(client):
    assert client.get("/api/v1/users", headers={"Authorization": f"Bearer {ADMIN_KEY}"}
                      ).status_code == 200
