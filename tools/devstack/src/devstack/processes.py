"""Each service as its own OS process, as it runs in production: start, wait until ready,
stop, SIGKILL, restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SERVICES = ("intake", "review", "procurement", "acceptance", "notify")
DEFAULT_PORTS = {"intake": 8001, "review": 8002, "procurement": 8003, "acceptance": 8004, "notify": 8005}
PORTAL_PORT = 8000


class ServiceFailedToStart(RuntimeError):
    pass


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        env = {**os.environ, **self.env, **(extra_env or {})}
        env[f"{self.name.upper()}_HTTP_PORT"] = str(self.port)
        env.setdefault("PYTHONUNBUFFERED", "1")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        # A session of its own, so Ctrl-C in the launcher's terminal reaches only the launcher,
        # which then stops the services in order.
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.name, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if not self.alive():
                raise ServiceFailedToStart(f"{self.name} exited with {self.process.returncode if self.process else '?'}:\n{self.log_tail()}")
            try:
                response = httpx.get(f"{self.url}/readyz", timeout=2)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise ServiceFailedToStart(f"{self.name} not ready after {timeout:.0f}s ({last}):\n{self.log_tail()}")

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def stop(self, timeout: float = 15) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.kill()
            self.process.wait()

    def restart(self, extra_env: dict[str, str] | None = None, timeout: float = 90) -> None:
        self.stop()
        self.start(extra_env)
        self.wait_ready(timeout)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def service_env(nats_url: str, database_urls: dict[str, str], nats_passwords: dict[str, str] | None = None,
                **shared: str) -> dict[str, str]:
    """The environment of the service processes; each gets its own NATS user when the server has users."""
    env = {"NATS_URL": nats_url, **shared}
    for name, url in database_urls.items():
        env[f"{name.upper()}_DATABASE_URL"] = url
        if nats_passwords is not None:
            env[f"{name.upper()}_NATS_USER"] = name
            env[f"{name.upper()}_NATS_PASSWORD"] = nats_passwords[name]
    return env


def start_services(
    names: tuple[str, ...] | list[str],
    env: dict[str, str],
    ports: dict[str, int],
    log_dir: Path,
    timeout: float = 120,
) -> dict[str, ServiceProcess]:
    """Start every named service at once and wait until each is ready; on failure stop them all."""
    processes = {name: ServiceProcess(name, ports[name], env, log_dir / f"{name}.log") for name in names}
    for process in processes.values():
        process.start()
    try:
        for process in processes.values():
            process.wait_ready(timeout)
    except Exception:
        for process in processes.values():
            process.stop()
        raise
    return processes


def portal_env(service_urls: dict[str, str], shared: dict[str, str], session_secret: str, port: int) -> dict[str, str]:
    """The portal's environment: where each service answers, the sign-in provider and key, its cookie secret."""
    env = {key: value for key, value in shared.items() if key.startswith(("AUTH_", "PORTAL_", "LOG_", "OTEL_"))}
    env.update({f"PORTAL_{name.upper()}_URL": url for name, url in service_urls.items()})
    env["PORTAL_SESSION_SECRET"] = session_secret
    env["PORTAL_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    return env


def start_portal(service_urls: dict[str, str], shared: dict[str, str], session_secret: str, port: int,
                 log_dir: Path, timeout: float = 60) -> ServiceProcess:
    """The web console, started once the services answer (its readiness asks the sign-in provider)."""
    portal = ServiceProcess("portal", port, portal_env(service_urls, shared, session_secret, port), log_dir / "portal.log")
    portal.start()
    try:
        portal.wait_ready(timeout)
    except Exception:
        portal.stop()
        raise
    return portal
