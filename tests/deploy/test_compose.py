"""docker-compose.yml and the image: the same platform as `./govit up`, started in order
(databases and NATS healthy, migrations done, services ready, then the demo), with the
configuration files it mounts consistent with the code."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from typing import Any

import jsonschema
import pytest
import yaml

from devstack.auth import ISSUER as DEV_ISSUER
from devstack.processes import DEFAULT_PORTS
from tests.deploy.support import (
    PORTAL_PORT, ROOT, SERVICES, compose_value, env_file, load_settings, load_yaml,
)

COMPOSE = ROOT / "docker-compose.yml"
AUTH_CONF = ROOT / "deploy" / "nats" / "auth.conf"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict[str, Any]:
    return compose["services"]


def depends(service: dict[str, Any]) -> dict[str, str]:
    return {name: spec["condition"] for name, spec in service.get("depends_on", {}).items()}


def environment_of(service: dict[str, Any], auth: str = "dev") -> dict[str, str]:
    """What the container's process sees: its env_file, then environment, interpolated."""
    env: dict[str, str] = {}
    for path in service.get("env_file", []):
        env.update(env_file(ROOT / compose_value(path, {"GOVIT_AUTH": auth})))
    env.update({key: compose_value(str(value)) for key, value in service.get("environment", {}).items()})
    return env


def compose_errors(document: dict[str, Any]) -> list[str]:
    schema = load_yaml(ROOT / "tests" / "deploy" / "schemas" / "compose-spec.yaml")
    return [f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in jsonschema.Draft7Validator(schema).iter_errors(document)]


def test_the_file_follows_the_compose_specification(compose):
    assert compose_errors(compose) == []


@pytest.mark.parametrize("break_it, expected", [
    (lambda c: c["services"]["intake"]["depends_on"]["intake-migrate"].__setitem__("condition", "service_done"), "condition"),
    (lambda c: c["services"]["intake"].__setitem__("healthcheck_", {}), "healthcheck_"),
    (lambda c: c["services"]["nats"].__setitem__("ports", "4222:4222"), "ports"),
], ids=["unknown-condition", "misspelt-key", "ports-not-a-list"])
def test_a_broken_compose_file_is_reported(compose, break_it, expected):
    broken = copy.deepcopy(compose)
    break_it(broken)
    errors = compose_errors(broken)
    assert errors and any(expected in error for error in errors), errors


def test_the_ports_are_those_of_the_local_launcher():
    assert DEFAULT_PORTS == SERVICES


def test_it_runs_every_service_and_the_infrastructure(services):
    expected = {*SERVICES, "portal", "postgres", "nats", "keycloak", "otel-collector", "jaeger", "prometheus", "demo", "oidc"}
    assert expected <= set(services)
    for name in (*SERVICES, "portal"):
        assert services[name]["environment"]["GOVIT_SERVICE"] == name
        assert services[name]["image"] == "govit:local" and services[name]["build"]["target"] == "runtime"


def test_each_service_has_a_database_of_its_own(services):
    script = (ROOT / "deploy" / "postgres" / "init-databases.sh").read_text(encoding="utf-8")
    (listed,) = re.findall(r"^for service in ([a-z ]+); do$", script, re.M)
    assert listed.split() == list(SERVICES)
    mounted = [v for v in services["postgres"]["volumes"] if "init-databases.sh" in v]
    assert mounted and mounted[0].split(":")[1].startswith("/docker-entrypoint-initdb.d/")
    postgres_env = environment_of(services["postgres"])
    urls = {}
    for service in SERVICES:
        url = environment_of(services[service])[f"{service.upper()}_DATABASE_URL"]
        match = re.fullmatch(r"postgresql\+asyncpg://([a-z]+):([^@]+)@postgres:5432/([a-z]+)", url)
        assert match, url
        role, password, database = match.groups()
        assert role == database == service
        # The role is created with the password the service connects with.
        assert postgres_env[f"{service.upper()}_DB_PASSWORD"] == password
        urls[service] = url
    assert len(set(urls.values())) == len(SERVICES)


def test_nats_runs_jetstream_with_fsync_always_and_the_platforms_users(services):
    config = (ROOT / "deploy" / "nats" / "nats-server.conf").read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in config.splitlines())
    jetstream = re.search(r"jetstream\s*\{([^}]*)\}", code)
    assert jetstream and re.search(r"^\s*sync_interval:\s*always\s*$", jetstream.group(1), re.M)
    assert re.search(r"^\s*include\s+\.?/?auth\.conf\s*$", code, re.M)
    assert re.search(r"^\s*http:\s*\S+:8222\s*$", code, re.M), "monitoring on 8222 (health check, exporter)"
    nats = services["nats"]
    assert "./deploy/nats:/etc/nats:ro" in nats["volumes"]
    assert nats["command"][-1] == "/etc/nats/nats-server.conf"
    major, minor = map(int, re.match(r"nats:(\d+)\.(\d+)", nats["image"]).groups())
    assert (major, minor) >= (2, 10), "consumers filter on several subjects: JetStream 2.10+"
    # nats-server refuses a configuration with an undefined variable: every password must be set.
    referenced = set(re.findall(r"\$([A-Z_]+_NATS_PASSWORD)", AUTH_CONF.read_text(encoding="utf-8")))
    nats_env = environment_of(nats)
    assert referenced <= set(nats_env)
    for service in SERVICES:
        env = environment_of(services[service])
        assert env[f"{service.upper()}_NATS_USER"] == service
        assert env[f"{service.upper()}_NATS_PASSWORD"] == nats_env[f"{service.upper()}_NATS_PASSWORD"]
        assert env["NATS_URL"] == "nats://nats:4222"


def test_keycloak_imports_the_realm(services):
    keycloak = services["keycloak"]
    assert "--import-realm" in keycloak["command"]
    (mount,) = [v for v in keycloak["volumes"] if "govit-realm.json" in v]
    source, target = mount.split(":")[:2]
    assert (ROOT / source).is_file() and target == "/opt/keycloak/data/import/govit-realm.json"
    assert "healthcheck" in keycloak


def test_traces_go_through_the_collector_to_jaeger(services):
    collector = load_yaml(ROOT / "deploy" / "otel" / "collector.yaml")
    (mount,) = services["otel-collector"]["volumes"]
    assert mount.startswith("./deploy/otel/collector.yaml:")
    pipeline = collector["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"]
    (exporter,) = pipeline["exporters"]
    assert collector["exporters"][exporter]["endpoint"] == "jaeger:4317"
    assert collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    for service in (*SERVICES, "portal"):
        assert environment_of(services[service])["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
    # Kubernetes runs the same pipeline, only the backend differs.
    kubernetes = load_yaml(ROOT / "deploy" / "k8s" / "base" / "otel-collector-config.yaml")
    assert kubernetes["receivers"] == collector["receivers"] and kubernetes["processors"] == collector["processors"]
    assert kubernetes["service"]["pipelines"]["traces"]["processors"] == pipeline["processors"]


def test_prometheus_scrapes_every_service_and_nats(services):
    config = load_yaml(ROOT / "deploy" / "prometheus" / "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    targets = {target for group in jobs["govit"]["static_configs"] for target in group["targets"]}
    assert jobs["govit"]["metrics_path"] == "/metrics"
    assert targets == {f"{name}:{port}" for name, port in {**SERVICES, "portal": PORTAL_PORT}.items()}
    (nats_group,) = jobs["nats"]["static_configs"]
    assert nats_group["targets"] == ["nats-exporter:7777"]
    assert "http://nats:8222" in services["nats-exporter"]["command"]
    assert {"-jsz=all", "-prefix=nats", "-healthz"} <= set(services["nats-exporter"]["command"])
    rules = load_yaml(ROOT / "deploy" / "prometheus" / "alerts.yml")
    expressions = " ".join(rule["expr"] for group in rules["groups"] for rule in group["rules"])
    for metric in ("govit_outbox_oldest_age_seconds", "govit_parked_messages", "govit_consumer_pending", "nats_healthz_status"):
        assert metric in expressions


def test_every_service_migrates_first_and_starts_in_order(services):
    for service in SERVICES:
        migrate = services[f"{service}-migrate"]
        assert migrate["command"] == ["migrate"]
        assert migrate["environment"] == services[service]["environment"]
        assert depends(migrate) == {"postgres": "service_healthy"}
        assert migrate["restart"] == "no"
        assert services[service]["command"] == ["serve", "--no-migrate"]
        assert depends(services[service]).items() >= {f"{service}-migrate": "service_completed_successfully",
                                                       "nats": "service_healthy",
                                                       "dev-issuer": "service_completed_successfully"}.items()
    assert depends(services["portal"]) == dict.fromkeys(SERVICES, "service_healthy")
    assert depends(services["demo"]) == dict.fromkeys(SERVICES, "service_healthy")


def test_every_service_has_a_readiness_health_check(services):
    for name, port in {**SERVICES, "portal": PORTAL_PORT}.items():
        check = services[name]["healthcheck"]
        assert f"http://127.0.0.1:{port}/readyz" in " ".join(check["test"]), name
    for name in ("postgres", "nats", "keycloak"):
        assert services[name]["healthcheck"]["test"], name


def test_published_ports_stay_on_this_machine(services):
    for name, service in services.items():
        for mapping in service.get("ports", []):
            assert mapping.startswith("127.0.0.1:"), f"{name} publishes {mapping} on every interface"


@pytest.mark.parametrize("auth", ["dev", "keycloak"])
def test_settings_load_from_the_compose_environment(services, auth):
    for service, port in SERVICES.items():
        for container in (service, f"{service}-migrate"):
            settings = load_settings(service, environment_of(services[container], auth))
            assert settings.port == port and settings.http_host == "0.0.0.0"
            assert (settings.auth_jwks_file is not None) == (auth == "dev")
    portal = load_settings("portal", environment_of(services["portal"], auth))
    assert portal.http_port == PORTAL_PORT and portal.http_host == "0.0.0.0"
    for service, port in SERVICES.items():
        assert portal.service_url(service) == f"http://{service}:{port}"
    intake = load_settings("intake", environment_of(services["intake"], auth))
    assert portal.auth_issuer == intake.auth_issuer, "portal and services trust one issuer"


def test_the_portal_signs_in_where_the_browser_and_the_portal_both_reach_the_provider(services):
    oidc = services["oidc"]
    assert oidc["network_mode"] == "service:portal"
    assert "127.0.0.1:8009:8009" in services["portal"]["ports"]
    assert oidc["command"][:3] == ["python", "-m", "devstack.oidc"]
    public_url = oidc["command"][oidc["command"].index("--public-url") + 1]
    assert environment_of(services["portal"], "dev")["PORTAL_OIDC_DISCOVERY_URL"].startswith(public_url + "/")
    assert depends(oidc) == {"dev-issuer": "service_completed_successfully", "portal": "service_started"}
    keycloak = environment_of(services["portal"], "keycloak")["PORTAL_OIDC_DISCOVERY_URL"]
    assert keycloak.startswith("http://keycloak:8080/realms/govit/")
    assert services["keycloak"]["environment"]["KC_HOSTNAME_BACKCHANNEL_DYNAMIC"] == "true"


def test_the_demo_is_the_launchers_demo_under_the_development_issuer(services):
    demo = services["demo"]
    script = demo["command"][-1]
    compile(script, "docker-compose.yml: demo", "exec")
    assert "demo.load(" in script and "DevIssuer(" in script
    assert environment_of(demo, "dev")["AUTH_ISSUER"] == DEV_ISSUER
    assert environment_of(demo, "keycloak")["AUTH_ISSUER"] != DEV_ISSUER  # and the loader skips itself
    issuer_volume = "dev-issuer:/var/lib/govit/auth"
    assert issuer_volume in services["dev-issuer"]["volumes"] and issuer_volume in demo["volumes"]
    for service in SERVICES:
        assert f"{issuer_volume}:ro" in services[service]["volumes"]
        assert environment_of(services[service], "dev")["AUTH_JWKS_FILE"] == "/var/lib/govit/auth/jwks.json"
        # As `./govit up`: the demo moves the business clock and runs into years without holiday data.
        assert environment_of(services[service])["CLOCK_MODE"] == "movable"


def test_the_image_is_built_from_the_lock_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", dockerfile, re.M | re.I)
    assert stages[-1] == "runtime", "a plain `docker build` must give the service image"
    assert "tools" in stages
    runtime = dockerfile.split("AS runtime", 1)[1]
    (user,) = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    assert not user.startswith(("0", "root"))
    syncs = re.findall(r"^\s+uv sync ([^\n]*)", dockerfile, re.M)
    assert syncs and all("--locked" in s and "--no-dev" in s for s in syncs)
    assert "GOVIT_SERVICE" in runtime and 'CMD ["serve", "--no-migrate"]' in runtime
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".govit", "**/tests"} <= set(ignored)


def test_docker_compose_accepts_the_file():
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker is not installed")
    version = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=30, check=False)
    if version.returncode != 0:
        reason = (version.stderr or version.stdout).strip().splitlines()
        pytest.skip(f"`docker compose version` does not work here: {reason[0] if reason else version.returncode}")
    run = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "-q"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
