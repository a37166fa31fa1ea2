"""The proxy passes odd paths, redirects and headers through safely."""
import gzip

import httpx

from guanxi_testing.fixtures import assert_problem


def test_control_characters_in_a_path_reach_the_service_quoted(client, services):
    assert_problem(client.get("/api/v1/registry/customers/%07"), 404)
    assert services.seen[0].url.raw_path == b"/v1/customers/%07"


def test_privacy_request_quotes_the_customer_id(client, services):
    resp = client.post("/api/v1/privacy/export", json={"customer_id": "客户/1"})
    assert resp.status_code == 200 and resp.json()["complete"] is False
    assert {r.url.raw_path for r in services.seen} == {b"/v1/privacy/customers/%E5%AE%A2%E6%88"
                                                       b"%B7%2F1"}


def test_a_service_redirect_points_at_the_gateway(client, services):
    services.on("registry", "GET", "/v1/customers/old", lambda _: httpx.Response(
        308, headers={"location": "/v1/customers/new", "date": "Mon, 01 Jan 2024 00:00:00 GMT",
                      "server": "uvicorn"}))
    resp = client.get("/api/v1/registry/customers/old", follow_redirects=False)
    assert resp.status_code == 308
    assert resp.headers["location"] == "/api/v1/registry/customers/new"
    assert resp.headers.get_list("date") != ["Mon, 01 Jan 2024 00:00:00 GMT"]
    assert "uvicorn" not in resp.headers.get_list("server")


def test_a_header_the_service_sends_twice_stays_two_headers(client, services):
    links = [("link", '</v1/customers?cursor=b>; rel="next"'),
             ("link", '</v1/customers>; rel="first"')]
    services.on("registry", "GET", "/v1/customers", lambda _: httpx.Response(
        200, headers=links, json={"items": []}))
    services.on("registry", "GET", "/v1/customers/export", lambda _: httpx.Response(
        200, headers=links, content=b"x" * 300_000))  # big enough to be streamed
    for path in ("/api/v1/registry/customers", "/api/v1/registry/customers/export"):
        resp = client.get(path)
        assert resp.status_code == 200
        assert resp.headers.get_list("link") == [value for _, value in links]
    assert len(resp.content) == 300_000


def test_the_proxy_route_neither_shadows_the_gateways_own_nor_hides_unknown_names(client,
                                                                                  services):
    services.json("registry", "GET", "/v1/customers/c1", {"id": "c1"})
    assert client.get("/api/v1/registry/customers/c1").json() == {"id": "c1"}
    assert client.get("/api/v1/users").status_code == 200  # the gateway's, not a service's
    assert "No service named 'nowhere'" in assert_problem(
        client.get("/api/v1/nowhere/things"), 404)["detail"]
    # the credential is checked first, for known and unknown names alike
    for path in ("/api/v1/registry/customers/c1", "/api/v1/nowhere/things"):
        assert_problem(client.get(path, headers={"Authorization": "Bearer nonsense"}), 401)
    metrics = client.get("/metrics").text
    assert 'route="/api/v1/{service}/{path:path}"' in metrics


def test_the_request_reaches_the_service_with_its_query_and_an_internal_token(client,
                                                                               services):
    services.json("registry", "GET", "/v1/customers", {"items": []})
    resp = client.get("/api/v1/registry/customers?q=%E5%AE%A2%E6%88%B7&limit=5",
                      headers={"X-Request-ID": "trace-1", "Accept-Language": "zh-CN"})
    assert resp.status_code == 200 and resp.headers["x-request-id"] == "trace-1"
    seen = services.seen[-1]
    assert seen.url.params["q"] == "客户" and seen.url.params["limit"] == "5"
    assert seen.headers["x-request-id"] == "trace-1"
    assert seen.headers["accept-language"] == "zh-CN"
    assert seen.headers["authorization"].startswith("Bearer ")
    assert seen.headers["authorization"] != "Bearer test-admin-api-key"
    assert "x-forwarded-for" in seen.headers


def test_a_compressed_answer_passes_through_as_the_service_sent_it(client, services):
    body = gzip.compress(b'{"id": "c1"}')

    def compressed(_: httpx.Request) -> httpx.Response:
        resp = httpx.Response(200, content=body, headers={"content-type": "application/json"})
        resp.headers["content-encoding"] = "gzip"  # after the fake has read the raw bytes
        return resp

    services.on("registry", "GET", "/v1/customers/c1", compressed)
    resp = client.get("/api/v1/registry/customers/c1")
    assert resp.headers["content-encoding"] == "gzip" and resp.json() == {"id": "c1"}
    assert int(resp.headers["content-length"]) == len(body)


def test_repeated_query_parameters_all_reach_the_service(client, services):
    client.get("/api/v1/registry/customers", params=[("tag", "vip"), ("tag", "华南"),
                                                     ("q", "a b")])
    assert services.seen[-1].url.params.get_list("tag") == ["vip", "华南"]
    assert services.seen[-1].url.params["q"] == "a b"


def test_a_body_reaches_the_service_and_its_answer_comes_back(client, services):
    services.on("registry", "POST", "/v1/customers", lambda req: httpx.Response(
        201, json={"received": req.read().decode()}, headers={"etag": '"1"'}))
    resp = client.post("/api/v1/registry/customers", json={"name": "华为"})
    assert resp.status_code == 201 and resp.headers["etag"] == '"1"'
    assert resp.json() == {"received": '{"name":"华为"}'}
    assert services.seen[-1].headers["content-length"] == str(len('{"name":"华为"}'.encode()))
    # sent in chunks, without a length: it goes on in chunks
    resp = client.post("/api/v1/registry/customers", content=iter([b'{"name":', b'"x"}']))
    assert resp.json() == {"received": '{"name":"x"}'}
    assert services.seen[-1].headers["transfer-encoding"] == "chunked"


def test_a_service_down_is_502_and_a_slow_one_504(client, services):
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    services.on("needs", "GET", "/v1/needs", down)
    services.on("engagement", "GET", "/v1/tasks", slow)
    assert "needs service is unavailable" in assert_problem(
        client.get("/api/v1/needs/needs"), 502)["detail"]
    assert "engagement service did not answer in time" in assert_problem(
        client.get("/api/v1/engagement/tasks"), 504)["detail"]


def test_a_service_behind_a_path_prefix_is_reached_under_it(make_client, services):
    client = make_client(registry_url="http://registry.test/crm/")
    services.json("registry", "GET", "/crm/v1/customers/c1", {"id": "c1"})
    assert client.get("/api/v1/registry/customers/c1?x=1").json() == {"id": "c1"}
    assert services.seen[-1].url.raw_path == b"/crm/v1/customers/c1?x=1"
    assert services.seen[-1].headers["host"] == "registry.test"
