"""The console's pages and its cookie sign-in: the refresh token only ever in an HttpOnly,
SameSite=Strict cookie scoped to /console/auth, the access token only in the JSON answer."""
from __future__ import annotations

from guanxi_testing.fixtures import assert_problem

from .conftest import ADMIN_PASSWORD, bearer

CONSOLE = {"X-Guanxi-Console": "1"}


def anonymous(client):
    client.headers.pop("Authorization", None)
    return client


def sign_in(client, username="admin", password=ADMIN_PASSWORD):
    return client.post("/console/auth/login", json={"username": username, "password": password},
                       headers=CONSOLE)


def test_the_page_has_a_strict_content_security_policy(client):
    resp = anonymous(client).get("/console/")
    assert resp.status_code == 200 and "text/html" in resp.headers["content-type"]
    policies = resp.headers.get_list("content-security-policy")
    strict = next(p for p in policies if "script-src" in p)
    directives = dict(d.strip().split(" ", 1) for d in strict.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["object-src"] == "'none'"
    # only style attributes (ECharts positions its canvas with them); never script
    assert directives["style-src-attr"] == "'unsafe-inline'" and "unsafe-eval" not in strict
    assert "<script>" not in resp.text and 'type="module" src="/console/js/app.js"' in resp.text
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/"
    for asset in ("/console/js/app.js", "/console/css/app.css", "/console/vendor/echarts.min.js"):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/console/js/app.js").headers["content-type"].startswith("text/javascript")
    for bad in ("/console/js/..%2F..%2Fmain.py", "/console/js/.hidden.js", "/console/js/nope.js",
                "/console/vendor/echarts.LICENSE"):
        assert client.get(bad).status_code in (404, 422), bad


def test_login_sets_the_refresh_cookie_and_answers_the_access_token(client):
    resp = sign_in(anonymous(client))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"access_token", "expires_in", "user"}  # no refresh token in JSON
    assert body["user"]["role"] == "admin" and body["user"]["name"] == "Administrator"
    cookie = resp.headers["set-cookie"]
    assert cookie.startswith("guanxi_console_refresh=gxr")
    for part in ("HttpOnly", "SameSite=Strict", "Path=/console/auth", "Max-Age="):
        assert part in cookie
    assert resp.headers["cache-control"] == "no-store"
    # the access token works on the public API
    me = client.get("/api/v1/users", headers=bearer(body["access_token"]))
    assert me.status_code == 200


def test_refresh_rotates_and_a_spent_cookie_ends_the_session(client):
    anonymous(client)
    first = sign_in(client).headers["set-cookie"].split(";")[0].split("=", 1)[1]
    client.cookies.clear()
    client.cookies.set("guanxi_console_refresh", first, path="/console/auth")
    renewed = client.post("/console/auth/refresh", headers=CONSOLE)
    assert renewed.status_code == 200 and renewed.json()["access_token"]
    second = renewed.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    assert second != first
    client.cookies.clear()
    client.cookies.set("guanxi_console_refresh", first, path="/console/auth")  # replayed
    stolen = client.post("/console/auth/refresh", headers=CONSOLE)
    assert_problem(stolen, 401)
    assert "Max-Age=0" in stolen.headers["set-cookie"]
    client.cookies.clear()
    client.cookies.set("guanxi_console_refresh", second, path="/console/auth")
    assert_problem(client.post("/console/auth/refresh", headers=CONSOLE), 401)  # family revoked


def test_no_cookie_is_no_session_and_garbage_is_refused(client):
    anonymous(client)
    assert client.post("/console/auth/refresh", headers=CONSOLE).status_code == 204
    client.cookies.set("guanxi_console_refresh", "x" * 500, path="/console/auth")
    assert client.post("/console/auth/refresh", headers=CONSOLE).status_code == 204
    client.cookies.set("guanxi_console_refresh", "gxr_not-a-real-token", path="/console/auth")
    assert_problem(client.post("/console/auth/refresh", headers=CONSOLE), 401)


def test_other_origins_and_plain_form_posts_are_refused(client):
    anonymous(client)
    form = {"username": "admin", "password": ADMIN_PASSWORD}
    assert_problem(client.post("/console/auth/login", json=form), 403)  # no console header
    evil = client.post("/console/auth/login", json=form,
                       headers={**CONSOLE, "Origin": "http://evil.example"})
    assert_problem(evil, 403)
    assert "set-cookie" not in evil.headers
    port = client.post("/console/auth/refresh",
                       headers={**CONSOLE, "Origin": "http://testserver:8001"})
    assert_problem(port, 403)
    ok = client.post("/console/auth/login", json=form,
                     headers={**CONSOLE, "Origin": "http://testserver"})
    assert ok.status_code == 200


def test_wrong_password_is_401_and_counts_towards_the_lockout(client):
    anonymous(client)
    assert_problem(sign_in(client, password="wrong-password"), 401)
    assert_problem(client.post("/console/auth/login", json={"username": "admin"},
                               headers=CONSOLE), 422)


def test_logout_revokes_every_token_and_drops_the_cookie(client):
    anonymous(client)
    token = sign_in(client).json()["access_token"]
    out = client.post("/console/auth/logout", headers=CONSOLE)
    assert out.status_code == 204 and "Max-Age=0" in out.headers["set-cookie"]
    assert_problem(client.get("/api/v1/users", headers=bearer(token)), 401)
    assert client.post("/console/auth/refresh", headers=CONSOLE).status_code in (204, 401)
    # logging out without a session is harmless
    client.cookies.clear()
    assert client.post("/console/auth/logout", headers=CONSOLE).status_code == 204


def test_a_manager_lists_only_their_teams_users_and_a_rep_none(client):
    from .conftest import user_headers
    rep_id, rep = user_headers(client, "rep", username="li", team_id="east")
    user_headers(client, "rep", username="zhang", team_id="south")
    _, manager = user_headers(client, "manager", username="zhao", team_id="east")
    seen = client.get("/api/v1/users", headers=manager).json()["items"]
    assert {u["username"] for u in seen} == {"li", "zhao"}
    assert_problem(client.get("/api/v1/users", headers=rep), 403)
    assert_problem(client.get(f"/api/v1/users/{rep_id}", headers=manager), 403)
    assert len(client.get("/api/v1/users").json()["items"]) == 4  # the admin sees everyone
