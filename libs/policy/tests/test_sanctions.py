"""The sanction matrix of RULES.md §3.10.1, per pack: what follows from an event and what lifts it."""

import pytest

from policy.packs import get_pack
from policy.sanctions import after_acceptance_failed, released_by, sanctions_for

BY, YF, BZ, DY, YL = (get_pack(p) for p in ("BY", "YF", "BZ", "DY", "YL"))


def effects(pack, trigger, **facts):
    return {(s.effect, s.scope, s.rule_ids) for s in sanctions_for(pack, trigger, facts).sanctions}


def test_by_22_8_failed_final_review_blocks_upgrades_until_it_passes():
    assert effects(BY, "AcceptanceFailed", terminal=False) == {("unit_block", "upgrade_of_project", ("BY-22.8",))}
    assert [s.rule_ids for s in released_by(BY, "AcceptancePassed")] == [("BY-22.8",)]


def test_by_47_3b_by_38b_terminal_failure_terminates_and_recovers_funds():
    assert {(s.effect, s.scope) for s in after_acceptance_failed(BY, terminal=True)} == {
        ("unit_block", "upgrade_of_project"), ("terminate_project", "project"), ("finance_hold", "recover_remaining")}
    assert effects(BY, "ProjectTerminated") == {("finance_hold", "recover_remaining", ("BY-38b",))}


def test_by_32b_unapproved_change_is_not_paid():
    made = {"after_the_fact": True, "requires_approval": True}
    assert effects(BY, "ChangeFiled", **made) == {("finance_hold", "change_delta", ("BY-32b",))}
    assert effects(BY, "ChangeFiled", after_the_fact=False, requires_approval=True) == set()
    assert effects(BY, "ChangeFiled", after_the_fact=True, requires_approval=False) == set()
    assert [s.scope for s in released_by(BY, "ChangeDecided", {"approved": True})] == ["change_delta"]
    assert released_by(BY, "ChangeDecided", {"approved": False}) == ()


def test_by_45d_final_payment_waits_for_consent_and_is_advisory():
    (hold,) = sanctions_for(BY, "ComplianceOpinionIssued", {"consent": False}).sanctions
    assert (hold.scope, hold.hold_mode, hold.lift_inferred) == ("final_payment", "advisory", True)
    assert released_by(BY, "ComplianceOpinionIssued", {"consent": True})[0].rule_ids == ("BY-45d",)
    assert released_by(BY, "ComplianceOpinionIssued", {"consent": False}) == ()


@pytest.mark.parametrize(("trigger", "facts"), [("AcceptanceFilingRejected", {"final": True}),
                                                ("RectificationOverdue", {"source": "acceptance_filing"})])
def test_by_48d_filing_failure_suspends_reviews_and_stops_payments(trigger, facts):
    found = effects(BY, trigger, **facts)
    assert ("finance_hold", "remaining", ("BY-48d",)) in found
    assert ("review_suspension", "subsequent_reviews", ("BY-48d",)) in found


def test_by_22_7_late_acceptance_filing_blocks_new_projects_until_filed():
    assert effects(BY, "DeadlineElapsed", kind="acceptance_filing") == {("unit_block", "all_new_projects", ("BY-22.7",))}
    assert any(s.rule_ids == ("BY-22.7",) for s in released_by(BY, "AcceptanceFiled"))


def test_by_22_6_data_aggregation_and_by_22_15_security():
    assert effects(BY, "DeadlineElapsed", kind="data_aggregation") == {("unit_block", "all_new_projects", ("BY-22.6",))}
    assert effects(BY, "SupervisionFindingRecorded", kind="security") == {("unit_block", "all_new_projects", ("BY-22.15",))}


def test_by_37_3_approval_lapses_only_without_a_contract():
    assert effects(BY, "DeadlineElapsed", kind="approval_validity", contract_filed=False) == {
        ("terminate_project", "lapsed", ("BY-37.3", "BY-20.4b"))}
    assert effects(BY, "DeadlineElapsed", kind="approval_validity", contract_filed=True) == set()


def test_by_53_2_fail_grade_bans_same_type_next_year_in_principle():
    (ban,) = sanctions_for(BY, "EvaluationCompleted", {"grade": "unqualified"}).sanctions
    assert (ban.scope, ban.overridable, ban.release_after) == ("same_type_next_year", True, "end_of_next_year")


def test_by_22_9_by_53_3_overdue_evaluation_rectification_bans_same_type():
    (ban,) = sanctions_for(BY, "RectificationOverdue", {"source": "evaluation"}).sanctions
    assert (ban.scope, ban.lifted_by, ban.overridable) == ("same_type", "RectificationCompleted", False)


def test_bz_30_failed_acceptance_blocks_the_unit_and_om_funds_and_cloud():
    assert effects(BZ, "AcceptanceFailed", terminal=False) == {
        ("unit_block", "all_new_projects", ("BZ-30",)), ("finance_hold", "no_om_funding", ("BZ-30",)),
        ("cloud_block", "project", ("BZ-30",))}
    assert all(s.lift_inferred for s in released_by(BZ, "AcceptancePassed"))


def test_bz_32c_data_sharing_bans_next_year():
    found = sanctions_for(BZ, "SupervisionFindingRecorded", {"kind": "data_sharing"}).sanctions
    assert {s.effect for s in found} == {"unit_block", "finance_hold", "cloud_block"}
    assert {s.release_after for s in found} == {"end_of_next_year"}


def test_bz_47_bz_11a_bz_43b_bz_44a_bz_25b():
    assert {s.effect for s in sanctions_for(BZ, "SupervisionFindingRecorded", {"kind": "security"}).sanctions} == {"unit_block", "finance_hold"}
    (block,) = sanctions_for(BZ, "SupervisionFindingRecorded", {"kind": "data_aggregation"}).sanctions
    assert block.overridable and block.rule_ids == ("BZ-11a",)
    assert {s.effect for s in sanctions_for(BZ, "RectificationOverdue", {"source": "supervision"}).sanctions} == {"project_suspended", "circular"}
    assert effects(BZ, "SupervisionFindingRecorded", kind="procedure") == {("circular", "unit", ("BZ-44a",))}
    assert effects(BZ, "ChangeFiled", kind="budget_adjustment", after_the_fact=True) == {
        ("budget_adjustment_refused", "project", ("BZ-25b",))}


def test_dy_24_failed_acceptance_withholds_the_remaining_funds():
    assert effects(DY, "AcceptanceFailed", terminal=False) == {("finance_hold", "remaining", ("DY-24",)), ("not_delivered", "project", ("DY-24",))}


def test_dy_25b_serious_violation_circular_and_fail_grade():
    assert effects(DY, "SupervisionFindingRecorded", severity="serious") == {("circular", "unit", ("DY-25b",)), ("grade_imposed", "unqualified", ("DY-25b",))}


def test_yl_19b_and_yl_16a_are_原则上():
    for kind in ("cloud_usage", "data_sharing", "xinchuang"):
        (hold,) = sanctions_for(YL, "SupervisionFindingRecorded", {"kind": kind}).sanctions
        assert hold.overridable and hold.scope == "no_funding"
    (budget,) = sanctions_for(YL, "DeadlineElapsed", {"kind": "year_end_approval"}).sanctions
    assert budget.effect == "budget_refused" and budget.overridable


def test_yf_sets_no_sanction_of_its_own():
    assert YF.sanctions == ()
    assert sanctions_for(YF, "AcceptanceFailed", {"terminal": True}).sanctions == ()


def test_a_fact_not_given_never_matches():
    assert effects(BY, "ChangeFiled") == set()


def test_decision_explains_itself():
    decision = sanctions_for(DY, "AcceptanceFailed", {"terminal": False})
    assert (decision.pack_id, decision.pack_version) == ("DY", "2020.1")
    assert decision.inputs == {"trigger": "AcceptanceFailed", "terminal": False}
    assert decision.rule_ids == ("DY-24",) and decision.reasons[0].zh
