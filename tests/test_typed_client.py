"""A typed client generated from the merged OpenAPI works against the real suite (issue 15).

openapi-python-client turns the gateway's document into a Python package; the smoke test then
creates a customer, records a purchase and reads the value card through it, parsing every
answer into the generated models. When the document lies (a schema the generator cannot read,
an answer that does not match its model, a status it does not list), this test fails.
"""
from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from harness import discover_routes, gateway_client, start_suite

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
# Bodies the generator has no model for (an import file as text/csv or text/vcard); the same
# operation takes multipart/form-data, which it does generate.
ACCEPTED_WARNINGS = ("Unsupported content type text/csv", "Unsupported content type text/vcard")


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    suite = start_suite(tmp_path_factory.mktemp("typed-client"))
    yield suite
    suite.stop_all()


@pytest.fixture(scope="module")
def generated(suite, tmp_path_factory):
    """The client package, generated from the document the gateway serves."""
    with gateway_client(suite) as client:
        discover_routes(client)
        doc = client.get("/openapi.json").raise_for_status().json()
    out = tmp_path_factory.mktemp("client")
    (out / "openapi.json").write_text(json.dumps(doc))
    (out / "config.yaml").write_text("post_hooks: []\n")  # no formatter needed to import it
    run = subprocess.run(  # noqa: S603
        [str(GENERATOR), "generate", "--path", str(out / "openapi.json"), "--meta", "none",
         "--output-path", str(out / "guanxi_client"), "--config", str(out / "config.yaml")],
        capture_output=True, text=True, timeout=300, cwd=out)
    assert run.returncode == 0, run.stdout + run.stderr
    report = run.stdout + run.stderr
    warnings = [line for line in report.splitlines()
                if line.strip() and not line.startswith((" ", "{", "}", "Generating"))
                and "Warning(s) encountered" not in line and "WARNING parsing" not in line
                and "If you believe this was a mistake" not in line
                and not line.startswith(ACCEPTED_WARNINGS)]
    assert not warnings, report[-3000:]
    sys.path.insert(0, str(out))
    try:
        yield doc, importlib.import_module("guanxi_client")
    finally:
        sys.path.remove(str(out))


def operation(doc: dict, package, method: str, path: str):
    """The generated module of an operation, found by its operationId."""
    def plain(name: str) -> str:  # the generator's module name, punctuation aside
        return re.sub(r"[^a-z0-9]", "", name.lower())

    wanted = plain(doc["paths"][path][method]["operationId"])
    found = [m for m in Path(package.__path__[0], "api").glob("*/*.py") if plain(m.stem) == wanted]
    assert len(found) == 1, f"{method} {path}: {found}"
    return importlib.import_module(f"guanxi_client.api.{found[0].parent.name}.{found[0].stem}")


def test_the_typed_client_creates_a_customer_records_a_purchase_and_reads_the_value(
        suite, generated):
    doc, package = generated
    models = importlib.import_module("guanxi_client.models")
    client = package.AuthenticatedClient(base_url=suite.url("gateway"),
                                         token=suite.admin_api_key,
                                         raise_on_unexpected_status=True, timeout=30)
    create = operation(doc, package, "post", "/api/v1/registry/customers")
    made = create.sync_detailed(client=client, body=models.RegistryCustomerCreate(
        kind=models.RegistryCustomerCreateKind.COMPANY, name="类型化客户有限公司",
        phone="13800138000", email="typed@example.cn", credit_code="91310115ma1k4lxy06"))
    assert made.status_code == 201, made.content
    customer = made.parsed
    assert isinstance(customer, models.RegistryCustomerRead)
    assert customer.phone == "+8613800138000" and customer.credit_code == "91310115MA1K4LXY06"

    record = operation(doc, package, "post", "/api/v1/registry/purchases")
    bought = record.sync_detailed(client=client, body=models.RegistryPurchaseCreate(
        customer_id=customer.id, amount="1234.50", purchased_on=date.today()))
    assert bought.status_code == 201, bought.content
    assert isinstance(bought.parsed, models.RegistryPurchaseRead)

    value = operation(doc, package, "get", "/api/v1/segmentation/customers/{customer_id}/value")
    deadline = time.monotonic() + 30
    while True:  # the purchase reaches segmentation as an event
        card = value.sync_detailed(customer.id, client=client)
        if card.status_code == 200 and card.parsed.purchase_count == 1:
            break
        assert card.status_code in (200, 404) and time.monotonic() < deadline, card.content
        time.sleep(0.5)
    assert isinstance(card.parsed, models.SegmentationValueCard)
    assert card.parsed.customer_id == customer.id and card.parsed.total_spend == "1234.50"

    refused = create.sync_detailed(client=client, body=models.RegistryCustomerCreate(
        kind=models.RegistryCustomerCreateKind.PERSON, name="x", credit_code="91440300708461136X"))
    assert refused.status_code == 422  # a documented answer, parsed as problem details
    assert "credit_code" in str(refused.parsed.to_dict())
