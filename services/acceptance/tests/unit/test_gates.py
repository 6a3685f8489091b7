"""What stands before each acceptance step (RULES.md §3.8): initial acceptance mode (BY-39.1/39.2),
the trial run (BY-41, BZ-28a), data aggregation (BY-42), evidence (BY-43, YL-28b), the compliance
opinion (BY-45a–45c, YF-18b) and the final review's mode (BY-47.1/47.2)."""

from datetime import date

from policy.calendar import build_calendar
from policy.packs import get_pack

from acceptance.domain.gates import (
    Owed,
    Standing,
    compliance_request_problems,
    final_review_problems,
    initial_mode_problem,
    trial_run_ends,
)

BY, BZ, YF, DY = get_pack("BY"), get_pack("BZ"), get_pack("YF"), get_pack("DY")
CALENDAR = build_calendar(allow_provisional=True)
OWED = (Owed("trial_run", "required", ("BY-41",)), Owed("data_aggregation", "required", ("BY-42",)),
        Owed("djcp_report", "required", ("BY-43",)), Owed("final_expert_review", "pending", ("BY-47.2",)))


def ready(**changes) -> Standing:
    base = dict(project_class="build_develop", contract_amount_yuan=1_500_000, initial_passed_on=date(2026, 6, 10),
                data_confirmed=True, compliance="consent", evidence={"djcp_report"}, owed=OWED)
    return Standing(**{**base, **changes})


def found(pack, standing, day=date(2027, 4, 6), mode="expert_meeting"):
    return [(p.field, p.rule_ids) for p in final_review_problems(pack, standing, day, mode, CALENDAR)]


def test_a_project_that_did_everything_may_have_its_final_review():
    assert found(BY, ready()) == []


def test_by_39_1_by_39_2_initial_acceptance_by_expert_meeting_from_500k():
    assert initial_mode_problem(BY, ready(), "internal_meeting").rule_ids == ("BY-39.1", "BY-39.2")
    assert initial_mode_problem(BY, ready(contract_amount_yuan=499_999), "internal_meeting") is None
    assert initial_mode_problem(BY, ready(), "expert_meeting") is None


def test_by_39a_a_build_project_is_accepted_initially_first():
    assert ("project_id", ("BY-39a", "BY-39.3")) in found(BY, ready(initial_passed_on=None))


def test_by_41_the_trial_run_lasts_three_natural_months():
    assert trial_run_ends(BY, ready(), CALENDAR) == date(2026, 9, 10)
    assert found(BY, ready(), day=date(2026, 9, 9)) == [("concluded_on", ("BY-41",))]
    assert found(BY, ready(), day=date(2026, 9, 10)) == []


def test_bz_28a_the_trial_run_of_three_months_under_bazhong():
    assert ("concluded_on", ("BZ-28a",)) in found(BZ, ready(project_class="application_system", owed=()), day=date(2026, 8, 1))


def test_by_42_by_43_data_and_evidence_before_the_final_review():
    assert found(BY, ready(data_confirmed=False)) == [("project_id", ("BY-42",))]
    assert found(BY, ready(evidence=set())) == [("evidence", ("BY-43",))]


def test_by_45c_yf_18b_the_compliance_opinion_gates_the_final_review():
    assert found(BY, ready(compliance=None)) == [("project_id", ("BY-45a", "BY-45c"))]
    assert found(BY, ready(compliance="refused")) == [("project_id", ("BY-45a", "BY-45c"))]
    assert found(YF, ready(compliance=None, owed=(), project_class="software_development")) == [("project_id", ("YF-18b",))]
    assert found(DY, ready(compliance=None, owed=(), project_class="software_development")) == []  # DY has no such review


def test_by_47_1_by_47_2_the_final_review_by_expert_meeting_from_500k():
    assert found(BY, ready(), mode="internal_meeting") == [("mode", ("BY-47.1", "BY-47.2"))]
    assert found(BY, ready(contract_amount_yuan=300_000), mode="internal_meeting") == []


def test_by_45a_by_45b_the_written_request_brings_logs_or_the_self_evaluation():
    assert [p.rule_ids for p in compliance_request_problems(BY, ready(), {"written_request"})] == [("BY-45b",), ("BY-45b",)]
    assert compliance_request_problems(BY, ready(), {"written_request", "login_logs", "operation_logs"}) == []
    assert compliance_request_problems(BY, ready(project_class="service"), {"written_request", "self_evaluation"}) == []
    assert [p.field for p in compliance_request_problems(BY, ready(), {"login_logs"})][0] == "documents"
    assert compliance_request_problems(DY, ready(), {"written_request"})[0].status == 409


def test_yl_27_a_failure_may_rest_on_what_is_missing_but_not_skip_the_trial_run():
    missing = ready(evidence=set(), data_confirmed=False)
    assert [p.rule_ids for p in final_review_problems(BY, missing, date(2026, 9, 10), "expert_meeting", CALENDAR, "failed")] == []
    assert [p.rule_ids for p in final_review_problems(BY, missing, date(2026, 9, 1), "expert_meeting", CALENDAR, "failed")] == [
        ("BY-41",)]
