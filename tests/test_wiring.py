"""The foundation's promises, checked on the real processes through the gateway."""
from guanxi_testing.fixtures import assert_problem, eventually


def create_customer(gateway, name="华为技术有限公司"):
    resp = gateway.post("/api/v1/registry/customers", json={"kind": "company", "name": name})
    assert resp.status_code == 201, resp.text
    return resp.json()


def purchase(gateway, customer_id, ref, amount="100.00"):
    resp = gateway.post("/api/v1/registry/purchases", json={
        "customer_id": customer_id, "purchased_on": "2026-06-01", "amount": amount,
        "external_ref": ref})
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


def test_purchase_reaches_segmentation_and_engagement(gateway):
    customer = create_customer(gateway)
    purchase(gateway, customer["id"], "slice-1", "975.00")

    def value():
        card = gateway.get(f"/api/v1/segmentation/customers/{customer['id']}/value")
        return card.status_code == 200 and card.json()["purchase_count"] == 1 and card.json()

    card = eventually(value)
    assert card and card["total_spend"] == "975.00"
    context = eventually(lambda: gateway.get(
        f"/api/v1/engagement/customers/{customer['id']}/context").json().get("last_purchase_on"))
    assert context == "2026-06-01"


def test_purchases_made_while_segmentation_is_down_arrive_exactly_once(suite, gateway):
    customer = create_customer(gateway, "断线客户")
    suite.stop("segmentation")
    try:
        for i in range(20):
            purchase(gateway, customer["id"], f"down-{i}", "10.00")
        purchase(gateway, customer["id"], "down-0", "10.00")  # an ERP resend: a no-op
        assert_problem(gateway.get(f"/api/v1/segmentation/customers/{customer['id']}/value"), 502)
    finally:
        suite.start("segmentation")
        suite.wait_ready("segmentation")

    def arrived():
        card = gateway.get(f"/api/v1/segmentation/customers/{customer['id']}/value").json()
        return card.get("purchase_count") == 20 and card

    card = eventually(arrived, timeout=30)
    assert card, gateway.get(f"/api/v1/segmentation/customers/{customer['id']}/value").json()
    assert card["total_spend"] == "200.00"


def test_errors_are_problem_details_through_the_gateway(gateway, suite):
    url = "/api/v1/registry/customers"
    assert_problem(gateway.post(url, content=b"{oops", headers={"content-type":
                                                                "application/json"}), 400)
    assert_problem(gateway.post(url, json={"kind": "company", "name": "x", "extra": 1}), 422)
    assert_problem(gateway.post(url, json={"kind": "company", "name": ["x"]}), 422)
    assert_problem(gateway.get(url, headers={"Authorization": ""}), 401)
    assert_problem(gateway.get(url, headers={"Authorization": "Bearer wrong"}), 401)
    assert_problem(gateway.get("/api/v1/registry/nowhere"), 404)
    assert_problem(gateway.get("/nowhere"), 404)
    assert_problem(gateway.get("/api/v1/unknown-service/x"), 404)
    direct = gateway.get(f"{suite.url('registry')}/v1/customers", headers={"Authorization":
                                                                            f"Bearer {suite.admin_api_key}"})
    assert_problem(direct, 401)  # services trust only the gateway's internal token


def test_idempotency_and_if_match_through_the_gateway(gateway):
    body = {"kind": "person", "name": "张伟"}
    first = gateway.post("/api/v1/registry/customers", json=body,
                         headers={"Idempotency-Key": "gw-1"})
    again = gateway.post("/api/v1/registry/customers", json=body,
                         headers={"Idempotency-Key": "gw-1"})
    assert again.json()["id"] == first.json()["id"]
    url = f"/api/v1/registry/customers/{first.json()['id']}"
    etag = gateway.get(url).headers["etag"]
    assert gateway.patch(url, json={"region": "上海"}, headers={"If-Match": etag}).status_code == 200
    assert_problem(gateway.patch(url, json={"region": "杭州"}, headers={"If-Match": etag}), 412)


def test_one_openapi_document_for_the_suite(gateway):
    doc = gateway.get("/openapi.json").json()
    assert doc["x-guanxi-services-missing"] == []
    assert "/api/v1/registry/customers" in doc["paths"]
    assert "/api/v1/segmentation/customers/{customer_id}/value" in doc["paths"]
    assert gateway.get("/docs").status_code == 200
