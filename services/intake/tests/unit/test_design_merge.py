"""巴中's merged 实施方案 (BZ-17): a 自行建设 project hands in one 实施方案 in place of the 可研 and
the 初设 only on a ground of BZ-17.1–17.3, named with its evidence."""

import pytest

from policy.facts import Amounts, ProjectFacts
from policy.packs import get_pack
from policy.requirements import requirements

from intake.domain.design_merge import MERGED, MergeClaim, merge_problems

BZ = get_pack("BZ", "2022.1")
RULE, LINE = BZ.declaration.design_merge, BZ.classification.merge_design_line
BUILD = ("self_build",)
REQUIRED = MergeClaim("higher_requirement", requiring_body="municipal", document_title="关于加快建设城市大脑的通知",
                      document_number="巴委办〔2025〕12号", has_document=True)


def problems(claim, flags=BUILD, yuan=8_000_000):
    return merge_problems(claim, flags, RULE, LINE, yuan, "BZ")


def test_bz_17_1_an_explicit_requirement_names_who_requires_it_and_its_document():
    assert problems(REQUIRED) == []
    bare = problems(MergeClaim("higher_requirement"))
    assert [p.field for p in bare] == ["design_merge.requiring_body", "design_merge.document_title",
                                       "design_merge.document_number", "design_merge.document"]
    assert {p.rule_ids for p in bare} == {("BZ-17.1",)} and all(p.status == 422 and p.zh for p in bare)


def test_bz_17_2_a_national_security_or_urgent_ground_states_its_reason():
    (missing,) = problems(MergeClaim("urgent_special_reason"))
    assert (missing.field, missing.rule_ids) == ("design_merge.reason", ("BZ-17.2",))
    assert problems(MergeClaim("urgent_special_reason", reason="防汛指挥系统须在汛期前投入使用")) == []
    (stray,) = problems(MergeClaim("urgent_special_reason", requiring_body="central", reason="涉及国家安全"))
    assert stray.field == "design_merge.requiring_body"


@pytest.mark.parametrize(("yuan", "merges"), [(2_999_999, True), (3_000_000, True), (3_000_001, False)])
def test_bz_17_3_the_amount_ground_holds_up_to_300_wan_inclusive(yuan, merges):
    found = problems(MergeClaim("small_investment"), yuan=yuan)
    assert (found == []) is merges
    if not merges:
        assert found[0].field == "design_merge.ground" and found[0].rule_ids == ("BZ-17.3",)


def test_bz_17_the_other_grounds_hold_at_any_amount():
    assert problems(REQUIRED, yuan=50_000_000) == []


def test_bz_17_only_a_self_built_project_merges():
    (wrong_mode,) = problems(REQUIRED, flags=("service_purchase",))
    assert wrong_mode.field == "design_merge" and wrong_mode.rule_ids == ("BZ-17",)


def test_bz_17_a_merge_flag_without_its_ground_is_refused():
    (unfounded,) = problems(None, flags=BUILD + (MERGED,))
    assert unfounded.field == "design_merge" and unfounded.rule_ids == ("BZ-17",)
    assert problems(None) == []


def test_a_pack_without_the_merge_refuses_it_naming_the_field():
    (refused,) = merge_problems(REQUIRED, BUILD, None, None, 8_000_000, "BY")
    assert refused.field == "design_merge" and "BY" in refused.en


def test_bz_17_a_merged_project_owes_the_implementation_scheme_in_place_of_study_and_design():
    def owed(flags):
        amounts = Amounts.declared(8_000_000)
        facts = ProjectFacts(project_type="application_system", amounts=amounts, flags=flags)
        return {i.key: i.status for i in requirements(BZ, facts, "declaration").items}

    separate, merged = owed(BUILD), owed(BUILD + (MERGED,))
    assert (separate["feasibility_study"], separate["preliminary_design"], separate["implementation_scheme"]) == \
        ("required", "required", "not_required")
    assert (merged["feasibility_study"], merged["preliminary_design"], merged["implementation_scheme"]) == \
        ("not_required", "not_required", "required")
    assert merged["project_proposal"] == "required"  # the merge concerns the study and the design only
