"""Which door a project comes in by under each pack, and the refusal at the wrong one: scope and
exclusions (BY-2, BY-3, BY-4.3, BY-60, YF-3, YF-5, BZ-2, DY-4, YL-5, YL-32), floors and regimes
(DY-2.1a/b, YL-11a/b/c, BY-19.1a)."""

import pytest

from policy.classification import classify
from policy.facts import Amounts, ProjectFacts
from policy.packs import get_pack

from intake.domain.regime import door, wrong_door

PACKS = {"BY": get_pack("BY", "2024.1"), "YF": get_pack("YF", "2020.1"), "BZ": get_pack("BZ", "2022.1"),
         "DY": get_pack("DY", "2020.1"), "YL": get_pack("YL", "draft.1")}
CLASS = {"BY": "build_develop", "YF": "software_development", "BZ": "application_system", "DY": "software_development",
         "YL": "software_development"}


def decide(pack_id: str, yuan: int = 1_000_000, project_class: str | None = None, **facts):
    pack = PACKS[pack_id]
    amounts = Amounts(declared_amount=yuan, investment_estimate=yuan, total_investment=yuan, investment_quota=yuan, budget_amount=yuan)
    return pack, classify(pack, ProjectFacts(project_type=project_class or CLASS[pack_id], amounts=amounts, **facts))


@pytest.mark.parametrize(("pack_id", "facts", "rule", "field"), [
    ("BY", {"exclusions": ("state_secret",)}, "BY-2", "exclusions"),
    ("BY", {"exclusions": ("special_national_rules",)}, "BY-2", "exclusions"),
    ("BY", {"exclusions": ("framework_third_party",)}, "BY-4.3", "exclusions"),
    ("BY", {"exclusions": ("emergency",)}, "BY-60", "exclusions"),
    ("BY", {"funding_source": "self_raised"}, "BY-3", "funding_source"),
    ("YF", {"exclusions": ("state_secret",)}, "YF-5", "exclusions"),
    ("YF", {"funding_source": "self_raised"}, "YF-3", "funding_source"),
    ("BZ", {"exclusions": ("state_secret",)}, "BZ-2", "exclusions"),
    ("DY", {"exclusions": ("state_secret",)}, "DY-4", "exclusions"),
    ("YL", {"exclusions": ("state_secret",)}, "YL-5", "exclusions"),
    ("YL", {"exclusions": ("not_city_level",)}, "YL-5", "exclusions"),
])
def test_a_project_outside_the_pack_is_refused_at_every_door_naming_the_rule_and_field(pack_id, facts, rule, field):
    pack, decided = decide(pack_id, **facts)
    assert door(decided, pack) == "outside"
    for wanted in (("declaration",), ("filing", "below_floor_filing")):
        refusal = wrong_door(decided, pack, wanted, "declared_amount_yuan")
        assert rule in refusal.rule_ids and refusal.field == field and refusal.zh


@pytest.mark.parametrize(("yuan", "expected"), [(299_999, "outside"), (300_000, "declaration")])
def test_bz_2_below_30_wan_is_outside_the_pack(yuan, expected):
    pack, decided = decide("BZ", yuan)
    assert door(decided, pack) == expected


@pytest.mark.parametrize(("yuan", "expected"), [(499_999, "below_floor_filing"), (500_000, "declaration")])
def test_dy_2_1a_b_below_50_wan_the_unit_files_and_goes_on_alone(yuan, expected):
    pack, decided = decide("DY", yuan)
    assert door(decided, pack) == expected


@pytest.mark.parametrize(("yuan", "project_class", "expected"), [
    (99_999, "software_development", "none"),  # YL-11c
    (100_000, "software_development", "filing"),  # YL-11b (含)
    (1_999_999, "software_development", "filing"),
    (2_000_000, "software_development", "declaration"),  # YL-11a (含)
    (5_000_000, "operation_maintenance", "filing"),  # YL-11b: O&M is filed at any amount from 10万
])
def test_yl_11_regimes_by_amount_and_type(yuan, project_class, expected):
    pack, decided = decide("YL", yuan, project_class)
    assert door(decided, pack) == expected


def test_yl_32_non_fiscal_funds_are_filed():
    pack, decided = decide("YL", 5_000_000, funding_source="non_fiscal")
    assert door(decided, pack) == "filing" and "YL-11b" in wrong_door(decided, pack, ("declaration",), "declared_amount_yuan").rule_ids


def test_yl_11c_nothing_to_file_says_so():
    pack, decided = decide("YL", 50_000)
    refusal = wrong_door(decided, pack, ("filing", "below_floor_filing"), "declared_amount_yuan")
    assert "YL-11c" in refusal.rule_ids and "on its own" in refusal.en


def test_by_19_1a_a_micro_project_is_declared_for_plan_review_first():
    pack, decided = decide("BY", 400_000)
    assert decided.track == "micro" and door(decided, pack) == "declaration"
    refusal = wrong_door(decided, pack, ("filing", "below_floor_filing"), "declared_amount_yuan")
    assert "/declarations" in refusal.en and "BY-19.1a" in refusal.rule_ids
