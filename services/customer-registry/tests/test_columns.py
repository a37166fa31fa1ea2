"""Every customer and contact column says what a merge and an erasure do with it, and they do it."""
from guanxi_registry.schemas.customers import CustomerBase
from guanxi_registry.store.tables import (
    CONTACT_COLUMNS,
    CUSTOMER_COLUMNS,
    MERGEABLE_FIELDS,
    PERSONAL_FIELDS,
    Contact,
    Customer,
)

# One value for every field a client may set, so that each one is merged and erased for real.
EVERY_FIELD = {
    "name": "华为技术有限公司", "lost_reason": "价格太高", "industry": "通信",
    "prosperity_index": "101.50", "enterprise_type": "股份有限公司", "enterprise_nature": "民营",
    "region": "深圳", "address": "坂田华为基地", "postal_code": "518129",
    "credit_code": "91440300708461136T", "legal_representative": "赵明路",
    "founded_on": "1987-09-15", "business_scope": "通信设备", "economic_scale": "大型",
    "employee_count": 200000, "email": "hw@huawei.com", "phone": "0755 2878 0808",
    "fax": "0755 2878 0809", "website": "https://www.huawei.com", "weibo": "huawei",
    "wechat": "huawei", "tags": ["vip"], "custom_fields": {},
    # what only the service's rules set: the merge and erasure leave them alone
    "status": "active", "owner_id": "admin-1", "team_id": None, "lost_reason_code": None,
}


def test_every_column_is_classified_as_mergeable_personal_or_system():
    assert set(CUSTOMER_COLUMNS) == set(Customer.__table__.columns.keys())
    assert set(CONTACT_COLUMNS) == set(Contact.__table__.columns.keys())
    assert set(EVERY_FIELD) == set(CustomerBase.model_fields)


def make(client, body, path="/v1/customers"):
    resp = client.post(path, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_a_merge_fills_in_every_mergeable_field(client):
    survivor = make(client, {"kind": "company", "name": "华为"})
    merged = make(client, EVERY_FIELD | {"kind": "company"})
    person = {"name": "李总", "phones": [{"kind": "mobile", "number": "13900139000"}]}
    make(client, person, path=f"/v1/customers/{survivor['id']}/contacts")
    make(client, person | {"job_title": "CTO", "language": "en", "timezone": "Europe/London"},
         path=f"/v1/customers/{merged['id']}/contacts")
    after = client.post("/v1/duplicates/merge", json={"survivor_id": survivor["id"],
                                                      "merged_id": merged["id"]}).json()
    assert {f: after[f] for f in MERGEABLE_FIELDS} == {f: merged[f] for f in MERGEABLE_FIELDS}
    assert after["lost_reason"] is None and after["status"] == "prospect"
    [contact] = client.get(f"/v1/customers/{survivor['id']}/contacts").json()["items"]
    assert (contact["job_title"], contact["language"], contact["timezone"]) == (
        "CTO", "en", "Europe/London")


def test_an_erasure_clears_every_personal_field(client):
    customer = make(client, EVERY_FIELD | {"kind": "company"})
    assert client.delete(f"/v1/privacy/customers/{customer['id']}").status_code == 200
    after = client.get(f"/v1/customers/{customer['id']}").json()
    shown = [f for f in PERSONAL_FIELDS if f in after and f != "name"]
    assert all(customer[f] for f in shown if f != "custom_fields")
    empty = {"tags": [], "custom_fields": {}}
    assert {f: after[f] for f in shown} == {f: empty.get(f) for f in shown}
    assert after["name"].startswith("已删除客户")
    kept = [f for f in MERGEABLE_FIELDS if f not in PERSONAL_FIELDS]
    assert {f: after[f] for f in kept} == {f: customer[f] for f in kept}
