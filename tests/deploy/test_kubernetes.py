"""deploy/k8s: every overlay renders, every object is valid for the Kubernetes version we target
(custom resources against their CRDs' schemas), and the manifests keep the platform's rules:
probes, resources, non-root, disruption budgets, secrets by reference, default-deny networking
with only the architecture's paths open, review scaled on its JetStream backlog."""

from __future__ import annotations

import copy
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from kubernetes_validate.utils import SchemaNotFoundError

from contracts.streams import INTAKE
from servicekit.nats_auth import CONSUMES, durable_name
from tests.deploy.support import (
    K8S, OVERLAYS, PORTAL_PORT, ROOT, SERVICES, container_environment, load_settings, load_yaml, of_kind,
)

KUBERNETES_VERSION = "1.31.0"
"""The oldest minor version the manifests must run on; kubernetes-validate ships its schemas."""

SCHEMAS = ROOT / "tests" / "deploy" / "schemas"
CUSTOM_RESOURCES = {
    ("keda.sh/v1alpha1", "ScaledObject"): SCHEMAS / "keda.sh_scaledobjects.v1alpha1.yaml",
    ("postgresql.cnpg.io/v1", "Cluster"): SCHEMAS / "postgresql.cnpg.io_clusters.v1.yaml",
}
APP_COMPONENTS = ("service", "portal")
EVERY = ("base", *OVERLAYS)


def closed(schema: Any) -> Any:
    """The schema with unknown fields refused wherever it lists the known ones, as the API server's
    strict field validation (``kubectl apply --validate=strict``) refuses them."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: closed(value) for key, value in schema.items()}
    if ("properties" in result and "additionalProperties" not in result
            and not result.get("x-kubernetes-preserve-unknown-fields")):
        result["additionalProperties"] = False
    return result


_validators: dict[tuple[str, str], jsonschema.Draft7Validator] = {}


def custom_resource_errors(obj: dict[str, Any]) -> list[str]:
    key = (obj["apiVersion"], obj["kind"])
    if key not in _validators:
        _validators[key] = jsonschema.Draft7Validator(closed(load_yaml(CUSTOM_RESOURCES[key])))
    return [f"{'.'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
            for error in _validators[key].iter_errors(obj)]


def validation_errors(obj: dict[str, Any]) -> list[str]:
    """What is wrong with ``obj``: built-in kinds against Kubernetes' schemas (strict), custom
    resources against their CRD's. A kind neither knows is an error too: nothing goes unchecked."""
    if (obj["apiVersion"], obj["kind"]) in CUSTOM_RESOURCES:
        return custom_resource_errors(obj)
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{'.'.join(map(str, error.path)) or '<root>'}: {error.message}"]
    except SchemaNotFoundError:
        return [f"no schema for {obj['apiVersion']} {obj['kind']}"]
    return []


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["spec"]["template"]["spec"]


def app_deployments(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: obj for name, obj in of_kind(objects, "Deployment").items()
            if obj["metadata"]["labels"].get("app.kubernetes.io/component") in APP_COMPONENTS}


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# Schemas


@pytest.mark.parametrize("name", EVERY)
def test_every_object_is_valid_for_its_schema(rendered, name):
    problems = [f"{obj['kind']}/{obj['metadata']['name']}: {error}"
                for obj in rendered[name] for error in validation_errors(obj)]
    assert not problems, "\n".join(problems)


def test_the_vendored_schemas_are_used_and_say_where_they_come_from(rendered):
    kinds = {(obj["apiVersion"], obj["kind"]) for name in EVERY for obj in rendered[name]}
    assert set(CUSTOM_RESOURCES) <= kinds
    for path in sorted(SCHEMAS.glob("*.yaml")):
        header = path.read_text(encoding="utf-8").split("\n", 6)[:6]
        assert any("Apache License, Version 2.0" in line for line in header), f"{path.name} must name its licence"
        assert any("https://github.com/" in line for line in header), f"{path.name} must name its source"


def _first(objects: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = of_kind(objects, kind)
    return copy.deepcopy(found[name] if name else next(iter(found.values())))


@pytest.mark.parametrize("break_it, expected", [
    (lambda d: d["spec"].__setitem__("replicas", "three"), "replicas"),
    (lambda d: pod_spec(d)["containers"][0].__setitem__("livenessprobe", {"httpGet": {"path": "/healthz", "port": 8001}}),
     "livenessprobe"),
    (lambda d: pod_spec(d)["containers"][0]["resources"]["limits"].__setitem__("memory", ["512Mi"]), "memory"),
    (lambda d: pod_spec(d)["containers"][0]["ports"][0].__setitem__("containerPort", "http"), "containerPort"),
], ids=["replicas-as-text", "misspelt-field", "limit-as-list", "port-as-name"])
def test_a_broken_deployment_is_reported(rendered, break_it, expected):
    deployment = _first(rendered["production"], "Deployment", "intake")
    assert validation_errors(deployment) == []
    break_it(deployment)
    errors = validation_errors(deployment)
    assert errors and any(expected in error for error in errors), errors


@pytest.mark.parametrize("kind, break_it, expected", [
    ("ScaledObject", lambda s: s["spec"]["triggers"][0]["metadata"].__setitem__("lagThreshold", 50), "lagThreshold"),
    ("ScaledObject", lambda s: s["spec"].__setitem__("minReplicas", 1), "minReplicas"),
    ("ScaledObject", lambda s: s["spec"].pop("scaleTargetRef"), "scaleTargetRef"),
    ("Cluster", lambda c: c["spec"].__setitem__("instances", "3"), "instances"),
    ("Cluster", lambda c: c["spec"]["storage"].__setitem__("sise", "20Gi"), "sise"),
], ids=["lag-threshold-not-a-string", "hpa-field-name", "no-target", "instances-as-text", "misspelt-storage-size"])
def test_a_broken_custom_resource_is_reported(rendered, kind, break_it, expected):
    obj = _first(rendered["production"], kind)
    assert validation_errors(obj) == []
    break_it(obj)
    errors = validation_errors(obj)
    assert errors and any(expected in error for error in errors), errors


def test_an_unknown_kind_is_not_waved_through():
    errors = validation_errors({"apiVersion": "example.org/v1", "kind": "Widget", "metadata": {"name": "w"}})
    assert errors == ["no schema for example.org/v1 Widget"]


# ---------------------------------------------------------------------------------------------
# Workloads


@pytest.mark.parametrize("name", EVERY)
def test_every_deployment_has_probes_resources_and_runs_unprivileged(rendered, name):
    deployments = of_kind(rendered[name], "Deployment")
    assert set(app_deployments(rendered[name])) == {*SERVICES, "portal"}
    for deployment_name, deployment in deployments.items():
        spec = pod_spec(deployment)
        assert spec["securityContext"]["runAsNonRoot"] is True, deployment_name
        assert spec["securityContext"]["runAsUser"] != 0, deployment_name
        assert spec.get("automountServiceAccountToken") is False, deployment_name
        for container in spec["containers"]:
            where = f"{deployment_name}/{container['name']}"
            assert container["livenessProbe"]["httpGet"]["path"], where
            assert container["readinessProbe"]["httpGet"]["path"], where
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), where
            assert "memory" in container["resources"]["limits"], where
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
    for app, deployment in app_deployments(rendered[name]).items():
        container = pod_spec(deployment)["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", app
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", app
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz", app


@pytest.mark.parametrize("name", EVERY)
def test_each_service_listens_where_its_service_probes_and_prometheus_look(rendered, name):
    services = of_kind(rendered[name], "Service")
    for app, deployment in app_deployments(rendered[name]).items():
        port = SERVICES.get(app, PORTAL_PORT)
        container = pod_spec(deployment)["containers"][0]
        assert container["command"] == ["python", "-m", app]
        assert container["ports"] == [{"name": "http", "containerPort": port}]
        env = container_environment(container, rendered[name])
        assert env[f"{app.upper()}_HTTP_PORT"] == str(port)
        assert env[f"{app.upper()}_HTTP_HOST"] == "0.0.0.0"  # the default, 127.0.0.1, is unreachable in a pod
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(port) and annotations["prometheus.io/path"] == "/metrics"
        service = services[app]
        assert service["spec"]["ports"] == [{"name": "http", "port": port, "targetPort": "http"}]
        assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]


@pytest.mark.parametrize("name", EVERY)
def test_every_deployment_has_a_disruption_budget_of_its_own(rendered, name):
    budgets = of_kind(rendered[name], "PodDisruptionBudget")
    pods = {f"{obj['kind']}/{n}": obj["spec"]["template"]["metadata"]["labels"]
            for kind in ("Deployment", "Job") for n, obj in of_kind(rendered[name], kind).items()}
    for deployment_name in of_kind(rendered[name], "Deployment"):
        matching = [b for b in budgets.values()
                    if selects(b["spec"]["selector"], pods[f"Deployment/{deployment_name}"])]
        assert len(matching) == 1, f"{deployment_name}: {len(matching)} PodDisruptionBudgets"
        covered = [pod for pod, labels in pods.items() if selects(matching[0]["spec"]["selector"], labels)]
        assert covered == [f"Deployment/{deployment_name}"], f"{matching[0]['metadata']['name']} also counts {covered}"


@pytest.mark.parametrize("name", EVERY)
def test_each_service_migrates_in_a_job_before_it_serves(rendered, name):
    jobs = of_kind(rendered[name], "Job")
    deployments = of_kind(rendered[name], "Deployment")
    assert set(jobs) == {f"{service}-migrate" for service in SERVICES}
    for service in SERVICES:
        job = pod_spec(jobs[f"{service}-migrate"])["containers"][0]
        serving = pod_spec(deployments[service])["containers"][0]
        assert job["command"] == ["python", "-m", service] and job["args"] == ["migrate"]
        assert serving["args"] == ["serve", "--no-migrate"], "the Deployment must leave migrating to the Job"
        assert job["image"] == serving["image"]
        database_env = {k: v for k, v in container_environment(serving, rendered[name]).items() if "_DB" in k or "DATABASE" in k}
        assert {k: container_environment(job, rendered[name])[k] for k in database_env} == database_env
        assert pod_spec(jobs[f"{service}-migrate"])["restartPolicy"] == "Never"


@pytest.mark.parametrize("name", OVERLAYS)
def test_an_upgrade_can_apply_configuration_and_migrations_before_the_rollout(rendered, name):
    """docs/operations.md: `kubectl apply -k <overlay> -l 'app.kubernetes.io/component in
    (configuration,migration)'` must bring along everything the Jobs read, and no Deployment."""
    step = {(obj["kind"], obj["metadata"]["name"]) for obj in rendered[name]
            if obj["metadata"].get("labels", {}).get("app.kubernetes.io/component") in ("configuration", "migration")}
    assert not any(kind == "Deployment" for kind, _ in step)
    for job_name, job in of_kind(rendered[name], "Job").items():
        assert ("Job", job_name) in step
        spec = pod_spec(job)
        needed = {source["configMapRef"]["name"] for c in spec["containers"] for source in c.get("envFrom", [])}
        needed |= {v["configMap"]["name"] for v in spec.get("volumes", []) if "configMap" in v}
        assert {("ConfigMap", n) for n in needed} <= step, f"{job_name} needs {needed}"


@pytest.mark.parametrize("name", OVERLAYS)
def test_a_first_install_can_bring_up_databases_and_migrations_before_the_services(rendered, name):
    """docs/operations.md, Install: `-l app.kubernetes.io/component=database`, then
    `-l 'app.kubernetes.io/component notin (service,portal)'`, then everything."""
    def component(obj: dict[str, Any]) -> str | None:
        return obj["metadata"].get("labels", {}).get("app.kubernetes.io/component")

    databases = {obj["metadata"]["name"] for obj in rendered[name] if component(obj) == "database" and obj["kind"] == "Cluster"}
    assert databases == set(of_kind(rendered[name], "Cluster"))
    before = [obj for obj in rendered[name] if component(obj) not in APP_COMPONENTS]
    kinds = {obj["kind"] for obj in before}
    assert {"Namespace", "ConfigMap", "NetworkPolicy", "Job"} <= kinds
    assert not [obj["metadata"]["name"] for obj in before
                if obj["kind"] in ("Deployment", "ScaledObject", "HorizontalPodAutoscaler")
                and obj["metadata"]["name"] in (*SERVICES, "portal")]
    assert len([obj for obj in before if obj["kind"] == "Job"]) == len(SERVICES)


@pytest.mark.parametrize("name", EVERY)
def test_settings_load_from_the_rendered_environment(rendered, name):
    """Each service's own settings class accepts what the pod would see: names, prefixes and
    formats agree with libs/servicekit/src/servicekit/settings.py and the services' settings."""
    auth = (ROOT / "deploy" / "nats" / "auth.conf").read_text(encoding="utf-8")
    for kind in ("Deployment", "Job"):
        for obj_name, obj in of_kind(rendered[name], kind).items():
            service = obj["metadata"]["labels"]["app.kubernetes.io/name"]
            if service not in SERVICES:
                continue
            env = container_environment(pod_spec(obj)["containers"][0], rendered[name])
            assert "$(" not in env[f"{service.upper()}_DATABASE_URL"], f"{obj_name}: unresolved reference"
            settings = load_settings(service, env)
            assert settings.port == SERVICES[service]
            assert settings.auth_jwks_url and settings.auth_issuer
            assert settings.otel_exporter_otlp_endpoint == "http://otel-collector:4318"
            assert settings.calendar_overrides_file is not None
            if kind == "Deployment":
                assert settings.nats_user == service and f'"user": "{service}"' in auth
                assert settings.nats_password, f"{obj_name}: no NATS password"


@pytest.mark.parametrize("name", EVERY)
def test_the_portal_settings_load_from_the_rendered_environment(rendered, name):
    portal = pod_spec(of_kind(rendered[name], "Deployment")["portal"])["containers"][0]
    settings = load_settings("portal", container_environment(portal, rendered[name]))
    assert settings.http_port == PORTAL_PORT and settings.http_host == "0.0.0.0"
    for service, port in SERVICES.items():
        assert settings.service_url(service) == f"http://{service}:{port}"
    assert settings.session_secret.get_secret_value().startswith("secretportalsessionsecret")
    assert settings.secure_cookies, "the portal is reached over HTTPS in a cluster"
    assert settings.auth_jwks_url and settings.oidc_discovery_url.startswith("https://")


@pytest.mark.parametrize("name", EVERY)
def test_secrets_are_referenced_never_written_down(rendered, name):
    assert not of_kind(rendered[name], "Secret"), "Secrets are created in the cluster, never kept in the repository"
    for config_map_name, config_map in of_kind(rendered[name], "ConfigMap").items():
        for key in config_map.get("data", {}):
            assert not re.search(r"PASSWORD|SECRET|TOKEN|PRIVATE", key, re.I), f"{config_map_name}.{key}"
    for kind in ("Deployment", "Job"):
        for obj_name, obj in of_kind(rendered[name], kind).items():
            for container in pod_spec(obj)["containers"]:
                for item in container.get("env", []):
                    if re.search(r"PASSWORD|SECRET|_DB_USER$", item["name"]):
                        assert "secretKeyRef" in item.get("valueFrom", {}), f"{obj_name}: {item['name']} must come from a Secret"
                    if item["name"].endswith("_DATABASE_URL"):
                        assert re.search(r"\$\([A-Z_]+_DB_PASSWORD\)", item["value"]), f"{obj_name}: password inlined"


# ---------------------------------------------------------------------------------------------
# Scaling


def test_review_scales_on_the_backlog_of_its_own_jetstream_consumer(rendered):
    # Review consumes intake's stream only, through one durable every replica pulls from.
    assert CONSUMES["review"] == ("intake",)
    values = load_yaml(K8S / "nats" / "values.yaml")
    for name in EVERY:
        scaled = of_kind(rendered[name], "ScaledObject")
        assert list(scaled) == ["review"]
        spec = scaled["review"]["spec"]
        assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "review"}
        assert "replicas" not in of_kind(rendered[name], "Deployment")["review"]["spec"], "replicas belong to KEDA"
        assert spec["minReplicaCount"] >= 1, "review answers HTTP too: never scale it to zero"
        (trigger,) = spec["triggers"]
        assert trigger["type"] == "nats-jetstream"
        metadata = trigger["metadata"]
        assert metadata["stream"] == INTAKE.name
        assert metadata["consumer"] == durable_name("review", "intake")
        assert metadata["account"] == "$G"
        assert int(metadata["lagThreshold"]) > 0
        host, port = metadata["natsServerMonitoringEndpoint"].rsplit(":", 1)
        assert host == "nats-headless.govit.svc.cluster.local"
        assert int(port) == values["config"]["monitor"]["port"]


def test_intake_scales_on_cpu(rendered):
    for name in EVERY:
        autoscalers = of_kind(rendered[name], "HorizontalPodAutoscaler")
        assert list(autoscalers) == ["intake"]
        spec = autoscalers["intake"]["spec"]
        assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "intake"}
        assert "replicas" not in of_kind(rendered[name], "Deployment")["intake"]["spec"], "replicas belong to the HPA"
        (metric,) = spec["metrics"]
        assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
        assert spec["minReplicas"] <= spec["maxReplicas"]


def _replicas(objects: list[dict[str, Any]]) -> dict[str, int]:
    counts = {name: d["spec"].get("replicas") for name, d in app_deployments(objects).items()}
    counts["review"] = of_kind(objects, "ScaledObject")["review"]["spec"]["minReplicaCount"]
    counts["intake"] = of_kind(objects, "HorizontalPodAutoscaler")["intake"]["spec"]["minReplicas"]
    return counts


def _memory_mib(quantity: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()
    return int(number) * (1024 if unit == "Gi" else 1)


def test_development_runs_one_replica_and_production_several(rendered):
    assert set(_replicas(rendered["development"]).values()) == {1}
    assert min(_replicas(rendered["production"]).values()) >= 2
    development, production = app_deployments(rendered["development"]), app_deployments(rendered["production"])
    for app in production:
        small = pod_spec(development[app])["containers"][0]["resources"]
        large = pod_spec(production[app])["containers"][0]["resources"]
        assert _memory_mib(large["limits"]["memory"]) > _memory_mib(small["limits"]["memory"]), app
        assert _memory_mib(large["requests"]["memory"]) > _memory_mib(small["requests"]["memory"]), app


def test_production_runs_a_released_image(rendered):
    for kind in ("Deployment", "Job"):
        for obj_name, obj in of_kind(rendered["production"], kind).items():
            for container in pod_spec(obj)["containers"]:
                image = container["image"]
                tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else None
                assert tag and tag not in {"latest", "dev", "main"}, f"{obj_name}: {image} is not pinned"
                if obj["metadata"]["labels"].get("app.kubernetes.io/component") in (*APP_COMPONENTS, "migration"):
                    assert re.fullmatch(r"\d+\.\d+\.\d+", tag), f"{obj_name}: {image} is not a release"


# ---------------------------------------------------------------------------------------------
# Databases


def test_production_gives_each_service_a_postgresql_cluster_of_its_own(rendered):
    clusters = of_kind(rendered["production"], "Cluster")
    assert set(clusters) == {f"{service}-db" for service in SERVICES}
    for service in SERVICES:
        spec = clusters[f"{service}-db"]["spec"]
        assert spec["instances"] >= 3
        assert spec["bootstrap"]["initdb"] == {"database": service, "owner": service}
        assert spec.get("enableSuperuserAccess") is False
        container = pod_spec(of_kind(rendered["production"], "Deployment")[service])["containers"][0]
        env = container_environment(container, rendered["production"])
        # CloudNativePG names the owner's credentials <cluster>-app and the primary's Service <cluster>-rw.
        assert env[f"{service.upper()}_DB_USER"].startswith(f"secret{service}dbappusername")
        assert env[f"{service.upper()}_DB_HOST"] == f"{service}-db-rw"
        assert env[f"{service.upper()}_DATABASE_URL"].endswith(f"@{service}-db-rw:5432/{service}")


def test_development_uses_an_external_database_server(rendered):
    assert not of_kind(rendered["development"], "Cluster")
    config = next(c for n, c in of_kind(rendered["development"], "ConfigMap").items() if n.startswith("govit-config"))
    hosts = {config["data"][f"{service.upper()}_DB_HOST"] for service in SERVICES}
    assert len(hosts) == 1 and not hosts.pop().endswith("-db-rw")


# ---------------------------------------------------------------------------------------------
# Network policies: evaluated the way the API describes them, for pods of our namespace and peers
# elsewhere (ingress controller, Prometheus, KEDA, DNS, the tracing backend, the internet).

NAMESPACE = "govit"


@dataclass(frozen=True)
class Peer:
    namespace: str | None
    labels: dict[str, str] = field(default_factory=dict, hash=False)
    ip: str | None = None
    """An address outside the cluster when set; ``namespace`` is then None."""
    name: str = ""


def _peer_matches(peer: dict[str, Any], who: Peer) -> bool:
    if "ipBlock" in peer:
        if who.ip is None:
            return False  # pod addresses are not relied upon to match ipBlock: CNIs differ
        block = peer["ipBlock"]
        address = ipaddress.ip_address(who.ip)
        return (address in ipaddress.ip_network(block["cidr"])
                and not any(address in ipaddress.ip_network(e) for e in block.get("except", [])))
    if who.namespace is None:
        return False
    if "namespaceSelector" in peer:
        namespace_ok = selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": who.namespace})
    else:
        namespace_ok = who.namespace == NAMESPACE
    return namespace_ok and selects(peer.get("podSelector", {}), who.labels)


def _port_matches(ports: list[dict[str, Any]] | None, protocol: str, port: int) -> bool:
    if not ports:
        return True
    for entry in ports:
        if entry.get("protocol", "TCP") != protocol:
            continue
        if "port" not in entry:
            return True
        if entry["port"] <= port <= entry.get("endPort", entry["port"]):
            return True
    return False


def _allowed(policies: list[dict[str, Any]], pod: Peer, other: Peer, direction: str, protocol: str, port: int) -> bool:
    kind, peers_key = ("Egress", "to") if direction == "egress" else ("Ingress", "from")
    if pod.namespace != NAMESPACE:
        return True  # no policies of ours there
    applying = [p for p in policies if kind in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], pod.labels)]
    if not applying:
        return True
    for policy in applying:
        for rule in policy["spec"].get(direction, []):
            peers = rule.get(peers_key)
            if (not peers or any(_peer_matches(peer, other) for peer in peers)) and _port_matches(rule.get("ports"), protocol, port):
                return True
    return False


def reachable(policies: list[dict[str, Any]], source: Peer, target: Peer, port: int, protocol: str = "TCP") -> bool:
    return (_allowed(policies, source, target, "egress", protocol, port)
            and _allowed(policies, target, source, "ingress", protocol, port))


def _pods(objects: list[dict[str, Any]]) -> dict[str, Peer]:
    pods = {}
    for kind in ("Deployment", "Job"):
        for name, obj in of_kind(objects, kind).items():
            pods[f"{kind.lower()}/{name}"] = Peer(NAMESPACE, obj["spec"]["template"]["metadata"]["labels"], name=name)
    # The NATS chart's server pods, and CloudNativePG's instance pods.
    pods["nats"] = Peer(NAMESPACE, {"app.kubernetes.io/name": "nats", "app.kubernetes.io/instance": "nats",
                                    "app.kubernetes.io/component": "nats"}, name="nats")
    for name in of_kind(objects, "Cluster"):
        pods[f"db/{name}"] = Peer(NAMESPACE, {"cnpg.io/cluster": name, "cnpg.io/podRole": "instance"}, name=name)
    return pods


OUTSIDE = {
    "ingress": Peer("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}, name="ingress controller"),
    "prometheus": Peer("monitoring", {"app.kubernetes.io/name": "prometheus"}, name="prometheus"),
    "keda": Peer("keda", {"app": "keda-operator"}, name="keda"),
    "dns": Peer("kube-system", {"k8s-app": "kube-dns"}, name="dns"),
    "tracing": Peer("observability", {"app.kubernetes.io/name": "jaeger"}, name="tracing backend"),
    "cnpg": Peer("cnpg-system", {"app.kubernetes.io/name": "cloudnative-pg"}, name="cnpg operator"),
    "stranger": Peer("default", {"app": "anything"}, name="a pod of another namespace"),
    "internet": Peer(None, ip="203.0.113.10", name="an address outside the cluster"),
}


def _flows(name: str, objects: list[dict[str, Any]]) -> tuple[list[tuple], list[tuple]]:
    pods = _pods(objects)
    deployment = {n: pods[f"deployment/{n}"] for n in (*SERVICES, "portal", "otel-collector")}
    job = {n: pods[f"job/{n}-migrate"] for n in SERVICES}
    nats, o = pods["nats"], OUTSIDE
    allowed = [(o["ingress"], deployment["portal"], PORTAL_PORT), (o["prometheus"], deployment["portal"], PORTAL_PORT),
               (o["keda"], nats, 8222), (o["prometheus"], nats, 7777), (nats, nats, 6222),
               (deployment["otel-collector"], o["tracing"], 4317), (o["prometheus"], deployment["otel-collector"], 8888),
               (deployment["portal"], o["internet"], 443), (deployment["portal"], deployment["otel-collector"], 4318),
               (deployment["notify"], o["internet"], 587), (deployment["notify"], o["internet"], 443)]
    denied = [(o["ingress"], nats, 4222), (o["stranger"], nats, 4222), (o["stranger"], deployment["portal"], PORTAL_PORT),
              (deployment["portal"], nats, 4222), (deployment["portal"], o["internet"], 5432),
              (nats, o["internet"], 443)]
    for service, port in SERVICES.items():
        allowed += [(deployment["portal"], deployment[service], port), (o["prometheus"], deployment[service], port),
                    (deployment[service], nats, 4222), (deployment[service], deployment["otel-collector"], 4318),
                    (deployment[service], o["internet"], 443)]
        denied += [(o["ingress"], deployment[service], port), (o["stranger"], deployment[service], port),
                   (job[service], nats, 4222)]
        if service != "notify":
            denied.append((deployment[service], o["internet"], 25))
        for other, other_port in SERVICES.items():
            if other != service:
                denied.append((deployment[service], deployment[other], other_port))
        if name == "production":
            database = pods[f"db/{service}-db"]
            allowed += [(deployment[service], database, 5432), (job[service], database, 5432),
                        (database, database, 5432), (o["cnpg"], database, 8000), (o["prometheus"], database, 9187)]
            denied += [(deployment["portal"], database, 5432), (nats, database, 5432), (o["stranger"], database, 5432),
                       (deployment[service], o["internet"], 5432)]
            denied += [(deployment[other], database, 5432) for other in SERVICES if other != service]
        else:
            allowed += [(deployment[service], o["internet"], 5432), (job[service], o["internet"], 5432)]
    for pod in pods.values():
        allowed.append((pod, o["dns"], 53, "UDP"))
    return allowed, denied


@pytest.mark.parametrize("name", OVERLAYS)
def test_network_policies_deny_by_default_and_open_only_the_architectures_paths(rendered, name):
    policies = list(of_kind(rendered[name], "NetworkPolicy").values())
    assert any(p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
               and not p["spec"].get("ingress") and not p["spec"].get("egress") for p in policies), "no default-deny policy"
    allowed, denied = _flows(name, rendered[name])
    closed_paths = [f"{s.name} -> {t.name}:{port}" for s, t, port, *proto in allowed
                    if not reachable(policies, s, t, port, *proto)]
    open_paths = [f"{s.name} -> {t.name}:{port}" for s, t, port, *proto in denied
                  if reachable(policies, s, t, port, *proto)]
    assert not closed_paths, "needed but closed:\n" + "\n".join(closed_paths)
    assert not open_paths, "open but not needed:\n" + "\n".join(open_paths)


# ---------------------------------------------------------------------------------------------
# NATS (Helm values)


def test_nats_runs_as_a_three_server_jetstream_cluster_with_the_platforms_users(rendered):
    values = load_yaml(K8S / "nats" / "values.yaml")
    config = values["config"]
    assert config["cluster"]["enabled"] is True and config["cluster"]["replicas"] == 3
    assert config["jetstream"]["enabled"] is True
    assert config["jetstream"]["fileStore"]["enabled"] is True and config["jetstream"]["fileStore"]["pvc"]["enabled"] is True
    assert config["jetstream"]["merge"]["sync_interval"] == "always"
    assert config["monitor"]["enabled"] is True, "KEDA's nats-jetstream scaler reads the monitoring endpoint"
    assert config["merge"]["$include"] == "./auth.conf"
    assert "auth.conf" in values["configMap"]["merge"]["data"]

    # Every password auth.conf refers to is in the server's environment, from the Secret the
    # services read theirs from, under the same key.
    auth = (ROOT / "deploy" / "nats" / "auth.conf").read_text(encoding="utf-8")
    referenced = set(re.findall(r"\$([A-Z_]+_NATS_PASSWORD)", auth))
    env = values["container"]["env"]
    passwords = {name: item for name, item in env.items() if name.endswith("_NATS_PASSWORD")}
    assert referenced == set(passwords)
    server_keys = {name: item["valueFrom"]["secretKeyRef"] for name, item in passwords.items()}
    assert {ref["name"] for ref in server_keys.values()} == {"govit-nats"}
    for name in EVERY:
        for service in SERVICES:
            container = pod_spec(of_kind(rendered[name], "Deployment")[service])["containers"][0]
            (item,) = [e for e in container["env"] if e["name"] == f"{service.upper()}_NATS_PASSWORD"]
            assert item["valueFrom"]["secretKeyRef"] == server_keys[f"{service.upper()}_NATS_PASSWORD"]
