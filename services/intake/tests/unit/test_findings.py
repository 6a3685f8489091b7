"""What intake points out to the reviewer: split 小微 projects (BY-19.1b) and duplicate systems (BY-22.3, BY-11)."""

from datetime import date

import pytest

from policy.packs import get_pack

from intake.domain.findings import (
    DUPLICATE,
    SPLIT,
    Candidate,
    CatalogueSystem,
    duplicate_findings,
    normalise,
    similarity,
    split_findings,
)
from intake.screening import decision_rules, is_micro

BY = get_pack("BY", "2024.1")
MICRO = is_micro(BY, "build_develop")
SPLIT_RULES = decision_rules(BY, SPLIT)
DUPLICATE_RULES = decision_rules(BY, DUPLICATE)


def part(project_id: str, yuan: int, purpose: str = "街道网格化巡查终端采购", start=date(2027, 3, 1), end=date(2027, 9, 30),
         unit: str = "U1") -> Candidate:
    return Candidate(project_id, unit, purpose, yuan, start, end)


def test_the_pack_names_the_rules_of_each_finding():
    assert SPLIT_RULES == ("BY-19.1b",)
    assert DUPLICATE_RULES == ("BY-22.3", "BY-11")
    assert decision_rules(get_pack("DY", "2020.1"), SPLIT) is None


def test_by_19_1a_the_micro_line_is_the_packs():
    assert MICRO(499_999) and not MICRO(500_000)


def test_names_compare_without_the_words_every_project_carries():
    assert normalise("网格化管理系统（二期）建设项目") == "网格化管理"
    assert similarity("网格化管理平台", "网格化管理系统") == 1.0
    assert similarity("政务服务大厅排队叫号", "城市排水管网监测") < 0.2


def test_by_19_1b_same_unit_purpose_and_period_over_the_line_is_flagged_with_its_evidence():
    (finding,) = split_findings(part("P2", 250_000), [part("P1", 300_000)], MICRO, SPLIT_RULES)
    assert finding.key == SPLIT and finding.rule_ids == ("BY-19.1b",)
    assert finding.evidence["combined_yuan"] == 550_000
    assert [p["project_id"] for p in finding.evidence["projects"]] == ["P1"]
    assert "拆分" in finding.message_zh


@pytest.mark.parametrize(("earlier", "flagged"), [(250_000, True), (249_999, False)])
def test_by_19_1b_the_combined_amount_is_held_to_the_micro_line_exactly(earlier, flagged):
    assert bool(split_findings(part("P2", 250_000), [part("P1", earlier)], MICRO, SPLIT_RULES)) is flagged


@pytest.mark.parametrize("other", [
    part("P1", 300_000, unit="U2"),  # another unit
    part("P1", 300_000, purpose="机关食堂消防设施维修"),  # another purpose
    part("P1", 300_000, start=date(2026, 1, 1), end=date(2026, 12, 31)),  # an earlier period
    part("P1", 800_000),  # not a 小微 project itself
])
def test_by_19_1b_each_condition_must_hold(other):
    assert split_findings(part("P2", 250_000), [other], MICRO, SPLIT_RULES) == []


def test_by_19_1b_a_project_over_the_line_is_not_a_split_part():
    assert split_findings(part("P2", 600_000), [part("P1", 300_000)], MICRO, SPLIT_RULES) == []


CATALOGUE = [CatalogueSystem("网格化管理系统", "街道网格事件上报与处置", "in_service"),
             CatalogueSystem("旧版OA", "公文流转", "retired")]
REF = {"plan_id": "plan-1", "revision": 3}


def test_by_22_3_a_system_the_catalogue_holds_is_flagged_with_the_entry():
    (finding,) = duplicate_findings("网格化管理平台", "建设全区网格化管理平台", CATALOGUE, REF, DUPLICATE_RULES, upgrade=False)
    assert finding.rule_ids == ("BY-22.3", "BY-11")
    assert finding.evidence["catalogue"] == REF and finding.evidence["systems"][0]["name"] == "网格化管理系统"


def test_by_22_3_a_purpose_matching_a_systems_function_is_flagged_too():
    assert duplicate_findings("基层治理一张图", "街道网格事件上报与处置", CATALOGUE, REF, DUPLICATE_RULES, upgrade=False)


def test_by_22_3_an_upgrade_of_the_system_and_a_retired_system_are_not_duplicates():
    assert duplicate_findings("网格化管理系统", "", CATALOGUE, REF, DUPLICATE_RULES, upgrade=True) == []
    assert duplicate_findings("OA", "公文流转", CATALOGUE, REF, DUPLICATE_RULES, upgrade=False) == []
    assert duplicate_findings("排水管网监测", "城市排水监测", CATALOGUE, REF, DUPLICATE_RULES, upgrade=False) == []


def test_by_22_5_projects_behind_schedule_are_shown_with_their_stated_cause():
    from intake.domain.findings import REASONABLE_CAUSE, Progress, delay_findings

    on_time = Progress("P-1", "R-1", date(2027, 3, 31), False, 3, 3, None)
    late = Progress("P-2", "R-2", date(2027, 3, 31), True, 4, 1, "供应商人员不到位")
    assert delay_findings([on_time], ("BY-22.5",)) == []
    (finding,) = delay_findings([on_time, late], ("BY-22.5",))
    assert (finding.key, finding.rule_ids) == (REASONABLE_CAUSE, ("BY-22.5",))
    assert finding.evidence["projects"] == [{"project_id": "P-2", "report_id": "R-2", "period_end": "2027-03-31",
                                             "milestones_due": 4, "milestones_done": 1, "delay_reason": "供应商人员不到位"}]


def test_bz_22_yl_9_each_participant_states_its_own_part():
    from intake.domain.participants import participant_problems

    parts = [("U-2", "交通部门：路网视频接入"), ("U-3", "公安部门：治安视频联网"), ("U-2", "交通部门：信号配时")]
    assert [(p.field, p.rule_ids) for p in participant_problems("U-1", parts, ("BZ-22",))] == [("participants[2].unit_id", ("BZ-22",))]
    assert participant_problems("U-1", [("U-1", "牵头")], ("YL-9",))[0].field == "participants[0].unit_id"
    same = [("U-2", "城市部件事件采集与处置"), ("U-3", "城市部件事件采集与处置系统")]
    assert [p.field for p in participant_problems("U-1", same, ("YL-9",))] == ["participants[1].scope"]
