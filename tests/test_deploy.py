"""deploy/ stays consistent with the suite: every service built, deployed, probed and wired."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from guanxi_shared.suite import APPS, DEFAULT_PORTS, SUBSCRIPTIONS

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def subscribers(name: str) -> str:
    return ",".join(f"{s}=http://{s}:{DEFAULT_PORTS[s]}" for s in SUBSCRIPTIONS[name])


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
