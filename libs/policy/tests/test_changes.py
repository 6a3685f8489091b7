"""Change assessment (RULES.md §3.6; A-3, A-4, A-5, A-43), with property tests."""

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy.changes import ChangeLine, ChangeRequest, assess_change
from policy.facts import Override, PolicyInputError
from policy.packs import default_registry, get_pack

BY, YF, BZ, DY, YL = (get_pack(p) for p in ("BY", "YF", "BZ", "DY", "YL"))
WAN = 10_000


def request(base, *, add=(), cancel=(), **kw):
    lines = tuple(ChangeLine(kind="cancel", amount_yuan=a) for a in cancel) + tuple(ChangeLine(kind="add", amount_yuan=a) for a in add)
    return ChangeRequest(stage=kw.pop("stage", "procurement"), base_amount_yuan=base, lines=lines, **kw)


def override(rule):
    return Override(rule_id=rule, granted_by="县政数局 张三", authority="县政府常务会议纪要〔2026〕12号",
                    reason="上级文件要求新增功能", granted_at=datetime(2026, 11, 23, 2, tzinfo=timezone.utc))


def test_by_33_3c_change_amount_sums_absolute_cancelled_and_added():
    decision = assess_change(BY, request(1000 * WAN, cancel=(60 * WAN,), add=(40 * WAN,)))
    assert decision.change_amount_yuan == 100 * WAN and decision.net_delta_yuan == -20 * WAN
    assert decision.change_ratio_percent == "10.00%"
    assert "BY-33.3c" in decision.rule_ids


@pytest.mark.parametrize(("change", "outcome"), [(150 * WAN - 1, "bureau_consent"), (150 * WAN, "bureau_consent"),
                                                 (150 * WAN + 1, "redeclaration")])
def test_by_33_3a_b_fifteen_percent_line_is_inclusive_for_consent(change, outcome):
    # cancel then add the same amount keeps the total at the approved amount (BY-33.1)
    half = change // 2
    decision = assess_change(BY, request(1000 * WAN, cancel=(change - half,), add=(half,)))
    assert decision.outcome == outcome
    assert decision.requires_redeclaration is (outcome == "redeclaration")
    assert ("BY-33.3a" if outcome == "redeclaration" else "BY-33.3b") in decision.rule_ids


def test_by_33_3b_consent_needs_cost_review_and_approval_first():
    decision = assess_change(BY, request(1000 * WAN, cancel=(50 * WAN,), add=(50 * WAN,)))
    assert decision.outcome == "bureau_consent" and decision.requires_prior_approval  # BY-32a 先批准后变更
    assert "third_party_change_cost_review" in decision.steps
    assert decision.filing_deadline is not None and decision.filing_deadline.length == 5  # BY-36


def test_by_33_2_cancel_only_is_filed_whatever_its_size():
    decision = assess_change(BY, request(1000 * WAN, cancel=(900 * WAN,)))
    assert decision.outcome == "filing" and not decision.requires_redeclaration
    assert "BY-33.2" in decision.rule_ids


def test_by_33_1_changed_total_never_above_the_approved_total():
    decision = assess_change(BY, request(1000 * WAN, cancel=(10 * WAN,), add=(11 * WAN,)))
    assert decision.outcome == "refused" and decision.refusals[0].rule_ids == ("BY-33.1",)
    assert decision.new_total_yuan == 1001 * WAN


def test_by_33_1_goals_and_main_content_are_kept():
    decision = assess_change(BY, request(1000 * WAN, cancel=(10 * WAN,), add=(10 * WAN,), major_content_change=True))
    assert decision.outcome == "refused" and "BY-33.1" in decision.rule_ids


def test_by_33_1_is_not_原则上_so_no_override_sets_it_aside():
    with pytest.raises(PolicyInputError) as raised:
        assess_change(BY, request(1000 * WAN, add=(1,), overrides=(override("BY-33.1"),)))
    assert raised.value.field == "overrides[0].rule_id"


@pytest.mark.parametrize(("change", "outcome"), [(100 * WAN - 1, "filing"), (100 * WAN, "filing"), (100 * WAN + 1, "redeclaration")])
def test_yl_21_1_above_ten_percent_strict_needs_new_approval(change, outcome):
    decision = assess_change(YL, request(1000 * WAN, add=(change,)))
    assert decision.outcome == outcome
    assert "YL-21.1" in decision.rule_ids


def test_yl_21_1_removals_count_too():
    # 增加或减少的建设内容投资超过10%: the text makes no cancel-only exception
    assert assess_change(YL, request(1000 * WAN, cancel=(101 * WAN,))).outcome == "redeclaration"


def test_yl_21_2_major_change_needs_new_approval():
    assert assess_change(YL, request(1000 * WAN, add=(1 * WAN,), major_content_change=True)).outcome == "redeclaration"


def test_dy_17a_no_additions_or_increase_in_principle():
    decision = assess_change(DY, request(100 * WAN, cancel=(5 * WAN,), add=(5 * WAN,)))
    assert decision.outcome == "refused" and decision.refusals[0].rule_ids == ("DY-17a",)
    reduced = assess_change(DY, request(100 * WAN, cancel=(5 * WAN,)))
    assert reduced.outcome == "bureau_consent" and reduced.requires_prior_approval


def test_dy_17a_override_records_who_and_why():
    decision = assess_change(DY, request(100 * WAN, add=(5 * WAN,), overrides=(override("DY-17a"),)))
    assert decision.outcome == "bureau_consent"
    assert decision.overrides[0].authority.startswith("县政府")
    assert any("override" in r.en for r in decision.reasons)


def test_dy_17b_one_change_request_per_project():
    assert assess_change(DY, request(100 * WAN, cancel=(1 * WAN,))).outcome == "bureau_consent"
    second = assess_change(DY, request(100 * WAN, cancel=(1 * WAN,), prior_change_requests=1))
    assert second.outcome == "refused" and second.refusals[0].rule_ids == ("DY-17b",)
    allowed = assess_change(DY, request(100 * WAN, cancel=(1 * WAN,), prior_change_requests=1, overrides=(override("DY-17b"),)))
    assert allowed.outcome == "bureau_consent"


def test_a_43_policy_driven_change_does_not_count_against_dy_17b():
    decision = assess_change(DY, request(100 * WAN, cancel=(1 * WAN,), prior_change_requests=1, policy_driven=True))
    assert decision.outcome == "bureau_consent"
    assert any(r.inferred and "DY-17b" in r.rule_ids for r in decision.reasons)


def test_bz_25b_any_change_goes_through_the_change_procedure():
    assert assess_change(BZ, request(1000 * WAN, cancel=(1 * WAN,))).outcome == "approval_procedure"
    assert assess_change(BZ, request(1000 * WAN, add=(500 * WAN,))).outcome == "approval_procedure"


def test_yf_17a_changes_are_filed_promptly():
    decision = assess_change(YF, request(1000 * WAN, add=(500 * WAN,), major_content_change=True))
    assert decision.outcome == "filing" and decision.filing_prompt is not None and decision.filing_prompt.inferred


def test_a_change_without_amounts_is_refused_as_input():
    with pytest.raises(PolicyInputError) as raised:
        assess_change(BY, request(1000 * WAN, add=(0,)))
    assert raised.value.field == "lines"


# ---- properties ------------------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=5_000 * WAN)
lines = st.lists(st.tuples(st.sampled_from(["add", "cancel"]), amounts), min_size=1, max_size=8).filter(
    lambda ls: any(a for _, a in ls))


@settings(max_examples=300, deadline=None)
@given(pack_id=st.sampled_from(["BY", "YF", "BZ", "DY", "YL"]), base=st.integers(min_value=1, max_value=10_000 * WAN),
       raw=lines, data=st.data())
def test_assessment_is_independent_of_line_order(pack_id, base, raw, data):
    pack = get_pack(pack_id)
    shuffled = data.draw(st.permutations(raw))
    first = assess_change(pack, ChangeRequest(stage="procurement", base_amount_yuan=base,
                                              lines=tuple(ChangeLine(kind=k, amount_yuan=a) for k, a in raw)))
    second = assess_change(pack, ChangeRequest(stage="procurement", base_amount_yuan=base,
                                               lines=tuple(ChangeLine(kind=k, amount_yuan=a) for k, a in shuffled)))
    assert first.model_dump(exclude={"inputs"}) == second.model_dump(exclude={"inputs"})


CANCEL_ONLY_PACKS = [p.id for p in default_registry() if p.change.cancel_only is not None or p.change.redeclaration_ratio is None]


@settings(max_examples=300, deadline=None)
@given(pack_id=st.sampled_from(CANCEL_ONLY_PACKS), base=st.integers(min_value=1, max_value=10_000 * WAN),
       cancels=st.lists(st.integers(min_value=1, max_value=10_000 * WAN), min_size=1, max_size=6),
       stage=st.sampled_from(["approval", "procurement", "implementation"]))
def test_cancel_only_changes_never_need_redeclaration(pack_id, base, cancels, stage):
    """BY-33.2: cancelling content is filed. Packs whose text has no ratio line (YF, BZ, DY) never
    send a change back to declaration; YL-21.1 counts removals, so YL is not in this set."""
    decision = assess_change(get_pack(pack_id), ChangeRequest(
        stage=stage, base_amount_yuan=base, lines=tuple(ChangeLine(kind="cancel", amount_yuan=c) for c in cancels)))
    assert not decision.requires_redeclaration


def test_the_cancel_only_property_covers_by():
    assert "BY" in CANCEL_ONLY_PACKS and "YL" not in CANCEL_ONLY_PACKS
