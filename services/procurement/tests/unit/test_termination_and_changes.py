"""Termination grounds (BY-37.1, BY-37.4, YF-17b, DY-18b, BZ-26b) and change-form checks (BY-33.3c, BZ-25b)."""

from policy.packs import get_pack

from procurement.domain.change_rules import budget_adjustment_refused, stated_totals
from servicekit.problems import Problem, yuan
from procurement.domain.termination import ground_for

BY, BZ, DY = get_pack("BY"), get_pack("BZ"), get_pack("DY")


def test_by_37_1_by_37_4_grounds_of_the_pack():
    assert ground_for(BY, "policy_change", "build_develop").rules == ("BY-37.1",)
    assert ground_for(BY, "om_object_stopped", "operation_maintenance").rules == ("BY-37.4",)
    wrong_type = ground_for(BY, "om_object_stopped", "build_develop")
    assert isinstance(wrong_type, Problem) and wrong_type.rule_ids == ("BY-37.4",)
    unknown = ground_for(BY, "force_majeure", "build_develop")
    assert isinstance(unknown, Problem) and unknown.rule_ids == ("BY-37", "BY-38a")


def test_dy_18b_goals_unreachable_and_bz_26b_goes_through_the_committee():
    assert ground_for(DY, "goals_unreachable", None).rules == ("DY-18b",)
    refused = ground_for(BZ, "goals_unreachable", "application_system")
    assert isinstance(refused, Problem) and refused.status == 409 and refused.rule_ids == ("BZ-26b",)


def test_by_33_3c_the_form_totals_are_the_sums_of_the_lines():
    assert stated_totals(100, 50, 100, 50, ("BY-33.3c",)) == []
    assert [p.field for p in stated_totals(100, 50, 90, 40, ("BY-33.3c",))] == ["totals.added_yuan", "totals.cancelled_yuan"]
    assert stated_totals(100, 50, None, None, ("BY-33.3c",)) == []


def test_bz_25b_no_budget_adjustment_after_an_unapproved_change():
    refused = budget_adjustment_refused(BZ, "budget_adjustment", True)
    assert refused is not None and refused.rule_ids == ("BZ-25b",) and refused.status == 409
    assert budget_adjustment_refused(BZ, "budget_adjustment", False) is None
    assert budget_adjustment_refused(BY, "budget_adjustment", True) is None


def test_amounts_read_in_yuan():
    assert (yuan(150_000_000), yuan(1_050)) == ("1,500,000元", "10.50元")
