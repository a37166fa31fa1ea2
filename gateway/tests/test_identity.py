"""Login, refresh, logout, users and API keys through the gateway app."""
import time

import time_machine

from guanxi_gateway.domain.tokens import mint_access
from guanxi_testing.fixtures import assert_problem, auth

from .conftest import ADMIN_PASSWORD, bearer, login, user_headers


def test_bootstrap_admin_logs_in_and_uses_the_token(client, services):
    services.json("registry", "GET", "/v1/customers", {"items": [], "next_cursor": None})
    pair = login(client, "admin", ADMIN_PASSWORD)
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 900
    resp = client.get("/api/v1/registry/customers", headers=bearer(pair["access_token"]))
    assert resp.status_code == 200
    # the service received the internal token, never the user's
    assert services.seen[-1].headers["authorization"] != f"Bearer {pair['access_token']}"


def test_wrong_password_is_401_and_repeated_failures_are_throttled(make_client):
    client = make_client(login_max_failures=3)
    for _ in range(3):
        assert_problem(client.post("/api/v1/auth/token",
                                   json={"username": "admin", "password": "nope"}), 401)
    body = assert_problem(client.post("/api/v1/auth/token",
                                      json={"username": "admin", "password": ADMIN_PASSWORD}),
                          429)
    assert "failed logins" in body["detail"]


def test_expired_access_token_is_refused(client):
    user_id, _ = user_headers(client, "rep")
    auth = client.app.state.authenticator
    expired = mint_access(key=auth.key, user_id=user_id, generation=auth.generation_of(user_id),
                          ttl=60, now=time.time() - 3600)
    body = assert_problem(client.get("/api/v1/registry/customers", headers=bearer(expired)), 401)
    assert "expired" in body["detail"]


def test_a_token_checked_before_is_still_refused_once_expired_tampered_or_logged_out(client):
    headers = bearer(login(client, "admin", ADMIN_PASSWORD)["access_token"])
    assert client.get("/api/v1/users", headers=headers).status_code == 200  # verified, kept
    with time_machine.travel(time.time() + 901, tick=False):
        body = assert_problem(client.get("/api/v1/users", headers=headers), 401)
        assert "expired" in body["detail"]
    token = headers["Authorization"].removeprefix("Bearer ")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert_problem(client.get("/api/v1/users", headers=bearer(forged)), 401)
    assert client.get("/api/v1/users", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert_problem(client.get("/api/v1/users", headers=headers), 401)


def test_logout_revokes_access_and_refresh_tokens(client):
    client.post("/api/v1/users", json={"username": "li", "password": "password-li-1",
                                       "role": "rep"})
    pair = login(client, "li", "password-li-1")
    headers = bearer(pair["access_token"])
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert_problem(client.get("/api/v1/registry/customers", headers=headers), 401)
    assert_problem(client.post("/api/v1/auth/refresh",
                               json={"refresh_token": pair["refresh_token"]}), 401)


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(client):
    pair = login(client, "admin", ADMIN_PASSWORD)
    new = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert new.status_code == 200 and new.json()["refresh_token"] != pair["refresh_token"]
    assert client.get("/api/v1/users", headers=bearer(new.json()["access_token"])
                      ).status_code == 200
    # the old refresh token again: theft suspected, every token of the user stops working
    assert_problem(client.post("/api/v1/auth/refresh",
                               json={"refresh_token": pair["refresh_token"]}), 401)
    assert_problem(client.get("/api/v1/users", headers=bearer(new.json()["access_token"])), 401)


def test_only_admins_manage_users_and_keys(client):
    _, manager = user_headers(client, "manager", team_id="east")
    assert_problem(client.post("/api/v1/users", headers=manager, json={
        "username": "x", "password": "a-long-password", "role": "rep"}), 403)
    # listing shows a manager only their own team (test_console checks who)
    assert {u["team_id"] for u in client.get("/api/v1/users", headers=manager).json()["items"]} \
        == {"east"}
    assert_problem(client.post("/api/v1/api-keys", headers=manager,
                               json={"name": "x", "scopes": ["registry:read"]}), 403)
    assert_problem(client.get("/api/v1/audit", headers=manager), 403)


def test_user_update_needs_the_current_version_and_ends_sessions(client):
    user_id, headers = user_headers(client, "rep")
    etag = client.get(f"/api/v1/users/{user_id}").headers["etag"]
    resp = client.patch(f"/api/v1/users/{user_id}", json={"role": "manager", "team_id": "n"},
                        headers={"If-Match": etag})
    assert resp.status_code == 200 and resp.json()["role"] == "manager"
    assert_problem(client.patch(f"/api/v1/users/{user_id}", json={"name": "x"},
                                headers={"If-Match": etag}), 412)
    assert_problem(client.get("/api/v1/registry/customers", headers=headers), 401)


def test_user_input_is_validated(client):
    body = assert_problem(client.post("/api/v1/users", json={
        "username": "x y", "password": "short", "role": "boss", "extra": 1}), 422)
    assert {e["field"] for e in body["errors"]} >= {"username", "password", "role", "extra"}
    client.post("/api/v1/users", json={"username": "dup", "password": "password-dup-1",
                                       "role": "rep"})
    assert_problem(client.post("/api/v1/users", json={"username": "dup",
                                                      "password": "password-dup-1",
                                                      "role": "rep"}), 409)


def test_api_key_is_shown_once_scoped_and_revocable(client, services):
    services.json("registry", "GET", "/v1/customers", {"items": [], "next_cursor": None})
    created = client.post("/api/v1/api-keys",
                          json={"name": "ERP", "scopes": ["registry:read", "erp:write"]})
    assert created.status_code == 201
    key = created.json()["key"]
    listed = client.get("/api/v1/api-keys").json()["items"]
    assert "key" not in listed[0] and listed[0]["prefix"] == key[:10]
    headers = bearer(key)
    assert client.get("/api/v1/registry/customers", headers=headers).status_code == 200
    body = assert_problem(client.post("/api/v1/registry/customers", headers=headers,
                                      json={"name": "x"}), 403)
    assert "registry:write" in body["detail"]
    assert_problem(client.get("/api/v1/needs/needs", headers=headers), 403)
    client.app.state.authenticator.refresh()
    assert client.get("/api/v1/api-keys").json()["items"][0]["last_used_at"] is not None
    client.delete(f"/api/v1/api-keys/{created.json()['id']}")
    assert_problem(client.get("/api/v1/registry/customers", headers=headers), 401)


def test_expired_api_key_is_refused(client):
    created = client.post("/api/v1/api-keys", json={
        "name": "old", "scopes": ["registry:read"], "expires_at": "2020-01-01T00:00:00Z"})
    assert_problem(client.get("/api/v1/registry/customers",
                              headers=bearer(created.json()["key"])), 401)
    assert_problem(client.post("/api/v1/api-keys", json={"name": "bad",
                                                         "scopes": ["registry:own"]}), 422)


def test_unknown_credential_is_401(client):
    assert_problem(client.get("/api/v1/registry/customers", headers=bearer("nonsense")), 401)
    assert_problem(client.get("/api/v1/registry/customers", headers={"Authorization": ""}), 401)


def test_an_internal_token_is_not_a_client_credential(client):
    """Only services may present the suite's internal token, and only to /v1/events."""
    assert_problem(client.get("/api/v1/users", headers=auth("admin")), 401)


def test_replicas_accept_each_others_fresh_credentials_and_honour_revocations(make_client,
                                                                              services):
    """Credentials are checked from memory; what one replica has not seen yet (a key made, a
    login elsewhere) is looked up at once, and a revocation elsewhere holds after a refresh."""
    services.json("registry", "GET", "/v1/customers", {"items": [], "next_cursor": None})
    first, second = make_client(), make_client()
    key = first.post("/api/v1/api-keys", json={"name": "ERP", "scopes": ["registry:read"]}).json()
    user_id, _ = user_headers(first, "rep", username="wang")
    first.post("/api/v1/auth/logout", headers=bearer(login(first, "wang", "password-wang")
                                                     ["access_token"]))
    token = login(first, "wang", "password-wang")["access_token"]  # a newer generation
    for headers in (bearer(key["key"]), bearer(token)):
        assert second.get("/api/v1/registry/customers", headers=headers).status_code == 200
        assert second.get("/api/v1/registry/customers", headers=headers).status_code == 200
    first.delete(f"/api/v1/api-keys/{key['id']}")
    first.post("/api/v1/auth/logout", headers=bearer(token))
    for headers in (bearer(key["key"]), bearer(token)):
        assert_problem(first.get("/api/v1/registry/customers", headers=headers), 401)
    second.app.state.authenticator.refresh()  # what every replica does every few seconds
    for headers in (bearer(key["key"]), bearer(token)):
        assert_problem(second.get("/api/v1/registry/customers", headers=headers), 401)
    assert user_id in second.app.state.authenticator.known_users()


def test_null_role_or_password_is_a_422_naming_it(client):
    """Issue 15: PATCH {"role": null} was a 500; team_id may be cleared."""
    user_id, _ = user_headers(client, "rep", team_id="east")
    for field in ("role", "password", "name", "active"):
        body = assert_problem(client.patch(f"/api/v1/users/{user_id}", json={field: None}), 422)
        assert [e["loc"] for e in body["errors"]] == [["body", field]], body
    assert client.get(f"/api/v1/users/{user_id}").json()["role"] == "rep"
    cleared = client.patch(f"/api/v1/users/{user_id}", json={"team_id": None})
    assert cleared.status_code == 200 and cleared.json()["team_id"] is None
    assert client.get("/api/v1/users").status_code == 200
