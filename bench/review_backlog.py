"""How fast review drains a peak backlog of declarations, with one replica and with two.

The annual window ends with every unit declaring at once; review opens a case and its first round
for each ApplicationSubmitted. This script publishes a backlog onto the INTAKE stream as intake
would and times review until every case is open: first with one replica, then with two sharing the
durable consumer and the database, in the same run and against the same servers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import asyncpg
import nats

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import ApplicationSubmitted
from devstack.auth import DevIssuer
from devstack.ports import free_port
from devstack.processes import ServiceProcess, service_env
from devstack.provisioning import provision_databases
from devstack.servers import Infrastructure

ROOT = Path(__file__).resolve().parent


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def publish_backlog(nats_url: str, unit_id: str, count: int) -> float:
    """Publish ``count`` declarations; returns the moment the first went out."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        began = time.perf_counter()
        pending = []
        for n in range(count):
            envelope = Envelope(ApplicationSubmitted(
                project_id=f"P-BL-{unit_id}-{n:05d}", application_id=str(uuid.uuid4()), unit_id=unit_id,
                pack=PackRef(id="BY", version="2024.1"), project_name=f"峰值项目{n}", declared_amount_fen=150_000_000,
                submitted_at=datetime.now(timezone.utc), project_class="build_develop"), source="/services/intake")
            pending.append(js.publish(envelope.nats_subject, envelope.body(), headers=envelope.headers()))
            if len(pending) >= 200:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
        return began
    finally:
        await nc.close()


async def drain_time(dsn: str, nats_url: str, unit_id: str, count: int, timeout: float) -> dict:
    conn = await asyncpg.connect(dsn)
    try:
        began = await publish_backlog(nats_url, unit_id, count)
        published = time.perf_counter() - began
        while True:
            done = await conn.fetchval("SELECT count(*) FROM review_case WHERE unit_id = $1", unit_id)
            if done >= count:
                break
            if time.perf_counter() - began > timeout:
                raise TimeoutError(f"{done} of {count} cases after {timeout}s")
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - began
        rounds = await conn.fetchval("SELECT count(*) FROM review_round r JOIN review_case c ON c.project_id = r.project_id "
                                     "WHERE c.unit_id = $1", unit_id)
    finally:
        await conn.close()
    return {"cases": count, "rounds": rounds, "publish_seconds": round(published, 3), "drain_seconds": round(elapsed, 3),
            "cases_per_s": round(count / elapsed, 1)}


def phase(replicas: int, env: dict, state: Path, dsn: str, nats_url: str, count: int, timeout: float) -> dict:
    processes = [ServiceProcess("review", free_port(), env, state / f"review-{replicas}-{n}.log") for n in range(replicas)]
    for process in processes:
        process.start()
    try:
        for process in processes:
            process.wait_ready(120)
        result = asyncio.run(drain_time(dsn, nats_url, f"BL{replicas}-{uuid.uuid4().hex[:6]}", count, timeout))
    finally:
        for process in processes:
            process.stop()
    return {"replicas": replicas, **result}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="govit-bench-review-"))
    with Infrastructure.resolve(state) as infra:
        urls = asyncio.run(provision_databases(infra.postgres_admin_url, ["review"], None, database_suffix=f"_b{uuid.uuid4().hex[:6]}"))
        issuer = DevIssuer(state / "auth")
        env = service_env(infra.nats_url, {"review": urls["review"]}, infra.nats_passwords, CALENDAR_ALLOW_PROVISIONAL="true",
                          LOG_LEVEL="WARNING", **issuer.env())
        dsn = plain(urls["review"])
        phase(1, env, state, dsn, infra.nats_admin_url, min(100, args.backlog), args.timeout)  # warm up: migrations, caches
        one = phase(1, env, state, dsn, infra.nats_admin_url, args.backlog, args.timeout)
        two = phase(2, env, state, dsn, infra.nats_admin_url, args.backlog, args.timeout)
    result = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "infrastructure": infra.source,
              "backlog": args.backlog, "one_replica": one, "two_replicas": two,
              "speedup": round(two["cases_per_s"] / one["cases_per_s"], 2),
              "exactly_once": one["rounds"] == args.backlog and two["rounds"] == args.backlog}
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "review_backlog.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["exactly_once"] else 1


if __name__ == "__main__":
    sys.exit(main())
