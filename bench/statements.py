"""How many SQL statements one step of the peak costs each service, counted by PostgreSQL itself.

On a small machine a service's time goes mostly to round trips to the database, so this is the
first thing to look at when the peak benchmark (``peak.py``) shows a stage far behind its bare
baseline. The services' databases log every statement (``log_statement = all``) while one
declaration, the case review opens for it and one opinion go through; the statements in the
server's log are then counted per database and per kind.

    uv run --locked python bench/statements.py

Needs the bundled PostgreSQL (it reads that server's log), so NATS_URL / POSTGRES_ADMIN_URL
must not be set.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import httpx

from devstack.auth import DevIssuer
from devstack.ports import free_port
from devstack.processes import service_env, start_services
from devstack.provisioning import provision_databases
from devstack.servers import Infrastructure

from intake_declarations import prepare_units, start_baseline, wait_answering, workload
from review_backlog import plain

LINE = re.compile(r"^\S+ \S+ \S+ \[\d+\] (?P<who>\S+)@(?P<db>\S+) LOG:  (?:statement|execute [^:]*): (?P<sql>.*)$")
ENTRY = re.compile(r"^\d{4}-\d\d-\d\d ")  # a new log entry; anything else continues the one before
SERVICES = ("intake", "review")


def kind(sql: str) -> str:
    words = sql.strip().rstrip(";").split()
    head = words[0].upper() if words else "?"
    if [w.upper() for w in words] == ["SELECT", "1"]:
        return "SELECT 1 (pool pre-ping)"
    if head in ("INSERT", "UPDATE", "DELETE") and len(words) > 2:
        table = (words[2] if head != "UPDATE" else words[1]).split("(")[0].strip('"')
        return f"{head} {table}"
    if head == "SELECT" and " FROM " in sql.upper():
        table = re.split(r"\s+", sql[sql.upper().index(" FROM ") + 6:].strip())[0].strip('"')
        return f"SELECT {table}"
    return head


def count(log: Path, offset: int, databases: dict[str, str]) -> dict:
    found: dict[str, Counter] = {service: Counter() for service in databases}
    names = {db: service for service, db in databases.items()}
    with log.open("rb") as handle:
        handle.seek(offset)
        entries: list[str] = []
        for raw in handle.read().decode(errors="replace").splitlines():
            if ENTRY.match(raw) or not entries:
                entries.append(raw)
            else:
                entries[-1] += " " + raw.strip()
        for entry in entries:
            match = LINE.match(entry)
            if match and match["db"] in names:
                found[names[match["db"]]][kind(match["sql"])] += 1
    return {service: {"statements": sum(kinds.values()), "by_kind": dict(kinds.most_common())} for service, kinds in found.items()}


async def wait_for(dsn: str, query: str, *args: object, timeout: float = 30) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + timeout
        while not await connection.fetchval(query, *args):
            if time.monotonic() > deadline:
                raise TimeoutError(query)
            await asyncio.sleep(0.1)
    finally:
        await connection.close()


def main() -> int:
    state = Path(tempfile.mkdtemp(prefix="govit-statements-"))
    with Infrastructure.resolve(state) as infra:
        if infra.postgres is None:
            raise SystemExit("this count reads the bundled PostgreSQL's log: unset NATS_URL / POSTGRES_ADMIN_URL")
        suffix = f"_s{uuid.uuid4().hex[:6]}"
        urls = asyncio.run(provision_databases(infra.postgres_admin_url, [*SERVICES, "baseline"], None, database_suffix=suffix))
        databases = {service: f"{service}{suffix}" for service in (*SERVICES, "baseline")}

        async def log_everything() -> None:
            admin = await asyncpg.connect(infra.postgres_admin_url.replace("postgresql+asyncpg://", "postgresql://"))
            try:
                for database in databases.values():
                    await admin.execute(f'ALTER DATABASE "{database}" SET log_statement = \'all\'')
            finally:
                await admin.close()
        asyncio.run(log_everything())
        issuer = DevIssuer(state / "auth")
        env = service_env(infra.nats_url, {name: urls[name] for name in SERVICES}, infra.nats_passwords,
                          CALENDAR_ALLOW_PROVISIONAL="true", LOG_LEVEL="WARNING", **issuer.env())
        services = start_services(SERVICES, env, {name: free_port() for name in SERVICES}, state / "logs")
        log = infra.postgres.log_path
        baseline, baseline_url = start_baseline(urls["baseline"], state / "logs" / "baseline_app.log")
        try:
            wait_answering(baseline_url, baseline)
            intake, review = services["intake"], services["review"]
            unit = "STMT-0001"
            asyncio.run(prepare_units(intake.url, issuer, [unit]))
            steps = {}
            # the first of each is a warm-up: caches and prepared statements fill, as they are at the peak
            time.sleep(1.5)
            offset = log.stat().st_size
            time.sleep(2.0)
            steps["nothing_for_2s"] = count(log, offset, databases)
            for attempt in ("warm-up", "measured"):
                time.sleep(1.5)  # the relay's and consumers' idle polling is left out of the window as far as it can be
                offset = log.stat().st_size
                body, headers = workload(issuer, [unit], 1, f"stmt-{attempt}")[0]
                response = httpx.post(f"{intake.url}/declarations", json=body, headers=headers, timeout=30)
                response.raise_for_status()
                project = response.json()["project_id"]
                asyncio.run(wait_for(plain(urls["review"]), "SELECT count(*) FROM review_case WHERE project_id = $1", project))
                time.sleep(0.5)
                steps["declaration"] = count(log, offset, databases)
                offset = log.stat().st_size
                bureau = {"authorization": f"Bearer {issuer.token(subject='bench-bureau', roles=['bureau_reviewer'])}"}
                response = httpx.post(f"{review.url}/cases/{project}/opinions", headers=bureau, timeout=30,
                                      json={"stage": "plan_review", "round": 1, "result": "passed", "amount_yuan": 1_200_000})
                response.raise_for_status()
                asyncio.run(wait_for(plain(urls["intake"]), "SELECT status = 'plan_passed' FROM declaration WHERE project_id = $1",
                                     project))
                time.sleep(0.5)
                steps["opinion"] = count(log, offset, databases)
                offset = log.stat().st_size
                httpx.post(f"{baseline_url}/declarations", json=body, timeout=30).raise_for_status()
                time.sleep(0.5)
                steps["baseline_endpoint"] = count(log, offset, databases)
        finally:
            baseline.terminate()
            baseline.wait(30)
            for process in services.values():
                process.stop()
    out = Path(__file__).resolve().parent / "results" / "statements.json"
    out.write_text(json.dumps(steps, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(steps, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
