"""Schemathesis against the suite's public API, the gateway's merged OpenAPI (issue 15).

Every check but those that tests/schemathesis.toml turns off with its reason, every phase
(examples, coverage, fuzzing, stateful; coverage once in `make test`), fixed seeds, as an admin (API key) and
as a rep (a user's token), on real processes: on SQLite, and on PostgreSQL when a server
answers (required under CI=true). Zero failures are allowed, a 5xx above all; after each run
every list endpoint still answers 200 for an admin, so a write that stored what a read cannot
load back (poisoning) fails the build too.

GUANXI_FUZZ_EXAMPLES bounds the examples per operation (`make test`: 2, `make fuzz`: 25);
GUANXI_FUZZ_SEEDS gives more seeds (`make fuzz`); GUANXI_FUZZ_DATABASE=sqlite|postgresql
narrows the databases.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from harness import discover_routes, gateway_client, start_suite

from guanxi_shared.suite import APPS
from guanxi_testing.fixtures import (
    create_postgres_database,
    drop_postgres_database,
    require_postgres,
)

EXAMPLES = int(os.environ.get("GUANXI_FUZZ_EXAMPLES", "2"))
SEEDS = [int(s) for s in os.environ.get("GUANXI_FUZZ_SEEDS", "").split(",") if s]
DATABASES = [d for d in ("sqlite", "postgresql")
             if os.environ.get("GUANXI_FUZZ_DATABASE", d) == d]
CONFIG = Path(__file__).with_name("schemathesis.toml")
ST = Path(sys.executable).with_name("st")
ALL_PHASES = "examples,coverage,fuzzing,stateful"
RANDOM_PHASES = "examples,fuzzing,stateful"
# (database, who, seed, phases). The coverage phase's cases do not depend on the seed and are
# many (about two minutes on 2 cores): `make test` runs it once, `make fuzz` in every run.
RUNS = [("sqlite", "admin", 15, ALL_PHASES), ("sqlite", "rep", 20261202, RANDOM_PHASES),
        ("postgresql", "admin", 7, RANDOM_PHASES)]
RUNS += [(db, who, seed, ALL_PHASES) for seed in SEEDS for db in ("sqlite", "postgresql")
         for who in ("rep", "admin")]
# Checks off by design, each with its reason (also in tests/schemathesis.toml and the README).
CHECKS_OFF = {
    "positive_data_acceptance": "rules a JSON Schema cannot state refuse some schema-valid "
    "requests: a credit code's check character, a phone's numbering plan, a cursor the server "
    "did not issue, cross-field rules (in each operation's text), NUL characters, ids that must "
    "exist",
}
# Left out of a run, each for its reason:
SKIPPED = {
    # a rep logging itself out ends the very session the rest of the run is made with
    "rep": ["--exclude-path", "/api/v1/auth/logout"],
    "admin": [],
}


@pytest.fixture(scope="module", params=DATABASES)
def fuzz_suite(request, tmp_path_factory):
    databases = {}
    if request.param == "postgresql":
        require_postgres()
        databases = {name: create_postgres_database(f"gx_fuzz_{name}") for name in APPS}
    suite = start_suite(tmp_path_factory.mktemp(f"fuzz-{request.param}"), database_urls=databases,
                        extra_env={"GUANXI_GATEWAY_ACCESS_TOKEN_TTL_SECONDS": "86400"})
    with gateway_client(suite) as admin:
        discover_routes(admin)  # the merged document, once every service is in it
        rep = {"username": "fuzz-rep", "password": "fuzz-rep-password", "role": "rep",
               "team_id": "t-fuzz"}
        assert admin.post("/api/v1/users", json=rep).status_code == 201
        login = admin.post("/api/v1/auth/token", headers={"Authorization": ""},
                           json={"username": rep["username"], "password": rep["password"]})
        assert login.status_code == 200, login.text
    suite.tokens = {"admin": suite.admin_api_key, "rep": login.json()["access_token"]}
    suite.database = request.param
    yield suite
    suite.stop_all()
    for url in databases.values():
        drop_postgres_database(url)


def list_endpoints(doc: dict) -> list[str]:
    """GET paths without path parameters or required query parameters that answer a list (an
    array, or a page with `items`): what a stored row that cannot be read back would break."""
    def answer(item: dict) -> dict:
        schema = (item["get"].get("responses", {}).get("200", {}).get("content", {})
                  .get("application/json", {}).get("schema", {}))
        if "$ref" in schema:
            schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    return [path for path, item in doc["paths"].items()
            if "get" in item and "{" not in path and path.startswith("/api/")
            and not any(p.get("required") for p in item["get"].get("parameters", []))
            and (answer(item).get("type") == "array" or "items" in answer(item).get(
                "properties", {}))]


@pytest.mark.parametrize(("database", "who", "seed", "phases"), RUNS,
                         ids=[f"{d}-{w}-{s}" for d, w, s, _ in RUNS])
def test_fuzz(fuzz_suite, tmp_path, database, who, seed, phases):
    if database != fuzz_suite.database:
        pytest.skip(f"a {database} run")
    base = fuzz_suite.url("gateway")
    run = subprocess.run(  # noqa: S603
        [str(ST), "--config-file", str(CONFIG), "run", f"{base}/openapi.json",
         "--header", f"Authorization: Bearer {fuzz_suite.tokens[who]}",
         "--checks", "all", "--exclude-checks", ",".join(CHECKS_OFF),
         "--phases", phases, "--seed", str(seed),
         "--max-examples", str(EXAMPLES), "--workers", "2", "--request-timeout", "30",
         "--no-color", "--output-truncate", "true", *SKIPPED[who]],
        capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    report = run.stdout + run.stderr
    summary = report[report.rfind("SUMMARY"):] if "SUMMARY" in report else report[-4000:]
    assert run.returncode == 0, f"Schemathesis failed ({who}, seed {seed}):\n{report[-20000:]}"
    assert "Tested:" in summary, summary
    with httpx.Client(base_url=base, timeout=30,
                      headers={"Authorization": f"Bearer {fuzz_suite.admin_api_key}"}) as admin:
        doc = admin.get("/openapi.json").json()
        broken = {}
        for path in list_endpoints(doc):
            resp = admin.get(path)
            if resp.status_code != 200:
                broken[path] = f"{resp.status_code} {resp.text[:200]}"
    assert len(list_endpoints(doc)) > 30
    assert not broken, f"lists that no longer answer 200 after the run: {broken}"
