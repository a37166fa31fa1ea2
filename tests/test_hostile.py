"""Hostile input through the real processes, with endpoints discovered from the OpenAPI documents.

Huge bodies, deep nesting, invalid UTF-8, SQL and script injection in every text field of every
create endpoint, path traversal in import file names, formula injection in CSV downloads, and
other reps' customers. Nothing may answer 5xx; every refusal is problem details.
"""
from __future__ import annotations

import csv
import io
import json
import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from guanxi_shared.auth import Principal, Role, mint_token
from guanxi_shared.suite import APPS
from guanxi_testing.fixtures import assert_problem

SERVICES = [name for name in APPS if name != "gateway"]
INJECTION = "Robert'); DROP TABLE customer;-- <script>alert('关系')</script> \" OR 1=1 --"
FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)"]


def service_client(suite, name: str, role: Role = Role.admin, sub: str = "u-admin") -> httpx.Client:
    token = mint_token(Principal(sub=sub, role=role, team_id="t-hostile"), suite.secret)
    return httpx.Client(base_url=suite.url(name), timeout=30,
                        headers={"Authorization": f"Bearer {token}"})


def openapi(client: httpx.Client) -> dict:
    return client.get("/openapi.json").raise_for_status().json()


def deref(doc: dict, schema: dict) -> dict:
    """The schema with $ref followed and a nullable anyOf reduced to its non-null branch."""
    while True:
        if "$ref" in schema:
            node = doc
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        elif "anyOf" in schema:
            schema = next((s for s in schema["anyOf"] if s.get("type") != "null"), {})
        else:
            return schema


def json_creates(doc: dict) -> list[tuple[str, dict]]:
    """POST operations without path parameters whose body is a JSON object: the creates."""
    found = []
    for path, ops in doc["paths"].items():
        body = ops.get("post", {}).get("requestBody", {}).get("content", {})
        if "{" not in path and "application/json" in body:
            schema = deref(doc, body["application/json"].get("schema", {}))
            if schema.get("type") == "object" and schema.get("properties"):
                found.append((path, schema))
    return found


def sample(doc: dict, name: str, schema: dict, ids: dict[str, str], text: str):
    """A valid value for a field, with `text` in every free-text string."""
    schema = deref(doc, schema)
    if "enum" in schema or "const" in schema:
        return schema.get("enum", [schema.get("const")])[0]
    kind = schema.get("type")
    if kind == "string":
        if name.endswith("_id") and name.removesuffix("_id") in ids:
            return ids[name.removesuffix("_id")]
        if schema.get("format") == "date":
            return date.today().isoformat()
        if schema.get("format") == "date-time":
            return "2026-01-02T03:04:05Z"
        if "pattern" in schema or "format" in schema:
            return None
        return text[: schema.get("maxLength", len(text))]
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1))
    if kind == "boolean":
        return False
    if kind == "array":
        return [] if not schema.get("minItems") else None
    if kind == "object":
        return body_for(doc, schema, ids, text)
    return None


def body_for(doc: dict, schema: dict, ids: dict[str, str], text: str) -> dict:
    body = {}
    for name, prop in schema.get("properties", {}).items():
        value = sample(doc, name, prop, ids, text)
        if value is not None:
            body[name] = value
    return body


def free_text_fields(sent: dict, text: str) -> list[str]:
    return [k for k, v in sent.items() if isinstance(v, str) and v and text.startswith(v)]


def post_accepted(client: httpx.Client, path: str, body: dict) -> tuple[dict, httpx.Response]:
    """POST, dropping the fields a 422 blames (formats the schema cannot express) and retrying."""
    while True:
        resp = client.post(path, json=body)
        assert resp.status_code < 500, f"POST {path}: {resp.status_code} {resp.text}"
        blamed = {e["loc"][1] for e in (resp.json().get("errors") or [])
                  if resp.status_code == 422 and len(e.get("loc", [])) > 1} & set(body)
        if not blamed:
            return body, resp
        body = {k: v for k, v in body.items() if k not in blamed}


@pytest.fixture(scope="module")
def customer(suite):
    with service_client(suite, "registry", Role.rep, "u-rep-a") as client:
        resp = client.post("/v1/customers", json={"kind": "company", "name": "王氏贸易"})
        assert resp.status_code == 201, resp.text
        return resp.json()


def test_every_text_field_stores_injection_as_data(suite, customer):
    ids = {"customer": customer["id"]}
    covered, refused = [], []
    for name in SERVICES:
        with service_client(suite, name) as client:
            doc = openapi(client)
            for path, schema in json_creates(doc):
                sent, resp = post_accepted(client, path, body_for(doc, schema, ids, INJECTION))
                if not resp.is_success:
                    assert_problem(resp, resp.status_code)
                    refused.append(f"{name}{path}: {resp.status_code} {resp.json().get('errors')}")
                    continue
                got = resp.json() if isinstance(resp.json(), dict) else {}
                for field in free_text_fields(sent, INJECTION):
                    if field in got:
                        stored = str(got[field]).strip()
                        # Stored verbatim (trimmed), or sanitised where a service cleans HTML.
                        assert stored == sent[field].strip() or "<script" not in stored, (
                            f"{name}{path}.{field}: {stored!r}")
                        covered.append(f"{name}{path}.{field}")
            assert client.get(path.rsplit("/", 1)[0] or "/healthz").status_code < 500
    assert any(c.startswith("registry/v1/customers.") for c in covered), refused
    with service_client(suite, "registry") as client:  # the table is still there
        assert client.get("/v1/customers", params={"q": "Robert"}).status_code == 200


def test_html_pages_escape_stored_text(suite, gateway):
    gateway.post("/api/v1/registry/customers", json={"kind": "person", "name": INJECTION[:200]})
    for path, ops in openapi(gateway)["paths"].items():
        if "get" in ops and "{" not in path:
            resp = gateway.get(path)
            assert resp.status_code < 500, f"GET {path}: {resp.status_code}"
            if resp.headers.get("content-type", "").startswith("text/html"):
                assert "<script>alert(" not in resp.text, path


def test_huge_body_is_refused_by_the_gateway(gateway):
    huge = b'{"kind": "person", "name": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    resp = gateway.post("/api/v1/registry/customers", content=huge,
                        headers={"Content-Type": "application/json"})
    assert_problem(resp, 413)


@pytest.mark.parametrize("body", [
    pytest.param(b'{"kind": "person", "name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                 id="deeply-nested"),
    pytest.param(b'{"kind": "person", "name": "\xff\xfe\xc3\x28"}', id="invalid-utf8"),
    pytest.param(b'{"kind": "person", "name": "\\ud800"}', id="lone-surrogate"),
    pytest.param(b"\x00" * 1000, id="nul-bytes"),
])
def test_malformed_json_is_a_client_error(suite, gateway, body):
    for name in SERVICES:
        with service_client(suite, name) as client:
            for path, _schema in json_creates(openapi(client)):
                resp = client.post(path, content=body, headers={"Content-Type": "application/json"})
                assert 400 <= resp.status_code < 500, f"{name}{path}: {resp.status_code}"
                assert_problem(resp, resp.status_code)
    resp = gateway.post("/api/v1/registry/customers", content=body,
                        headers={"Content-Type": "application/json"})
    assert_problem(resp, resp.status_code)
    assert 400 <= resp.status_code < 500


@pytest.mark.parametrize("filename", ["../../../../tmp/gx-traversal-{}.csv",
                                      "..\\..\\windows\\gx-traversal-{}.csv",
                                      "/etc/gx-traversal-{}.csv", "%2e%2e%2fgx-traversal-{}.csv"])
def test_import_file_names_cannot_escape(suite, gateway, filename):
    name = filename.format(uuid.uuid4().hex)
    resp = gateway.post("/api/v1/registry/imports", params={"filename": name, "dry_run": "true"},
                        content="name,mobile\n张三,13800138000\n".encode(),
                        headers={"Content-Type": "text/csv"})
    assert resp.status_code < 500, resp.text
    if not resp.is_success:
        assert_problem(resp, resp.status_code)
    leaf = name.replace("\\", "/").rsplit("/", 1)[-1]
    for root in (tempfile.gettempdir(), "/etc", str(suite.data_dir), str(suite.data_dir.parent)):
        assert not any(p.name == leaf for p in Path(root).glob("*")), root


def csv_downloads(doc: dict) -> list[tuple[str, dict]]:
    """GET lists that can answer text/csv, with the query that asks for it."""
    found = []
    for path, ops in doc["paths"].items():
        get = ops.get("get")
        if not get or "{" in path:
            continue
        params = get.get("parameters", [])
        csv_ok = any("text/csv" in r.get("content", {}) for r in get.get("responses", {}).values())
        if csv_ok:
            query = {"format": "csv"} if any(p["name"] == "format" for p in params) else {}
            found.append((path, {**query, **required_dates(params)}))
    return found


def required_dates(params: list[dict]) -> dict[str, str]:
    """A report that needs a date range (retention: from, to) gets the last year."""
    today = date.today()
    return {p["name"]: (today - timedelta(days=365) if p["name"].startswith("from") else today
                        ).isoformat()
            for p in params if p.get("required") and p.get("in") == "query"
            and p.get("schema", {}).get("format") == "date"}


def test_csv_downloads_neutralise_formulas(suite, gateway):
    for formula in FORMULAS:
        created = gateway.post("/api/v1/registry/customers",
                               json={"kind": "person", "name": formula, "region": formula})
        assert created.status_code == 201, created.text
        gateway.post("/api/v1/registry/purchases", json={
            "customer_id": created.json()["id"], "amount": "-5.00",
            "purchased_on": date.today().isoformat()})
    doc = openapi(gateway)
    if "/api/v1/segmentation/recompute" in doc["paths"]:
        gateway.post("/api/v1/segmentation/recompute", json={})
    downloads = csv_downloads(doc)
    assert downloads, "no CSV download found in the OpenAPI"
    for path, params in downloads:
        resp = gateway.get(path, params=params)
        assert resp.status_code == 200, f"{path}: {resp.status_code} {resp.text[:300]}"
        for line in csv.reader(io.StringIO(resp.text.lstrip("\ufeff"))):
            bad = [cell for cell in line if cell[:1] in ("=", "+", "-", "@")]
            assert not bad, f"{path}: formula cells {bad}"


def test_other_reps_customers_are_not_found(suite, customer):
    """Every GET route with a {customer_id} answers 404 to another rep, 200 to the owner."""
    checked = []
    for name in SERVICES:
        with (service_client(suite, name) as admin,
              service_client(suite, name, Role.rep, "u-rep-a") as owner,
              service_client(suite, name, Role.rep, "u-rep-b") as stranger):
            for path, ops in openapi(admin)["paths"].items():
                if "get" not in ops or "{customer_id}" not in path or path.count("{") != 1:
                    continue
                url = path.replace("{customer_id}", customer["id"])
                if admin.get(url).status_code != 200:
                    continue  # e.g. not yet in this service's read model
                mine = owner.get(url).status_code
                if mine == 403:
                    continue  # a route for another role (e.g. privacy requests are admin-only)
                assert mine == 200, url
                assert_problem(stranger.get(url), 404)
                checked.append(f"{name}{path}")
    assert any(c.startswith("registry") for c in checked), checked


def test_nul_characters_are_refused_everywhere_and_nothing_is_stored(suite, gateway, customer):
    ids = {"customer": customer["id"]}
    checked = 0
    for name in SERVICES:
        with service_client(suite, name) as client:
            doc = openapi(client)
            for path, schema in json_creates(doc):
                body = body_for(doc, schema, ids, "nul\u0000inside")
                if "\\u0000" in json.dumps(body):  # a free-text field took it
                    body = assert_problem(client.post(path, json=body), 422)
                    assert "NUL" in body["detail"], f"{name}{path}"
                    checked += 1
            assert_problem(client.get("/v1/anything/a%00b"), 422)
    assert checked >= 10
    for params in ({"q": "a\u0000bc"}, {"industry": "\u0000"}):
        assert_problem(gateway.get("/api/v1/registry/customers", params=params), 422)
    assert_problem(gateway.post("/api/v1/registry/customers",
                                json={"kind": "person", "name": "nul\u0000inside"}), 422)
    assert gateway.get("/api/v1/registry/customers", params={"q": "nul"}).json()["items"] == []
    # a backslash followed by "u0000", written as text, is only text
    made = gateway.post("/api/v1/registry/customers", json={"kind": "person", "name": "a\\u0000"})
    assert made.status_code == 201 and made.json()["name"] == "a\\u0000"


@pytest.mark.parametrize("value", ["2026-01-31", "2026-01-31T09:00:00",
                                   "0001-01-01T00:00:00+08:00", "9999-12-31T23:00:00-05:00"])
def test_a_time_filter_needs_an_offset_and_a_real_instant(gateway, value):
    for path, name in (("/api/v1/registry/customers", "created_from"),
                       ("/api/v1/registry/contacts", "updated_since"),
                       ("/api/v1/audit", "since")):
        body = assert_problem(gateway.get(path, params={name: value}), 422)
        assert body["errors"][0]["loc"] == ["query", name], body
    ok = gateway.get("/api/v1/registry/customers", params={"created_from": "2026-01-31T09:00:00+08:00"})
    assert ok.status_code == 200
