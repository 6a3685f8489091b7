"""Who is asked to co-review (BY-5.5, BY-5.6, BZ-9, BZ-20, YL-4.5, YL-4.7), what a step waits for, and the
committee's share of experts (BZ-5b)."""

import pytest

from policy.packs import get_pack

from review.domain.coreview import Opinion, bodies_due_after, bodies_to_ask, committee_short_of_experts, outstanding

BY, BZ, YL = get_pack("BY", "2024.1"), get_pack("BZ", "2022.1"), get_pack("YL", "draft.1")


def test_by_5_5_bodies_are_asked_by_the_projects_topics():
    assert [a.body for a in bodies_to_ask(BY.review.co_reviewers, [])] == []
    asked = bodies_to_ask(BY.review.co_reviewers, ["geo_spatial_data", "public_video"])
    assert {(a.body, a.rule_ids) for a in asked} == {("planning_natural_resources", ("BY-5.5",)), ("video_office", ("BY-5.5",))}


def test_by_5_6_an_invited_department_is_asked_under_its_rule():
    (asked,) = bodies_to_ask(BY.review.co_reviewers, [], [("health_bureau", "区卫生健康局")], ("BY-5.6",))
    assert (asked.body, asked.rule_ids, asked.before) == ("health_bureau", ("BY-5.6",), "approval")


def test_bz_20_every_project_needs_the_written_opinions_before_the_committee():
    asked = bodies_to_ask(BZ.review.co_reviewers, [])
    assert {a.body for a in asked} == {"cyberspace", "secrecy_cryptography", "finance", "public_security", "industry_information"}
    assert all(a.before == "committee_review" for a in asked)
    assert "sector_department" in {a.body for a in bodies_to_ask(BZ.review.co_reviewers, ["has_sector_department"])}


def test_yl_4_5_yl_4_7_cryptography_always_cyberspace_for_new_technology():
    assert [a.body for a in bodies_to_ask(YL.review.co_reviewers, [])] == ["cryptography"]
    assert {a.rule_ids for a in bodies_to_ask(YL.review.co_reviewers, ["new_technology"])} == {("YL-4.5",), ("YL-4.7",)}


def test_bz_20_a_step_waits_for_missing_opinions_and_is_held_by_an_objection():
    opinions = [Opinion("cyberspace", "网信办", "committee_review", None, ("BZ-20",)),
                Opinion("finance", "财政局", "committee_review", "objected", ("BZ-20",)),
                Opinion("video_office", "视频办", "approval", "agreed", ("BY-5.5",))]
    missing, objecting = outstanding(opinions, "committee_review")
    assert [o.body for o in missing] == ["cyberspace"] and [o.body for o in objecting] == ["finance"]
    assert outstanding(opinions, "initial_review") == ([], [])
    assert [o.body for o in outstanding(opinions, "approval")[0]] == ["cyberspace"]


@pytest.mark.parametrize(("experts", "members", "short"), [(3, 9, False), (3, 10, True), (1, 3, False), (0, 5, True)])
def test_bz_5b_experts_make_up_at_least_a_third_of_the_committee(experts, members, short):
    assert committee_short_of_experts(BZ.review.committee_expert_share, experts, members) is short


def test_packs_without_a_committee_share_set_no_bound():
    assert committee_short_of_experts(BY.review.committee_expert_share, 0, 5) is False


def test_bz_9_a_city_project_the_counties_share_in_goes_to_the_city_government_after_the_technical_review():
    """BZ-9: 需县（区）共享协同的市级项目经领导小组办公室审核，报市政府审定 — not asked when the case opens,
    asked once 领导小组办公室's review (initial_review) passes, and the approval waits for it."""
    flags = ("county_collaboration", "self_build")
    assert "city_government" not in {a.body for a in bodies_to_ask(BZ.review.co_reviewers, [], flags=flags)}
    assert bodies_due_after(BZ.review.co_reviewers, "co_review", flags) == []
    (asked,) = bodies_due_after(BZ.review.co_reviewers, "initial_review", flags)
    assert (asked.body, asked.before, asked.rule_ids) == ("city_government", "approval", ("BZ-9",))
    missing, _ = outstanding([Opinion(asked.body, asked.name_zh, asked.before, None, asked.rule_ids)], "approval")
    assert [o.rule_ids for o in missing] == [("BZ-9",)]


def test_bz_9_a_project_of_the_city_alone_needs_no_city_government_decision():
    """BZ-9 binds only projects that need the counties' collaboration."""
    assert bodies_due_after(BZ.review.co_reviewers, "initial_review", ("self_build",)) == []
    assert bodies_due_after(BY.review.co_reviewers, "initial_review", ("county_collaboration",)) == []
