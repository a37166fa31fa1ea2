"""deploy/ stays consistent with the suite: every service built, deployed, probed and wired."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from fastapi.testclient import TestClient

from guanxi_shared.suite import APPS, DEFAULT_PORTS, SUBSCRIPTIONS

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
# the oldest Kubernetes still supported by its providers, and the newest the validator knows
K8S_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]


def subscribers(name: str) -> str:
    return ",".join(f"{s}=http://{s}:{DEFAULT_PORTS[s]}" for s in SUBSCRIPTIONS[name])


def k8s_documents() -> list[tuple[str, dict]]:
    return [(path.name, doc) for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def k8s_objects() -> dict[tuple[str, str], dict]:
    objects = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return objects


def test_dockerfile_builds_every_package_as_non_root():
    text = (DEPLOY / "Dockerfile").read_text()
    assert "ARG SERVICE" in text and "AS build" in text and "pip wheel" in text
    for name, app in APPS.items():
        assert name in text
        assert app.split(".")[0] == f"guanxi_{name}"  # the CMD builds the package from SERVICE
    assert "--factory guanxi_${SERVICE}.main:create_app" in text
    assert "\nUSER " in text and "USER root" not in text


def test_compose_runs_every_service_with_its_env():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert "postgres" in services
    assert "init-databases.sh" in " ".join(services["postgres"]["volumes"])
    init = (DEPLOY / "init-databases.sh").read_text()
    for name in APPS:
        assert name in init
        svc = services[name]
        env = svc["environment"]
        prefix = f"GUANXI_{name.upper()}_"
        assert svc["build"]["args"]["SERVICE"] == name
        assert env["PORT"] == str(DEFAULT_PORTS[name])
        assert env[prefix + "DATABASE_URL"].endswith(f"/guanxi_{name}")
        assert env[prefix + "SUBSCRIBERS"] == subscribers(name)
        for peer in APPS:
            assert env[f"{prefix}{peer.upper()}_URL"] == f"http://{peer}:{DEFAULT_PORTS[peer]}"
        assert "/readyz" in " ".join(svc["healthcheck"]["test"])
        assert svc["env_file"] == ".env" and svc["depends_on"]["postgres"]
    gateway_port = DEFAULT_PORTS["gateway"]
    assert services["gateway"]["ports"] == [f"{gateway_port}:{gateway_port}"]


def test_secrets_stay_out_of_the_repository():
    assert ".env" in (DEPLOY / ".gitignore").read_text().split()

    secret = k8s_objects()[("Secret", "guanxi-secrets")]
    assert all(value.startswith(("<", "postgresql://<")) for value in secret["stringData"].values())


@pytest.mark.parametrize("name", list(APPS))
def test_kubernetes_deploys_probes_and_wires_each_service(name):
    objects = k8s_objects()
    assert ("Namespace", "guanxi") in objects
    deployment = objects[("Deployment", name)]
    service = objects[("Service", name)]
    config = objects[("ConfigMap", f"{name}-config")]["data"]
    secret_keys = set(objects[("Secret", "guanxi-secrets")]["stringData"])
    pod = deployment["spec"]["template"]
    assert deployment["spec"]["selector"]["matchLabels"] == pod["metadata"]["labels"]
    assert service["spec"]["selector"] == pod["metadata"]["labels"]
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["spec"]["containers"]
    assert container["image"] == f"guanxi/{name}:latest"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["ports"][0]["containerPort"] == DEFAULT_PORTS[name]
    assert service["spec"]["ports"][0]["port"] == DEFAULT_PORTS[name]
    prefix = f"GUANXI_{name.upper()}_"
    assert config["PORT"] == str(DEFAULT_PORTS[name])
    assert config[prefix + "SUBSCRIBERS"] == subscribers(name)
    for peer in APPS:
        assert config[f"{prefix}{peer.upper()}_URL"] == f"http://{peer}:{DEFAULT_PORTS[peer]}"
    env = {e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in container["env"]}
    assert set(env) == {"GUANXI_INTERNAL_SECRET", "GUANXI_ADMIN_API_KEY", prefix + "DATABASE_URL"}
    assert set(env.values()) <= secret_keys


def test_only_the_gateway_is_behind_the_ingress():
    ingress = [obj for (kind, _), obj in k8s_objects().items() if kind == "Ingress"]
    backends = {path["backend"]["service"]["name"]
                for ing in ingress for rule in ing["spec"]["rules"]
                for path in rule["http"]["paths"]}
    assert backends == {"gateway"}


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(version):
    """kubernetes-validate carries the schemas of each release: this runs offline. Strict:
    a misspelt or misplaced field is an error, not silently ignored by the cluster."""
    documents = k8s_documents()
    assert len(documents) >= 20
    for name, doc in documents:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{name}: {doc['kind']}/{doc['metadata']['name']} is not valid for "
                        f"Kubernetes {version}: {exc.message} at {list(exc.path)}")


def test_a_broken_manifest_is_caught_by_the_validator():
    deployment = k8s_objects()[("Deployment", "registry")]
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["portt"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSIONS[0], strict=True)


def test_compose_file_is_valid_against_the_compose_specification():
    """check-jsonschema ships the Compose Specification's schema (offline, maintained)."""
    def check(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
             str(path)], capture_output=True, text=True, timeout=120)

    result = check(DEPLOY / "docker-compose.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    broken = DEPLOY.parent / "data" / "broken-compose.yml"
    broken.parent.mkdir(exist_ok=True)
    broken.write_text("services:\n  registry:\n    image: guanxi/registry\n    restartt: always\n")
    try:
        result = check(broken)
    finally:
        broken.unlink()
    assert result.returncode == 1 and "restartt" in result.stdout


@pytest.mark.parametrize("name", list(APPS))
def test_each_service_scales_keeps_a_pod_through_drains_and_is_bounded(name):
    objects = k8s_objects()
    deployment = objects[("Deployment", name)]
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    resources = container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(
        resources["limits"])
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    hpa = objects[("HorizontalPodAutoscaler", name)]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    assert 2 <= hpa["minReplicas"] < hpa["maxReplicas"]
    assert hpa["metrics"][0]["resource"]["name"] == "cpu"  # measured against the cpu request
    pdb = objects[("PodDisruptionBudget", name)]["spec"]
    assert pdb["selector"]["matchLabels"] == pod["metadata"]["labels"]
    assert pdb["minAvailable"] < hpa["minReplicas"]  # a node can still be drained
    config = objects[("ConfigMap", f"{name}-config")]["data"]
    assert config[f"GUANXI_{name.upper()}_MIGRATE_ON_START"] == "false"


def test_one_migrations_job_migrates_every_service_before_the_rollout():
    objects = k8s_objects()
    jobs = [obj for (kind, _), obj in objects.items() if kind == "Job"]
    assert len(jobs) == 1
    pod = jobs[0]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never" and pod["securityContext"]["runAsNonRoot"] is True
    steps = {c["name"]: c for c in pod["initContainers"]}
    assert list(steps) == list(APPS)
    for name, step in steps.items():
        assert step["image"] == f"guanxi/{name}:latest"
        assert step["command"] == ["python", "-m", "guanxi_shared.migrate", f"guanxi_{name}"]
        env = {e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in step["env"]}
        assert env[f"GUANXI_{name.upper()}_DATABASE_URL"] == f"{name}-database-url"


def test_the_gateway_shares_limits_in_redis_and_trusts_only_the_ingress():
    objects = k8s_objects()
    config = objects[("ConfigMap", "gateway-config")]["data"]
    redis_service = objects[("Service", "redis")]
    assert config["GUANXI_REDIS_URL"] == (
        f"redis://{redis_service['metadata']['name']}:{redis_service['spec']['ports'][0]['port']}/0")
    assert config["GUANXI_GATEWAY_TRUSTED_PROXIES"]


def test_the_migrate_command_and_readiness_without_migrating_on_start(tmp_path):
    """A replica that does not migrate on start is not ready until the Job has run."""
    from guanxi_registry.main import create_app
    from guanxi_registry.settings import Settings

    url = f"sqlite:///{tmp_path / 'registry.db'}"
    settings = Settings(database_url=url, migrate_on_start=False, run_background_jobs=False,
                        subscribers="")
    with TestClient(create_app(settings)) as client:
        resp = client.get("/readyz")
        assert resp.status_code == 503
        assert "run the migrations Job" in resp.json()["detail"]
        assert client.get("/healthz").status_code == 200  # alive: not restarted meanwhile
        env = {**os.environ, "GUANXI_REGISTRY_DATABASE_URL": url}
        done = subprocess.run([sys.executable, "-m", "guanxi_shared.migrate",
                               "guanxi_registry"], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        assert "guanxi_registry: migrations applied" in done.stdout
        assert client.get("/readyz").status_code == 200
    bad = subprocess.run([sys.executable, "-m", "guanxi_shared.migrate", "registry"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "usage" in bad.stderr


def test_the_outbox_alert_rules_use_the_gauges_the_services_export():
    from guanxi_shared.events import OUTBOX_BACKLOG, OUTBOX_OLDEST

    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    (group,) = rules["groups"]
    alerts = {rule["alert"]: rule for rule in group["rules"]}
    assert set(alerts) == {"GuanxiOutboxBacklogGrowing", "GuanxiOutboxEventsStale",
                           "GuanxiOutboxNotMeasured"}
    exported = {OUTBOX_BACKLOG._name, OUTBOX_OLDEST._name}
    for rule in alerts.values():
        assert any(name in rule["expr"] for name in exported), rule["expr"]
        assert rule["for"] and rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]
    assert set(OUTBOX_BACKLOG._labelnames) == {"service", "subscriber"}
