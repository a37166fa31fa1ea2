"""Who may do what, end to end: each role against each resource, through the real gateway.

The matrix is data: add a Resource for each new object type (needs, opportunities, tasks...)
as the services grow, and every role is checked against it.
"""
from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from guanxi_testing.fixtures import assert_problem, eventually

ROLES = ("admin", "manager_east", "manager_west", "rep_owner", "rep_other", "analyst",
         "key_registry_read", "key_needs_write")
SEES = {"admin", "manager_east", "rep_owner", "analyst", "key_registry_read"}
WRITES = {"admin", "manager_east", "rep_owner"}
FORBIDDEN = {"analyst", "key_registry_read", "key_needs_write"}  # 403 before any lookup


@dataclass(frozen=True)
class Resource:
    name: str
    read: str        # path template of one object, {id} filled from the fixture
    write: tuple[str, str, dict]   # method, path template, body


RESOURCES = [
    Resource("customer", "/api/v1/registry/customers/{customer}",
             ("PATCH", "/api/v1/registry/customers/{customer}", {"website": "https://a.cn"})),
    Resource("contact", "/api/v1/registry/contacts/{contact}",
             ("PATCH", "/api/v1/registry/contacts/{contact}", {"department": "采购部"})),
]


@pytest.fixture(scope="module")
def people(suite):
    """Users of each role (logged in through /auth/token) and two scoped API keys."""
    admin = {"Authorization": f"Bearer {suite.admin_api_key}"}
    with httpx.Client(base_url=suite.url("gateway"), timeout=30, headers=admin) as gw:
        def user(name: str, role: str, team: str | None) -> tuple[str, dict]:
            password = f"password-{name}-1"
            made = gw.post("/api/v1/users", json={"username": name, "password": password,
                                                  "role": role, "team_id": team})
            assert made.status_code == 201, made.text
            pair = gw.post("/api/v1/auth/token", json={"username": name, "password": password},
                           headers={"Authorization": ""})
            assert pair.status_code == 200, pair.text
            return made.json()["id"], {"Authorization": f"Bearer {pair.json()['access_token']}"}

        def key(*scopes: str) -> dict:
            made = gw.post("/api/v1/api-keys", json={"name": "k", "scopes": list(scopes)})
            return {"Authorization": f"Bearer {made.json()['key']}"}

        owner_id, owner = user("rep-owner", "rep", "east")
        headers = {"admin": admin, "rep_owner": owner,
                   "rep_other": user("rep-other", "rep", "east")[1],
                   "manager_east": user("mgr-east", "manager", "east")[1],
                   "manager_west": user("mgr-west", "manager", "west")[1],
                   "analyst": user("analyst", "analyst", None)[1],
                   "key_registry_read": key("registry:read"),
                   "key_needs_write": key("needs:write")}
        customer = gw.post("/api/v1/registry/customers", json={
            "kind": "company", "name": "上海联华", "owner_id": owner_id, "team_id": "east"})
        assert customer.status_code == 201, customer.text
        contact = gw.post(f"/api/v1/registry/customers/{customer.json()['id']}/contacts",
                          json={"name": "王芳"})
        assert contact.status_code == 201, contact.text
        ids = {"customer": customer.json()["id"], "contact": contact.json()["id"]}
    return headers, ids


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", ROLES)
def test_read_by_id(gateway, people, resource, role):
    headers, ids = people
    resp = gateway.get(resource.read.format(**ids), headers=headers[role])
    if role in SEES:
        assert resp.status_code == 200, resp.text
    elif role in FORBIDDEN:
        assert_problem(resp, 403)
    else:
        assert_problem(resp, 404)  # hidden looks exactly like absent


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", ROLES)
def test_write(gateway, people, resource, role):
    headers, ids = people
    method, path, body = resource.write
    resp = gateway.request(method, path.format(**ids), json=body, headers=headers[role])
    if role in WRITES:
        assert resp.status_code == 200, resp.text
    elif role in FORBIDDEN:
        assert_problem(resp, 403)
    else:
        assert_problem(resp, 404)


@pytest.mark.parametrize("role", ROLES)
def test_customer_list_shows_only_what_the_role_may_see(gateway, people, role):
    headers, ids = people
    resp = gateway.get("/api/v1/registry/customers", headers=headers[role])
    if role in FORBIDDEN - SEES:
        assert_problem(resp, 403)
        return
    listed = {c["id"] for c in resp.json()["items"]}
    assert (ids["customer"] in listed) == (role in SEES)


@pytest.mark.parametrize("role", ROLES)
def test_customer_360_follows_the_registry(gateway, people, role):
    headers, ids = people
    resp = gateway.get(f"/api/v1/customers/{ids['customer']}/360", headers=headers[role])
    if role in SEES:
        assert resp.status_code == 200, resp.text
        assert resp.json()["parts"]["customer"]["id"] == ids["customer"]
    elif role == "key_needs_write":
        assert_problem(resp, 403)
    else:
        assert_problem(resp, 404)


def test_only_admins_read_the_audit_log(gateway, people):
    headers, ids = people
    for role in ROLES[1:]:
        assert_problem(gateway.get("/api/v1/audit", headers=headers[role]), 403)
    items = eventually(lambda: gateway.get(
        "/api/v1/audit", params={"customer_id": ids["customer"]}).json()["items"])
    assert {"read", "change"} <= {i["action"] for i in items}
