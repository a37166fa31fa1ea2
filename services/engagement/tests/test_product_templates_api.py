"""Templates quote a catalogue product's USP and pitch (issue 18): engagement keeps a copy of
needs' products from product.changed; placeholders are checked when the template is saved."""
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from guanxi_testing.fixtures import assert_problem

USB = {"id": "pr1", "name": "4000G U盘", "line": "storage", "lifecycle": "new",
       "usp": {"statement": "唯一能装下整个工厂图纸的U盘", "points": []},
       "pitch": "4000G U盘: 唯一能装下整个工厂图纸的U盘\n超大容量 -> 存海量数据 -> 便携耐用 -> 重要文件永不丢失",
       "version": 1}


def product(api, **changes) -> dict:
    data = {**USB, **changes}
    api.feed("product.changed", data, source="needs")
    return data


def mass_send(api, client, template_id: str) -> dict:
    resp = client.post("/v1/messages/mass", json={
        "channel": "log", "kind": "marketing", "occasion": "launch", "template_id": template_id,
        "audience": {"customer_ids": ["c1"]}, "on": "2027-03-01"})
    assert resp.status_code == 202 and resp.json() == {"queued": 1}, resp.text
    with time_machine.travel(datetime(2027, 3, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        api.run("2027-03-01")
    [message] = api.messages()
    assert message["status"] == "sent", message
    return message


def test_a_launch_message_quotes_the_usp_and_the_ffab_pitch(api, client):
    api.customer()
    api.contact()
    product(api)
    resp = client.post("/v1/templates", json={
        "name": "新品", "subject": {"zh": "新品：{product.name}"}, "product_id": "pr1",
        "body": {"zh": "{name}您好，{product.usp}。\n{product.pitch}"}})
    assert resp.status_code == 201, resp.text
    assert resp.json()["product_id"] == "pr1"
    message = mass_send(api, client, resp.json()["id"])
    assert message["body"] == f"Contact p1您好，{USB['usp']['statement']}。\n{USB['pitch']}"


def test_the_message_quotes_the_product_as_needs_last_described_it(api, client):
    """A newer product.changed replaces the copy; an older one arriving late changes nothing
    (product events carry no per-customer order)."""
    api.customer()
    api.contact()
    product(api)
    product(api, version=3, pitch="升级版 8000G")
    product(api, version=2, pitch="an older description")
    template = client.post("/v1/templates", json={
        "name": "pitch", "product_id": "pr1", "body": {"zh": "{product.pitch}"}}).json()
    assert mass_send(api, client, template["id"])["body"] == "升级版 8000G"


def test_an_unknown_placeholder_is_refused_at_save_and_nothing_is_stored(client):
    body = assert_problem(client.post("/v1/templates", json={
        "name": "typo", "body": {"zh": "{name}，{product.price}", "en": "Hi {nmae}"}}), 422)
    assert {(e["field"], e["type"]) for e in body["errors"]} == {("body", "placeholder")}
    assert "{product.price}" in body["detail"] and "{nmae}" in body["detail"]
    assert_problem(client.post("/v1/templates", json={
        "name": "brace", "subject": {"zh": "{name"}, "body": {"zh": "ok"}}), 422)
    assert client.get("/v1/templates").json()["items"] == []


def test_a_product_placeholder_needs_a_product_engagement_knows(api, client):
    body = assert_problem(client.post("/v1/templates", json={
        "name": "no product", "body": {"zh": "{product.pitch}"}}), 422)
    assert body["errors"][0]["field"] == "product_id"
    body = assert_problem(client.post("/v1/templates", json={
        "name": "unknown", "product_id": "nope", "body": {"zh": "{product.pitch}"}}), 422)
    assert body["errors"][0]["type"] == "not_found"
    assert client.get("/v1/templates").json()["items"] == []
    product(api)
    assert client.post("/v1/templates", json={
        "name": "known", "product_id": "pr1", "body": {"zh": "{product.pitch}"}}).status_code == 201


def test_an_edit_is_checked_with_what_is_stored(api, client):
    product(api)
    template = client.post("/v1/templates", json={
        "name": "pitch", "product_id": "pr1", "body": {"zh": "{product.usp}"}}).json()
    etag = {"If-Match": f'"{template["id"]}.{template["version"]}"'}
    # dropping the product while the body still quotes it would leave a gap in every send
    assert_problem(client.patch(f"/v1/templates/{template['id']}", headers=etag,
                                json={"product_id": None}), 422)
    assert_problem(client.patch(f"/v1/templates/{template['id']}", headers=etag,
                                json={"body": {"zh": "{product.benefit}"}}), 422)
    resp = client.patch(f"/v1/templates/{template['id']}", headers=etag,
                        json={"product_id": None, "body": {"zh": "{name}"}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["product_id"] is None and resp.json()["body"] == {"zh": "{name}"}
