"""玉林's census and batches, 云浮's fund application: the asset census says what becomes of each
running system (YL-4.3) and the bureau reads it across units (YL-4.1); batches are numbered and
issued to units (YL-6); a 专业类 project's funds are applied for after approval and fund review (YF-8.5)."""

from datetime import date

import pytest

from policy.packs import get_pack

from intake.domain.batches import batch_unit_problems, not_issued
from intake.domain.catalogue import CatalogueEntry, catalogue_problems, census_counts
from intake.domain.funds import FundState, fund_application_problems
from intake.handlers import plan_requirements

YL, YF, BY = get_pack("YL", "draft.1"), get_pack("YF", "2020.1"), get_pack("BY", "2024.1")
CENSUS = plan_requirements(YL)["asset_catalogue"]
RULES = tuple(CENSUS.rules)


def test_yl_4_3_yl_4_1_the_unit_files_its_asset_census_as_an_asset_catalogue_with_dispositions():
    assert CENSUS.key == "asset_census" and CENSUS.dispositions and {"YL-4.3", "YL-4.1"} <= set(CENSUS.rules)
    assert not plan_requirements(BY)["asset_catalogue"].dispositions  # BY-10 asks the catalogue, not the clean-up


def test_yl_4_3_each_running_system_states_what_becomes_of_it():
    entries = [CatalogueEntry("网上办事大厅", "in_service"), CatalogueEntry("旧档案系统", "retired"),
               CatalogueEntry("执法监管平台", "under_construction", "keep")]
    (undecided,) = catalogue_problems(entries, True, RULES)
    assert (undecided.field, undecided.rule_ids) == ("systems[0].disposition", RULES) and "整合" in undecided.zh
    assert catalogue_problems(entries, False, ()) == []  # where the pack does not ask it (BY)


def test_yl_4_3_a_consolidated_system_goes_into_one_of_the_catalogue_that_stays():
    kept = CatalogueEntry("一体化政务服务平台", "in_service", "migrate")
    assert catalogue_problems([kept, CatalogueEntry("网上办事大厅", "in_service", "consolidate", "一体化政务服务平台")], True, RULES) == []
    (nowhere,) = catalogue_problems([kept, CatalogueEntry("网上办事大厅", "in_service", "consolidate")], True, RULES)
    assert nowhere.field == "systems[1].into"
    (unknown,) = catalogue_problems([kept, CatalogueEntry("网上办事大厅", "in_service", "consolidate", "不存在的系统")], True, RULES)
    assert unknown.field == "systems[1].into"
    going = CatalogueEntry("旧平台", "in_service", "retire")
    (gone,) = catalogue_problems([going, CatalogueEntry("网上办事大厅", "in_service", "consolidate", "旧平台")], True, RULES)
    assert gone.field == "systems[1].into"
    (stray,) = catalogue_problems([CatalogueEntry("网上办事大厅", "in_service", "keep", "一体化政务服务平台")], True, RULES)
    assert stray.field == "systems[0].into"


def test_yl_4_3_a_census_names_each_system_once_and_a_retired_one_is_not_revived():
    (twice,) = catalogue_problems([CatalogueEntry("网上办事大厅", "in_service", "keep"),
                                   CatalogueEntry("网上办事大厅 ", "in_service", "keep")], True, RULES)
    assert twice.field == "systems[1].name"
    (revived,) = catalogue_problems([CatalogueEntry("旧档案系统", "retired", "migrate")], True, RULES)
    assert revived.field == "systems[0].disposition"


def test_yl_4_1_the_census_counts_each_units_systems_and_what_is_undecided():
    counts = census_counts([{"name": "甲", "status": "in_service", "disposition": "keep"},
                            {"name": "乙", "status": "in_service", "disposition": "consolidate", "into": "甲"},
                            {"name": "丙", "status": "retired"}, {"name": "丁", "status": "under_construction"}])
    assert counts == {"systems": 4, "by_status": {"in_service": 2, "retired": 1, "under_construction": 1},
                      "by_disposition": {"consolidate": 1, "keep": 1}, "undecided": 1}


def test_yl_4_1_the_yulin_pack_names_the_rule_its_project_library_answers_to():
    assert YL.declaration.project_library.rules == ("YL-4.1",)


# ---- YL-6 ----------------------------------------------------------------------------------------

PLAN = YL.declaration.batch_plan


def test_yl_6_a_batch_is_issued_to_registered_units():
    assert PLAN.rules == ("YL-6",)
    (none,) = batch_unit_problems([], set(), PLAN, "YL")
    assert (none.field, none.rule_ids) == ("units", ("YL-6",))
    problems = batch_unit_problems(["U-1", "U-2", "U-1"], {"U-1"}, PLAN, "YL")
    assert [p.field for p in problems] == ["units[1]", "units[2]"]
    assert batch_unit_problems(["U-1"], {"U-1"}, PLAN, "YL") == []


def test_yl_6_a_unit_declares_into_a_batch_issued_to_it():
    refused = not_issued(["U-1"], "U-2", PLAN, "2027年第一批建设计划")
    assert (refused.field, refused.status, refused.rule_ids) == ("batch_id", 409, ("YL-6",))
    assert not_issued(["U-1"], "U-1", PLAN, "2027年第一批建设计划") is None


def test_by_14a_a_batch_is_every_units_window_and_names_none():
    assert BY.declaration.batch_plan is None
    assert not_issued([], "U-2", None, "2027年度申报") is None
    (named,) = batch_unit_problems(["U-1"], {"U-1"}, None, "BY")
    assert named.field == "units"


# ---- YF-8.5 --------------------------------------------------------------------------------------

RULE = YF.declaration.fund_application
READY = FundState("approved", ("software_development",), date(2026, 12, 1), 3_000_000, None)


def test_yf_8_5_an_approved_professional_project_applies_for_its_funds_after_the_fund_review():
    assert RULE.rules == ("YF-8.5",) and RULE.addressee_zh == "市政府"
    assert fund_application_problems(READY, 3_000_000, RULE, "YF") == []


@pytest.mark.parametrize(("state", "field"), [
    (FundState("scheme_submitted", (), date(2026, 12, 1), None, None), "project_id"),  # no approval opinion yet (YF-8.4a)
    (FundState("approved", (), None, 3_000_000, None), "project_id"),  # fund review not passed (YF-8.3)
    (FundState("approved", ("public_class",), date(2026, 12, 1), 3_000_000, None), "project_id"),  # the bureau applies (YF-7.4)
    (FundState("approved", (), date(2026, 12, 1), 3_000_000, date(2026, 12, 2)), "project_id"),  # once
])
def test_yf_8_5_funds_are_applied_for_only_when_the_project_is_ready(state, field):
    (problem,) = fund_application_problems(state, 1_000_000, RULE, "YF")
    assert (problem.field, problem.status, problem.rule_ids) == (field, 409, ("YF-8.5",))


def test_yf_8_5_no_more_than_was_approved():
    (over,) = fund_application_problems(READY, 3_000_001, RULE, "YF")
    assert (over.field, over.status) == ("amount_yuan", 422)


def test_a_pack_without_the_application_refuses_it():
    (refused,) = fund_application_problems(READY, 1, None, "BY")
    assert refused.status == 409 and refused.rule_ids == ()
