"""Each timer kind of RULES.md §3.10.2 that a published event starts, through the running platform:
its starting event makes the deadline with the pack's rules; one whose anchor lies far enough back
runs out and is published; one started today is stopped by the event that meets it.

The projects are approved first (as review publishes it), so notify knows their class and regime
and the services that react to an elapsed deadline know the project.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from contracts.base import Event, PackRef
from contracts.envelope import Envelope
from contracts.events import (
    AcceptanceApplied,
    AcceptanceFailed,
    AcceptanceFiled,
    AcceptanceFilingRejected,
    AcceptanceFilingSubmitted,
    AcceptancePassed,
    ApplicationSubmitted,
    BatchOpened,
    ChangeDecided,
    ChangeFiled,
    ConstructionCompleted,
    ContractFiled,
    DataAggregationConfirmed,
    EvaluationCompleted,
    InitialAcceptanceFiled,
    InitialAcceptancePassed,
    OperationStarted,
    PlanReviewed,
    ProjectApproved,
    RectificationCompleted,
    SupervisionFindingRecorded,
)
from policy.calendar import build_calendar
from policy.packs import get_pack
from policy.timers import Timer, timer_due
from tests.integration.harness import BUREAU, BY, BZ, YL, eventually, leader, publish_event

pytestmark = pytest.mark.integration

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONG_AGO = 4 * 366
"""Days back for an anchor whose deadline has run out: beyond the longest period here (3 years)."""
CALENDAR = build_calendar(allow_provisional=True)
"""The calendar notify runs with here (CALENDAR_ALLOW_PROVISIONAL), to compute what it should find."""
BATCH_CLOSE = Timer.of(next(rule for rule in get_pack("BY").timers if rule.kind == "batch_close"))


def today() -> date:
    return datetime.now(SHANGHAI).date()


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=SHANGHAI).astimezone(timezone.utc)


@dataclass(frozen=True)
class Kind:
    kind: str
    pack: PackRef
    rules: list[str]
    start: Callable[[str, str, PackRef, date], Event]
    stop: Callable[[str, str, PackRef, date], Event] | None = None
    project_class: str = "build_develop"
    approved: bool = True
    """Whether the project is approved first (a timer of the review stage runs before approval)."""


def submitted(project, unit, pack, day):
    return ApplicationSubmitted(project_id=project, application_id=f"A-{project}", unit_id=unit, pack=pack,
                                project_name="计时测试项目", declared_amount_fen=50_000_000, submitted_at=at(day))


def plan_reviewed(result: str) -> Callable[[str, str, PackRef, date], Event]:
    def event(project, unit, pack, day):
        return PlanReviewed(project_id=project, application_id=f"A-{project}", unit_id=unit, pack=pack, round=1, result=result,
                            final=False, rule_ids=["BY-16b"], reasons=["测试"], opinion_issued_at=at(day))
    return event


def initial_passed(project, unit, pack, day):
    return InitialAcceptancePassed(project_id=project, unit_id=unit, pack=pack, attempt=1, mode="internal_meeting",
                                   passed_on=day, rule_ids=["BY-39"], recorded_at=at(day))


def failed(project, unit, pack, day):
    return AcceptanceFailed(project_id=project, unit_id=unit, pack=pack, attempt=1, terminal=False, rule_id="BY-47.3a",
                            concluded_on=day, recorded_at=at(day))


def passed(project, unit, pack, day):
    return AcceptancePassed(project_id=project, unit_id=unit, pack=pack, attempt=1, concluded_on=day, recorded_at=at(day))


def filing_submitted(project, unit, pack, day):
    return AcceptanceFilingSubmitted(project_id=project, filing_id=f"F-{project}", unit_id=unit, pack=pack, attempt=1,
                                     submitted_on=day, rule_ids=["BY-48a"], submitted_at=at(day))


def filing_rejected(project, unit, pack, day):
    return AcceptanceFilingRejected(project_id=project, filing_id=f"F-{project}", unit_id=unit, pack=pack, attempt=1,
                                    final=False, rule_ids=["BY-48c"], rejected_at=at(day))


def evaluated(project, unit, pack, day):
    return EvaluationCompleted(project_id=project, evaluation_id=str(uuid.uuid4()), unit_id=unit, pack=pack,
                               kind="self" if pack == BY else "third_party", rule_ids=["BY-51a"] if pack == BY else ["YL-29"],
                               completed_on=day, completed_at=at(day))


def change_decided(project, unit, pack, day):
    return ChangeDecided(project_id=project, change_id=f"C-{project}", unit_id=unit, pack=pack, approved=True,
                         change_amount_fen=2_000_000, added_amount_fen=1_000_000, approved_amount_fen=100_000_000,
                         rule_ids=["BY-32a"], decided_at=at(day))


def change_filed(project, unit, pack, day):
    return ChangeFiled(project_id=project, change_id=f"C-{project}", unit_id=unit, pack=pack, stage="implementation",
                       kind="content", cancelled_amount_fen=1_000_000, added_amount_fen=1_000_000, change_amount_fen=2_000_000,
                       approved_amount_fen=100_000_000, requires_approval=True, requires_redeclaration=False,
                       procedure_completed_on=day, rule_ids=["BY-36"], filed_at=at(day))


def finding(project, unit, pack, day):
    return SupervisionFindingRecorded(finding_id=f"F-{project}", project_id=project, unit_id=unit, pack=pack, kind="security",
                                      severity="general", authority="cyberspace", description="计时测试：弱口令",
                                      rectification_due=day + timedelta(days=30), rule_ids=["BY-22.15"], recorded_at=at(day))


def rectified(project, unit, pack, day):
    return RectificationCompleted(project_id=project, unit_id=unit, pack=pack, source="supervision", finding_id=f"F-{project}",
                                  cause_event_id=str(uuid.uuid4()), rule_ids=["BY-22.15"], completed_on=day, confirmed_at=at(day))


def operation_started(project, unit, pack, day):
    return OperationStarted(project_id=project, unit_id=unit, pack=pack, started_on=day, rule_ids=["BZ-42a"], declared_at=at(day))


def self_evaluated(project, unit, pack, day):
    return EvaluationCompleted(project_id=project, evaluation_id=str(uuid.uuid4()), unit_id=unit, pack=pack, kind="self",
                               rule_ids=["BZ-42a"], completed_on=day, completed_at=at(day))


def applied(project, unit, pack, day):
    return AcceptanceApplied(project_id=project, unit_id=unit, pack=pack, applied_on=day, rule_ids=["YL-22a"], applied_at=at(day))


KINDS = [
    Kind("review_sla", BY, ["BY-16b"], submitted, plan_reviewed("passed"), approved=False),
    Kind("unit_response", BY, ["BY-16c", "BY-16d"], plan_reviewed("failed"), submitted, approved=False),
    Kind("initial_acceptance_filing", BY, ["BY-40", "BY-59"], initial_passed,
         lambda p, u, pack, day: InitialAcceptanceFiled(project_id=p, unit_id=u, pack=pack, filed_on=day, rule_ids=["BY-40"],
                                                        filed_at=at(day))),
    Kind("data_aggregation", BY, ["BY-42"], initial_passed,
         lambda p, u, pack, day: DataAggregationConfirmed(project_id=p, unit_id=u, pack=pack, confirmed_on=day, rule_ids=["BY-42"],
                                                          confirmed_at=at(day))),
    Kind("trial_run_min", BY, ["BY-41"], initial_passed),
    Kind("acceptance_rectification", BY, ["BY-47.3a"], failed, passed),
    Kind("acceptance_filing", BY, ["BY-48a"], passed, filing_submitted),
    Kind("filing_rectification", BY, ["BY-48c"], filing_rejected, filing_submitted),
    Kind("self_evaluation", BY, ["BY-51a"], passed, evaluated),
    Kind("warranty_end_software", BY, ["BY-27"], passed),
    Kind("warranty_end_hardware", BY, ["BY-27"], passed),
    Kind("acceptance_upload", YL, ["YL-23a"], passed,
         lambda p, u, pack, day: AcceptanceFiled(project_id=p, filing_id=f"F-{p}", unit_id=u, pack=pack, filed_on=day,
                                                 rule_ids=["YL-23a"], filed_at=at(day)), "software_development"),
    Kind("evaluation_window", YL, ["YL-29"], passed, evaluated, "software_development"),
    Kind("acceptance_application", YL, ["YL-22a"],
         lambda p, u, pack, day: ConstructionCompleted(project_id=p, unit_id=u, pack=pack, completed_on=day, rule_ids=["YL-22a"],
                                                       declared_at=at(day)), applied, "software_development"),
    Kind("change_filing", BY, ["BY-36", "BY-59"], change_decided, change_filed),
    Kind("supervision_rectification", BY, ["BY-22.15"], finding, rectified),
    Kind("self_evaluation_window", BZ, ["BZ-42a"], operation_started, self_evaluated, "software_development"),
]


async def approved_project(dbs, infra, kind: Kind) -> tuple[str, str]:
    project_id, unit_id = f"P-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    if not kind.approved:
        return project_id, unit_id
    await publish_event(infra.nats_admin_url, Envelope(ProjectApproved(
        project_id=project_id, approval_id=str(uuid.uuid4()), unit_id=unit_id, pack=kind.pack, project_class=kind.project_class,
        approved_amount_fen=100_000_000, approved_on=today(), rule_ids=["BY-20.4b"],
        approved_at=datetime.now(timezone.utc)), source="/services/review"))
    # the approval and the acceptance events travel on different streams: notify must know the
    # project's class and regime before an event whose timers depend on them
    await eventually(lambda: dbs["notify"].value("SELECT count(*) FROM followed_project WHERE project_id = $1", project_id),
                     what=f"notify follows {project_id}")
    return project_id, unit_id


async def send(infra, event: Event) -> None:
    await publish_event(infra.nats_admin_url, Envelope(event, source=f"/services/{type(event).TYPE.split('.')[0]}"))


async def deadline_of(api, project_id: str, unit_id: str, kind: str, state: str) -> list[dict]:
    async def found():
        answer = await api["notify"].get(f"/projects/{project_id}/deadlines", as_=leader(unit_id))
        rows = [d for d in answer.json() if d["kind"] == kind] if answer.status_code == 200 else []
        return rows if rows and all(d["state"] == state for d in rows) else None
    return await eventually(found, timeout=30, what=f"{kind} {state} on {project_id}")


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.kind)
async def test_a_timer_kind_starts_runs_out_and_is_stopped_by_the_event_that_meets_it(api, dbs, infra, kind):
    project_id, unit_id = await approved_project(dbs, infra, kind)
    await send(infra, kind.start(project_id, unit_id, kind.pack, today() - timedelta(days=LONG_AGO)))
    rows = await deadline_of(api, project_id, unit_id, kind.kind, "elapsed")
    assert all(set(kind.rules) <= set(row["rule_ids"]) for row in rows), rows
    assert all(row["due_on"] < today().isoformat() for row in rows)
    inbox = (await api["notify"].get(f"/units/{unit_id}/notifications", as_=leader(unit_id))).json()
    assert any(n["event_type"] == f"deadline.{kind.kind}" and n["title_zh"].startswith("期限已到") for n in inbox)

    if kind.stop is None:
        return
    project_id, unit_id = await approved_project(dbs, infra, kind)
    await send(infra, kind.start(project_id, unit_id, kind.pack, today()))
    [row] = await deadline_of(api, project_id, unit_id, kind.kind, "open")
    assert row["due_on"] >= today().isoformat() and set(kind.rules) <= set(row["rule_ids"])
    await send(infra, kind.stop(project_id, unit_id, kind.pack, today()))
    await deadline_of(api, project_id, unit_id, kind.kind, "stopped")


async def test_yl_16a_a_project_declared_this_year_is_approved_or_filed_by_31_december(api, infra):
    async def declare(day: date) -> tuple[str, str]:
        project_id, unit_id = f"P-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
        await send(infra, ApplicationSubmitted(
            project_id=project_id, application_id=str(uuid.uuid4()), unit_id=unit_id, pack=YL, project_name="玉林市测试项目",
            declared_amount_fen=50_000_000, submitted_at=at(day)))
        return project_id, unit_id

    late_id, late_unit = await declare(today() - timedelta(days=LONG_AGO))
    [late] = await deadline_of(api, late_id, late_unit, "year_end_approval", "elapsed")
    assert late["due_on"] == f"{(today() - timedelta(days=LONG_AGO)).year}-12-31" and late["rule_ids"] == ["YL-16a"]

    project_id, unit_id = await declare(today())
    [open_] = await deadline_of(api, project_id, unit_id, "year_end_approval", "open")
    assert open_["due_on"] == f"{today().year}-12-31"
    await send(infra, ProjectApproved(
        project_id=project_id, approval_id=str(uuid.uuid4()), unit_id=unit_id, pack=YL, project_class="software_development",
        approved_amount_fen=50_000_000, approved_on=today(), rule_ids=["YL-11a"], approved_at=datetime.now(timezone.utc)))
    await deadline_of(api, project_id, unit_id, "year_end_approval", "stopped")


async def test_by_14a_a_declaration_window_is_every_units_deadline_and_closes_two_natural_months_after_the_notice(api, infra):
    """batch_close has no project and no unit: each unit sees the window in its deadlines and calendar."""
    unit_id = f"U-{uuid.uuid4().hex[:8]}"

    async def window(batch_id: str, state: str):
        async def found():
            answer = await api["notify"].get(f"/units/{unit_id}/deadlines", as_=leader(unit_id))
            rows = [d for d in answer.json() if d["kind"] == "batch_close" and d["reference_id"] == batch_id]
            return rows if rows and rows[0]["state"] == state else None
        [row] = await eventually(found, timeout=30, what=f"batch_close {state} for {batch_id}")
        return row

    def opened(batch_id: str, notice: date) -> BatchOpened:
        return BatchOpened(batch_id=batch_id, pack=BY, plan_year=notice.year + 1, title="计时测试批次", notice_issued_on=notice,
                           closes_on=notice + timedelta(days=61), rule_ids=["BY-14a"], opened_at=at(notice))

    old = f"B-{uuid.uuid4().hex[:8]}"
    await send(infra, opened(old, today() - timedelta(days=LONG_AGO)))
    assert (await window(old, "elapsed"))["rule_ids"] == ["BY-14a"]

    current = f"B-{uuid.uuid4().hex[:8]}"
    notice = today()
    await send(infra, opened(current, notice))
    row = await window(current, "open")
    assert (row["anchor_on"], row["length"], row["unit_of_count"]) == (notice.isoformat(), 2, "natural_months")
    assert row["due_on"] == timer_due(get_pack("BY"), BATCH_CLOSE, notice, CALENDAR).due.isoformat()
    feed = await api["notify"].get(f"/units/{unit_id}/deadlines.ics", as_=leader(unit_id))
    assert feed.status_code == 200 and row["deadline_id"] in feed.text


async def test_by_26c_by_59_a_contract_is_heard_of_when_filed_and_its_filing_period_counts_from_signing(api, dbs, infra):
    """contract_filing starts at signing, which the platform learns from the filing itself: the period is
    recorded from the day signed, met by the filing, and a late one counts in the assessment."""
    kind = Kind("contract_filing", BY, ["BY-26c"], lambda *args: None)

    async def filed(signed: date) -> tuple[str, dict]:
        project_id, unit_id = await approved_project(dbs, infra, kind)
        await send(infra, ContractFiled(
            project_id=project_id, contract_id=f"K-{project_id}", unit_id=unit_id, pack=BY, kind="contract",
            supplier_id="91440111MA5TIMER1", supplier_role="builder", amount_fen=90_000_000, signed_on=signed,
            rule_ids=["BY-26c"], filed_at=datetime.now(timezone.utc)))
        [row] = await deadline_of(api, project_id, unit_id, "contract_filing", "stopped")
        return unit_id, row

    _, in_time = await filed(today())
    assert in_time["anchor_on"] == today().isoformat() and in_time["unit_of_count"] == "working_days" and not in_time["late"]
    unit_id, late = await filed(today() - timedelta(days=40))
    assert late["late"] and late["due_on"] < today().isoformat() and set(kind.rules) <= set(late["rule_ids"])
    year = date.fromisoformat(late["due_on"]).year
    table = (await api["notify"].get("/bureau/assessment", as_=BUREAU, year=year)).json()
    assert [(row["late"], row["on_time"]) for row in table if row["unit_id"] == unit_id] == [(1, 0)]


async def test_by_21_a_deadline_across_the_national_day_holiday_lands_on_the_right_working_day(api, dbs, infra):
    """Five working days from 2026-09-29 skip 10-01 to 10-07, count the 调休 Saturday 10-10 and end on 10-12."""
    project_id, unit_id = f"P-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    await send(infra, ProjectApproved(
        project_id=project_id, approval_id=str(uuid.uuid4()), unit_id=unit_id, pack=BY, project_class="build_develop",
        approved_amount_fen=100_000_000, approved_on=date(2026, 9, 29), rule_ids=["BY-20.4b"], approved_at=at(date(2026, 9, 29))))

    async def filing():
        answer = await api["notify"].get(f"/projects/{project_id}/deadlines", as_=leader(unit_id))
        return [d for d in answer.json() if d["kind"] == "scheme_filing"] or None if answer.status_code == 200 else None
    [row] = await eventually(filing, timeout=30, what="the scheme filing deadline")
    assert (row["anchor_on"], row["due_on"], row["unit_of_count"], row["length"]) == ("2026-09-29", "2026-10-12", "working_days", 5)


async def test_by_14a_a_closing_declaration_window_is_a_reminder_in_every_units_inbox(api, infra):
    """A unit with no deadline of its own is reminded that the window closes: notify follows it from
    its first event, and a deadline of the whole jurisdiction reminds every unit it follows."""
    unit_id = f"U-{uuid.uuid4().hex[:8]}"
    await send(infra, submitted(f"P-{uuid.uuid4().hex[:8]}", unit_id, BY, today()))
    # the notice whose window closes first on or after today: its reminders are due already
    notice = next(day for day in (today() - timedelta(days=back) for back in range(70, 0, -1))
                  if timer_due(get_pack("BY"), BATCH_CLOSE, day, CALENDAR).due >= today())
    batch_id = f"B-{uuid.uuid4().hex[:8]}"
    await send(infra, BatchOpened(batch_id=batch_id, pack=BY, plan_year=notice.year + 1, title="计时测试批次（即将截止）",
                                  notice_issued_on=notice, closes_on=notice + timedelta(days=61), rule_ids=["BY-14a"],
                                  opened_at=at(notice)))

    async def reminded():
        inbox = (await api["notify"].get(f"/units/{unit_id}/notifications", as_=leader(unit_id))).json()
        return [n for n in inbox if n["event_type"] == "deadline.batch_close" and "个工作日" in n["title_zh"]] or None
    notices = await eventually(reminded, timeout=30, what="the window's reminder in the unit's inbox")
    assert all(n["rule_ids"] == ["BY-14a"] and n["project_id"] is None for n in notices)
