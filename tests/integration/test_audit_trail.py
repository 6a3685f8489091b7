"""The audit trail: every state change recorded with who, role, unit, object, rules and request id,
append-only, chained by SM3, verifiable per service, exportable per project across services."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from devstack.cli import export_audit
from tests.integration.harness import AUDITOR, BUREAU, eventually, leader, plain_dsn

pytestmark = pytest.mark.integration


def admin_dsn(infra, service_url: str) -> str:
    """The superuser's connection to one service's database: a DBA, not the service."""
    admin = urlsplit(plain_dsn(infra.postgres_admin_url))
    database = urlsplit(plain_dsn(service_url)).path
    return urlunsplit((admin.scheme, admin.netloc, database, admin.query, admin.fragment))


async def failed_dy_project(api, unit_id: str) -> tuple[str, str]:
    project_id = f"P-AU-{uuid.uuid4().hex[:8]}"
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    response = await api["acceptance"].client.post(
        f"/projects/{project_id}/final-reviews",
        json={"unit_id": unit_id, "result": "failed", "concluded_on": "2026-11-02", "pack_id": "DY", "reasons": ["验收不通过"]},
        headers={**api["acceptance"].headers(leader(unit_id)), "x-request-id": request_id},
    )
    assert response.status_code == 201, response.text
    assert response.headers["x-request-id"] == request_id
    return project_id, request_id


async def records(api, service: str, project_id: str) -> list[dict]:
    response = await api[service].get("/audit/records", as_=AUDITOR, project_id=project_id)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_request_is_recorded_with_actor_role_unit_object_and_request_id(api, unit_id):
    project_id, request_id = await failed_dy_project(api, unit_id)
    rows = await records(api, "acceptance", project_id)
    assert {r["object_type"] for r in rows} == {"acceptance_case", "final_review"}
    for row in rows:
        assert (row["actor"], row["role"], row["unit_id"], row["action"]) == (f"unit_leader@{unit_id}", "unit_leader", unit_id, "insert")
        assert row["request_id"] == request_id and row["project_id"] == project_id and row["object_unit_id"] == unit_id
    review = next(r for r in rows if r["object_type"] == "final_review")
    assert review["rule_ids"] == ["DY-22"]
    assert review["details"]["values"]["result"] == "failed"


async def test_an_effect_of_a_consumed_event_names_the_service_and_the_events_source(api, unit_id):
    project_id, _ = await failed_dy_project(api, unit_id)

    async def hold_records():
        rows = [r for r in await records(api, "procurement", project_id) if r["object_type"] == "finance_hold"]
        return rows or None
    (row,) = await eventually(hold_records, what="procurement audit record of the DY-24 hold")
    assert (row["actor"], row["role"], row["source"]) == ("system:procurement", "system", "/services/acceptance")
    assert row["cause_event_id"] and row["rule_ids"] == ["DY-24"]


async def test_the_service_cannot_change_or_remove_its_audit_rows(dbs):
    connection = await asyncpg.connect(dbs["acceptance"].dsn)
    try:
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await connection.execute("UPDATE audit_record SET actor = 'someone else'")
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await connection.execute("DELETE FROM audit_record")
    finally:
        await connection.close()


async def test_every_chain_verifies(api, unit_id):
    await failed_dy_project(api, unit_id)
    for service in api:
        result = (await api[service].get("/audit/verify", as_=AUDITOR)).json()
        assert result["ok"], (service, result)


async def test_an_edited_row_is_named_by_the_verification(api, infra, databases, unit_id):
    project_id, _ = await failed_dy_project(api, unit_id)
    target = (await records(api, "acceptance", project_id))[0]
    connection = await asyncpg.connect(admin_dsn(infra, databases["acceptance"]))
    try:
        # a DBA with superuser rights switches the trigger off and rewrites history
        await connection.execute("SET session_replication_role = replica")
        await connection.execute("UPDATE audit_record SET actor = 'nobody' WHERE seq = $1", target["seq"])
        result = (await api["acceptance"].get("/audit/verify", as_=AUDITOR)).json()
        assert (result["ok"], result["first_broken_seq"]) == (False, target["seq"])
        assert "changed after it was written" in result["reason"]
        cli = subprocess.run([sys.executable, "-m", "acceptance", "audit-verify"], capture_output=True, text=True, timeout=120,
                             env={**_service_env(api, databases)})
        assert cli.returncode == 1 and f"record {target['seq']}" in cli.stderr
    finally:
        await connection.execute("UPDATE audit_record SET actor = $1 WHERE seq = $2", target["actor"], target["seq"])
        await connection.close()
    assert (await api["acceptance"].get("/audit/verify", as_=AUDITOR)).json()["ok"]


def _service_env(api, databases) -> dict[str, str]:
    issuer = api["acceptance"].issuer
    return {**os.environ, "ACCEPTANCE_DATABASE_URL": databases["acceptance"], **issuer.env()}


async def test_an_auditor_exports_a_projects_trail_across_services(api, platform, issuer, unit_id):
    project_id, _ = await failed_dy_project(api, unit_id)

    async def both_services():
        rows, _ = export_audit({n: p.url for n, p in platform.items()}, issuer.token_for("auditor"), project_id)
        return rows if {r["service"] for r in rows} >= {"acceptance", "procurement", "notify"} else None
    rows = await eventually(both_services, what="trail in acceptance, procurement and notify")
    assert [r["recorded_at"] for r in rows] == sorted(r["recorded_at"] for r in rows)
    _, checks = export_audit({n: p.url for n, p in platform.items()}, issuer.token_for("auditor"), project_id)
    assert all(check["ok"] for check in checks.values())


async def test_unit_people_cannot_read_the_audit_trail(api, unit_id):
    assert (await api["acceptance"].get("/audit/records", as_=leader(unit_id))).status_code == 403
    assert (await api["acceptance"].get("/audit/verify", as_=BUREAU)).status_code == 403
