"""Every ambiguity of RULES.md §5 (A-1 … A-43) is a named pack field, and the pack-level rules
(owner ``policy``) are carried by the packs."""

from datetime import date
from importlib import resources

import pytest

from policy.packs import default_registry, get_pack
from policy.schema import Pack

BY, YF, BZ, DY, YL = (get_pack(p) for p in ("BY", "YF", "BZ", "DY", "YL"))

# A-n → the pack fields that carry its reading (dotted paths on the Pack model).
PARAMETERS = {
    "A-1": ["classification.micro.basis", "scope.floor.basis", "change.base", "contracts.price_cap_basis"],
    "A-2": ["scope.floor.inclusive", "scope.floor.inclusive_inferred"],
    "A-3": ["change.redeclaration_ratio.strict", "change.measure"],
    "A-4": ["change.redeclaration_ratio", "change.within_ratio", "change.max_requests", "change.allow_increase", "change.base"],
    "A-5": ["change.tiers_apply_at", "change.cancel_only"],
    "A-6": ["scope.same_type_key"],
    "A-7": ["requirements"],
    "A-8": ["scope.excluded_categories"],
    "A-9": ["review.approval_validity.unit_inferred"],
    "A-10": ["overridable.rules"],
    "A-11": ["prompt.length", "prompt.unit"],
    "A-12": ["review.approval_validity", "review.lapse_event"],
    "A-13": ["review.bureau_sla.anchor_inferred", "calendar.extend_if_rest_day"],
    "A-14": ["evaluation.self_evaluation", "evaluation.third_party"],
    "A-15": ["acceptance.trial_run_min"],
    "A-16": ["acceptance.application_deadline", "acceptance.due_after_completion"],
    "A-17": ["declaration.window", "declaration.fixed_date"],
    "A-18": ["evaluation.ban_year_basis"],
    "A-19": ["sanctions"],
    "A-20": ["classification.approval_authority", "classification.higher_authority"],
    "A-21": ["acceptance.organisers"],
    "A-22": ["acceptance.max_final_attempts"],
    "A-23": ["sanctions"],
    "A-24": ["contracts.filing_addressee"],
    "A-25": ["acceptance.initial.expert_line"],
    "A-26": ["classification.simplified_renewal.skips"],
    "A-27": ["review.expert_pools", "review.expert_draw_size"],
    "A-28": ["contracts.max_years", "contracts.annual_contracts"],
    "A-29": ["scope.funding_sources", "scope.exclusions"],
    "A-30": ["scope.standing_scope"],
    "A-31": ["acceptance.terminal_scope"],
    "A-32": ["pack.valid_from", "pack.valid_to", "pack.status"],
    "A-33": ["review.steps"],
    "A-34": ["review.co_review"],
    "A-35": ["review.human_decisions"],
    "A-36": ["review.human_decisions"],
    "A-37": ["review.human_decisions"],
    "A-38": ["review.business_operation_cap"],
    "A-39": ["requirements"],
    "A-40": ["classification.micro.yuan"],
    "A-41": ["scope.below_floor"],
    "A-42": ["classification.approval_line", "classification.filing_types"],
    "A-43": ["change.count_policy_changes"],
}


def test_every_ambiguity_a_1_to_a_43_has_a_parameter():
    assert sorted(PARAMETERS, key=lambda k: int(k[2:])) == [f"A-{n}" for n in range(1, 44)]


@pytest.mark.parametrize(("ambiguity", "path"), [(a, p) for a, paths in PARAMETERS.items() for p in paths])
def test_parameter_is_a_named_pack_field(ambiguity, path):
    model: type = Pack
    for part in path.split("."):
        fields = model.model_fields
        assert part in fields, f"{ambiguity}: {path} is not a pack field"
        annotation = fields[part].annotation
        candidates = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type) and hasattr(a, "model_fields")]
        model = candidates[0] if candidates else annotation


def test_a_7_supervision_is_named_in_every_pack():
    for pack in default_registry():
        assert any(r.key == "supervision" for r in pack.requirements), pack.id


def test_a_8_by_annex_2_list_is_missing_and_said_so():
    assert BY.scope.excluded_categories == () and "附件2" in BY.scope.excluded_categories_note
    assert "BY-22.1" in {r for d in BY.review.human_decisions for r in d.rules}


def test_inferred_readings_are_marked():
    assert BZ.scope.floor.inclusive_inferred  # A-2 "30万元以上"
    assert YL.change.redeclaration_ratio.inferred  # A-3 "超过10%以上"
    assert next(r for r in DY.requirements if r.key == "supervision").inferred
    assert YF.review.approval_validity.unit_inferred  # A-9 "两年"
    assert BY.review.bureau_sla.anchor_inferred
    assert all(p.prompt.inferred for p in default_registry())
    assert BY.contracts.filing_addressee_inferred


def test_a_40_amounts_are_integers_in_yuan():
    assert isinstance(BY.classification.micro.yuan, int) and BY.classification.micro.yuan == 500_000


# ---- rules owned by policy -------------------------------------------------------------------

def policy_owned_rules():
    text = resources.files("policy.data").joinpath("rule_ids.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return sorted(rule for rule, stage, owner in rows if owner == "policy")


def test_every_policy_owned_rule_is_carried_by_its_pack():
    assert policy_owned_rules() == sorted(["BY-62", "BY-33.3c", "YF-27", "YF-28", "BZ-49", "BZ-50", "DY-31",
                                           "YL-15d", "YL-33", "YL-34", "YL-36"])
    for rule in policy_owned_rules():
        pack = get_pack(rule.split("-")[0])
        cited = set(pack.pack.rules) | {r for p in pack.pack.provisions for r in p.rules} | set(pack.change.measure_rules)
        assert rule in cited, rule


def test_by_62_in_force_from_issuance_2024_10_25():
    assert (BY.pack.valid_from, BY.pack.valid_to, BY.pack.status) == (date(2024, 10, 25), None, "in_force")
    assert default_registry().in_force("BY", date(2024, 10, 25)) is BY
    assert any(p.key == "repeals" and "BY-62" in p.rules for p in BY.pack.provisions)


def test_by_33_3c_change_measure_is_the_absolute_sum():
    assert BY.change.measure == "absolute_sum" and BY.change.measure_rules == ("BY-33.3c",)
    assert not BY.change.measure_inferred and YL.change.measure_inferred  # YL is silent


def test_yf_28_in_force_2020_02_01_to_2025_01_31():
    assert (YF.pack.valid_from, YF.pack.valid_to, YF.pack.status) == (date(2020, 2, 1), date(2025, 1, 31), "expired")
    assert default_registry().in_force("YF", date(2025, 1, 31)) is YF


def test_yf_27_bz_49_yl_33_counties_may_apply_by_reference():
    for pack, rule in ((YF, "YF-27"), (BZ, "BZ-49"), (YL, "YL-33")):
        assert any(p.key == "reference_use" and rule in p.rules for p in pack.pack.provisions)


def test_bz_50_in_force_from_2022_05_22():
    assert (BZ.pack.valid_from, BZ.pack.status) == (date(2022, 5, 22), "in_force")
    assert any("BZ-50" in p.rules for p in BZ.pack.provisions)


def test_dy_31_trial_of_two_years_from_2020_07_13():
    assert (DY.pack.valid_from, DY.pack.valid_to, DY.pack.status) == (date(2020, 7, 13), date(2022, 7, 12), "trial")


def test_yl_36_draft_in_force_nowhere_until_published():
    assert (YL.pack.valid_from, YL.pack.status) == (None, "draft")
    assert default_registry().in_force("YL", date(2026, 11, 23), allow_draft=True) is YL


def test_yl_34_higher_rules_prevail_and_yl_15d_is_recorded_not_enforced():
    keys = {p.key: p for p in YL.pack.provisions}
    assert "YL-34" in keys["higher_rules_prevail"].rules
    assert "YL-15d" in keys["advisory"].rules and "not enforced" in keys["advisory"].en
