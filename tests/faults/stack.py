"""A platform of the fault suite's own: its own nats-server, its own PostgreSQL, its own service
processes, so it can crash any of them without disturbing the other tests' platform.

A supervisor restarts a service process that died, as an orchestrator would, and keeps a log of
every fault and every restart for the report.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nats

from devstack.auth import DevIssuer
from devstack.nats_server import NatsServer, platform_passwords, start_nats
from devstack.postgres_server import PostgresServer, start_postgres
from devstack.processes import ServiceProcess, service_env
from devstack.servers import free_port, provision_databases

from tests.integration.harness import Api, ServiceDatabase

log = logging.getLogger(__name__)

SERVICES = ("acceptance", "intake", "procurement", "notify")
"""Review takes no part in the lifecycle the suite drives (approvals are not made here)."""

RUNTIME = {
    "CLOCK_MODE": "movable",
    "LOG_LEVEL": "INFO",
    "CALENDAR_ALLOW_PROVISIONAL": "true",
    # A message held by a killed process comes back after ack_wait; short, to keep the suite short.
    "CONSUMER_ACK_WAIT_SECONDS": "3",
    # About 4.5 s of failed attempts before a message is parked: longer than a PostgreSQL restart
    # here, so an outage delays events instead of parking them (production allows about 22 s).
    "CONSUMER_MAX_DELIVER": "5",
    "CONSUMER_BACKOFF_SECONDS": "[0.3, 0.6, 1.2, 2.4, 4.8]",
}
PER_SERVICE = {
    # An outbox row whose publish failed (NATS away) is retried soon once NATS is back.
    "OUTBOX_RETRY_SECONDS": "[0.2, 0.5, 1, 2]",
    "OUTBOX_POLL_SECONDS": "0.5",
}

async def _quiet(error: Exception) -> None:
    """The suite's own short connections: a failure is retried by the caller, not logged."""


FAILPOINT_GRACE = 60.0
"""An armed failpoint that nothing reaches within this time is disarmed by a clean restart."""


@dataclass
class Incident:
    at: float
    what: str

    def __str__(self) -> str:
        return f"{self.at:7.2f}s {self.what}"


@dataclass
class Armed:
    point: str
    until: float


@dataclass
class FaultStack:
    root: Path
    issuer: DevIssuer
    services: tuple[str, ...] = SERVICES
    settings: dict[str, str] = field(default_factory=dict)
    """Environment over ``RUNTIME`` and ``PER_SERVICE``."""
    nats: NatsServer | None = None
    postgres: PostgresServer | None = None
    databases: dict[str, str] = field(default_factory=dict)
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)
    starts: dict[str, int] = field(default_factory=dict)
    """Starts of each service after the first, by the supervisor."""
    fired: list[str] = field(default_factory=list)
    injected: list[str] = field(default_factory=list)
    """The faults as they happened, for the report: what, and when (seconds into the run)."""
    postgres_down: asyncio.Event = field(default_factory=asyncio.Event)
    _armed: dict[str, Armed] = field(default_factory=dict)
    _queued: dict[str, list[str]] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _watchers: list[asyncio.Task[None]] = field(default_factory=list)
    _began: float = field(default_factory=time.monotonic)

    # ---- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        state = self.root / "servers"
        self.nats = await asyncio.to_thread(start_nats, state / "nats", passwords=platform_passwords(state / "nats"))
        self.postgres = await asyncio.to_thread(start_postgres, state / "postgres")
        self.databases = await provision_databases(self.postgres.admin_url, list(self.services), None,
                                                   database_suffix=f"_f{uuid.uuid4().hex[:6]}")
        env = service_env(self.nats.url, self.databases, self.nats.passwords, **RUNTIME, **self.issuer.env())
        for name in self.services:
            env.update({f"{name.upper()}_{key}": value for key, value in PER_SERVICE.items()})
        env.update(self.settings)
        logs = self.root / "logs"
        self.processes = {name: ServiceProcess(name, free_port(), env, logs / f"{name}.log") for name in self.services}
        self._locks = {name: asyncio.Lock() for name in self.services}
        self.starts = dict.fromkeys(self.services, 0)
        for process in self.processes.values():
            process.start({"FAILPOINTS": ""})
        await asyncio.gather(*(asyncio.to_thread(p.wait_ready, 120) for p in self.processes.values()))
        self._began = time.monotonic()
        self._watchers = [asyncio.create_task(self._supervise(name), name=f"supervising {name}") for name in self.services]

    async def close(self) -> None:
        for watcher in self._watchers:
            watcher.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)
        for process in self.processes.values():
            await asyncio.to_thread(process.stop)
        if self.postgres is not None:
            self.postgres.stop()
        if self.nats is not None:
            self.nats.stop()

    def note(self, what: str, *, fault: str | None = None) -> None:
        at = time.monotonic() - self._began
        self.incidents.append(Incident(at, what))
        if fault is not None:
            self.injected.append(f"{fault}@{at:.0f}s")
        log.info("fault suite: %s", what)

    @property
    def nats_admin_url(self) -> str:
        assert self.nats is not None
        return self.nats.admin_url

    def api(self) -> dict[str, Api]:
        return {name: Api(process.url, self.issuer) for name, process in self.processes.items()}

    def dbs(self) -> dict[str, ServiceDatabase]:
        return {name: ServiceDatabase(url) for name, url in self.databases.items()}

    # ---- the supervisor --------------------------------------------------------------------------

    def queue_failpoint(self, name: str, point: str) -> None:
        """Arm ``point`` in ``name`` at its next start (after the next crash)."""
        self._queued.setdefault(name, []).append(point)

    @property
    def failpoints_pending(self) -> bool:
        return bool(self._armed) or any(self._queued.values())

    async def _supervise(self, name: str) -> None:
        process = self.processes[name]
        while True:
            try:
                await self._look_after(name, process)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noted, and tried again on the next round
                self.note(f"{name}: supervisor could not bring it back: {exc!r}"[:300])
            await asyncio.sleep(0.1)

    async def _look_after(self, name: str, process: ServiceProcess) -> None:
        lock = self._locks[name]
        if lock.locked():
            return
        armed = self._armed.get(name)
        if not process.alive():
            async with lock:
                self._record_exit(name, process)
                await self._bring_up(name, process)
        elif armed is not None and time.monotonic() > armed.until:
            async with lock:
                self._armed.pop(name, None)
                self.note(f"{name}: failpoint {armed.point} not reached; disarmed")
                await asyncio.to_thread(process.stop)
                await self._bring_up(name, process)

    def _record_exit(self, name: str, process: ServiceProcess) -> None:
        code = process.process.returncode if process.process is not None else None
        armed = self._armed.pop(name, None)
        if armed is not None and code == -signal.SIGKILL:
            self.fired.append(f"{name}:{armed.point}")
            self.note(f"{name}: killed itself at failpoint {armed.point}", fault=f"{name} at {armed.point}")
        elif armed is not None:
            self._queued.setdefault(name, []).insert(0, armed.point)
            self.note(f"{name}: exited with {code} before its failpoint")
        elif code != -signal.SIGKILL:
            self.note(f"{name}: exited with {code}")

    async def _bring_up(self, name: str, process: ServiceProcess) -> None:
        """Start ``name`` with the next queued failpoint, if any, until it answers ``/healthz``.

        As an orchestrator's liveness probe would, only an exit brings a restart: a process that
        answers but reports itself not ready (``/readyz``) is left as it is, and whatever that
        costs shows in the checks. A start that fails (the database or NATS away, an armed point
        reached while starting) is followed by another."""
        while True:
            queued = self._queued.get(name) or []
            point = queued.pop(0) if queued else None
            process.start({"FAILPOINTS": f"{point}=kill" if point else ""})
            self.starts[name] += 1
            if point is not None:
                self._armed[name] = Armed(point, time.monotonic() + FAILPOINT_GRACE)
                self.note(f"{name}: started with failpoint {point}")
            if await self._answers(process):
                self.note(f"{name}: up")
                return
            if process.alive():
                await asyncio.to_thread(process.kill)
                if self._armed.pop(name, None) is not None:
                    self._queued.setdefault(name, []).insert(0, point)  # type: ignore[arg-type]
                self.note(f"{name}: never answered; killed")
            else:
                self._record_exit(name, process)
            await asyncio.sleep(0.5)

    @staticmethod
    async def _answers(process: ServiceProcess, timeout: float = 90) -> bool:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline and process.alive():
                try:
                    if (await client.get(f"{process.url}/healthz")).status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        return False

    # ---- faults ----------------------------------------------------------------------------------

    async def kill(self, name: str) -> None:
        """SIGKILL the process, as the OOM killer or a lost node would; the supervisor brings it back."""
        async with self._locks[name]:
            process = self.processes[name]
            if process.alive():
                process.kill()
                self.note(f"{name}: SIGKILL", fault=f"SIGKILL {name}")

    async def restart_nats(self, *, crash: bool, down_for: float) -> None:
        assert self.nats is not None
        if crash:
            await asyncio.to_thread(self.nats.kill)
        else:
            await asyncio.to_thread(self.nats.stop)
        self.note(f"nats-server: {'SIGKILL' if crash else 'stopped'}",
                  fault=f"nats-server {'SIGKILL' if crash else 'stop'} {down_for}s")
        await asyncio.sleep(down_for)
        await asyncio.to_thread(self.nats._start)
        self.note("nats-server: back")

    async def restart_postgres(self, *, crash: bool, down_for: float) -> None:
        assert self.postgres is not None
        if crash:
            await asyncio.to_thread(self.postgres.kill)
        else:
            await asyncio.to_thread(self.postgres.stop)
        self.note(f"postgres: {'SIGKILL' if crash else 'stopped'}",
                  fault=f"postgres {'SIGKILL' if crash else 'stop'} {down_for}s")
        self.postgres_down.set()
        await asyncio.sleep(down_for)
        await asyncio.to_thread(self.postgres._start)
        self.postgres_down.clear()
        self.note("postgres: back")

    async def publish_raw(self, subject: str, body: bytes, headers: dict[str, str]) -> bool:
        """Publish as an operator (admin user); returns whether JetStream dropped it as a duplicate."""
        nc = await nats.connect(self.nats_admin_url, error_cb=_quiet, allow_reconnect=False)
        try:
            ack = await nc.jetstream().publish(subject, body, headers=headers, timeout=10)
            return bool(ack.duplicate)
        finally:
            await nc.close()

    async def disarm(self) -> None:
        """Restart without failpoints every service still armed; forget the queued ones."""
        for name in self.services:
            async with self._locks[name]:
                dropped = self._queued.pop(name, [])
                armed = self._armed.pop(name, None)
                if armed is None and not dropped:
                    continue
                self.note(f"{name}: failpoints never reached: {[a.point for a in [armed] if a] + dropped}")
                if armed is not None and self.processes[name].alive():
                    await asyncio.to_thread(self.processes[name].stop)
                    await self._bring_up(name, self.processes[name])

    # ---- quiescence ------------------------------------------------------------------------------

    async def up(self) -> bool:
        return not any(lock.locked() for lock in self._locks.values()) and all(p.alive() for p in self.processes.values())

    async def all_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.failpoints_pending and await self.up():
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"services not back within {timeout}s: "
                             f"{ {n: p.alive() for n, p in self.processes.items()} }, armed {self._armed}")

    async def consumer_filters(self) -> dict[str, list[str]]:
        """Every durable consumer of the platform and the subjects it takes."""
        nc = await nats.connect(self.nats_admin_url, error_cb=_quiet, allow_reconnect=False)
        try:
            js = nc.jetstream()
            found: dict[str, list[str]] = {}
            for stream in await js.streams_info():
                for info in await js.consumers_info(stream.config.name):
                    config = info.config
                    subjects = list(config.filter_subjects or ([config.filter_subject] if config.filter_subject else []))
                    found[info.name] = subjects
            return found
        finally:
            await nc.close()

    async def pending(self) -> dict[str, tuple[int, int]]:
        """(num_pending, num_ack_pending) per durable consumer."""
        nc = await nats.connect(self.nats_admin_url, error_cb=_quiet, allow_reconnect=False)
        try:
            js = nc.jetstream()
            result = {}
            for stream in await js.streams_info():
                for info in await js.consumers_info(stream.config.name):
                    result[info.name] = (info.num_pending, info.num_ack_pending)
            return result
        finally:
            await nc.close()

    def log_tails(self, lines: int = 15) -> str:
        return "\n".join(f"--- {name}.log\n{p.log_tail(lines)}" for name, p in self.processes.items())
