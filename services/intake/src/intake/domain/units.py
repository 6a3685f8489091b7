"""Who may declare (BY-5.2a): a registered unit, a first-level budget unit where the pack says only
those declare, and for a project used by another unit, a unit below it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnitRecord:
    unit_id: str
    name: str
    level: str
    parent_unit_id: str | None
    sector: str | None = None
    role: str | None = None
    """data_bureau or information_centre: the applicant for 公共类 projects where the pack says so."""


@dataclass(frozen=True)
class Refusal:
    field: str
    rule_ids: tuple[str, ...]
    en: str
    zh: str
    status: int = 409


def declarant_refusals(unit: UnitRecord | None, using: UnitRecord | None, using_unit_id: str | None,
                       first_level_rules: tuple[str, ...] | None) -> list[Refusal]:
    """Why ``unit`` may not declare a project for ``using_unit_id``; empty when it may.

    ``first_level_rules`` is the pack's rule that only 一级预算单位 declare, or None where it has none."""
    rules = first_level_rules or ()
    if unit is None:
        return [Refusal("unit_id", rules, "unit_id: the unit is not in the registry; the bureau registers it first",
                        "unit_id：该单位未登记，须先由主管部门登记", 422)]
    refusals = []
    if first_level_rules and unit.level != "first_level":
        refusals.append(Refusal(
            "unit_id", rules,
            f"unit_id: {unit.unit_id} is a subordinate unit; its first-level budget unit {unit.parent_unit_id} declares for it",
            f"unit_id：{unit.unit_id} 为下属单位，应由其一级预算单位 {unit.parent_unit_id} 申报"))
    if using_unit_id is not None and using_unit_id != unit.unit_id:
        if using is None:
            refusals.append(Refusal("using_unit_id", rules, f"using_unit_id: {using_unit_id} is not in the registry",
                                    f"using_unit_id：{using_unit_id} 未登记", 422))
        elif using.parent_unit_id != unit.unit_id:
            refusals.append(Refusal(
                "using_unit_id", rules,
                f"using_unit_id: {using_unit_id} is not a subordinate of {unit.unit_id}; a unit declares for itself and its subordinates",
                f"using_unit_id：{using_unit_id} 不是 {unit.unit_id} 的下属单位，项目单位只为本单位及下属单位申报"))
    return refusals


def public_class_refusal(unit: UnitRecord, public_class: bool, applicant) -> Refusal | None:
    """公共类 projects are declared by the body the pack names: the bureau (YF-7.1, YF-4.2) or the city
    information centre (YL-4.2); a unit declares its own 专业类 projects."""
    if not public_class or applicant is None or unit.role == applicant.role:
        return None
    return Refusal("flags", tuple(applicant.rules),
                   f"flags: a 公共类 project is declared by {applicant.role} ({applicant.role_zh}), not by {unit.unit_id}",
                   f"flags：公共类项目由{applicant.role_zh}申报，{unit.unit_id} 只申报本单位专业类项目")


def role_flag_refusals(unit: UnitRecord, flags: tuple[str, ...], role_flags) -> list[Refusal]:
    """A flag that makes a project a named body's own (DY-10.3b: the bureau's, reviewed by a third
    party) is the declaring unit's to set only when it is that body; any other unit owns the project
    it declares, needs, scheme, budget and implementation (DY-3.2)."""
    refusals = []
    for rule in role_flags:
        flagged = rule.flag in flags
        if flagged and unit.role != rule.role:
            refusals.append(Refusal("flags", tuple(rule.rules),
                                    f"flags: {rule.flag} is for {rule.role_zh}'s own projects; {unit.unit_id} owns the project it "
                                    "declares: its needs, scheme, budget and implementation",
                                    f"flags：{rule.flag} 仅用于{rule.role_zh}自身的项目；{unit.unit_id} 申报的项目由本单位负责需求提出、"
                                    "方案编制、预算编报和组织实施", 422))
        elif not flagged and unit.role == rule.role:
            refusals.append(Refusal("flags", tuple(rule.rules),
                                    f"flags: {unit.unit_id} is {rule.role_zh}; the project it declares is its own and is flagged {rule.flag}",
                                    f"flags：{rule.role_zh}申报的是本单位项目，须标注 {rule.flag}", 422))
    return refusals


def registration_refusal(level: str, parent: UnitRecord | None, parent_unit_id: str | None, sector: str | None = None) -> Refusal | None:
    """A subordinate hangs under a registered first-level unit; a first-level unit under none. A
    district hospital or school hangs under its sector bureau, which organises its projects (BY-5.7)."""
    if level == "first_level":
        if parent_unit_id is not None:
            return Refusal("parent_unit_id", ("BY-5.2a",), "parent_unit_id: a first-level budget unit has no parent unit",
                           "parent_unit_id：一级预算单位无上级单位", 422)
        return None
    if parent_unit_id is None:
        return Refusal("parent_unit_id", ("BY-5.2a",), "parent_unit_id: a subordinate unit names its first-level budget unit",
                       "parent_unit_id：下属单位须注明其一级预算单位", 422)
    if parent is None:
        return Refusal("parent_unit_id", ("BY-5.2a",), f"parent_unit_id: {parent_unit_id} is not in the registry",
                       f"parent_unit_id：{parent_unit_id} 未登记", 422)
    if parent.level != "first_level":
        return Refusal("parent_unit_id", ("BY-5.2a",), f"parent_unit_id: {parent_unit_id} is itself a subordinate unit",
                       f"parent_unit_id：{parent_unit_id} 本身为下属单位", 422)
    if sector is not None and parent.sector != sector:
        bureau, bureau_zh = SECTOR_BUREAUS[sector]
        return Refusal("parent_unit_id", ("BY-5.7",), f"parent_unit_id: a {sector} unit's projects are organised by the {bureau}; "
                       f"register it under that bureau", f"parent_unit_id：该单位项目由{bureau_zh}统筹，应登记为其下属单位", 422)
    return None


SECTOR_BUREAUS = {"health": ("district health bureau", "区卫生健康局"), "education": ("district education bureau", "区教育局")}
