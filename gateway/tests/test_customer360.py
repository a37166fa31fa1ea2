"""Customer 360: parallel calls, partial answers, and the registry's 404."""
import httpx

from guanxi_testing.fixtures import assert_problem

EMPTY = {"items": [], "next_cursor": None}


def fill(services, *, skip: str = ""):
    answers = {
        ("registry", "/v1/customers/c1"): {"id": "c1", "name": "华强电子"},
        ("registry", "/v1/customers/c1/contacts"): EMPTY,
        ("registry", "/v1/purchases"): EMPTY,
        ("segmentation", "/v1/customers/c1/value"): {"clv": "975.00"},
        ("segmentation", "/v1/customers/c1"): {"segment": "champions"},
        ("segmentation", "/v1/loyalty/customers/c1"): {"group": "loyal", "value": "high"},
        ("needs", "/v1/needs/unmet"): [],
        ("needs", "/v1/opportunities"): EMPTY,
        ("needs", "/v1/customers/c1/suggestions"): {"customer_id": "c1", "items": []},
        ("needs", "/v1/customers/c1/balance"): {"customer_id": "c1", "balance": "0.00"},
        ("needs", "/v1/commitments"): EMPTY,
        ("needs", "/v1/care-steps"): EMPTY,
        ("engagement", "/v1/tasks"): EMPTY,
        ("engagement", "/v1/messages"): EMPTY,
        ("engagement", "/v1/occasions"): EMPTY,
    }
    for (service, path), body in answers.items():
        if service == skip:
            services.on(service, "GET", path, down)
        else:
            services.json(service, "GET", path, body)


def down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def test_all_parts_from_all_services(client, services):
    fill(services)
    body = client.get("/api/v1/customers/c1/360").json()
    assert body["partial"] is False and body["unavailable"] == []
    assert body["parts"]["customer"]["name"] == "华强电子"
    assert body["parts"]["value"] == {"clv": "975.00"}
    assert body["parts"]["loyalty"] == {"group": "loyal", "value": "high"}
    asked = {(r.url.host, r.url.params.get("customer_id")) for r in services.seen}
    assert ("needs.test", "c1") in asked and ("engagement.test", "c1") in asked


def test_one_service_down_gives_a_marked_partial_answer(client, services):
    fill(services, skip="engagement")
    body = client.get("/api/v1/customers/c1/360").json()
    assert body["partial"] is True
    assert body["unavailable"] == ["next_tasks", "recent_touches", "occasions"]
    assert body["parts"]["next_tasks"] is None and body["parts"]["customer"]["id"] == "c1"


def test_loyalty_is_null_until_a_purchase_is_scored_and_missing_when_segmentation_is_down(
        client, services):
    fill(services)
    services.json("segmentation", "GET", "/v1/loyalty/customers/c1", {
        "type": "about:blank", "title": "Not Found", "status": 404,
        "detail": "Customer c1 has no purchases scored yet"}, status=404)
    body = client.get("/api/v1/customers/c1/360").json()
    assert body["parts"]["loyalty"] is None and body["partial"] is False
    fill(services, skip="segmentation")
    body = client.get("/api/v1/customers/c1/360").json()
    assert body["unavailable"] == ["value", "segment", "loyalty"]


def test_a_customer_the_registry_hides_is_404(client, services):
    fill(services)
    assert_problem(client.get("/api/v1/customers/other/360"), 404)


def test_registry_down_is_502(client, services):
    fill(services, skip="registry")
    assert_problem(client.get("/api/v1/customers/c1/360"), 502)
