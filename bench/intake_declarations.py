"""Declarations from many units at once, against real PostgreSQL and NATS (the annual peak).

Starts the infrastructure (or uses NATS_URL / POSTGRES_ADMIN_URL), the intake service and a bare
baseline endpoint (``baseline_app.py``: one insert plus one outbox row), then drives both with the
same concurrent load and reports throughput and p50/p99 latency side by side. Intake must reach
at least half the baseline's throughput; the exit code says whether it did.

    uv run python bench/intake_declarations.py --units 200 --per-unit 5 --concurrency 50
"""

from __future__ import annotations

import argparse
import base64
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import httpx

from devstack.auth import DevIssuer
from devstack.ports import free_port
from devstack.processes import ServiceProcess, service_env
from devstack.provisioning import provision_databases
from devstack.servers import Infrastructure
from servicekit.audit import sm3_hex

ROOT = Path(__file__).resolve().parent
CONTENT = {"立项计划申报表.pdf": "压测申报表", "政务数据清单.pdf": "压测数据清单", "资产目录.xlsx": "压测资产目录"}
REFS = {name: {"name": name, "sm3": sm3_hex(text.encode())} for name, text in CONTENT.items()}
DOCUMENTS = [
    {"kind": "plan_declaration_form", "document": REFS["立项计划申报表.pdf"]},
    {"kind": "government_data_list", "document": REFS["政务数据清单.pdf"]},
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def drive(url: str, requests: list[tuple], concurrency: int, *, path: str = "/declarations",
                keep: str | None = None) -> dict:
    """Send every request with ``concurrency`` clients at once (closed loop); an item is ``(body, headers)``
    or ``(body, headers, path)``. With ``keep``, that field of each created resource's answer is collected."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    kept: list = []
    queue: asyncio.Queue = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        async def worker() -> None:
            while not queue.empty():
                body, headers, *where = queue.get_nowait()
                began = time.perf_counter()
                response = await client.post(where[0] if where else path, json=body, headers=headers)
                latencies.append(time.perf_counter() - began)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if keep is not None and response.status_code == 201:
                    kept.append(response.json()[keep])
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    result = {"requests": len(requests), "seconds": round(elapsed, 3), "throughput_per_s": round(len(requests) / elapsed, 1),
              "p50_ms": round(percentile(latencies, 0.50) * 1000, 1), "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
              "statuses": statuses}
    if keep is not None:
        result["kept"] = kept
    return result


async def open_batch(client: httpx.AsyncClient, issuer: DevIssuer) -> None:
    """This year's declaration batch, its window open from today (BY-14a)."""
    bureau = {"authorization": f"Bearer {issuer.token(subject='bench-bureau', roles=['bureau_reviewer'])}"}
    today = datetime.now(timezone.utc).date().isoformat()
    response = await client.post("/batches", headers=bureau, json={"plan_year": 2027, "title": "压测批次", "notice_issued_on": today})
    response.raise_for_status()


async def prepare_unit(client: httpx.AsyncClient, issuer: DevIssuer, unit: str) -> None:
    """The unit is registered (BY-5.2a), has uploaded its documents and filed its asset catalogue (BY-22.10)."""
    bureau = {"authorization": f"Bearer {issuer.token(subject='bench-bureau', roles=['bureau_reviewer'])}"}
    response = await client.post("/units", headers=bureau, json={"unit_id": unit, "name": f"压测单位{unit}", "level": "first_level"})
    response.raise_for_status()
    token = issuer.token(subject=f"{unit}-leader", roles=["unit_leader"], unit_id=unit)
    leader = {"authorization": f"Bearer {token}"}
    for name, text in CONTENT.items():
        response = await client.post(f"/units/{unit}/documents", headers=leader,
                                     json={"name": name, "content_base64": base64.b64encode(text.encode()).decode()})
        response.raise_for_status()
    response = await client.post(f"/units/{unit}/plans", headers=leader,
                                 json={"kind": "asset_catalogue", "document": REFS["资产目录.xlsx"]})
    response.raise_for_status()


async def prepare_units(url: str, issuer: DevIssuer, units: list[str], *, concurrency: int = 1) -> None:
    """A batch is open and every unit can declare (BY-14a); ``concurrency`` units are prepared at once."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        await open_batch(client, issuer)
        pending = iter(units)

        async def worker() -> None:
            for unit in pending:
                await prepare_unit(client, issuer, unit)
        await asyncio.gather(*(worker() for _ in range(concurrency)))


def workload(issuer: DevIssuer, units: list[str], per_unit: int, person: str = "applicant") -> list[tuple[dict, dict]]:
    """``per_unit`` declarations from each unit, unit after unit; each unit's come from one person,
    ``<unit>-<person>``, so a phase with its own ``person`` starts with a full submission allowance."""
    requests = []
    for unit in units:
        # one person per unit and route stays below the per-person submission limit
        headers = {"authorization": f"Bearer {issuer.token(subject=f'{unit}-{person}', roles=['unit_applicant'], unit_id=unit)}"}
        for n in range(per_unit):
            requests.append(({"unit_id": unit, "project_name": f"压测项目{person}{n}", "declared_amount_yuan": 1_200_000,
                              "project_class": "build_develop", "documents": DOCUMENTS}, headers))
    return requests


def start_baseline(dsn: str, log_path: Path | None = None) -> tuple[subprocess.Popen, str]:
    """The bare endpoint (``baseline_app.py``) as its own process on its own database; returns it and its URL."""
    port = free_port()
    env = {**os.environ, "BASELINE_DSN": dsn.replace("postgresql+asyncpg://", "postgresql://")}
    out = open(log_path, "ab") if log_path else None
    try:
        process = subprocess.Popen([sys.executable, "-m", "uvicorn", "baseline_app:app", "--port", str(port), "--log-level", "warning"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT if out else None)
    finally:
        if out:
            out.close()
    return process, f"http://127.0.0.1:{port}"


def wait_answering(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            httpx.get(f"{url}/docs", timeout=2)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--per-unit", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    if args.per_unit > 50:
        parser.error("--per-unit above 50 would meet the per-person submission limit (60/min)")

    state = Path(tempfile.mkdtemp(prefix="govit-bench-"))
    with Infrastructure.resolve(state) as infra:
        suffix = f"_b{uuid.uuid4().hex[:6]}"
        urls = asyncio.run(provision_databases(infra.postgres_admin_url, ["intake", "baseline"], None, database_suffix=suffix))
        issuer = DevIssuer(state / "auth")
        env = service_env(infra.nats_url, {"intake": urls["intake"]}, infra.nats_passwords, CALENDAR_ALLOW_PROVISIONAL="true",
                          LOG_LEVEL="WARNING", **issuer.env())
        intake = ServiceProcess("intake", free_port(), env, state / "intake.log")
        baseline, baseline_url = start_baseline(urls["baseline"])
        intake.start()
        try:
            intake.wait_ready(120)
            wait_answering(baseline_url, baseline)
            units = [f"BENCH-{n:04d}" for n in range(args.units)]
            asyncio.run(prepare_units(intake.url, issuer, units))
            load = workload(issuer, units, args.per_unit)
            asyncio.run(drive(intake.url, load[: min(50, len(load))], args.concurrency))  # warm up both the same way
            asyncio.run(drive(baseline_url, load[: min(50, len(load))], args.concurrency))
            measured_base = asyncio.run(drive(baseline_url, load, args.concurrency))
            units2 = [f"BENCH2-{n:04d}" for n in range(args.units)]
            asyncio.run(prepare_units(intake.url, issuer, units2))
            measured_intake = asyncio.run(drive(intake.url, workload(issuer, units2, args.per_unit), args.concurrency))
        finally:
            intake.stop()
            baseline.terminate()
            baseline.wait(timeout=30)
    ratio = measured_intake["throughput_per_s"] / measured_base["throughput_per_s"]
    result = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "infrastructure": infra.source,
              "units": args.units, "per_unit": args.per_unit, "concurrency": args.concurrency,
              "baseline": measured_base, "intake": measured_intake, "intake_to_baseline": round(ratio, 3),
              "target": 0.5, "met": ratio >= 0.5}
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "intake_declarations.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["met"] and set(measured_intake["statuses"]) == {201} else 1


if __name__ == "__main__":
    sys.exit(main())
