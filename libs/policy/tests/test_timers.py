"""Timers of RULES.md §3.10.2 and their due dates on the working-day calendar."""

from datetime import date

import pytest

from policy.calendar import build_calendar
from policy.facts import PolicyInputError
from policy.packs import get_pack
from policy.schema import Period
from policy.timers import period_due, timer_due, timers_for, timers_stopped_by

BY, YF, BZ, DY, YL = (get_pack(p) for p in ("BY", "YF", "BZ", "DY", "YL"))
CALENDAR = build_calendar()


def due(pack, event, kind, anchor, **facts):
    (timer,) = [t for t in timers_for(pack, event, facts).timers if t.kind == kind]
    return timer_due(pack, timer, anchor, CALENDAR).due


def test_by_16b_review_sla_five_working_days_skips_national_day():
    # submitted 2025-09-30: 10-01…10-08 are off, 10-11 (Saturday) is a make-up working day and counts
    assert due(BY, "ApplicationSubmitted", "review_sla", date(2025, 9, 30)) == date(2025, 10, 14)


def test_by_40_initial_acceptance_filing_fifteen_working_days():
    assert due(BY, "InitialAcceptancePassed", "initial_acceptance_filing", date(2026, 11, 2)) == date(2026, 11, 23)


def test_by_41_by_42_trial_run_three_natural_months_and_data_aggregation_by_its_end():
    assert due(BY, "InitialAcceptancePassed", "trial_run_min", date(2026, 3, 31)) == date(2026, 6, 30)
    assert due(BY, "InitialAcceptancePassed", "data_aggregation", date(2026, 3, 31)) == date(2026, 6, 30)


def test_by_47_3a_thirty_natural_days_moved_past_a_rest_day():
    # 30 ND from 2026-09-01 is 2026-10-01, inside National Day; it ends on the next working day (民法典 §203)
    assert due(BY, "AcceptanceFailed", "acceptance_rectification", date(2026, 9, 1), terminal=False) == date(2026, 10, 8)
    assert timers_for(BY, "AcceptanceFailed", {"terminal": True}).timers == ()


def test_by_48a_acceptance_filing_thirty_natural_days_and_by_48c_ten_working_days():
    assert due(BY, "AcceptancePassed", "acceptance_filing", date(2026, 11, 2)) == date(2026, 12, 2)
    assert due(BY, "AcceptanceFilingRejected", "filing_rectification", date(2026, 11, 23), final=False) == date(2026, 12, 7)


def test_by_20_4b_approval_valid_one_natural_year_rolling():
    assert due(BY, "ProjectApproved", "approval_validity", date(2025, 3, 10)) == date(2026, 3, 10)
    assert set(timers_stopped_by(BY, "ContractFiled")) == {"approval_validity", "contract_filing"}


def test_by_27_warranty_one_and_three_years_for_build_projects():
    kinds = {t.kind for t in timers_for(BY, "AcceptancePassed", {"project_class": "build_develop"}).timers}
    assert {"warranty_end_software", "warranty_end_hardware", "self_evaluation", "acceptance_filing"} <= kinds
    assert "warranty_end_software" not in {t.kind for t in timers_for(BY, "AcceptancePassed", {"project_class": "service"}).timers}


def test_yf_6_annual_plan_due_on_11_30():
    assert due(YF, "CalendarYear", "annual_plan", date(2024, 3, 1)) == date(2024, 11, 30)
    assert due(YF, "CalendarYear", "annual_plan", date(2024, 12, 1)) == date(2025, 11, 30)


def test_yl_16a_year_end_and_yl_22a_six_months_and_yl_23a_ten_working_days():
    assert due(YL, "CalendarYear", "year_end_approval", date(2026, 5, 1)) == date(2026, 12, 31)
    assert due(YL, "ConstructionCompleted", "acceptance_application", date(2025, 8, 31), regime="approval") == date(2026, 2, 28)
    assert due(YL, "AcceptancePassed", "acceptance_upload", date(2026, 11, 20)) == date(2026, 12, 4)


def test_bz_43a_rectification_period_comes_from_the_order():
    (timer,) = timers_for(BZ, "SupervisionFindingRecorded").timers
    with pytest.raises(PolicyInputError):
        timer_due(BZ, timer, date(2026, 11, 2), CALENDAR)
    ordered = Period(length=20, unit="working_days", anchor="order_date", rules=("BZ-43a",))
    assert timer_due(BZ, timer, date(2026, 11, 2), CALENDAR, ordered=ordered).due == date(2026, 11, 30)


def test_bz_42a_window_opens_at_twelve_and_closes_at_twenty_four_months():
    (timer,) = [t for t in timers_for(BZ, "OperationStarted").timers]
    assert period_due(BZ, timer.opens, date(2025, 1, 15), CALENDAR).due == date(2026, 1, 15)
    assert timer_due(BZ, timer, date(2024, 1, 15), CALENDAR).due == date(2026, 1, 15)


def test_deadlines_into_2027_are_refused_or_provisional_as_configured():
    from policy.calendar import CalendarYearMissing

    (timer,) = [t for t in timers_for(BY, "ApplicationSubmitted").timers]
    with pytest.raises(CalendarYearMissing):
        timer_due(BY, timer, date(2026, 12, 28), CALENDAR)
    provisional = timer_due(BY, timer, date(2026, 12, 28), build_calendar(allow_provisional=True))
    assert provisional.provisional and provisional.provisional_years == (2027,)


def test_dy_sets_no_timer_with_a_period():
    assert DY.timers == ()
