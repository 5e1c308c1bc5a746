"""The Kubernetes manifests: each kustomization renders with kustomize, validates against the Kubernetes API schemas, and fits the services."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_validate import ValidationError, validate
from kubernetes_validate.utils import all_versions
from packaging.version import Version

from services.common.settings import SERVICE_NAMES, Settings
from services.common.targets import grpc_target
from services.launcher import GRPC_SERVICES, SERVICE_MODULES

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUSTOMIZATIONS = ("base", "overlays/production", "overlays/staging")
# Native gRPC probes are stable from Kubernetes 1.27 on; validate against every version the schemas know from there.
OLDEST_KUBERNETES = Version("1.27")
REPLICATED = ("gateway", "dispatch")
SERVICES_WITH_A_DATABASE = ("gateway", "incident", "resources", "casebase")
# Stand-ins for the Secret's values, to check that the settings load from what the pods get.
SECRET_VALUES = {
    "JWT_SECRET": "k" * 32,
    "REDIS_URL": "redis://redis.infra:6379/0",
    **{f"{name.upper()}_DATABASE_URL": f"postgresql://emergency:pw@postgres.infra:5432/emergency_{name}" for name in SERVICE_NAMES},
}

Doc = dict[str, Any]


@functools.cache
def render(kustomization: str) -> tuple[Doc, ...]:
    """The kustomization rendered by kustomize (built into kubectl)."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl is needed: its built-in kustomize renders deploy/k8s (install kubectl, which ships kustomize)")
    done = subprocess.run([kubectl, "kustomize", str(K8S / kustomization)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


def kubernetes_versions() -> list[str]:
    """Every Kubernetes version that kubernetes-validate has schemas for, from the oldest supported on."""
    return sorted({v for v in all_versions() if Version(v) >= OLDEST_KUBERNETES}, key=Version)


def one(docs: tuple[Doc, ...], kind: str, name: str) -> Doc:
    """The single resource of a kind and name."""
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, (kind, name, len(found))
    return found[0]


def container(deployment: Doc) -> Doc:
    """The one container of a service's pod."""
    containers: list[Doc] = deployment["spec"]["template"]["spec"]["containers"]
    (only,) = containers
    return only


def settings_map(docs: tuple[Doc, ...]) -> dict[str, str]:
    """The data of the generated settings ConfigMap."""
    (config,) = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("emergency-settings")]
    return dict(config["data"])


def pod_environment(docs: tuple[Doc, ...], deployment: Doc) -> dict[str, str]:
    """The environment a service's container starts with, the Secret's values stood in by SECRET_VALUES."""
    env = settings_map(docs)
    for item in container(deployment).get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        ref = item["valueFrom"]["secretKeyRef"]
        assert ref["name"] == "emergency-secrets", item
        if ref["key"] in SECRET_VALUES:
            env[item["name"]] = SECRET_VALUES[ref["key"]]
        else:
            assert ref.get("optional") is True, f"{ref['key']} is required but not documented"
    return env


def cpu(quantity: str) -> float:
    """A CPU quantity in cores."""
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def memory(quantity: str) -> int:
    """A memory quantity in bytes (binary suffixes only, as the manifests use)."""
    number, unit = re.fullmatch(r"(\d+)(Ki|Mi|Gi)?", quantity).groups()  # type: ignore[union-attr]
    return int(number) * {None: 1, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}[unit]


def test_the_schemas_cover_the_supported_kubernetes_versions() -> None:
    versions = kubernetes_versions()
    assert versions[0] == "1.27.0" and Version(versions[-1]) >= Version("1.37"), versions


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_renders_and_validates_strictly_on_every_supported_kubernetes(kustomization: str) -> None:
    docs = render(kustomization)
    kinds = sorted({d["kind"] for d in docs})
    assert kinds == sorted(
        {"ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service"} | ({"Namespace"} if "overlays" in kustomization else set())
    )
    for version in kubernetes_versions():
        for doc in docs:
            validate(doc, version, strict=True)


def test_the_validator_refuses_what_a_cluster_would() -> None:
    deployment = one(render("base"), "Deployment", "dispatch")
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    container(broken)["readinessProbe"]["grpc"]["port"] = "grpc"  # gRPC probes take a port number only
    with pytest.raises(ValidationError):
        validate(broken, "1.37.0", strict=True)
    misspelt = yaml.safe_load(yaml.safe_dump(deployment))
    container(misspelt)["readinesProbe"] = container(misspelt).pop("readinessProbe")
    with pytest.raises(ValidationError):
        validate(misspelt, "1.37.0", strict=True)


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_each_service_runs_its_module_on_its_port_with_grpc_health_probes(kustomization: str) -> None:
    docs = render(kustomization)
    defaults = Settings()
    assert {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"} == set(SERVICE_NAMES)
    for name in SERVICE_NAMES:
        server = container(one(docs, "Deployment", name))
        port = defaults.port_for(name)
        assert server["command"] == ["python", "-m", SERVICE_MODULES[name]]
        assert server["ports"] == [{"name": "grpc", "containerPort": port}]
        for probe in ("startupProbe", "readinessProbe"):
            assert server[probe]["grpc"] == {"port": port, "service": GRPC_SERVICES[name]}, (name, probe)
        assert server["livenessProbe"]["grpc"] == {"port": port}, name
        resources = server["resources"]
        assert cpu(resources["requests"]["cpu"]) <= cpu(resources["limits"]["cpu"]), name
        assert memory(resources["requests"]["memory"]) <= memory(resources["limits"]["memory"]), name


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_services_select_their_pods_and_reach_the_grpc_port(kustomization: str) -> None:
    docs = render(kustomization)
    for name in SERVICE_NAMES:
        deployment = one(docs, "Deployment", name)
        service = one(docs, "Service", name)
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items(), name
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        (port,) = service["spec"]["ports"]
        assert port["targetPort"] == "grpc" and port["port"] == container(deployment)["ports"][0]["containerPort"], name


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_stopping_a_pod_leaves_time_for_calls_in_flight(kustomization: str) -> None:
    docs = render(kustomization)
    grace_s = float(settings_map(docs)["SHUTDOWN_GRACE_S"])
    for name in SERVICE_NAMES:
        pod = one(docs, "Deployment", name)["spec"]["template"]["spec"]
        command = container(one(docs, "Deployment", name))["lifecycle"]["preStop"]["exec"]["command"]
        assert command[0] == "sleep", command
        # preStop first, then SIGTERM and SHUTDOWN_GRACE_S for calls in flight, then time to close connections.
        assert pod["terminationGracePeriodSeconds"] >= float(command[1]) + grace_s + 5, name
        # Service links would put DISPATCH_PORT=tcp://… in the environment, which the settings refuse.
        assert pod["enableServiceLinks"] is False, name


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_gateway_and_dispatch_are_replicated_and_every_service_has_a_disruption_budget(kustomization: str) -> None:
    docs = render(kustomization)
    for name in SERVICE_NAMES:
        deployment = one(docs, "Deployment", name)
        replicas = deployment["spec"]["replicas"]
        budget = one(docs, "PodDisruptionBudget", name)["spec"]
        assert budget["selector"]["matchLabels"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items(), name
        if name in REPLICATED:
            assert replicas >= 2, name
            # At least one pod keeps serving, and a drain can still evict one.
            assert 1 <= budget["minAvailable"] < replicas, name
            assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, name
            if kustomization == "overlays/production":
                (spread,) = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
                assert spread["topologyKey"] == "kubernetes.io/hostname" and "app.kubernetes.io/name" in spread["matchLabelKeys"], name
        else:
            assert replicas == 1 and budget["maxUnavailable"] == 1, name


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_pod_loads_its_settings_from_the_config_map_and_secret(kustomization: str) -> None:
    docs = render(kustomization)
    for name in SERVICE_NAMES:
        env = pod_environment(docs, one(docs, "Deployment", name))
        values: dict[str, Any] = {key.lower(): value for key, value in env.items() if key.lower() in Settings.model_fields}
        settings = Settings(**values)
        assert settings.environment == "production" and settings.host == "0.0.0.0", name
        assert settings.jwt_secret.get_secret_value() == SECRET_VALUES["JWT_SECRET"]
        assert settings.redis_url == SECRET_VALUES["REDIS_URL"]
        if name in SERVICES_WITH_A_DATABASE:
            assert settings.database_url == SECRET_VALUES[f"{name.upper()}_DATABASE_URL"], name
        else:
            assert "DATABASE_URL" not in env, name
        assert env["OTEL_SERVICE_NAME"] == name


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_addresses_name_the_services_and_dispatch_is_balanced_over_its_pods(kustomization: str) -> None:
    docs = render(kustomization)
    config = settings_map(docs)
    for name in ("incident", "resources", "casebase", "dispatch"):
        target = grpc_target(config[f"{name.upper()}_ADDR"])
        host, port = target.uri.removeprefix("dns:///").rsplit(":", 1)
        service = one(docs, "Service", host)
        assert int(port) == service["spec"]["ports"][0]["port"], name
        assert target.balanced == (name == "dispatch"), name
    # A headless Service: DNS answers with every ready pod, which the gateway's round-robin spreads calls over.
    assert one(docs, "Service", "dispatch")["spec"]["clusterIP"] == "None"


def test_one_image_the_compose_image_and_overlays_pin_a_tag() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    image = compose["services"]["gateway"]["image"].split(":")[0]
    assert (ROOT / "Dockerfile").is_file()
    for kustomization in KUSTOMIZATIONS:
        images = {container(d)["image"] for d in render(kustomization) if d["kind"] == "Deployment"}
        assert len(images) == 1 and images.pop().split(":")[0] == image, kustomization
    assert {container(d)["image"] for d in render("overlays/production") if d["kind"] == "Deployment"} == {f"{image}:0.1.0"}


@pytest.mark.parametrize("kustomization", ["overlays/production", "overlays/staging"])
def test_overlays_put_everything_in_their_namespace(kustomization: str) -> None:
    docs = render(kustomization)
    (namespace,) = [d["metadata"]["name"] for d in docs if d["kind"] == "Namespace"]
    assert all(d["metadata"]["namespace"] == namespace for d in docs if d["kind"] != "Namespace")


def test_only_the_suites_own_pods_reach_the_internal_services() -> None:
    docs = render("base")
    policy = one(docs, "NetworkPolicy", "backends-from-the-suite-only")["spec"]

    def admitted(labels: dict[str, str]) -> bool:
        return any(source["podSelector"]["matchLabels"].items() <= labels.items() for rule in policy["ingress"] for source in rule["from"])

    deployments = {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"] for d in docs if d["kind"] == "Deployment"}
    selected = {name for name, labels in deployments.items() if policy["podSelector"]["matchLabels"].items() <= labels.items()}
    assert selected == {"incident", "resources", "casebase", "dispatch"}
    # The gateway calls every backend; incident calls resources (exercises) and casebase calls incident (closed incidents).
    assert all(admitted(labels) for labels in deployments.values())
    assert not admitted({"app.kubernetes.io/name": "someone-else"})


def test_the_readme_documents_every_secret_key() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Running on Kubernetes") :]
    keys = {
        item["valueFrom"]["secretKeyRef"]["key"]
        for d in render("base")
        if d["kind"] == "Deployment"
        for item in container(d).get("env", [])
        if "valueFrom" in item
    }
    for key in keys:
        assert key in section, key
