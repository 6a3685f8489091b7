"""Notify holds the platform's deadlines (RULES.md §3.10.2): an event starts the pack's timers, the
events the pack names stop them, and one that runs out is published once as DeadlineElapsed, which
the owning service acts on (BY-20.4b → BY-37.3 lapse in procurement)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import ContractFiled, DeadlineElapsed, ProjectApproved
from tests.integration.harness import BUREAU, BY, FINANCE, eventually, leader, publish_event

pytestmark = pytest.mark.integration



def today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def approve(infra, approved_on: date) -> tuple[str, str, str]:
    project_id, unit_id = f"P-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    envelope = Envelope(ProjectApproved(
        project_id=project_id, approval_id=str(uuid.uuid4()), unit_id=unit_id, pack=BY, project_class="build_develop",
        approved_amount_fen=100_000_000, approved_on=approved_on, rule_ids=["BY-20.4b"], approved_at=datetime.now(timezone.utc)),
        source="/services/review")
    await publish_event(infra.nats_admin_url, envelope)
    return project_id, unit_id, envelope.id


async def deadlines(api, project_id, unit_id) -> dict[str, dict]:
    rows = (await api["notify"].get(f"/projects/{project_id}/deadlines", as_=leader(unit_id))).json()
    return {row["kind"]: row for row in rows} if isinstance(rows, list) else {}


async def test_by_20_4b_by_21_an_approval_starts_its_validity_and_the_scheme_filing(api, infra):
    approved_on = today() - timedelta(days=2)
    project_id, unit_id, _ = await approve(infra, approved_on)
    found = await eventually(lambda: deadlines(api, project_id, unit_id), what="the approval's deadlines")
    validity = found["approval_validity"]
    assert (validity["rule_ids"], validity["anchor_on"], validity["unit_of_count"]) == (
        ["BY-20.4b", "BY-37.3"], approved_on.isoformat(), "natural_years")
    assert validity["due_on"] >= approved_on.replace(year=approved_on.year + 1).isoformat() and validity["state"] == "open"
    assert found["scheme_filing"]["rule_ids"] == ["BY-21", "BY-59"] and found["scheme_filing"]["unit_of_count"] == "working_days"
    feed = await api["notify"].get(f"/units/{unit_id}/deadlines.ics", as_=leader(unit_id))
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert f"DTSTART;VALUE=DATE:{validity['due_on'].replace('-', '')}" in feed.text

    await publish_event(infra.nats_admin_url, Envelope(ContractFiled(
        project_id=project_id, contract_id=str(uuid.uuid4()), unit_id=unit_id, pack=BY, kind="contract", supplier_id="91440111MA5NOTIFY1",
        supplier_role="builder", amount_fen=90_000_000, signed_on=today(), rule_ids=["BY-26c"], filed_at=datetime.now(timezone.utc)),
        source="/services/procurement"))

    async def stopped():
        state = (await deadlines(api, project_id, unit_id))["approval_validity"]["state"]
        return state == "stopped" or None
    await eventually(stopped, what="ContractFiled stops the validity timer")


async def test_by_37_3_a_validity_that_runs_out_is_published_once_and_lapses_the_project(api, infra):
    project_id, unit_id, _ = await approve(infra, today() - timedelta(days=367))

    async def elapsed():
        found = await deadlines(api, project_id, unit_id)
        return found.get("approval_validity", {}).get("state") == "elapsed" or None
    await eventually(elapsed, what="the validity elapsed")

    async def lapsed():
        rows = (await api["procurement"].get(f"/projects/{project_id}/terminations", as_=BUREAU)).json()
        return rows or None
    (row,) = await eventually(lapsed, what="procurement lapses the project")
    assert row["reason"] == "lapsed" and row["rule_ids"] == ["BY-37.3", "BY-20.4b"]
    holds = (await api["procurement"].get(f"/projects/{project_id}/holds", as_=FINANCE)).json()
    assert [h["rule_ids"] for h in holds] == [["BY-38b"]]
    unit_rows = (await api["notify"].get(f"/units/{unit_id}/deadlines", as_=leader(unit_id))).json()
    assert sum(1 for r in unit_rows if r["kind"] == "approval_validity" and r["state"] == "elapsed") == 1


async def test_a_unit_is_reminded_before_and_the_bureau_told_after_a_deadline(api, infra):
    # approved a year less two days ago: the validity is due within three working days, then runs out
    project_id, unit_id, _ = await approve(infra, today() - timedelta(days=363))

    async def reminded():
        rows = (await api["notify"].get(f"/units/{unit_id}/notifications", as_=leader(unit_id))).json()
        return [r for r in rows if r["event_type"] == "deadline.approval_validity"] or None
    notices = await eventually(reminded, what="a reminder in the unit's inbox")
    assert all(n["rule_ids"] == ["BY-20.4b", "BY-37.3"] and n["audience"] == "unit" for n in notices)
    assert any("working day" in n["title"] for n in notices)
    read = await api["notify"].post(f"/units/{unit_id}/notifications/{notices[0]['id']}/read", as_=leader(unit_id))
    assert read.status_code == 200 and read.json()["read_at"]
    unread = (await api["notify"].get(f"/units/{unit_id}/notifications", as_=leader(unit_id), unread_only="true")).json()
    assert notices[0]["id"] not in {n["id"] for n in unread}


async def test_a_missed_deadline_is_escalated_to_the_bureau(api, infra):
    project_id, unit_id, _ = await approve(infra, today() - timedelta(days=368))

    async def escalated():
        rows = (await api["notify"].get("/bureau/notifications", as_=BUREAU)).json()
        return [r for r in rows if r["project_id"] == project_id and r["event_type"] == "deadline.approval_validity"] or None
    (notice,) = await eventually(escalated, what="the escalation")
    assert notice["audience"] == "bureau" and notice["unit_id"] == unit_id and notice["rule_ids"] == ["BY-20.4b", "BY-37.3"]
    own = (await api["notify"].get(f"/units/{unit_id}/notifications", as_=leader(unit_id))).json()
    assert any(n["title_zh"].startswith("期限已到") for n in own)

    # BY-59: the scheme filing that ran out counts as late in its year's assessment
    filing = (await deadlines(api, project_id, unit_id))["scheme_filing"]
    year = int(filing["due_on"][:4])

    async def assessed():
        rows = (await api["notify"].get("/bureau/assessment", as_=BUREAU, year=year)).json()
        return next((r for r in rows if r["unit_id"] == unit_id and r["late"] >= 1), None)
    row = await eventually(assessed, what="the late filing in the assessment")
    assert row["on_time_rate"] == "0%"
    sheet = await api["notify"].get("/bureau/assessment.csv", as_=BUREAU, year=year)
    assert sheet.status_code == 200 and f"{unit_id},0,1," in sheet.text


async def test_notify_killed_before_publishing_fires_each_deadline_exactly_once(platform, api, infra, dbs):
    notify = platform["notify"]
    notify.restart({"FAILPOINTS": "outbox.before_publish=kill"})
    project_id, unit_id, _ = await approve(infra, today() - timedelta(days=370))
    assert notify.wait_exit(timeout=60) == -9, "the relay reached the failpoint with the DeadlineElapsed row"
    fired = await dbs["notify"].value(
        "SELECT count(*) FROM deadline WHERE project_id = $1 AND kind = 'approval_validity' AND fired_at IS NOT NULL", project_id)
    assert fired == 1
    notify.restart({"FAILPOINTS": ""})

    async def lapsed():
        rows = (await api["procurement"].get(f"/projects/{project_id}/terminations", as_=BUREAU)).json()
        return rows or None
    await eventually(lapsed, what="the lapse after restart", timeout=40)
    outbox = await dbs["notify"].value(
        "SELECT count(*) FROM outbox WHERE event_type = 'notify.deadline.elapsed.v1' AND convert_from(payload, 'UTF8') LIKE $1"
        " AND convert_from(payload, 'UTF8') LIKE '%approval_validity%'", f"%{project_id}%")
    assert outbox == 1
    holds = (await api["procurement"].get(f"/projects/{project_id}/holds", as_=FINANCE)).json()
    assert len(holds) == 1


async def test_a_corrected_calendar_moves_an_open_deadline_and_records_it(platform, api, infra, tmp_path):
    from policy.calendar import build_calendar

    project_id, unit_id, _ = await approve(infra, today())
    found = await eventually(lambda: deadlines(api, project_id, unit_id), what="the approval's deadlines")
    before = date.fromisoformat(found["scheme_filing"]["due_on"])  # BY-21: 5 working days
    calendar = build_calendar(allow_provisional=True)
    day = today() + timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    override = tmp_path / "calendar.toml"
    override.write_text(f"[years.{day.year}]\nsource = \"更正通知（测试）\"\nholidays = [{day.isoformat()}]\n", encoding="utf-8")
    notify = platform["notify"]
    try:
        notify.restart({"CALENDAR_OVERRIDES_FILE": str(override)})

        async def moved():
            filing = (await deadlines(api, project_id, unit_id))["scheme_filing"]
            return filing if filing["due_on"] != before.isoformat() else None
        filing = await eventually(moved, what="the scheme filing moved by the corrected calendar")
        assert date.fromisoformat(filing["due_on"]) > before
        (change,) = filing["changes"]
        assert (change["old_due_on"], change["new_due_on"], change["reason"]) == (
            before.isoformat(), filing["due_on"], "calendar loaded at start")
        assert (await deadlines(api, project_id, unit_id))["approval_validity"]["changes"] == []  # natural years: unmoved
    finally:
        # back to the bundled calendar: an override that repeats what the bundled data says
        same = tmp_path / "same.toml"
        same.write_text("[years.2026]\nholidays = [2026-10-07]\nworkdays = [2026-10-10]\n", encoding="utf-8")
        notify.restart({"CALENDAR_OVERRIDES_FILE": str(same)})


class _Hook:
    """A webhook receiver that fails its first call, as a busy system would."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.calls: list[tuple[dict, bytes]] = []
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers["content-length"]))
                hook.calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(500 if len(hook.calls) == 1 else 204)
                self.end_headers()

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


async def test_notices_go_by_email_and_signed_webhook_and_a_failing_receiver_loses_none(platform, api, infra):
    import hashlib
    import hmac

    from aiosmtpd.controller import Controller

    from devstack.ports import free_port

    class Mailbox:
        def __init__(self) -> None:
            self.messages: list[bytes] = []

        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd's hook
            self.messages.append(envelope.content)
            return "250 OK"

    mailbox, hook = Mailbox(), _Hook()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    notify = platform["notify"]
    try:
        notify.restart({"NOTIFY_SMTP_HOST": "127.0.0.1", "NOTIFY_SMTP_PORT": str(smtp.port), "NOTIFY_DELIVERY_BACKOFF_SECONDS": "0.5"})
        unit_id = f"U-{uuid.uuid4().hex[:8]}"
        bad = await api["notify"].post(f"/units/{unit_id}/channels", {"kind": "webhook", "address": "http://example.com/hook"},
                                       as_=leader(unit_id))
        assert bad.status_code == 422 and bad.json()["field"] == "address"
        mail = await api["notify"].post(f"/units/{unit_id}/channels", {"kind": "email", "address": "xinxi@example.gov.cn"},
                                        as_=leader(unit_id))
        web = await api["notify"].post(f"/units/{unit_id}/channels", {"kind": "webhook", "address": hook.url}, as_=leader(unit_id))
        assert mail.status_code == 201 and web.status_code == 201 and web.json()["secret"]
        secret = web.json()["secret"]
        listed = (await api["notify"].get(f"/units/{unit_id}/channels", as_=leader(unit_id))).json()
        assert all(c["secret"] is None for c in listed)  # shown once

        project_id = f"P-{uuid.uuid4().hex[:8]}"
        await publish_event(infra.nats_admin_url, Envelope(ProjectApproved(
            project_id=project_id, approval_id=str(uuid.uuid4()), unit_id=unit_id, pack=BY, project_class="build_develop",
            approved_amount_fen=100_000_000, approved_on=today() - timedelta(days=370), rule_ids=["BY-20.4b"],
            approved_at=datetime.now(timezone.utc)), source="/services/review"))

        async def delivered():
            rows = (await api["notify"].get(f"/units/{unit_id}/deliveries", as_=leader(unit_id))).json()
            return rows if rows and all(r["state"] == "delivered" for r in rows) else None
        rows = await eventually(delivered, what="every notice delivered", timeout=40)
        assert any(r["kind"] == "webhook" and r["attempts"] >= 2 for r in rows)  # the first call failed and was retried
        assert mailbox.messages and any("BY-20.4b" in m.decode("utf-8", "replace") for m in mailbox.messages)
        headers, body = hook.calls[-1]
        expected = "sha256=" + hmac.new(secret.encode(), headers["x-govit-timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
        assert headers["x-govit-signature"] == expected
    finally:
        smtp.stop()
        hook.close()
        notify.restart({})


async def test_dy_25b_bz_43b_a_serious_violation_or_an_overdue_rectification_is_circulated(api, infra):
    from contracts.events import RectificationOverdue, SupervisionFindingRecorded

    dy_unit, bz_unit = f"U-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    await publish_event(infra.nats_admin_url, Envelope(SupervisionFindingRecorded(
        finding_id=str(uuid.uuid4()), project_id=f"P-{uuid.uuid4().hex[:8]}", unit_id=dy_unit, pack=PackRef(id="DY", version="2020.1"),
        kind="funds", severity="serious", authority="audit", description="挪用项目资金", rule_ids=["DY-25b"],
        recorded_at=datetime.now(timezone.utc)), source="/services/acceptance"))
    await publish_event(infra.nats_admin_url, Envelope(RectificationOverdue(
        project_id=f"P-{uuid.uuid4().hex[:8]}", unit_id=bz_unit, pack=PackRef(id="BZ", version="2022.1"), source="supervision",
        reason="overdue", cause_event_id=str(uuid.uuid4()), rule_ids=["BZ-43a"], detected_at=datetime.now(timezone.utc)),
        source="/services/acceptance"))

    async def circulated():
        rows = (await api["notify"].get("/bureau/notifications", as_=BUREAU)).json()
        found = {r["unit_id"]: r for r in rows if r["event_type"] == "circular" and r["unit_id"] in (dy_unit, bz_unit)}
        return found if len(found) == 2 else None
    found = await eventually(circulated, what="both circulars before the bureau")
    assert found[dy_unit]["rule_ids"] == ["DY-25b"] and found[dy_unit]["title_zh"].startswith("通报")
    assert found[bz_unit]["rule_ids"] == ["BZ-43b"]


async def test_by_37_3_a_validity_that_ran_out_before_procurement_heard_of_the_approval_still_lapses_it(api, infra, dbs):
    """The approval (review's stream) and the elapsed validity (notify's) can reach procurement in either
    order; under load the deadline used to exhaust its retries and be parked, and the project never lapsed."""
    project_id, unit_id = f"P-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    await publish_event(infra.nats_admin_url, Envelope(DeadlineElapsed(
        deadline_id=str(uuid.uuid4()), kind="approval_validity", project_id=project_id, unit_id=unit_id, pack=BY,
        rule_ids=["BY-20.4b", "BY-37.3"], due_at=datetime.now(timezone.utc)), source="/services/notify"))
    await eventually(lambda: dbs["procurement"].value("SELECT count(*) FROM early_deadline WHERE project_id = $1", project_id),
                     what="procurement keeps the deadline for the approval")
    await publish_event(infra.nats_admin_url, Envelope(ProjectApproved(
        project_id=project_id, approval_id=str(uuid.uuid4()), unit_id=unit_id, pack=BY, project_class="build_develop",
        approved_amount_fen=100_000_000, approved_on=today() - timedelta(days=367), rule_ids=["BY-20.4b"],
        approved_at=datetime.now(timezone.utc)), source="/services/review"))

    async def lapsed():
        rows = (await api["procurement"].get(f"/projects/{project_id}/terminations", as_=BUREAU)).json()
        return rows or None
    (row,) = await eventually(lapsed, what="procurement lapses the project once the approval arrives")
    assert row["reason"] == "lapsed" and row["rule_ids"] == ["BY-37.3", "BY-20.4b"]
    assert await dbs["procurement"].value("SELECT count(*) FROM early_deadline WHERE project_id = $1", project_id) == 0
