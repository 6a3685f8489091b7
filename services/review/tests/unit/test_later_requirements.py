"""What an approval fixes for later stages (YL-24a public components, BY-43 等保测评, BY-29.2a 监理)."""

import pytest

from policy.packs import get_pack

from review.handlers import later_requirements

YL, BY = get_pack("YL", "draft.1"), get_pack("BY", "2024.1")


@pytest.mark.parametrize(("yuan", "required"), [(5_000_000, True), (4_999_999, False)])
def test_yl_24a_a_software_project_from_500_wan_shares_public_components(yuan, required):
    owed = later_requirements(YL, "software_development", yuan, ("software_development",))
    found = [r for r in owed if r.key == "public_component_requirements"]
    assert bool(found) is required and (not found or found[0].rule_ids == ["YL-24a"])


def test_an_approval_leaves_amount_dependent_items_pending():
    owed = {(r.stage, r.key): r for r in later_requirements(BY, "build_develop", 2_000_000, ())}
    assert owed[("acceptance", "djcp_report")].status == "required" and owed[("acceptance", "djcp_report")].rule_ids == ["BY-43"]
    assert owed[("implementation", "supervision")].status == "pending"


def test_a_case_without_a_class_owes_nothing_it_can_name():
    assert later_requirements(BY, None, 2_000_000, ()) == []
