"""Yearly deadlines that run for every unit (YF-6: the next year's IT plan filed by 11-30), over the
notify database, with a 云浮 deployment's pack (the test platform runs BY, whose text has none).

The running notify's scheduler does the same once a business day with its own pack; these dates
lie years ahead so its clock never reaches them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from contracts.envelope import Envelope
from contracts.events import UnitPlanFiled
from policy.calendar import build_calendar
from policy.packs import get_pack
from servicekit.clock import SystemClock
from servicekit.db import UnitOfWorkFactory, make_engine, make_session_factory

from notify import deadlines
from notify.models import Deadline, Reminder

pytestmark = pytest.mark.integration

YF = get_pack("YF")
CALENDAR = build_calendar(allow_provisional=True)  # the years ahead have no holiday notice yet


@pytest.fixture
async def units(platform, databases):
    """Sessions on the notify database the running platform migrated."""
    engine = make_engine(databases["notify"], pool_size=2)
    yield UnitOfWorkFactory(make_session_factory(engine), "/services/notify", SystemClock())
    await engine.dispose()


async def yearly(units, unit_id: str) -> list[SimpleNamespace]:
    async with units() as uow:
        query = select(Deadline).where(Deadline.unit_id == unit_id, Deadline.kind == "annual_plan").order_by(Deadline.due_on)
        return [SimpleNamespace(**row.model_dump()) for row in (await uow.session.execute(query)).scalars()]


def plan_filed(unit_id: str, plan_year: int) -> Envelope:
    return Envelope(UnitPlanFiled(unit_id=unit_id, plan_id=f"PL-{uuid.uuid4().hex[:8]}", kind="annual_plan", plan_year=plan_year,
                                  rule_ids=["YF-6"], filed_at=datetime.now(timezone.utc)), source="/services/intake")


async def test_yf_6_every_followed_unit_owes_next_years_plan_by_30_november_once(units):
    first, second = f"U-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    async with units() as uow:
        assert await deadlines.follow_unit(uow, first) and await deadlines.follow_unit(uow, second)
        assert not await deadlines.follow_unit(uow, first)
        made = await deadlines.start_yearly(uow, YF, CALENDAR, (3, 1), date(2031, 6, 2), [first, second])
        again = await deadlines.start_yearly(uow, YF, CALENDAR, (3, 1), date(2031, 9, 1), [first, second])
        await uow.commit()
    assert (made, again) == (2, 0)
    [deadline] = await yearly(units, first)
    assert (deadline.due_on, deadline.reference_id, deadline.rule_ids, deadline.project_id) == (date(2031, 11, 30), "2032", ["YF-6"], None)
    assert deadline.stops_on == ["UnitPlanFiled"] and deadline.at_expiry_zh == "下一年度政务信息化计划逾期未报（未规定罚则）"
    async with units() as uow:
        reminders = (await uow.session.execute(select(Reminder.days_before, Reminder.remind_on).where(
            Reminder.deadline_id == deadline.id).order_by(Reminder.days_before))).all()
    # 2031-11-30 is a Sunday; three and one working days before it are 26 and 28 November
    assert [tuple(r) for r in reminders] == [(1, date(2031, 11, 28)), (3, date(2031, 11, 26))]


async def test_yf_6_a_filed_plan_stops_the_deadline_of_its_year_only(units):
    unit_id = f"U-{uuid.uuid4().hex[:8]}"
    async with units() as uow:
        await deadlines.follow_unit(uow, unit_id)
        await deadlines.start_yearly(uow, YF, CALENDAR, (3, 1), date(2032, 3, 1), [unit_id])
        await uow.commit()
    early = plan_filed(unit_id, 2034)  # a plan for a later year answers a later deadline
    on_time = plan_filed(unit_id, 2033)
    async with units() as uow:
        await deadlines._stop(uow, YF, "UnitPlanFiled", early.data.model_dump(mode="python"), early)
        await uow.commit()
    [deadline] = await yearly(units, unit_id)
    assert deadline.stopped_at is None
    async with units() as uow:
        await deadlines._stop(uow, YF, "UnitPlanFiled", on_time.data.model_dump(mode="python"), on_time)
        await uow.commit()
    [deadline] = await yearly(units, unit_id)
    assert deadline.stopped_by_event_id == on_time.id
    # past 30 November the next one is a year on, about the year after
    async with units() as uow:
        await deadlines.start_yearly(uow, YF, CALENDAR, (3, 1), date(2032, 12, 1), [unit_id])
        await uow.commit()
    assert [(d.due_on, d.reference_id, d.stopped_at is None) for d in await yearly(units, unit_id)] == [
        (date(2032, 11, 30), "2033", False), (date(2033, 11, 30), "2034", True)]


async def test_a_pack_without_yearly_unit_deadlines_starts_none(units):
    unit_id = f"U-{uuid.uuid4().hex[:8]}"
    async with units() as uow:
        await deadlines.follow_unit(uow, unit_id)
        assert await deadlines.start_yearly(uow, get_pack("BY"), CALENDAR, (3, 1), date(2031, 6, 2), [unit_id]) == 0
        await uow.commit()
    assert await yearly(units, unit_id) == []
