"""The merged OpenAPI document: auth, error answers and examples for a typed client."""
import httpx


def test_openapi_describes_bearer_auth_errors_and_examples(client, services):
    registry_doc = {"openapi": "3.1.0", "info": {"title": "r", "version": "1"},
                    "paths": {"/v1/customers": {"get": {
                        "operationId": "list_customers", "tags": ["customers"],
                        "responses": {"200": {"description": "ok"}}}}},
                    "components": {"schemas": {}}}
    services.on("registry", "GET", "/openapi.json",
                lambda _: httpx.Response(200, json=registry_doc))
    doc = client.get("/openapi.json").json()
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc["security"] == [{"bearerAuth": []}]
    login = doc["paths"]["/api/v1/auth/token"]["post"]
    assert login["security"] == []
    assert {"401", "422", "429"} <= set(login["responses"])
    assert doc["components"]["schemas"]["LoginForm"]["examples"]
    proxied = doc["paths"]["/api/v1/registry/customers"]["get"]
    assert proxied["operationId"] == "registry_list_customers"
    assert {"401", "403", "413", "429", "502", "504"} <= set(proxied["responses"])
    for path in ("/api/v1/customers/{customer_id}/360", "/api/v1/erp/orders",
                 "/api/v1/privacy/erase", "/api/v1/webhooks", "/api/v1/audit"):
        assert path in doc["paths"]
    assert doc["x-guanxi-services-missing"] == ["segmentation", "engagement", "needs"]


def test_docs_pages_load_every_asset_from_the_gateway_itself(client):
    """No CDN: /docs and /redoc name only local assets, and those assets are served."""
    for page, assets in (("/docs", ("swagger-ui-bundle.js", "swagger-ui.css")),
                         ("/redoc", ("redoc.standalone.js",))):
        resp = client.get(page)
        assert resp.status_code == 200
        html = resp.text
        assert "cdn.jsdelivr.net" not in html and "fonts.googleapis" not in html
        assert "http://" not in html and "https://" not in html.replace(
            "https://guanxi.dev", "")  # every URL on the page is relative to the gateway
        assert "/openapi.json" in html
        for name in assets:
            assert f"/docs/assets/{name}" in html
            asset = client.get(f"/docs/assets/{name}")
            assert asset.status_code == 200 and len(asset.content) > 100_000
    assert client.get("/docs/assets/favicon.png").headers["content-type"] == "image/png"
    assert b"cdn.redoc.ly" not in client.get("/docs/assets/redoc.standalone.js").content
    assert client.get("/docs/assets/../../etc/passwd").status_code == 404



def test_a_gateway_path_asked_with_another_method_is_405_with_its_allow(client):
    """Issue 15: PUT /api/v1/auth/logout fell through to the proxy's catch-all (404)."""
    resp = client.put("/api/v1/auth/logout")
    assert resp.status_code == 405 and resp.headers["allow"] == "POST"
    assert resp.headers["content-type"].startswith("application/problem+json")
    resp = client.request("TRACE", "/api/v1/users")
    assert resp.status_code == 405 and resp.headers["allow"] == "GET, POST"
    assert client.put("/api/v1/nosuchservice/x").status_code == 404
    doc = client.get("/openapi.json").json()
    assert "/v1/events" not in doc["paths"]
    assert doc["paths"]["/healthz"]["get"]["security"] == []
