"""The reviewer's findings on the pack's concerns: a 不予立项 item ends the project on its rule
(BY-22.1–22.4, BY-22.14, BY-31.5, BZ-8.1–8.7, YL-8); other concerns fail the opinion (BY-11.1–11.9,
BY-7, BY-17.2a, BY-17.3, BY-17.4, BY-55, BZ-18, BZ-11b, BZ-46a, DY-8, DY-10.1d, YL-15a, YL-19a)."""

import pytest

from policy.packs import get_pack

from review.domain.judgements import Judgement, judge

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
