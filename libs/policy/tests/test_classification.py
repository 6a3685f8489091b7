"""Classification and every amount line of RULES.md §2, each tested just below, at and just above the line."""

import pytest

from policy.classification import classify
from policy.facts import Amounts, PolicyInputError, ProjectFacts
from policy.packs import get_pack
from policy.requirements import requirements

BY, YF, BZ, DY, YL = (get_pack(p) for p in ("BY", "YF", "BZ", "DY", "YL"))


def facts(project_type, yuan=None, *, flags=(), funding="fiscal", exclusions=(), **amounts):
    base = Amounts.all_at(yuan).model_dump() if yuan is not None else {}
    return ProjectFacts(project_type=project_type, amounts=Amounts(**{**base, **amounts}), flags=flags,
                        funding_source=funding, exclusions=exclusions)


def around(line):
    """Just below, at and just above a line, in 元."""
    return (line - 1, line, line + 1)


def cases(lines, outcomes):
    return list(zip(lines, outcomes, strict=True))


def owed(pack, f, stage, key):
    items = {i.key: i for i in requirements(pack, f, stage).items}
    return items[key].status


# ---- BY --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "track"), cases(around(500_000), ("micro", "ordinary", "ordinary")))
def test_by_19_1a_micro_below_50_wan_exclusive(amount, track):
    decision = classify(BY, facts("build_develop", amount))
    assert decision.track == track
    assert decision.regime == ("filing" if track == "micro" else "approval")
    assert "BY-19.1a" in decision.rule_ids
    check = next(c for c in decision.thresholds if "BY-19.1a" in c.rule_ids)
    assert check.basis == "investment_estimate" and check.line_yuan == 500_000 and check.inclusive


def test_by_19_1a_micro_reads_the_investment_estimate_not_the_declared_amount():
    decision = classify(BY, facts("build_develop", investment_estimate=499_999, declared_amount=600_000))
    assert decision.track == "micro"
    assert decision.approval_authority is None  # a 小微 project is filed, never approved


@pytest.mark.parametrize(("amount", "track"), cases(around(2_000_000), ("simplified", "simplified", "ordinary")))
def test_by_19_2_identical_om_renewal_up_to_200_wan_is_simplified(amount, track):
    decision = classify(BY, facts("operation_maintenance", amount, flags=("identical_om_renewal",)))
    assert decision.track == track
    assert "BY-19.2" in decision.rule_ids


def test_by_19_2_needs_an_identical_renewal_and_om_class():
    assert classify(BY, facts("operation_maintenance", 1_000_000)).track == "ordinary"
    assert classify(BY, facts("build_develop", 1_000_000, flags=("identical_om_renewal",))).track == "ordinary"


@pytest.mark.parametrize(("amount", "authority"), cases(around(500_000), (None, "district_government", "district_government")))
def test_by_20_4a_district_government_approves_from_50_wan_inclusive(amount, authority):
    assert classify(BY, facts("service", amount)).approval_authority == authority


@pytest.mark.parametrize(("amount", "status"), cases(around(30_000_000), ("not_required", "required", "required")))
def test_by_15b_feasibility_study_from_3000_wan_declared_inclusive(amount, status):
    assert owed(BY, facts("build_develop", amount), "declaration", "feasibility_study") == status


@pytest.mark.parametrize(("amount", "status"), cases(around(500_000), ("not_required", "required", "required")))
def test_by_29_2a_supervision_from_50_wan_main_works_inclusive(amount, status):
    f = facts("build_develop", 10_000_000, main_works_amount=amount)
    assert owed(BY, f, "implementation", "supervision") == status


def test_by_29_2a_supervision_not_for_om_or_ancillary_services():
    assert owed(BY, facts("operation_maintenance", 5_000_000), "implementation", "supervision") == "not_required"
    assert owed(BY, facts("service", 5_000_000, flags=("ancillary_service",)), "implementation", "supervision") == "not_required"
    assert owed(BY, facts("service", 5_000_000), "implementation", "supervision") == "required"


def test_by_2_by_4_3_by_60_exclusions_put_the_project_outside():
    for exclusion, rule in (("state_secret", "BY-2"), ("framework_third_party", "BY-4.3"), ("emergency", "BY-60")):
        decision = classify(BY, facts("service", 1_000_000, exclusions=(exclusion,)))
        assert (decision.in_scope, decision.regime, decision.excluded_by) == (False, "outside", exclusion)
        assert decision.rule_ids == (rule,)


def test_by_3_only_fiscal_and_upper_level_funds():
    assert classify(BY, facts("service", 1_000_000, funding="upper_level_special")).in_scope
    decision = classify(BY, facts("service", 1_000_000, funding="self_raised"))
    assert not decision.in_scope and "BY-3" in decision.rule_ids


def test_by_4_project_type_must_be_one_of_the_pack_classes():
    with pytest.raises(PolicyInputError) as raised:
        classify(BY, facts("software_development", 1_000_000))
    assert raised.value.field == "project_type" and "build_develop" in raised.value.message_en
    assert "BY-4" in raised.value.rule_ids and raised.value.message_zh


def test_a_1_a_missing_amount_names_the_basis_it_needs():
    with pytest.raises(PolicyInputError) as raised:
        classify(BY, facts("build_develop", declared_amount=1_000_000))
    assert raised.value.field == "amounts.investment_estimate"
    assert "BY-19.1a" in raised.value.rule_ids


# ---- YF --------------------------------------------------------------------------------------

def test_yf_3_every_fiscal_project_is_approved_by_the_bureau():
    decision = classify(YF, facts("software_development", 10_000))
    assert (decision.regime, decision.approval_authority) == ("approval", "bureau")
    assert not classify(YF, facts("software_development", 10_000, exclusions=("state_secret",))).in_scope  # YF-5


@pytest.mark.parametrize(("amount", "status"), cases(around(2_000_000), ("not_required", "required", "required")))
def test_yf_13a_supervision_from_200_wan_total_inclusive(amount, status):
    assert owed(YF, facts("software_development", amount), "implementation", "supervision") == status


@pytest.mark.parametrize(("amount", "status"), cases(around(1_000_000), ("not_required", "required", "required")))
def test_yf_13b_third_party_software_test_from_100_wan_software_cost_inclusive(amount, status):
    f = facts("software_development", 5_000_000, software_dev_cost=amount)
    assert owed(YF, f, "implementation", "software_third_party_test") == status


# ---- BZ --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "in_scope"), cases(around(300_000), (False, True, True)))
def test_bz_2_scope_floor_30_wan_read_inclusive(amount, in_scope):
    decision = classify(BZ, facts("application_system", amount))
    assert decision.in_scope is in_scope
    assert decision.regime == ("approval" if in_scope else "outside")
    check = decision.thresholds[0]
    assert check.basis == "investment_quota" and check.inferred  # "以上" without (含) is our reading


@pytest.mark.parametrize(("amount", "merge"), cases(around(3_000_000), (True, True, False)))
def test_bz_17_3_up_to_300_wan_the_studies_may_merge(amount, merge):
    decision = classify(BZ, facts("application_system", amount, flags=("self_build",)))
    assert any("实施方案" in r.zh for r in decision.reasons) is merge
    assert "BZ-17.3" in decision.rule_ids


def test_bz_4_bz_17_bz_18_delivery_mode_selects_the_documents():
    build = facts("infrastructure", 5_000_000, flags=("self_build",))
    service = facts("infrastructure", 5_000_000, flags=("service_purchase",))
    assert owed(BZ, build, "declaration", "feasibility_study") == "required"
    assert owed(BZ, build, "declaration", "service_requirement_scheme") == "not_required"
    assert owed(BZ, service, "declaration", "service_requirement_scheme") == "required"


# ---- DY --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "regime"), cases(around(500_000), ("self_managed", "approval", "approval")))
def test_dy_2_1a_scope_floor_50_wan_budget_inclusive(amount, regime):
    decision = classify(DY, facts("software_development", amount))
    assert decision.regime == regime
    assert decision.thresholds[0].basis == "budget_amount"


def test_dy_2_1b_below_floor_the_unit_files_four_documents():
    f = facts("software_development", 499_999, flags=("software_development",))
    owed_items = {i.key for i in requirements(DY, f).owed()}
    assert owed_items == {"below_floor_scheme", "below_floor_tender_documents", "below_floor_contract",
                          "below_floor_acceptance_materials", "below_floor_sharing_interfaces"}  # DY-2.1b, DY-2.1c


@pytest.mark.parametrize(("amount", "status"), cases(around(6_000_000), ("not_required", "required", "required")))
def test_dy_12_procurement_experts_from_600_wan_procurement_budget_inclusive(amount, status):
    f = facts("software_development", 10_000_000, procurement_budget=amount)
    assert owed(DY, f, "procurement", "procurement_expert_review") == status


@pytest.mark.parametrize(("amount", "status"), cases(around(2_000_000), ("not_required", "required", "required")))
def test_dy_20c_performance_self_evaluation_from_200_wan_total_inclusive(amount, status):
    f = facts("software_development", 1_000_000, total_investment=amount)
    assert owed(DY, f, "acceptance", "performance_self_evaluation") == status


# ---- YL --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "regime"), cases(around(100_000), ("self_managed", "filing", "filing")))
def test_yl_11c_under_10_wan_exclusive_the_unit_manages_it_itself(amount, regime):
    assert classify(YL, facts("software_development", amount)).regime == regime


@pytest.mark.parametrize(("amount", "regime"), cases(around(2_000_000), ("filing", "approval", "approval")))
def test_yl_11a_approval_from_200_wan_total_inclusive(amount, regime):
    for project_type in ("infrastructure", "software_development", "business_operation"):
        assert classify(YL, facts(project_type, amount)).regime == regime


@pytest.mark.parametrize("amount", (100_000, 2_000_000, 10_000_000))
def test_yl_11b_om_and_third_party_are_filed_at_any_amount(amount):
    # a 1,000万 O&M project is only filed
    for project_type in ("operation_maintenance", "third_party_service"):
        decision = classify(YL, facts(project_type, amount))
        assert decision.regime == "filing" and "YL-11b" in decision.rule_ids


def test_yl_11b_non_fiscal_funds_are_filed():
    assert classify(YL, facts("software_development", 10_000_000, funding="non_fiscal")).regime == "filing"


def test_yl_5_city_level_only():
    assert classify(YL, facts("software_development", 10_000_000, exclusions=("not_city_level",))).regime == "outside"


@pytest.mark.parametrize(("amount", "status"), cases(around(5_000_000), ("not_required", "required", "required")))
def test_yl_24a_public_components_from_500_wan_inclusive(amount, status):
    f = facts("software_development", amount, flags=("software_development",))
    assert owed(YL, f, "review", "public_component_requirements") == status
    assert owed(YL, f, "acceptance", "public_components_registered") == status


def test_yl_25b_new_software_uploads_its_source_code():
    assert owed(YL, facts("software_development", 3_000_000, flags=("new_software_development",)),
                "acceptance", "source_code_uploaded") == "required"
    assert owed(YL, facts("software_development", 3_000_000), "acceptance", "source_code_uploaded") == "not_required"


def test_a_41_the_same_50_wan_line_means_three_different_things():
    assert classify(BY, facts("build_develop", 499_999)).regime == "filing"  # 小微, still inside the pack
    assert classify(DY, facts("software_development", 499_999)).regime == "self_managed"  # outside, files documents
    assert classify(YL, facts("software_development", 99_999)).regime == "self_managed"  # outside, files nothing
