"""``govit fuzz``: Schemathesis against every service for as long as it is given, far beyond the
suite's bounded schema tests.

It starts its own throwaway platform (embedded NATS and PostgreSQL, or the ones ``NATS_URL`` and
``POSTGRES_ADMIN_URL`` name, in fresh databases), then runs every phase Schemathesis has on each
service in turn (the schema's examples, boundary values of every parameter, random generation,
and stateful sequences that feed one answer's ids into the next request) with its checks: no 5xx,
answers and statuses as documented, invalid input refused, unauthenticated requests refused, and
the platform's error body on every 4xx. Reports (JUnit, NDJSON, and a pytest file replaying each
failure) go to ``--report-dir``; the exit status is 1 when any service has a finding.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from devstack import demo
from devstack.auth import DevIssuer
from devstack.fuzzing import ACCESS, NOT_FUZZED, token_headers
from devstack.infrastructure import Infrastructure
from devstack.ports import free_port
from devstack.processes import SERVICES, service_env, start_services
from devstack.provisioning import provision_databases

PHASES = "examples,coverage,fuzzing,stateful"
SKIPPED_CHECKS = {
    "positive_data_acceptance": "valid-looking data is refused by the domain rules (an unknown project, a closed window) as it should be",
    "object_level_authorization": "needs two identities per object; tests/integration/test_access_matrix.py covers unit ownership",
}


def _say(text: str) -> None:
    print(text, flush=True)


def schemathesis_command(url: str, seconds: int, report_dir: Path, seed: int, workers: int) -> list[str]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{url}/openapi.json",
        "--phases", PHASES, "--max-time", str(seconds), "--seed", str(seed), "--workers", str(workers),
        "--checks", "all", "--exclude-checks", ",".join(SKIPPED_CHECKS),
        "--suppress-health-check", "all", "--request-timeout", "30",
        "--report", "junit,ndjson,pytest", "--report-dir", str(report_dir),
    ]
    for _method, path in NOT_FUZZED:  # each is the only operation on its path
        command += ["--exclude-path", path]
    return command


def _ids_in(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_id") and isinstance(item, (str, int)) and not isinstance(item, bool):
                yield key, str(item)
            else:
                yield from _ids_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _ids_in(item)


def known_ids(urls: dict[str, str], issuer: DevIssuer, rounds: int = 3, per_route: int = 6) -> dict[str, list[str]]:
    """Every ``…_id`` the services' GET routes show, reading first the routes without parameters,
    then those whose parameters earlier answers named."""
    known: dict[str, set[str]] = {}
    routes = [(service, path) for service in urls for (method, path) in ACCESS[service] if method == "GET"]
    with httpx.Client(timeout=15) as client:
        for _ in range(rounds):
            for service, path in routes:
                names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
                if any(name not in known for name in names):
                    continue
                choices = [sorted(known[name])[:per_route] for name in names]
                for values in itertools.islice(itertools.product(*choices), per_route):
                    params = dict(zip(names, values))
                    headers = token_headers(issuer, ACCESS[service][("GET", path)], params.get("unit_id"))
                    response = client.get(urls[service] + path.format(**params), headers=headers)
                    if response.status_code == 200 and response.headers.get("content-type", "").startswith("application/json"):
                        for key, value in _ids_in(response.json()):
                            known.setdefault(key, set()).add(value)
    return {key: sorted(values) for key, values in known.items()}


def fuzz(args: argparse.Namespace) -> int:
    services = args.service or list(SERVICES)
    report_root = Path(args.report_dir).resolve()
    report_root.mkdir(parents=True, exist_ok=True)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    with tempfile.TemporaryDirectory(prefix="govit-fuzz-") as scratch, Infrastructure.resolve(Path(scratch) / "servers") as infra:
        databases = asyncio.run(provision_databases(infra.postgres_admin_url, list(SERVICES), None,
                                                    database_suffix=f"_z{uuid.uuid4().hex[:6]}"))
        issuer = DevIssuer(Path(scratch) / "auth")
        env = service_env(infra.nats_url, databases, infra.nats_passwords, CLOCK_MODE="movable",
                          CALENDAR_ALLOW_PROVISIONAL="true", LOG_LEVEL="INFO", **issuer.env())
        _say(f"Starting {', '.join(SERVICES)} (logs in {report_root / 'logs'}) …")
        processes = start_services(SERVICES, env, {name: free_port() for name in SERVICES}, report_root / "logs")
        findings: dict[str, int] = {}
        try:
            urls = {name: process.url for name, process in processes.items()}
            demo.load(urls, datetime.now(ZoneInfo("Asia/Shanghai")).date(), issuer)
            known = known_ids(urls, issuer)
            known_file = Path(scratch) / "known-ids.json"
            known_file.write_text(json.dumps(known, ensure_ascii=False), encoding="utf-8")
            _say("Demo data loaded; ids the generator may use: "
                 + ", ".join(f"{name} ({len(values)})" for name, values in sorted(known.items())))
            for name in services:
                _say(f"\n== {name}: {args.minutes} min, seed {seed} ==")
                hooks_env = {**os.environ, "SCHEMATHESIS_HOOKS": "devstack.fuzz_hooks",
                             "GOVIT_FUZZ_AUTH_DIR": str(issuer.directory), "GOVIT_FUZZ_SERVICE": name,
                             "GOVIT_FUZZ_KNOWN_IDS": str(known_file)}
                command = schemathesis_command(processes[name].url, args.minutes * 60, report_root / name, seed, args.workers)
                findings[name] = subprocess.run(command, env=hooks_env, check=False).returncode
                if not processes[name].alive():
                    _say(f"{name} died during the run; last lines of its log:\n{processes[name].log_tail()}")
                    findings[name] = findings[name] or 1
        finally:
            for process in processes.values():
                process.stop()
    _say("\n" + "  ".join(f"{name}={'clean' if code == 0 else 'FINDINGS'}" for name, code in findings.items())
         + f"  seed={seed}  reports in {report_root}")
    return 0 if not any(findings.values()) else 1


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("fuzz", help="run Schemathesis against each service on a throwaway platform")
    parser.add_argument("--service", action="append", choices=SERVICES, help="only this service (repeatable)")
    parser.add_argument("--minutes", type=int, default=10, help="time budget per service (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="concurrent requests (default 2)")
    parser.add_argument("--seed", type=int, help="replay an earlier run's generation")
    parser.add_argument("--report-dir", default="test-artifacts/fuzz", help="where reports and service logs go")
    parser.set_defaults(run=fuzz)
