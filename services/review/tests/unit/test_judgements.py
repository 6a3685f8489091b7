"""The reviewer's findings on the pack's concerns: a 不予立项 item ends the project on its rule
(BY-22.1–22.4, BY-22.14, BY-31.5, BZ-8.1–8.7, YL-8); other concerns fail the opinion (BY-11.1–11.9,
BY-7, BY-17.2a, BY-17.3, BY-17.4, BY-55, BZ-8, BZ-9, BZ-18, BZ-11b, BZ-46a, DY-3.1, DY-8, DY-10.1d, YL-15a,
YL-19a); an encouragement is advice that neither fails nor ends (BY-58)."""

import pytest
from pydantic import ValidationError

from policy.packs import get_pack
from policy.schema import HumanDecision

from review.domain.judgements import Judgement, judge, recorded

PACKS = {"BY": get_pack("BY", "2024.1"), "YF": get_pack("YF", "2020.1"), "BZ": get_pack("BZ", "2022.1"), "DY": get_pack("DY", "2020.1"), "YL": get_pack("YL", "draft.1")}


def decisions(pack_id):
    return PACKS[pack_id].review.human_decisions


@pytest.mark.parametrize(("pack_id", "key", "rule"), [
    ("BY", "excluded_category", "BY-22.1"), ("BY", "not_in_plan", "BY-22.2"), ("BY", "duplicate_construction", "BY-22.3"),
    ("BY", "construction_bundled", "BY-22.4"), ("BY", "not_secure_and_reliable", "BY-22.14"),
    ("BZ", "own_machine_room", "BZ-8.1"), ("BZ", "leased_lines", "BZ-8.2"), ("BZ", "not_on_city_cloud", "BZ-8.3"),
    ("BZ", "duplicates_common_system", "BZ-8.4"), ("BZ", "not_connected", "BZ-8.5"), ("BZ", "unclear_needs", "BZ-8.6"),
    ("BZ", "not_shared_build", "BZ-8.7"), ("BZ", "not_shared_build", "BZ-3"), ("BZ", "not_on_city_cloud", "BZ-7"),
    ("BZ", "duplicate_construction", "BZ-12"), ("YL", "not_in_plan", "YL-8"),
    ("BY", "not_secure_and_reliable", "BY-11.6"),
])
def test_a_refusal_item_found_ends_the_project_on_its_rule(pack_id, key, rule):
    verdict, problem = judge(decisions(pack_id), [Judgement(key, True)], "plan_review", "failed")
    assert problem is None and rule in verdict.refusing_rules


@pytest.mark.parametrize(("pack_id", "key", "stage", "rule"), [
    ("BY", "not_intensive", "plan_review", "BY-11.2"), ("BY", "not_intensive", "plan_review", "BY-7"),
    ("BY", "data_not_governed", "plan_review", "BY-11.3"), ("BY", "spatial_reference", "expert_review", "BY-11.4"),
    ("BY", "security_not_synchronous", "expert_review", "BY-11.5"), ("BY", "no_benefit", "plan_review", "BY-11.7"),
    ("BY", "separate_new_media", "plan_review", "BY-11.8"), ("BY", "own_approval_system", "plan_review", "BY-11.9"),
    ("BY", "scheme_off_template", "initial_review", "BY-17.2a"), ("BY", "no_cryptography_plan", "expert_review", "BY-17.3"),
    ("BY", "no_data_lists", "initial_review", "BY-17.4"), ("BY", "no_cloud_demand", "cost_review", "BY-55"),
    ("BZ", "service_purchase_unfit", "initial_review", "BZ-18.1"), ("BZ", "service_purchase_unfit", "initial_review", "BZ-18.2"),
    ("BZ", "service_purchase_unfit", "initial_review", "BZ-18.3"), ("BZ", "service_purchase_unfit", "initial_review", "BZ-18.4"),
    ("BZ", "self_managed_om", "committee_review", "BZ-33"), ("YF", "scattered_build", "initial_review", "YF-2"),
    ("DY", "own_infrastructure", "expert_review", "DY-14"), ("YL", "duplicate_construction", "initial_review", "YL-3"), ("BZ", "unshareable_without_review", "committee_review", "BZ-11b"),
    ("BZ", "not_secure_and_reliable", "committee_review", "BZ-46a"),
    ("DY", "no_djcp_level", "expert_review", "DY-8"), ("DY", "off_guide", "expert_review", "DY-10.1d"),
    ("YL", "over_budget", "initial_review", "YL-15a"), ("YL", "not_on_city_networks", "initial_review", "YL-19a"),
])
def test_another_concern_found_fails_the_opinion_but_does_not_end_the_project(pack_id, key, stage, rule):
    verdict, problem = judge(decisions(pack_id), [Judgement(key, True, "见意见")], stage, "failed")
    assert problem is None and verdict.refusing_rules == () and rule in verdict.failing_rules
    _, passed = judge(decisions(pack_id), [Judgement(key, True)], stage, "passed")
    assert passed.field == "result" and rule in passed.rule_ids


def test_concerns_not_found_let_the_opinion_pass():
    verdict, problem = judge(decisions("BY"), [Judgement("duplicate_construction", False), Judgement("not_in_plan", False)],
                             "plan_review", "passed")
    assert problem is None and verdict.refusing_rules == verdict.failing_rules == ()


def test_by_31_5_an_adjustment_outside_real_needs_goes_no_further():
    verdict, _ = judge(decisions("BY"), [Judgement("change_not_needed", True)], "expert_review", "failed")
    assert verdict.refusing_rules == ("BY-31.5",)


@pytest.mark.parametrize(("judgements", "field"), [
    ([Judgement("made_up", True)], "judgements[0].key"),
    ([Judgement("scheme_off_template", True)], "judgements[0].key"),  # judged at 材料初审, not plan review
    ([Judgement("no_benefit", False), Judgement("no_benefit", True)], "judgements[1].key"),
])
def test_judgements_name_the_packs_concerns_once_at_their_stage(judgements, field):
    _, problem = judge(decisions("BY"), judgements, "plan_review", "failed")
    assert problem.field == field and problem.zh


BZ_8_ITEMS = [("own_machine_room", "BZ-8.1"), ("leased_lines", "BZ-8.2"), ("not_on_city_cloud", "BZ-8.3"),
              ("duplicates_common_system", "BZ-8.4"), ("not_connected", "BZ-8.5"), ("unclear_needs", "BZ-8.6"),
              ("not_shared_build", "BZ-8.7")]


@pytest.mark.parametrize(("key", "item"), BZ_8_ITEMS)
@pytest.mark.parametrize("stage", ["co_review", "initial_review", "committee_review"])
def test_bz_8_a_listed_item_found_at_any_step_ends_the_project_and_no_opinion_passes_it(key, item, stage):
    """BZ-8: 存在以下情况的项目原则上不予立项 — items (1)–(7) are the reviewer's to find at any step; each ends
    the project on its own item, and an opinion that finds one cannot pass. Item (8), an upgrade of an
    unaccepted project, intake refuses at declaration (BZ-8.8)."""
    verdict, problem = judge(decisions("BZ"), [Judgement(key, True, "见技术审查意见")], stage, "failed")
    assert problem is None and item in verdict.refusing_rules and verdict.failing_rules == ()
    _, passed = judge(decisions("BZ"), [Judgement(key, True)], stage, "passed")
    assert passed.field == "result" and item in passed.rule_ids


def test_bz_8_a_replaceable_internal_system_fails_the_opinion_without_ending_the_project():
    """BZ-8 lead sentence (A-37): 可使用统建通用系统替代的信息系统应终止其运行 — found, the opinion cannot pass
    (the project may not keep such a system going), but it is not one of the 不予立项 items."""
    verdict, problem = judge(decisions("BZ"), [Judgement("replaceable_internal_systems", True, "OA系统可由市协同办公平台替代")],
                             "initial_review", "failed")
    assert problem is None and verdict.refusing_rules == () and verdict.failing_rules == ("BZ-8",)
    clean, none = judge(decisions("BZ"), [Judgement(key, False) for key, _ in BZ_8_ITEMS], "initial_review", "passed")
    assert none is None and clean.refusing_rules == clean.failing_rules == ()


def test_by_58_reuse_through_yue_fuyong_is_advice_the_opinion_does_not_turn_on():
    """BY-58 (鼓励, non-binding): the reviewer may advise listing a mature system on 粤复用 or reusing one
    through it; the advice is kept with the opinion, which may still pass, and ends nothing."""
    advice = Judgement("reuse_via_yue_fuyong", True, "建议通过粤复用平台复用省统一预约系统")
    verdict, problem = judge(decisions("BY"), [advice], "plan_review", "passed")
    assert problem is None and verdict.advisory_rules == ("BY-58",)
    assert verdict.refusing_rules == verdict.failing_rules == ()
    (kept,) = recorded(decisions("BY"), [advice])
    assert kept == {"key": "reuse_via_yue_fuyong", "found": True, "note": advice.note, "rule_ids": ["BY-58"], "effect": "advises"}
    failed, _ = judge(decisions("BY"), [advice, Judgement("no_benefit", True)], "plan_review", "failed")
    assert failed.failing_rules == ("BY-11.7",) and failed.advisory_rules == ("BY-58",)  # advice never becomes a ground


def test_by_58_advice_found_states_what_it_advises():
    """BY-58: a found encouragement without a note tells the unit nothing; the note field is named."""
    _, problem = judge(decisions("BY"), [Judgement("reuse_via_yue_fuyong", True)], "expert_review", "passed")
    assert problem.field == "judgements[0].note" and problem.rule_ids == ("BY-58",) and problem.zh
    verdict, none = judge(decisions("BY"), [Judgement("reuse_via_yue_fuyong", False)], "expert_review", "passed")
    assert none is None and verdict.advisory_rules == ()


def test_by_58_a_concern_cannot_both_advise_and_refuse():
    """BY-58: an encouragement carries no sanction, so a pack cannot make it a 不予立项 item."""
    with pytest.raises(ValidationError, match="advisory"):
        HumanDecision(key="x", rules=("BY-58",), en="x", zh="x", advisory=True, refuses=True)


def test_bz_9_a_county_collaboration_project_sets_the_sharing_and_collaboration_standards():
    """BZ-9: 市级项目建设单位统筹制定信息共享、业务协同的总体要求和标准规范 — judged for a city project the
    counties share in; missing, the technical review or the committee fails it."""
    flags = ("county_collaboration", "self_build")
    verdict, problem = judge(decisions("BZ"), [Judgement("no_collaboration_standards", True, "未明确县区接入标准")],
                             "committee_review", "failed", flags)
    assert problem is None and verdict.failing_rules == ("BZ-9",) and verdict.refusing_rules == ()
    _, passed = judge(decisions("BZ"), [Judgement("no_collaboration_standards", True)], "initial_review", "passed", flags)
    assert passed.field == "result" and passed.rule_ids == ("BZ-9",)


def test_bz_9_the_standards_concern_is_not_judged_on_a_project_of_the_city_alone():
    """BZ-9 binds only a project declared as needing the counties' collaboration."""
    _, problem = judge(decisions("BZ"), [Judgement("no_collaboration_standards", False)], "initial_review", "passed", ("self_build",))
    assert problem.field == "judgements[0].key" and problem.rule_ids == ("BZ-9",) and "county_collaboration" in problem.en


def test_dy_3_1_a_unit_building_the_bureaus_common_services_itself_fails_the_opinion():
    """DY-3.1: 县政务服务数据管理局提供基础性、公共性、通用性服务 — a unit project that builds them for itself
    instead of stating its need (DY-3.2) fails the bureau's review; it does not end the project."""
    verdict, problem = judge(decisions("DY"), [Judgement("own_common_services", True, "自建统一身份认证")], "expert_review", "failed")
    assert problem is None and verdict.failing_rules == ("DY-3.1",) and verdict.refusing_rules == ()
    _, passed = judge(decisions("DY"), [Judgement("own_common_services", True)], "cost_review", "passed")
    assert passed.field == "result" and passed.rule_ids == ("DY-3.1",)
