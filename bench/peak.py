"""The annual peak, end to end: every unit declaring at once, against the running platform.

All five services run as their own processes over real NATS JetStream and real PostgreSQL (the
bundled servers, unless NATS_URL and POSTGRES_ADMIN_URL name others); this process is only the
load generator and the stopwatch. Each figure stands beside a baseline measured in the same run
on the same servers:

- declaration POST in intake          vs a bare FastAPI endpoint: one insert + one outbox row
- review opening a case per event     vs a bare JetStream pull consumer committing one row
- an opinion POST in review           vs the same bare FastAPI endpoint
- event lag, intake's commit to
  review's case committed, offered
  at 300 declarations per second      vs JetStream publish to the bare consumer's commit
- a backlog drained by one review replica and by two sharing the durable consumer
- the most memory (RSS) each service process held

    uv run --locked python bench/peak.py

The result goes to ``results/latest.json``; targets are printed PASS or MISS. The exit code is
non-zero only when the benchmark itself failed (a server did not start, a request was refused, an
event never arrived), never for a missed target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import asyncpg
import httpx
import nats

from devstack.auth import DevIssuer
from devstack.ports import free_port
from devstack.processes import SERVICES, ServiceProcess, service_env, start_services
from devstack.provisioning import provision_databases
from devstack.servers import Infrastructure

from baseline_consumer import DURABLE as BASELINE_DURABLE
from baseline_consumer import STREAM as BASELINE_STREAM
from intake_declarations import drive, percentile, prepare_units, start_baseline, wait_answering, workload
from review_backlog import drain_time, plain

ROOT = Path(__file__).resolve().parent
REVIEW_CONSUMER = "review-from-intake"

TARGETS = {
    "intake_ratio": (">=", 0.5),
    "event_lag_p99_ms": ("<", 50.0),
    "review_scaleout_ratio": (">=", 1.6),
    "rss_mb_max": ("<", 150.0),
}

# A deferred constraint trigger runs at COMMIT, after every statement of the transaction, so
# clock_timestamp() there is the commit moment to within the WAL flush, in the database's own
# clock; both ends of a lag are marked the same way, so that flush appears on both sides.
COMMIT_MARKS = """
CREATE TABLE IF NOT EXISTS bench_commit (key text PRIMARY KEY, committed_at timestamptz NOT NULL);
CREATE OR REPLACE FUNCTION bench_commit_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bench_commit VALUES (to_jsonb(NEW) ->> TG_ARGV[0], clock_timestamp()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS bench_commit_mark ON {table};
CREATE CONSTRAINT TRIGGER bench_commit_mark AFTER INSERT ON {table} DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bench_commit_mark('{key}');
"""


# ---------------------------------------------------------------------------------------------
# memory


def rss_bytes(pid: int) -> int | None:
    try:
        import psutil
    except ImportError:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.Error:
        return None


class MemoryWatch(threading.Thread):
    """Samples each watched process's RSS a few times a second and keeps the most it held."""

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(name="rss", daemon=True)
        self.interval = interval
        self.pids: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self._done = threading.Event()

    def watch(self, label: str, pid: int) -> None:
        self.pids[label] = pid
        self.sample()

    def sample(self) -> None:
        for label, pid in list(self.pids.items()):
            rss = rss_bytes(pid)
            if rss is not None:
                self.peak[label] = max(self.peak.get(label, 0), rss)

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.sample()

    def stop(self) -> dict[str, float]:
        self._done.set()
        self.sample()
        return {label: round(value / 2**20, 1) for label, value in sorted(self.peak.items())}


def cpu_seconds(pid: int, tree: bool = False) -> float | None:
    """User + system CPU a process has used; with ``tree``, with its live children and those it
    has reaped (a PostgreSQL server's backends)."""
    try:
        import psutil
    except ImportError:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # utime, stime, cutime, cstime are fields 14-17 of stat, 12-15 after the command
        ticks = sum(int(v) for v in fields[11:15 if tree else 13])
        return ticks / os.sysconf("SC_CLK_TCK")
    try:
        root = psutil.Process(pid)
        times = root.cpu_times()
        total = times.user + times.system
        if tree:
            total += times.children_user + times.children_system
            for child in root.children(recursive=True):
                try:
                    child_times = child.cpu_times()
                    total += child_times.user + child_times.system
                except psutil.Error:
                    pass
        return total
    except psutil.Error:
        return None


class CpuPhases:
    """CPU seconds each process used during each phase, and per operation of the phase: what a
    declaration costs the whole platform, not only the service that answers it."""

    def __init__(self) -> None:
        self.processes: dict[str, tuple[int, bool]] = {}
        self.phases: dict[str, dict] = {}

    def watch(self, label: str, pid: int, tree: bool = False) -> None:
        self.processes[label] = (pid, tree)

    def snapshot(self) -> dict[str, float]:
        taken = {label: cpu_seconds(pid, tree) for label, (pid, tree) in self.processes.items()}
        own = os.times()
        taken["load_generator"] = own.user + own.system
        return {label: value for label, value in taken.items() if value is not None}

    def record(self, name: str, ops: int, before: dict[str, float], seconds: float) -> None:
        after = self.snapshot()
        used = {label: round(after[label] - before[label], 2) for label in after if label in before}
        used = {label: value for label, value in used.items() if value >= 0.01}
        total = sum(used.values())
        self.phases[name] = {
            "ops": ops, "seconds": round(seconds, 2), "cpu_seconds": used, "cpu_seconds_total": round(total, 2),
            "cores_busy": round(total / seconds, 2) if seconds else None,
            "cpu_ms_per_op": {label: round(1000 * value / ops, 1) for label, value in used.items()} if ops else {},
            "cpu_ms_per_op_total": round(1000 * total / ops, 1) if ops else None,
        }


def servers_of(pid: int) -> dict[str, int]:
    """The NATS and PostgreSQL servers this process started, when it started them."""
    try:
        import psutil
        found = {}
        for child in psutil.Process(pid).children():
            name = child.name()
            if name.startswith("postgres"):
                found["postgres"] = child.pid
            elif name.startswith("nats-server"):
                found["nats"] = child.pid
        return found
    except Exception:
        return {}


# ---------------------------------------------------------------------------------------------
# where the database sessions wait


class ActivityWatch(threading.Thread):
    """Samples pg_stat_activity ten times a second and averages, per phase and database, how many
    sessions were in each state: running a statement, waiting for a lock, for the WAL flush, or
    idle in a transaction while the service computes (its CPU, not the database's)."""

    def __init__(self, admin_dsn: str, databases: dict[str, str], interval: float = 0.1) -> None:
        super().__init__(name="pg-activity", daemon=True)
        self.admin_dsn = admin_dsn
        self.databases = databases  # database name -> service
        self.interval = interval
        self.label: str | None = None
        self.samples: dict[str, int] = Counter()
        self.seen: dict[tuple[str, str, str], int] = Counter()
        self._done = threading.Event()

    def phase(self, label: str | None) -> None:
        self.label = label

    def run(self) -> None:
        asyncio.run(self._watch())

    async def _watch(self) -> None:
        connection = await asyncpg.connect(self.admin_dsn)
        try:
            while not self._done.is_set():
                label = self.label
                if label is not None:
                    rows = await connection.fetch(
                        "SELECT datname, state, coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS waiting "
                        "FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() "
                        "AND state IN ('active', 'idle in transaction')")
                    self.samples[label] += 1
                    for row in rows:
                        service = self.databases.get(row["datname"])
                        if service is not None:
                            what = "waiting for the service" if row["state"] == "idle in transaction" else row["waiting"]
                            self.seen[(label, service, what)] += 1
                await asyncio.sleep(self.interval)
        finally:
            await connection.close()

    def stop(self) -> dict:
        self._done.set()
        self.join(10)
        out: dict = {}
        for (label, service, what), n in sorted(self.seen.items()):
            out.setdefault(label, {}).setdefault(service, {})[what] = round(n / self.samples[label], 2)
        return out


# ---------------------------------------------------------------------------------------------
# whose CPU it was


def _machine_ticks() -> tuple[float, float]:
    """Busy and stolen CPU seconds of the whole machine since boot (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    hz = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / hz, steal / hz


class CpuAccount:
    """The machine's busy CPU over the run, split into this benchmark's (this process and every
    process it started and reaped: services, servers, baselines) and everybody else's, so a run
    that shared the machine with other work says so."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.busy, self.steal = _machine_ticks()
        self.ours = self._ours()

    @staticmethod
    def _ours() -> float:
        times = os.times()
        return times.user + times.system + times.children_user + times.children_system

    def close(self) -> dict:
        wall = time.perf_counter() - self.wall
        busy, steal = _machine_ticks()
        capacity = wall * (os.cpu_count() or 1)
        ours = self._ours() - self.ours
        others = max(0.0, busy - self.busy - ours)
        return {"seconds": round(wall, 1), "busy_pct": round(100 * (busy - self.busy) / capacity, 1),
                "benchmark_pct": round(100 * ours / capacity, 1), "other_work_pct": round(100 * others / capacity, 1),
                "stolen_pct": round(100 * (steal - self.steal) / capacity, 1)}


def quiet_machine(seconds: float = 2.0) -> float:
    """How busy the machine is before we start, in percent of all cores."""
    busy, _ = _machine_ticks()
    time.sleep(seconds)
    return round(100 * (_machine_ticks()[0] - busy) / (seconds * (os.cpu_count() or 1)), 1)


# ---------------------------------------------------------------------------------------------
# profiles (--profile)


class Profiler:
    """py-spy attached to a service for one phase; stacks in py-spy's raw (collapsed) format, which
    speedscope and flamegraph.pl read, plus a summary of where the samples fell."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.summaries: dict[str, dict] = {}
        self.command: list[str] | None = None
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            if shutil.which("py-spy"):
                self.command = ["py-spy"]
            elif shutil.which("uvx"):
                self.command = ["uvx", "py-spy"]
            else:
                raise SystemExit("--profile needs py-spy on PATH (or uvx to fetch it)")

    def start(self, name: str, pid: int) -> subprocess.Popen | None:
        if self.command is None:
            return None
        assert self.directory is not None
        out = self.directory / f"{name}.txt"
        # --nonblocking: the service is not paused per sample, so the profile disturbs what it measures less
        process = subprocess.Popen([*self.command, "record", "--pid", str(pid), "--rate", "100", "--format", "raw", "--nolineno",
                                    "--nonblocking", "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # attached before the phase begins
        return process

    def stop(self, name: str, process: subprocess.Popen | None) -> None:
        if process is None:
            return
        assert self.directory is not None
        process.send_signal(signal.SIGINT)  # py-spy writes what it has on SIGINT
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out = self.directory / f"{name}.txt"
        if out.exists():
            self.summaries[name] = summarise_profile(out)


def _package(frame: str) -> str:
    where = frame[frame.rfind("(") + 1:].rstrip(")")
    head = where.split("/", 1)[0] if "/" in where else where.split(".py", 1)[0]
    return head or "?"


def summarise_profile(raw: Path, top: int = 15) -> dict:
    own: Counter[str] = Counter()
    within: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        frames = stack.split(";")
        total += samples
        own[frames[-1]] += samples
        packages[_package(frames[-1])] += samples
        for frame in set(frames):
            within[frame] += samples

    def share(counter: Counter[str], limit: int) -> list[list]:
        return [[name, round(100 * n / total, 1)] for name, n in counter.most_common(limit)] if total else []
    project = Counter({frame: n for frame, n in within.items()
                       if _package(frame) in {"intake", "review", "servicekit", "contracts", "policy"}})
    return {"samples": total, "self_by_package_pct": share(packages, top), "self_pct": share(own, top),
            "project_frames_inclusive_pct": share(project, top), "stacks": raw.name}


# ---------------------------------------------------------------------------------------------
# load


def interleaved(issuer: DevIssuer, units: list[str], per_unit: int, person: str) -> list[tuple[dict, dict]]:
    """The workload with the units taking turns, so at any moment many units are declaring, not one."""
    load = workload(issuer, units, per_unit, person)
    return [load[u * per_unit + n] for n in range(per_unit) for u in range(len(units))]


def latency_summary(seconds: list[float]) -> dict:
    if not seconds:
        return {"count": 0}
    return {"count": len(seconds), "p50_ms": round(percentile(seconds, 0.50) * 1000, 1),
            "p99_ms": round(percentile(seconds, 0.99) * 1000, 1), "max_ms": round(max(seconds) * 1000, 1)}


async def paced(url: str, requests: list[tuple[dict, dict]], rate: float, max_in_flight: int) -> dict:
    """Open loop: request i leaves at i/rate seconds whatever happened to the earlier ones, as a crowd
    of units does. When ``max_in_flight`` answers are outstanding the slot is skipped and counted,
    so a slow service shows as a lower achieved rate instead of an ever-growing client queue."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    created: list[str] = []
    skipped = 0
    in_flight = 0
    limits = httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        async def send(body: dict, headers: dict) -> None:
            nonlocal in_flight
            began = time.perf_counter()
            try:
                response = await client.post("/declarations", json=body, headers=headers)
            finally:
                in_flight -= 1
            latencies.append(time.perf_counter() - began)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 201:
                created.append(response.json()["application_id"])

        tasks = []
        began = time.perf_counter()
        for n, (body, headers) in enumerate(requests):
            delay = began + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if in_flight >= max_in_flight:
                skipped += 1
                continue
            in_flight += 1
            tasks.append(asyncio.create_task(send(body, headers)))
        offered = time.perf_counter() - began
        await asyncio.gather(*tasks)
    return {"target_rate_per_s": rate, "offered": len(requests), "sent": len(tasks), "skipped_at_cap": skipped,
            "max_in_flight": max_in_flight, "offer_seconds": round(offered, 2),
            "sent_per_s": round(len(tasks) / offered, 1), "created_per_s": round(len(created) / offered, 1),
            "http": latency_summary(latencies), "statuses": statuses, "created": created}


def bench_payload() -> bytes:
    """An ApplicationSubmitted as intake publishes it, so the baseline moves bytes of the same size."""
    from contracts.base import PackRef
    from contracts.envelope import Envelope
    from contracts.events import ApplicationSubmitted

    return Envelope(ApplicationSubmitted(
        project_id="P-BENCH-000000", application_id=str(uuid.uuid4()), unit_id="BENCH-0000", pack=PackRef(id="BY", version="2024.1"),
        project_name="压测项目", declared_amount_fen=120_000_000, submitted_at=datetime.now(timezone.utc),
        project_class="build_develop"), source="/services/intake").body()


async def publish_bench(nats_url: str, run: str, count: int, rate: float | None) -> tuple[int, float]:
    """Publish ``count`` baseline events, paced at ``rate`` or as fast as acks come back; returns how
    many were published and when the first went out (perf_counter)."""
    payload = bench_payload()
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        pending: list[asyncio.Task] = []
        began = time.perf_counter()
        for n in range(count):
            if rate is not None:
                delay = began + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            headers = {"Nats-Msg-Id": f"{run}-{n}", "bench-run": run, "bench-published": repr(time.time())}
            pending.append(asyncio.create_task(js.publish(f"bench.event.{run}", payload, headers=headers)))
            if rate is None and len(pending) >= 200:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
        return count, began
    finally:
        await nc.close()


async def wait_count(dsn: str, query: str, args: tuple, expected: int, timeout: float, what: str, interval: float = 0.05) -> float:
    """Poll until ``query`` counts ``expected`` rows; returns when (perf_counter) it first did."""
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.perf_counter() + timeout
        while True:
            found = await connection.fetchval(query, *args)
            if found >= expected:
                return time.perf_counter()
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{what}: {found} of {expected} after {timeout:.0f}s")
            await asyncio.sleep(interval)
    finally:
        await connection.close()


# ---------------------------------------------------------------------------------------------
# commit marks and lag


async def install_marks(dsn: str, table: str, key: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(COMMIT_MARKS.format(table=table, key=key))
    finally:
        await connection.close()


async def remove_marks(dsn: str, table: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f"DROP TRIGGER IF EXISTS bench_commit_mark ON {table}")
    finally:
        await connection.close()


async def platform_lag(intake_dsn: str, review_dsn: str, application_ids: list[str], timeout: float) -> dict:
    """Intake's declaration commit → review's case commit, split at the relay's publish."""
    await wait_count(review_dsn, "SELECT count(*) FROM review_case WHERE application_id = ANY($1::text[])", (application_ids,),
                     len(application_ids), timeout, "review cases for the paced declarations")
    intake = await asyncpg.connect(intake_dsn)
    review = await asyncpg.connect(review_dsn)
    try:
        declared = {row["id"]: row for row in await intake.fetch(
            "SELECT d.id::text AS id, m.committed_at, o.published_at FROM declaration d "
            "JOIN bench_commit m ON m.key = d.id::text LEFT JOIN outbox o ON o.event_id = d.event_id "
            "WHERE d.id = ANY($1::uuid[])", application_ids)}
        opened = {row["id"]: row for row in await review.fetch(
            "SELECT c.application_id AS id, m.committed_at, i.processed_at FROM review_case c "
            "JOIN bench_commit m ON m.key = c.application_id "
            "JOIN inbox i ON i.consumer = $2 AND i.event_id = c.opened_by_event_id "
            "WHERE c.application_id = ANY($1::text[])", application_ids, REVIEW_CONSUMER)}
    finally:
        await intake.close()
        await review.close()
    lag, relay, hop, handle = [], [], [], []
    for key, row in declared.items():
        case = opened.get(key)
        if case is None:
            continue
        lag.append((case["committed_at"] - row["committed_at"]).total_seconds())
        handle.append((case["committed_at"] - case["processed_at"]).total_seconds())
        if row["published_at"] is not None:
            relay.append((row["published_at"] - row["committed_at"]).total_seconds())
            hop.append((case["committed_at"] - row["published_at"]).total_seconds())
    commits = sorted(row["committed_at"] for row in declared.values())
    window = (commits[-1] - commits[0]).total_seconds() if len(commits) > 1 else 0.0
    return {"events": len(lag), "committed_per_s": round((len(commits) - 1) / window, 1) if window else None,
            "lag": latency_summary(lag), "commit_to_published": latency_summary(relay), "published_to_effect": latency_summary(hop),
            "handling": latency_summary(handle)}


async def baseline_lag(dsn: str, run: str) -> dict:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT e.published_at, e.received_at, m.committed_at FROM baseline_effect e "
                                      "JOIN bench_commit m ON m.key = e.event_id WHERE e.run = $1", run)
    finally:
        await connection.close()
    return {"events": len(rows),
            "lag": latency_summary([(r["committed_at"] - r["published_at"]).total_seconds() for r in rows]),
            "published_to_received": latency_summary([(r["received_at"] - r["published_at"]).total_seconds() for r in rows]),
            "handling": latency_summary([(r["committed_at"] - r["received_at"]).total_seconds() for r in rows])}


async def baseline_paced(nats_url: str, dsn: str, rate: float, seconds: float, timeout: float) -> dict:
    run = f"lag{uuid.uuid4().hex[:8]}"
    count, _ = await publish_bench(nats_url, run, int(rate * seconds), rate)
    await wait_count(dsn, "SELECT count(*) FROM baseline_effect WHERE run = $1", (run,), count, timeout, "baseline events")
    return {"target_rate_per_s": rate, "published": count, **await baseline_lag(dsn, run)}


async def baseline_drain(nats_url: str, dsn: str, count: int, timeout: float) -> dict:
    run = f"drain{uuid.uuid4().hex[:8]}"
    _, began = await publish_bench(nats_url, run, count, None)
    done = await wait_count(dsn, "SELECT count(*) FROM baseline_effect WHERE run = $1", (run,), count, timeout, "baseline backlog")
    return {"events": count, "drain_seconds": round(done - began, 3), "events_per_s": round(count / (done - began), 1)}


async def wait_consumer(nats_url: str, timeout: float = 60) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + timeout
        while True:
            try:
                await js.consumer_info(BASELINE_STREAM.name, BASELINE_DURABLE)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
    finally:
        await nc.close()


# ---------------------------------------------------------------------------------------------
# the run


def end(child: subprocess.Popen) -> None:
    child.terminate()
    try:
        child.wait(30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def compare(platform_: dict, baseline: dict, rate_key: str) -> dict:
    """Throughput as platform ÷ baseline (higher is better), latency as platform ÷ baseline (how many times slower)."""
    return {"throughput_ratio": ratio(platform_.get(rate_key), baseline.get(rate_key)),
            "p50_ratio": ratio(platform_.get("p50_ms"), baseline.get("p50_ms")),
            "p99_ratio": ratio(platform_.get("p99_ms"), baseline.get("p99_ms"))}


def machine() -> dict:
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    memory = None
    try:
        import psutil
        memory = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    return {"cores": os.cpu_count(), "cpu": model, "memory_gb": memory, "python": platform.python_version(),
            "implementation": platform.python_implementation(), "os": platform.platform()}


def code() -> dict:
    """Which code was measured: the commit, and whether the work tree differed from it."""
    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
    changed = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD"), "uncommitted_changes": None if changed is None else bool(changed)}


def check(name: str, value: float | None) -> dict:
    op, target = TARGETS[name]
    met = value is not None and (value >= target if op == ">=" else value < target)
    return {"value": value, "target": f"{op} {target:g}", "met": met}


def run(args: argparse.Namespace, state: Path) -> dict:
    errors: list[str] = []
    memory = MemoryWatch()
    profiler = Profiler(args.profile)
    with Infrastructure.resolve(state) as infra:
        suffix = f"_p{uuid.uuid4().hex[:6]}"
        urls = asyncio.run(provision_databases(infra.postgres_admin_url, [*SERVICES, "baseline"], None, database_suffix=suffix))
        dsn = {name: plain(url) for name, url in urls.items()}
        issuer = DevIssuer(state / "auth")
        env = service_env(infra.nats_url, {name: urls[name] for name in SERVICES}, infra.nats_passwords,
                          CALENDAR_ALLOW_PROVISIONAL="true", LOG_LEVEL="WARNING", **issuer.env())
        logs = state / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        services = start_services(SERVICES, env, {name: free_port() for name in SERVICES}, logs)
        print(f"platform up in {time.perf_counter() - began:.0f}s", flush=True)
        baseline_app, baseline_url = start_baseline(urls["baseline"], logs / "baseline_app.log")
        consumer_log = open(logs / "baseline_consumer.log", "ab")
        consumer = subprocess.Popen([sys.executable, str(ROOT / "baseline_consumer.py")], cwd=ROOT, stdout=consumer_log,
                                    stderr=subprocess.STDOUT, env={**os.environ, "BASELINE_DSN": dsn["baseline"],
                                                                   "BASELINE_NATS_URL": infra.nats_admin_url})
        consumer_log.close()
        replica: ServiceProcess | None = None
        activity = ActivityWatch(plain(infra.postgres_admin_url), {url.rsplit("/", 1)[-1]: name for name, url in urls.items()})
        activity.start()
        memory.start()
        cpu = CpuPhases()
        for label, pid in servers_of(os.getpid()).items():
            cpu.watch(label, pid, tree=True)

        @contextmanager
        def phase(name: str, ops: int = 0) -> Iterator[dict]:
            """One measured phase: database sessions and CPU are attributed to it; set ``ops`` when known later."""
            measured = {"ops": ops}
            before, began = cpu.snapshot(), time.perf_counter()
            activity.phase(name)
            try:
                yield measured
            finally:
                activity.phase(None)
                cpu.record(name, measured["ops"], before, time.perf_counter() - began)

        try:
            for name, process in services.items():
                memory.watch(name, process.process.pid)
                cpu.watch(name, process.process.pid)
            wait_answering(baseline_url, baseline_app)
            asyncio.run(wait_consumer(infra.nats_admin_url))
            for label, pid in (("baseline_app", baseline_app.pid), ("baseline_consumer", consumer.pid)):
                memory.watch(label, pid)
                cpu.watch(label, pid)
            intake, review = services["intake"], services["review"]

            # -- units: a batch open, every unit registered with its documents and asset catalogue
            units = [f"PEAK-{n:04d}" for n in range(args.units)]
            began = time.perf_counter()
            asyncio.run(prepare_units(intake.url, issuer, units, concurrency=8))
            print(f"{len(units)} units ready in {time.perf_counter() - began:.0f}s", flush=True)

            # -- stage 1: declarations, closed loop, intake beside the bare endpoint
            warm = asyncio.run(drive(intake.url, interleaved(issuer, units[:10], 5, "warm"), args.concurrency, keep="project_id"))
            asyncio.run(drive(baseline_url, interleaved(issuer, units[:10], 5, "warm"), args.concurrency))
            load = interleaved(issuer, units, args.per_unit, "applicant")
            with phase("baseline_declarations", len(load)):
                base_declare = asyncio.run(drive(baseline_url, load, args.concurrency))
            spy = profiler.start("intake_declarations", intake.process.pid)
            with phase("declarations", len(load)):
                declared = asyncio.run(drive(intake.url, load, args.concurrency, keep="project_id"))
            profiler.stop("intake_declarations", spy)
            projects = declared.pop("kept")
            print(f"declarations: intake {declared['throughput_per_s']}/s, baseline {base_declare['throughput_per_s']}/s", flush=True)

            # -- stage 3: opinions on the cases those declarations opened
            opened = [*warm.pop("kept"), *projects]
            asyncio.run(wait_count(dsn["review"], "SELECT count(*) FROM review_case WHERE project_id = ANY($1::text[])", (opened,),
                                   len(opened), args.timeout, "cases for the declarations"))
            bureau = {"authorization": f"Bearer {issuer.token(subject='bench-bureau', roles=['bureau_reviewer'])}"}
            opinion = {"stage": "plan_review", "round": 1, "result": "passed", "amount_yuan": 1_200_000}
            warm_cases = opened[: len(opened) - len(projects)]
            asyncio.run(drive(review.url, [(opinion, bureau, f"/cases/{p}/opinions") for p in warm_cases], args.concurrency))
            asyncio.run(drive(baseline_url, [({**opinion, "unit_id": "bureau"}, bureau)] * len(warm_cases), args.concurrency))
            with phase("baseline_opinions", len(projects)):
                base_opinion = asyncio.run(drive(baseline_url, [({**opinion, "unit_id": "bureau"}, bureau)] * len(projects),
                                                 args.concurrency))
            with phase("opinions", len(projects)):
                opinions = asyncio.run(drive(review.url, [(opinion, bureau, f"/cases/{p}/opinions") for p in projects],
                                             args.concurrency))
            print(f"opinions: review {opinions['throughput_per_s']}/s, baseline {base_opinion['throughput_per_s']}/s", flush=True)

            # -- event lag, offered at the target rate, then at a rate the machine sustains
            asyncio.run(install_marks(dsn["intake"], "declaration", "id"))
            asyncio.run(install_marks(dsn["review"], "review_case", "application_id"))
            asyncio.run(install_marks(dsn["baseline"], "baseline_effect", "event_id"))
            time.sleep(2)  # the opinions' events settle, so the lag run starts from a quiet platform
            with phase("baseline_lag_at_target_rate", int(args.rate * args.seconds)):
                base_lag = asyncio.run(baseline_paced(infra.nats_admin_url, dsn["baseline"], args.rate, args.seconds, args.timeout))
            per_unit = -(-int(args.rate * args.seconds) // len(units))
            spies = [profiler.start("intake_at_rate", intake.process.pid), profiler.start("review_at_rate", review.process.pid)]
            with phase("lag_at_target_rate") as measured:
                offered = asyncio.run(paced(intake.url, interleaved(issuer, units, per_unit, "peak")[: int(args.rate * args.seconds)],
                                            args.rate, args.max_in_flight))
                at_rate = asyncio.run(platform_lag(dsn["intake"], dsn["review"], offered.pop("created"), args.timeout))
                measured["ops"] = at_rate["events"]
            profiler.stop("intake_at_rate", spies[0])
            profiler.stop("review_at_rate", spies[1])
            print(f"lag at {args.rate:g}/s offered: {at_rate['committed_per_s']}/s committed, p99 {at_rate['lag'].get('p99_ms')} ms",
                  flush=True)
            light_per_unit = -(-int(args.light_rate * args.light_seconds) // len(units))
            with phase("lag_sustainable_rate") as measured:
                light_offered = asyncio.run(paced(intake.url, interleaved(issuer, units, light_per_unit, "light")
                                                  [: int(args.light_rate * args.light_seconds)], args.light_rate, args.max_in_flight))
                light = asyncio.run(platform_lag(dsn["intake"], dsn["review"], light_offered.pop("created"), args.timeout))
                measured["ops"] = light["events"]
            base_light = asyncio.run(baseline_paced(infra.nats_admin_url, dsn["baseline"], args.light_rate, args.light_seconds,
                                                    args.timeout))
            print(f"lag at {args.light_rate:g}/s: p99 {light['lag'].get('p99_ms')} ms", flush=True)
            asyncio.run(remove_marks(dsn["intake"], "declaration"))
            asyncio.run(remove_marks(dsn["review"], "review_case"))
            asyncio.run(remove_marks(dsn["baseline"], "baseline_effect"))

            # -- stage 2 and scale-out: a backlog drained by one replica, by two, and by the bare consumer
            with phase("baseline_drain", args.backlog):
                base_drain = asyncio.run(baseline_drain(infra.nats_admin_url, dsn["baseline"], args.backlog, args.timeout))
            spy = profiler.start("review_drain", review.process.pid)
            with phase("drain_one_replica", args.backlog):
                one = asyncio.run(drain_time(dsn["review"], infra.nats_admin_url, f"SO1-{uuid.uuid4().hex[:6]}", args.backlog,
                                             args.timeout))
            profiler.stop("review_drain", spy)
            replica = ServiceProcess("review", free_port(), review.env, logs / "review-2.log")
            replica.start()
            replica.wait_ready(120)
            memory.watch("review-2", replica.process.pid)
            cpu.watch("review-2", replica.process.pid)
            asyncio.run(drain_time(dsn["review"], infra.nats_admin_url, f"SOW-{uuid.uuid4().hex[:6]}", 100, args.timeout))  # warm up
            with phase("drain_two_replicas", args.backlog):
                two = asyncio.run(drain_time(dsn["review"], infra.nats_admin_url, f"SO2-{uuid.uuid4().hex[:6]}", args.backlog,
                                             args.timeout))
            print(f"backlog: one replica {one['cases_per_s']}/s, two {two['cases_per_s']}/s, bare {base_drain['events_per_s']}/s",
                  flush=True)
            for name, rounds in (("one replica", one["rounds"]), ("two replicas", two["rounds"])):
                if rounds != args.backlog:
                    errors.append(f"{name}: {rounds} rounds for {args.backlog} events")
        finally:
            # every process is stopped even when stopping another fails, so none outlives the run
            for stop in [*([replica.stop] if replica is not None else []), *(p.stop for p in services.values()),
                         *(lambda child=child: end(child) for child in (baseline_app, consumer))]:
                try:
                    stop()
                except Exception as exc:
                    errors.append(f"stopping: {exc!r}")
            rss = memory.stop()
            sessions = activity.stop()
        source = infra.source

    for name, measured in (("declarations", declared), ("opinions", opinions), ("baseline declarations", base_declare),
                           ("baseline opinions", base_opinion)):
        if set(measured["statuses"]) != {201}:
            errors.append(f"{name}: answers {measured['statuses']}")
    for name, measured in (("paced declarations", offered), ("light declarations", light_offered)):
        if set(measured["statuses"]) - {201}:
            errors.append(f"{name}: answers {measured['statuses']}")

    case_open = {"throughput_per_s": one["cases_per_s"], "p50_ms": at_rate["handling"].get("p50_ms"),
                 "p99_ms": at_rate["handling"].get("p99_ms")}
    case_open_base = {"throughput_per_s": base_drain["events_per_s"], "p50_ms": base_lag["handling"].get("p50_ms"),
                      "p99_ms": base_lag["handling"].get("p99_ms")}
    platform_services = {label: mb for label, mb in rss.items() if not label.startswith("baseline")}
    headline = {
        "intake_ratio": ratio(declared["throughput_per_s"], base_declare["throughput_per_s"]),
        "event_lag_p99_ms": at_rate["lag"].get("p99_ms"),
        "review_scaleout_ratio": ratio(two["cases_per_s"], one["cases_per_s"]),
        "rss_mb_max": max(platform_services.values()) if platform_services else None,
    }
    detail = {
        "stages": {
            "declaration_post": {"platform": declared, "baseline": base_declare,
                                 **compare(declared, base_declare, "throughput_per_s")},
            "case_opened_from_application_submitted": {
                "platform": case_open, "baseline": case_open_base, **compare(case_open, case_open_base, "throughput_per_s"),
                "how": "throughput: a backlog drained by one replica; latency: the handling of one event (review's "
                       "transaction start to its commit) during the run at the target rate"},
            "opinion_post": {"platform": opinions, "baseline": base_opinion, **compare(opinions, base_opinion, "throughput_per_s")},
        },
        "event_lag": {
            "target_rate_per_s": args.rate, "seconds": args.seconds,
            "load": offered, "platform": at_rate, "baseline": base_lag,
            "p99_ratio": ratio(at_rate["lag"].get("p99_ms"), base_lag["lag"].get("p99_ms")),
            "sustainable": {"target_rate_per_s": args.light_rate, "seconds": args.light_seconds, "load": light_offered,
                            "platform": light, "baseline": base_light,
                            "p99_ratio": ratio(light["lag"].get("p99_ms"), base_light["lag"].get("p99_ms"))},
        },
        "review_scaleout": {"backlog": args.backlog, "one_replica": one, "two_replicas": two, "bare_consumer": base_drain,
                            "one_replica_to_bare": ratio(one["cases_per_s"], base_drain["events_per_s"])},
        "rss_mb": rss,
        "database_sessions": sessions,
        "cpu_by_phase": cpu.phases,
    }
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "code": code(),
        "infrastructure": source,
        **headline,
        "targets": {name: check(name, value) for name, value in headline.items()},
        # where the stacks went is this machine's business, not the result's
        "parameters": {key: (value is not None if key == "profile" else value) for key, value in vars(args).items()},
        **detail,
        "errors": errors,
    }
    if profiler.summaries:
        result["profiles"] = profiler.summaries
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=200, help="units declaring at once (default 200)")
    parser.add_argument("--per-unit", type=int, default=5, help="closed-loop declarations per unit (default 5)")
    parser.add_argument("--concurrency", type=int, default=50, help="clients at once in the closed-loop stages (default 50)")
    parser.add_argument("--rate", type=float, default=300, help="declarations per second offered for the lag (default 300)")
    parser.add_argument("--seconds", type=float, default=20, help="how long the rate is offered (default 20)")
    parser.add_argument("--max-in-flight", type=int, default=100, help="outstanding requests before a slot is skipped (default 100)")
    parser.add_argument("--light-rate", type=float, default=20, help="a rate the platform sustains, for the lag it then has (default 20)")
    parser.add_argument("--light-seconds", type=float, default=10)
    parser.add_argument("--backlog", type=int, default=1500, help="events in the scale-out backlog (default 1500)")
    parser.add_argument("--timeout", type=float, default=240, help="longest wait for any drain (default 240 s)")
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR",
                        help="attach py-spy to the services during the phases and keep their stacks in DIR; the figures "
                             "then go to results/profiled.json, not latest.json, as sampling costs CPU")
    parser.add_argument("--keep-state", action="store_true", help="keep the servers' data and the service logs")
    args = parser.parse_args()
    if args.per_unit > 50:
        parser.error("--per-unit above 50 would meet the per-person submission limit (60/min)")
    if args.rate * args.seconds / args.units > 50 or args.light_rate * args.light_seconds / args.units > 50:
        parser.error("more than 50 paced declarations per unit would meet the per-person submission limit; add --units")

    state = Path(tempfile.mkdtemp(prefix="govit-peak-"))
    idle = quiet_machine()
    if idle > 25:
        print(f"warning: the machine is already {idle:.0f}% busy before the run; the figures will show it", file=sys.stderr)
    began = time.perf_counter()
    cpu = CpuAccount()
    try:
        result = run(args, state)
    except BaseException:
        print(f"the benchmark failed; servers' data and service logs are in {state}", file=sys.stderr)
        raise
    result["run_seconds"] = round(time.perf_counter() - began, 1)
    result["cpu"] = {"busy_before_pct": idle, **cpu.close()}
    if not args.keep_state:
        shutil.rmtree(state, ignore_errors=True)
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    name = "profiled.json" if args.profile else "latest.json"
    (out / name).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    print()
    print(f"{'target':<24}{'measured':>12}  {'goal':<10}")
    for key, verdict in result["targets"].items():
        print(f"{key:<24}{str(verdict['value']):>12}  {verdict['target']:<10}{'PASS' if verdict['met'] else 'MISS'}")
    print(f"\n{result['run_seconds']:.0f}s on {result['machine']['cores']} cores, {result['cpu']['other_work_pct']}% of them "
          f"taken by other work; written to {out / name}")
    for error in result["errors"]:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
