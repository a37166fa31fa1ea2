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
