"""The final review's judgements on the pack's acceptance concerns: obligations a person judges
(BY-29.4, BY-57, BY-56, BY-49, BZ-10, BZ-32a, BZ-45, YL-18a, YL-18c). A concern found refuses a pass;
a failed review keeps the rules of what it found."""

import pytest

from acceptance.domain.concerns import Judgement, concerns_of, judge_concerns
from policy.packs import get_pack

PACKS = {"BY": get_pack("BY", "2024.1"), "BZ": get_pack("BZ", "2022.1"), "YL": get_pack("YL", "draft.1"),
         "YF": get_pack("YF", "2020.1"), "DY": get_pack("DY", "2020.1")}

CONCERNS = [
    ("BY", "security_responsibility", "BY-29.4"),
    ("BY", "risk_assessment", "BY-57"),
    ("BY", "mobile_app_not_integrated", "BY-56"),
    ("BY", "ip_not_handled", "BY-49"),
    ("BZ", "information_not_shared", "BZ-10"),
    ("BZ", "public_data_not_catalogued", "BZ-32a"),
    ("BZ", "security_systems", "BZ-45"),
    ("YL", "security_systems", "YL-18a"),
    ("YL", "data_not_protected", "YL-18c"),
]


@pytest.mark.parametrize(("pack_id", "key", "rule"), CONCERNS)
def test_a_concern_found_refuses_a_pass_naming_its_rule(pack_id, key, rule):
    rules, problem = judge_concerns(PACKS[pack_id], [Judgement(key, True, "见专家意见")], "passed")
    assert rules == () and problem.field == "result" and rule in problem.rule_ids
    assert problem.en and problem.zh


@pytest.mark.parametrize(("pack_id", "key", "rule"), CONCERNS)
def test_a_failed_review_keeps_the_rules_of_the_concern_it_found(pack_id, key, rule):
    rules, problem = judge_concerns(PACKS[pack_id], [Judgement(key, True)], "failed")
    assert problem is None and rule in rules


@pytest.mark.parametrize(("pack_id", "key", "rule"), CONCERNS)
def test_the_acceptance_state_shows_each_concern_with_its_rule_in_both_languages(pack_id, key, rule):
    shown = {c["key"]: c for c in concerns_of(PACKS[pack_id])}
    assert rule in shown[key]["rule_ids"] and shown[key]["en"] and shown[key]["zh"]


def test_by_56_by_49_concern_only_some_projects_and_say_so():
    shown = {c["key"]: c for c in concerns_of(PACKS["BY"])}
    assert "移动应用端" in shown["mobile_app_not_integrated"]["zh"]
    assert shown["mobile_app_not_integrated"]["en"].startswith("Only where the project built a mobile application")
    assert shown["ip_not_handled"]["zh"].startswith("仅限立项方案及合同明确知识产权")


def test_by_29_4_by_57_concerns_not_found_let_the_review_pass():
    rules, problem = judge_concerns(PACKS["BY"], [Judgement("security_responsibility", False),
                                                  Judgement("risk_assessment", False)], "passed")
    assert (rules, problem) == ((), None)


def test_bz_10_bz_32a_both_found_keep_each_rule_once():
    rules, problem = judge_concerns(PACKS["BZ"], [Judgement("information_not_shared", True),
                                                  Judgement("public_data_not_catalogued", True)], "failed")
    assert problem is None and rules == ("BZ-10", "BZ-32b", "BZ-32a")


@pytest.mark.parametrize(("judgements", "field"), [
    ([Judgement("made_up", True)], "judgements[0].key"),
    ([Judgement("information_not_shared", True)], "judgements[0].key"),  # a 巴中 concern, not 白云's
    ([Judgement("risk_assessment", False), Judgement("risk_assessment", True)], "judgements[1].key"),
])
def test_by_57_judgements_name_the_packs_concerns_once(judgements, field):
    _, problem = judge_concerns(PACKS["BY"], judgements, "failed")
    assert problem.field == field and problem.zh


def test_a_pack_without_concerns_takes_no_judgement():
    assert concerns_of(PACKS["YF"]) == []
    _, problem = judge_concerns(PACKS["YF"], [Judgement("security_systems", True)], "failed")
    assert problem.field == "judgements[0].key"
