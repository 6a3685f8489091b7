"""``govit``: run the whole platform on this machine, and look after it.

    govit up        NATS, PostgreSQL, the five services and demo data; Ctrl-C stops it all
    govit parked    list or replay the messages a service parked
    govit fuzz      Schemathesis against each service on a throwaway platform, as long as it is given
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from devstack import demo, fuzz
from devstack.auth import DEMO_USERS, DevIssuer
from devstack.childproc import log_tail
from devstack.processes import DEFAULT_PORTS, PORTAL_PORT, SERVICES, ServiceProcess, service_env, start_portal, start_services
from devstack.nats_server import platform_passwords
from devstack.oidc import OidcProvider, start_oidc_provider
from devstack.servers import NatsServer, PostgresServer, provision_databases, start_nats, start_postgres
from devstack.ports import free_port


class Stack:
    """What ``up`` started, so it can stop exactly that, in reverse order."""

    def __init__(self) -> None:
        self.nats: NatsServer | None = None
        self.postgres: PostgresServer | None = None
        self.oidc: OidcProvider | None = None
        self.services: dict[str, ServiceProcess] = {}

    def stop(self) -> None:
        for process in reversed(list(self.services.values())):
            process.stop()
        if self.oidc:
            self.oidc.stop()
        if self.postgres:
            self.postgres.stop()
        if self.nats:
            self.nats.stop()


def _say(text: str) -> None:
    print(text, flush=True)


def _database_urls(stack: Stack, state_dir: Path) -> dict[str, str]:
    given = {name: os.environ.get(f"{name.upper()}_DATABASE_URL") for name in SERVICES}
    if all(given.values()):
        _say("PostgreSQL: using the database URLs from the environment")
        return given  # type: ignore[return-value]
    admin_url = os.environ.get("POSTGRES_ADMIN_URL")
    if admin_url:
        _say("PostgreSQL: provisioning on POSTGRES_ADMIN_URL")
    else:
        stack.postgres = start_postgres(state_dir / "postgres", free_port(5432))
        admin_url = stack.postgres.admin_url
        _say(f"PostgreSQL: started the bundled server on port {stack.postgres.port} (data in {state_dir / 'postgres'})")
    provisioned = asyncio.run(provision_databases(admin_url, SERVICES, state_dir / "secrets.json"))
    return {name: given[name] or provisioned[name] for name in SERVICES}


def _portal_secret(state_dir: Path) -> str:
    """The portal's cookie-signing secret, made once per state directory and kept 0600."""
    path = state_dir / "portal-session-secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()


def _check_ports() -> dict[str, int]:
    taken = [f"{name} {port}" for name, port in {**DEFAULT_PORTS, "portal": PORTAL_PORT}.items() if free_port(port) != port]
    if taken:
        raise SystemExit(f"ports in use: {', '.join(taken)}. Stop what holds them (an earlier `govit up`?) and retry.")
    return dict(DEFAULT_PORTS)


def up(args: argparse.Namespace) -> int:
    state_dir = Path(args.state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    ports = _check_ports()
    stack = Stack()
    stopping = False

    def _interrupt(signum: int, _frame: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        nats_url = os.environ.get("NATS_URL")
        nats_passwords = None
        if nats_url:
            _say(f"NATS: using NATS_URL={nats_url}")
        else:
            nats_passwords = platform_passwords(state_dir / "nats")
            stack.nats = start_nats(state_dir / "nats", free_port(4222), passwords=nats_passwords)
            nats_url = stack.nats.url
            _say(f"NATS: started the bundled server with JetStream at {nats_url}")
        database_urls = _database_urls(stack, state_dir)
        issuer = DevIssuer(state_dir / "auth")
        external_auth = bool(os.environ.get("AUTH_ISSUER"))
        auth_env = {} if external_auth else issuer.env()
        if external_auth:
            _say(f"Auth: trusting AUTH_ISSUER={os.environ['AUTH_ISSUER']}; demo data needs the development issuer and is skipped")
        else:
            stack.oidc = start_oidc_provider(state_dir / "auth", log_path=state_dir / "logs" / "oidc.log")
            _say(f"Sign-in: the development OpenID provider for the portal at {stack.oidc.url}")
        oidc_env = stack.oidc.env() if stack.oidc else {}
        # Demo batches opened now close next year, before its holiday notice is entered: provisional
        # deadlines are marked as such (a deployment decides this with CALENDAR_ALLOW_PROVISIONAL).
        calendar_env = {"CALENDAR_ALLOW_PROVISIONAL": os.environ.get("CALENDAR_ALLOW_PROVISIONAL", "true")}
        env = service_env(nats_url, database_urls, nats_passwords, POLICY_PACK=args.pack, CLOCK_MODE="movable",
                          **auth_env, **oidc_env, **calendar_env)
        _say("Services: migrating and starting " + ", ".join(SERVICES) + " …")
        stack.services = start_services(SERVICES, env, ports, state_dir / "logs")
        urls = {name: process.url for name, process in stack.services.items()}
        if stack.oidc:
            stack.services["portal"] = start_portal(urls, env, _portal_secret(state_dir), PORTAL_PORT, state_dir / "logs")
        lines = [] if args.no_demo or external_auth else demo.load(urls, datetime.now(ZoneInfo("Asia/Shanghai")).date(), issuer)
        _say("")
        _say("The platform is running (policy pack %s; logs in %s):" % (args.pack, state_dir / "logs"))
        if "portal" in stack.services:
            _say(f"  {'portal':<12} {stack.services['portal'].url}   ← open this; sign in as any demo user")
        for name, url in urls.items():
            _say(f"  {name:<12} {url}/docs")
        if stack.oidc:
            _say(f"  {'sign-in':<12} {stack.oidc.discovery_url}")
        if lines:
            _say("\nDemo data:")
            for line in lines:
                _say(line)
        _say("\nPress Ctrl-C to stop everything this command started.")
        while all(process.alive() for process in stack.services.values()) and (stack.oidc is None or stack.oidc.running):
            time.sleep(1)
        dead = [name for name, process in stack.services.items() if not process.alive()]
        if dead:
            _say(f"\n{', '.join(dead)} stopped unexpectedly; last lines of its log:\n{stack.services[dead[0]].log_tail()}")
        elif stack.oidc is not None:
            _say(f"\nThe development OpenID provider stopped unexpectedly; last lines of its log:\n{log_tail(stack.oidc.log_path)}")
        return 1
    except KeyboardInterrupt:
        _say("\nStopping …")
        return 0
    finally:
        # A second Ctrl-C (or a TERM after the INT) while stopping would abandon the services
        # half-stopped, in their own sessions where nothing else reaches them: finish first.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()


def _admin_token(args: argparse.Namespace) -> str:
    return os.environ.get("GOVIT_TOKEN") or DevIssuer(Path(args.state_dir) / "auth").token_for("admin")


def token(args: argparse.Namespace) -> int:
    if args.list or not args.user:
        for user in DEMO_USERS.values():
            _say(f"{user.username:<22} {', '.join(user.roles):<18} {user.unit_id or '—':<18} {user.name}")
        return 0
    if args.user not in DEMO_USERS:
        _say(f"unknown demo user {args.user!r}; ./govit token --list shows them")
        return 2
    print(DevIssuer(Path(args.state_dir) / "auth").token_for(args.user, ttl_seconds=args.ttl))
    return 0


def export_audit(urls: dict[str, str], token: str, project_id: str) -> tuple[list[dict], dict[str, dict]]:
    """A project's whole trail across the services, in time order, with each service's chain verification."""
    records: list[dict] = []
    checks: dict[str, dict] = {}
    headers = {"authorization": f"Bearer {token}"}
    with httpx.Client(timeout=60, headers=headers) as client:
        for name, url in urls.items():
            after = 0
            while True:
                page = client.get(f"{url}/audit/records", params={"project_id": project_id, "after_seq": after, "limit": 1000})
                page.raise_for_status()
                rows = page.json()
                records += rows
                if len(rows) < 1000:
                    break
                after = rows[-1]["seq"]
            verified = client.get(f"{url}/audit/verify")
            verified.raise_for_status()
            checks[name] = verified.json()
    records.sort(key=lambda r: (r["recorded_at"], r["service"], r["seq"]))
    return records, checks


def audit_export(args: argparse.Namespace) -> int:
    token = os.environ.get("GOVIT_TOKEN") or DevIssuer(Path(args.state_dir) / "auth").token_for("auditor")
    urls = {name: f"http://127.0.0.1:{port}" for name, port in DEFAULT_PORTS.items()}
    records, checks = export_audit(urls, token, args.project_id)
    for record in records:
        print(json.dumps(record, ensure_ascii=False))
    broken = {name: c for name, c in checks.items() if not c["ok"]}
    for name, check in checks.items():
        state = "intact" if check["ok"] else f"BROKEN at record {check['first_broken_seq']}: {check['reason']}"
        print(f"{name}: audit trail {state} ({check['checked']} records)", file=sys.stderr)
    return 1 if broken else 0


def parked(args: argparse.Namespace) -> int:
    url = args.url or f"http://127.0.0.1:{DEFAULT_PORTS[args.service]}"
    headers = {"authorization": f"Bearer {_admin_token(args)}"}
    with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
        if args.replay is None:
            response = client.get("/ops/parked", params={"include_replayed": args.all})
            response.raise_for_status()
            rows = response.json()
            if not rows:
                _say(f"{args.service}: no parked messages")
            for row in rows:
                first_line = row["error"].strip().splitlines()[-1] if row["error"].strip() else ""
                _say(f"#{row['id']}  {row['parked_at']}  {row['consumer']}  {row['event_type']}  {row['event_id']}\n      {first_line}")
            return 0
        response = client.post(f"/ops/parked/{args.replay}/replay")
        if response.status_code != 200:
            _say(f"replay of #{args.replay} failed: {response.json().get('message', response.text)}")
            return 1
        _say(f"#{args.replay} replayed at {response.json()['replayed_at']}")
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="govit", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    up_parser = commands.add_parser("up", help="start the whole platform with demo data")
    up_parser.add_argument("--pack", default=os.environ.get("POLICY_PACK", "BY"), choices=["BY", "YF", "BZ", "DY", "YL"],
                           help="the deployment's policy pack for new projects (default BY)")
    up_parser.add_argument("--no-demo", action="store_true", help="do not load demo data")
    up_parser.add_argument("--state-dir", default=".govit", help="where the bundled servers keep their data")
    up_parser.set_defaults(run=up)
    parked_parser = commands.add_parser("parked", help="list, or replay, a service's parked messages")
    parked_parser.add_argument("service", choices=SERVICES)
    parked_parser.add_argument("--replay", type=int, metavar="ID", help="replay the parked message with this id")
    parked_parser.add_argument("--all", action="store_true", help="include messages already replayed")
    parked_parser.add_argument("--url", help="the service's base URL (default: its local port)")
    parked_parser.add_argument("--state-dir", default=".govit", help="where the development issuer keeps its key")
    parked_parser.set_defaults(run=parked)
    token_parser = commands.add_parser("token", help="print an access token of a demo user (development issuer)")
    token_parser.add_argument("user", nargs="?")
    token_parser.add_argument("--list", action="store_true", help="list the demo users")
    token_parser.add_argument("--ttl", type=int, default=8 * 3600, help="seconds the token stays valid")
    token_parser.add_argument("--state-dir", default=".govit")
    token_parser.set_defaults(run=token)
    audit_parser = commands.add_parser("audit-export", help="a project's audit trail across all services (JSON lines), with chain checks")
    audit_parser.add_argument("project_id")
    audit_parser.add_argument("--state-dir", default=".govit")
    audit_parser.set_defaults(run=audit_export)
    fuzz.add_parser(commands)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
