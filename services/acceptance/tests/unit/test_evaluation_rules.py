"""Who records an evaluation, when, and what its record says (RULES.md §3.9): the unit's own part
(BY-50, YL-30), the bureau's firm (BY-52), the bureau's evaluation during implementation (BY-52.3),
the IP account of the report (BY-54), and the bureau's evaluation under the other packs (DY-25a, YF-21)."""

import pytest

from policy.packs import get_pack

from acceptance.domain.evaluation import Asked, bureau_rules, cited, evaluator_rules, problems

BY, BZ, DY, YF, YL = get_pack("BY"), get_pack("BZ"), get_pack("DY"), get_pack("YF"), get_pack("YL")
IP = {"plan_completion", "ownership_transfer", "follow_up_operation"}


def found(pack, **asked) -> list[tuple[str, tuple[str, ...], int]]:
    return [(p.field, p.rule_ids, p.status) for p in problems(pack, Asked(**asked))]


def test_by_50_the_unit_organises_and_records_its_own_evaluation():
    assert evaluator_rules(BY, "self") == ("BY-50",)  # why the bureau may not record it for the unit
    assert "BY-50" in cited(BY, Asked(kind="self", accepted=True), ("BY-51a",))
    assert found(BY, kind="self", accepted=True) == []


def test_yl_30_the_units_own_evaluation_material_is_its_co_operation_with_the_bureaus():
    assert evaluator_rules(YL, "self") == ("YL-30",)
    assert cited(YL, Asked(kind="self", accepted=False), ()) == ("YL-30",)
    assert evaluator_rules(YL, "third_party") == ("YL-29",)  # the evaluation itself is the bureau's


def test_by_52_the_third_party_evaluation_names_the_firm_the_bureau_hired():
    assert "BY-52" in evaluator_rules(BY, "third_party")  # only the bureau records it
    assert found(BY, kind="third_party", accepted=True) == [("firm", ("BY-52",), 422)]
    assert found(BY, kind="third_party", accepted=True, firm=True) == []
    assert "BY-52" in cited(BY, Asked(kind="third_party", accepted=True, firm=True), bureau_rules(BY))
    assert found(BY, kind="self", accepted=True, firm=True) == [("firm", ("BY-52",), 422)]
    assert found(BZ, kind="third_party", accepted=True) == []  # BZ-42b: experts or a third party, no firm asked for


def test_by_52_3_during_implementation_only_the_third_party_evaluation_and_only_on_a_ground():
    assert found(BY, kind="third_party", accepted=False, firm=True) == [("ground", ("BY-52.3",), 422)]
    for ground in ("key_project", "slow_construction", "delayed_acceptance"):
        asked = Asked(kind="third_party", accepted=False, firm=True, ground=ground)
        assert problems(BY, asked) == []
        assert "BY-52.3" in cited(BY, asked, bureau_rules(BY))
    [(field, rules, status)] = found(BY, kind="post", accepted=False)
    assert (field, status) == ("kind", 409) and "BY-52.3" in rules
    assert found(BY, kind="third_party", accepted=True, firm=True, ground="key_project") == [("ground", ("BY-52.3",), 422)]
    assert found(BY, kind="self", accepted=False, ground="key_project") == [("ground", ("BY-52.3",), 422)]
    assert "BY-52.3" not in cited(BY, Asked(kind="third_party", accepted=True, firm=True), bureau_rules(BY))


@pytest.mark.parametrize(("pack", "rule"), [(DY, "DY-25a"), (YF, "YF-21"), (YL, "YL-29"), (BZ, "BZ-42b")])
def test_dy_25a_yf_21_the_bureaus_evaluation_looks_back_on_an_accepted_project(pack, rule):
    """Operation and application effect (DY-25a, YF-21) are there to evaluate once the project is accepted;
    only BY lets the bureau evaluate during implementation (BY-52.3)."""
    [(field, rules, status)] = found(pack, kind="third_party", accepted=False, ground="key_project")
    assert (field, rules, status) == ("kind", (rule,), 409)
    assert found(pack, kind="bureau", accepted=True) == []
    assert rule in cited(pack, Asked(kind="bureau", accepted=True), bureau_rules(pack))


def test_by_54_a_project_with_ip_terms_reports_on_its_ip():
    asked = dict(kind="third_party", accepted=True, firm=True, contracted=True)
    assert found(BY, **asked) == [(f"ip_report.{item}", ("BY-54",), 422)
                                  for item in ("plan_completion", "ownership_transfer", "follow_up_operation")]
    assert found(BY, **asked, ip_items={"plan_completion", "ownership_transfer"}) == [
        ("ip_report.follow_up_operation", ("BY-54",), 422)]
    assert found(BY, **asked, ip_items=IP) == []
    assert "BY-54" in cited(BY, Asked(**asked, ip_items=IP), bureau_rules(BY))
    assert found(BY, kind="self", accepted=True, contracted=True) == [
        (f"ip_report.{item}", ("BY-54",), 422) for item in ("plan_completion", "ownership_transfer", "follow_up_operation")]
    # no contract on file yet: no IP terms to report on
    assert found(BY, kind="third_party", accepted=True, firm=True) == []
    assert found(YL, kind="bureau", accepted=True, contracted=True) == []  # a report YL does not shape
