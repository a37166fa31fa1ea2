"""Customers and purchases through the app, on SQLite and PostgreSQL."""
import json

import anyio

from guanxi_testing.fixtures import assert_problem, auth


def new_customer(client, **over):
    body = {"kind": "company", "name": "华为技术有限公司", "phone": "13800138000"} | over
    resp = client.post("/v1/customers", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_create_read_and_list(client):
    created = new_customer(client)
    got = client.get(f"/v1/customers/{created['id']}")
    assert got.status_code == 200 and got.json()["name"] == "华为技术有限公司"
    assert got.headers["etag"]
    assert [c["id"] for c in client.get("/v1/customers").json()["items"]] == [created["id"]]


def test_cursor_pagination_walks_every_customer_once(client):
    ids = {new_customer(client, name=f"c{i}")["id"] for i in range(7)}
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/customers", params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 7


def test_bad_input_is_problem_details_and_writes_nothing(client):
    body = assert_problem(client.post("/v1/customers", json={"kind": "company", "name": "x",
                                                             "colour": "red"}), 422)
    assert any(e["field"] == "colour" for e in body["errors"])
    assert_problem(client.post("/v1/customers", json={"kind": 5, "name": "x"}), 422)
    assert_problem(client.post("/v1/customers", content=b"{not json",
                               headers={"content-type": "application/json"}), 400)
    assert_problem(client.get("/v1/nowhere"), 404)
    assert_problem(client.get("/v1/customers", headers={"Authorization": ""}), 401)
    assert_problem(client.get("/v1/customers", params={"limit": 100000}), 422)
    assert client.get("/v1/customers").json()["items"] == []


def test_idempotency_key_replays_and_refuses_other_body(client):
    headers = {"Idempotency-Key": "k-1"}
    first = client.post("/v1/customers", json={"kind": "person", "name": "王芳"}, headers=headers)
    again = client.post("/v1/customers", json={"kind": "person", "name": "王芳"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other = client.post("/v1/customers", json={"kind": "person", "name": "李雷"}, headers=headers)
    assert_problem(other, 409)
    assert len(client.get("/v1/customers").json()["items"]) == 1


def test_the_answer_is_stored_before_the_client_has_it(client):
    """A client that retries the moment it reads the answer gets a replay, not a 409."""
    seen_at_last_byte = []

    async def call_app():
        body = json.dumps({"kind": "person", "name": "王芳"}).encode()
        scope = {"type": "http", "method": "POST", "path": "/v1/customers", "raw_path": b"",
                 "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
                 "server": ("test", 80), "client": ("test", 1), "app": client.app,
                 "headers": [(b"content-type", b"application/json"),
                             (b"idempotency-key", b"k-race"),
                             (b"authorization", client.headers["authorization"].encode())]}

        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            if message["type"] == "http.response.body" and not message.get("more_body"):
                retry = await anyio.to_thread.run_sync(lambda: client.post(
                    "/v1/customers", content=body, headers={
                        "Idempotency-Key": "k-race", "content-type": "application/json"}))
                seen_at_last_byte.append(retry.status_code)

        await client.app(scope, receive, send)

    anyio.run(call_app)
    assert seen_at_last_byte == [201]


def test_stale_if_match_is_412(client):
    created = new_customer(client)
    url = f"/v1/customers/{created['id']}"
    etag = client.get(url).headers["etag"]
    ok = client.patch(url, json={"region": "深圳"}, headers={"If-Match": etag})
    assert ok.status_code == 200 and ok.headers["etag"] != etag
    assert_problem(client.patch(url, json={"region": "北京"}, headers={"If-Match": etag}), 412)
    assert client.get(url).json()["region"] == "深圳"


def test_rep_sees_only_own_customers(client):
    mine = client.post("/v1/customers", json={"kind": "person", "name": "mine"},
                       headers=auth("rep", sub="rep-a")).json()
    theirs = client.post("/v1/customers", json={"kind": "person", "name": "theirs"},
                         headers=auth("rep", sub="rep-b")).json()
    as_a = auth("rep", sub="rep-a")
    assert [c["id"] for c in client.get("/v1/customers", headers=as_a).json()["items"]] == [
        mine["id"]]
    assert_problem(client.get(f"/v1/customers/{theirs['id']}", headers=as_a), 404)


def test_purchase_external_ref_recorded_once(client):
    customer = new_customer(client)
    body = {"customer_id": customer["id"], "purchased_on": "2026-01-05", "amount": "300.00",
            "external_ref": "ERP-1"}
    first = client.post("/v1/purchases", json=body)
    again = client.post("/v1/purchases", json=body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert_problem(client.post("/v1/purchases", json=body | {"amount": "abc"}), 422)


def test_null_on_a_field_every_customer_has_is_a_422_naming_it(client):
    """Issue 15: PATCH {"name": null} was a 500; a field that may be empty is still cleared."""
    customer = new_customer(client, industry="制造")
    path = f"/v1/customers/{customer['id']}"
    before = client.get(path).json()
    for field in ("name", "status", "tags", "custom_fields"):
        body = assert_problem(client.patch(path, json={field: None, "industry": None}), 422)
        assert [(e["loc"], e["type"]) for e in body["errors"]] == [
            (["body", field], "null_not_allowed")], body
    assert client.get(path).json() == before  # nothing changed
    cleared = client.patch(path, json={"industry": None, "phone": None})
    assert cleared.status_code == 200 and cleared.json()["industry"] is None
    assert client.get("/v1/customers").status_code == 200
    contact = client.post(f"/v1/customers/{customer['id']}/contacts", json={"name": "王芳"})
    assert contact.status_code == 201, contact.text
    body = assert_problem(client.patch(f"/v1/contacts/{contact.json()['id']}",
                                       json={"hobbies": None}), 422)
    assert body["errors"][0]["loc"] == ["body", "hobbies"]


def test_the_openapi_says_which_fields_an_update_may_clear(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    update = schemas["CustomerUpdate"]["properties"]
    assert update["name"]["type"] == "string" and "anyOf" not in update["name"]
    assert {"type": "null"} in update["industry"]["anyOf"]


def test_numbers_are_not_read_as_times_or_dates(client):
    """Found by Schemathesis (issue 15): pydantic alone reads "0.5" as a Unix time and 0 as
    1970-01-01, so schema-violating filters and bodies were accepted."""
    for params in ({"created_to": "0.5"}, {"created_from": "0"}):
        body = assert_problem(client.get("/v1/customers", params=params), 422)
        assert body["errors"][0]["loc"] == ["query", next(iter(params))]
    assert_problem(client.get("/v1/purchases", params={"purchased_from": "0"}), 422)
    for bad in ({"employee_count": "5"}, {"employee_count": True}, {"founded_on": 0},
                {"founded_on": "0"}):
        body = assert_problem(client.post("/v1/customers", json={
            "kind": "company", "name": "x", **bad}), 422)
        assert [e["loc"] for e in body["errors"]] == [["body", next(iter(bad))]], body
