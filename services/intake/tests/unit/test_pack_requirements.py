"""What each pack asks of a unit before and at declaration, as intake applies it: the planning
filings, the declaration documents and steps, per jurisdiction (RULES.md §3.1, §3.2)."""

from datetime import date, datetime, timezone

import pytest

from policy.facts import Amounts, ProjectFacts
from policy.packs import get_pack
from policy.requirements import requirements
from policy.sanctions import sanctions_for

from intake.domain.standing import Block, DeclarationFacts, end_of_next_year, refuses
from intake.handlers import plan_requirements

PACKS = {"BY": get_pack("BY", "2024.1"), "YF": get_pack("YF", "2020.1"), "BZ": get_pack("BZ", "2022.1"),
         "DY": get_pack("DY", "2020.1"), "YL": get_pack("YL", "draft.1")}
CLASS = {"BY": "build_develop", "YF": "software_development", "BZ": "application_system", "DY": "software_development",
         "YL": "software_development"}


def owed(pack_id: str, stage: str, yuan: int = 3_000_000, flags: tuple[str, ...] = ()) -> dict[str, tuple[str, tuple[str, ...]]]:
    amounts = Amounts(declared_amount=yuan, investment_estimate=yuan, total_investment=yuan, investment_quota=yuan, budget_amount=yuan)
    facts = ProjectFacts(project_type=CLASS[pack_id], amounts=amounts, flags=flags)
    return {item.key: (item.status, item.rule_ids) for item in requirements(PACKS[pack_id], facts, stage).items}


@pytest.mark.parametrize(("pack_id", "kind", "rule"), [
    ("BY", "dev_plan", "BY-8"),  # 信息化发展规划, filed (BY-12)
    ("BZ", "resource_catalogue", "BZ-16"),
    ("YL", "construction_plan", "YL-7"),
    ("YL", "data_catalogue", "YL-7"),
    ("DY", "annual_plan", "DY-10.1a"),
])
def test_each_pack_names_the_plans_a_unit_files(pack_id, kind, rule):
    asked = plan_requirements(PACKS[pack_id])
    assert rule in asked[kind].rules


@pytest.mark.parametrize(("pack_id", "flags", "key", "status", "rule"), [
    ("YF", (), "project_scheme", "required", "YF-8.1"),  # 专业类: scheme + 政务数据共享资源目录, IPv6
    ("YF", (), "shared_data_catalogue", "required", "YF-8.1"),
    ("YF", ("public_class",), "shared_data_catalogue", "not_required", "YF-8.1"),  # 公共类: the bureau is owner (YF-4.2, YF-7.1)
    ("YF", (), "out_of_budget_consent", "optional", "YF-9"),
    ("BZ", (), "annual_needs", "required", "BZ-14"),
    ("BZ", ("upper_level_funded",), "upper_level_initial_check", "required", "BZ-13"),
    ("BZ", (), "upper_level_initial_check", "not_required", "BZ-13"),
    ("BZ", ("self_build",), "project_proposal", "required", "BZ-17"),  # 自行建设 path (BZ-4)
    ("BZ", ("service_purchase",), "project_proposal", "not_required", "BZ-17"),
    ("BZ", ("self_build",), "feasibility_study", "required", "BZ-19"),
    ("BZ", ("new_civil_works",), "site_energy_environment_reviews", "required", "BZ-23"),
    ("BZ", (), "site_energy_environment_reviews", "not_required", "BZ-23"),
    ("DY", (), "application_form", "required", "DY-10.2"),
    ("DY", (), "project_scheme", "required", "DY-10.1b"),
    ("DY", (), "necessity_documents", "required", "DY-10.2"),
    ("YL", ("new_fiscal_funds",), "finance_consultation", "required", "YL-15b"),
    ("YL", (), "finance_consultation", "not_required", "YL-15b"),
    ("YL", (), "ex_ante_performance_assessment", "optional", "YL-15c"),
    ("YL", (), "special_report", "optional", "YL-16b"),
])
def test_declaration_requirements_per_pack(pack_id, flags, key, status, rule):
    got_status, rules = owed(pack_id, "declaration", flags=flags)[key]
    assert (got_status, rule in rules) == (status, True)


def test_yl_12_1_an_approval_regime_scheme_has_the_depth_of_proposal_study_and_design():
    assert owed("YL", "scheme", 3_000_000)["approval_scheme"] == ("required", ("YL-12.1",))
    assert owed("YL", "scheme", 1_000_000)["approval_scheme"][0] == "not_required"  # 备案制 (YL-11b)


NOW = datetime(2026, 11, 23, tzinfo=timezone.utc)


def placed(pack_id: str, trigger: str, facts: dict, project_class: str | None) -> list[Block]:
    decided = sanctions_for(PACKS[pack_id], trigger, facts)
    return [Block("b", s.scope, s.rule_ids, "P-OLD", "e1", trigger, NOW, s.lifted_by, s.lift_inferred, s.message_en, s.message_zh,
                  project_class, end_of_next_year(NOW.date()) if s.release_after == "end_of_next_year" else None)
            for s in decided.sanctions if s.effect == "unit_block"]


def test_by_22_9_by_53_3_an_overdue_evaluation_rectification_bars_projects_of_the_same_type():
    (block,) = placed("BY", "RectificationOverdue", {"source": "evaluation"}, "operation_maintenance")
    assert set(block.rule_ids) == {"BY-22.9", "BY-53.3"} and block.lifted_by == "RectificationCompleted"
    assert refuses(block, DeclarationFacts("U1", None, "operation_maintenance", date(2027, 1, 4)))
    assert not refuses(block, DeclarationFacts("U1", None, "build_develop", date(2027, 1, 4)))


def test_bz_32c_unshared_data_bars_other_new_systems_through_the_next_year():
    (block,) = placed("BZ", "SupervisionFindingRecorded", {"kind": "data_sharing"}, "application_system")
    assert block.rule_ids == ("BZ-32c",) and block.until == date(2027, 12, 31)
    assert refuses(block, DeclarationFacts("U1", None, "infrastructure", date(2027, 12, 31)))
    assert not refuses(block, DeclarationFacts("U1", None, "infrastructure", date(2028, 1, 3)))


@pytest.mark.parametrize(("pack_id", "wrong_class", "rule"), [
    ("BY", "software_development", "BY-17.1a"), ("DY", "build_develop", "DY-2.2"), ("YL", "build_develop", "YL-2"),
])
def test_a_project_has_one_class_of_its_packs_taxonomy(pack_id, wrong_class, rule):
    from policy.classification import check_project_type
    from policy.facts import PolicyInputError

    with pytest.raises(PolicyInputError) as refused:
        check_project_type(PACKS[pack_id], wrong_class, "project_class")
    assert rule in refused.value.rule_ids and refused.value.field == "project_class"


def test_by_13_by_19_the_approval_path_and_its_two_tracks():
    from policy.classification import classify

    amounts = Amounts(declared_amount=2_000_000, investment_estimate=2_000_000, total_investment=2_000_000, investment_quota=2_000_000,
                      budget_amount=2_000_000)
    decided = classify(PACKS["BY"], ProjectFacts(project_type="build_develop", amounts=amounts))
    assert decided.track == "ordinary" and {"BY-13", "BY-19"} <= set(decided.rule_ids)


def test_bz_8_8_an_upgrade_waits_for_the_acceptance_of_any_earlier_project():
    rule = PACKS["BZ"].declaration.upgrade_needs_accepted_predecessor
    assert rule.rules == ("BZ-8.8",) and rule.predecessor_types is None  # BY-22.8 narrows it to 建设开发类; BZ does not


def test_yf_4_3_a_unit_has_its_it_leading_group_before_it_files():
    facts = ProjectFacts(project_type="software_development", amounts=Amounts(declared_amount=1_000_000))
    items = {i.key: i for i in requirements(PACKS["YF"], facts, "planning").items}
    assert items["it_leading_group"].status == "required" and items["it_leading_group"].rule_ids == ("YF-4.3",)


def test_yl_16a_a_project_not_approved_or_filed_by_year_end_loses_next_years_budget_in_principle():
    (sanction,) = sanctions_for(PACKS["YL"], "DeadlineElapsed", {"kind": "year_end_approval"}).sanctions
    assert sanction.rule_ids == ("YL-16a",) and sanction.effect == "budget_refused" and sanction.overridable
