"""Which door a project comes in by, from its classification under the pack:

- ``declaration``: 审批制, reviewed (and BY 小微 projects, whose plan is reviewed first, BY-19.1a);
- ``filing``: 备案制, filed with the bureau and not reviewed (YL-11b, YL-13);
- ``below_floor_filing``: under the pack's floor but still filed (DY-2.1b: 全面简化流程, file with the bureau);
- ``none``: managed by the unit on its own, nothing to file (YL-11c);
- ``outside``: not under this pack at all (BY-2 secret, BY-3 funding, BY-4.3, BY-60, YF-5, DY-4, YL-5 …).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Door = Literal["declaration", "filing", "below_floor_filing", "none", "outside"]

EXCLUSION_FIELDS = {"funding_source": "funding_source"}
"""Where the cause of an exclusion sits in a submission; every other exclusion is a declared fact in ``exclusions``."""


def door(decision, pack) -> Door:
    if decision.regime == "outside":
        return "outside"
    if decision.regime == "self_managed":
        return "below_floor_filing" if pack.scope.below_floor == "self_managed_with_filing" else "none"
    if decision.regime == "filing" and decision.track != "micro":
        return "filing"
    return "declaration"


@dataclass(frozen=True)
class WrongDoor:
    field: str
    rule_ids: tuple[str, ...]
    en: str
    zh: str


def _why(decision) -> tuple[str, str]:
    return ("; ".join(r.en for r in decision.reasons) or decision.regime,
            "；".join(r.zh for r in decision.reasons) or decision.regime_zh)


def wrong_door(decision, pack, wanted: tuple[Door, ...], amount_field: str) -> WrongDoor | None:
    """Why a submission made at a door in ``wanted`` belongs elsewhere; None when it is at the right one."""
    found = door(decision, pack)
    if found in wanted:
        return None
    en, zh = _why(decision)
    rules = tuple(decision.rule_ids)
    if found == "outside":
        field = EXCLUSION_FIELDS.get(decision.excluded_by or "", "exclusions" if decision.excluded_by else amount_field)
        return WrongDoor(field, rules, f"{field}: the project is outside pack {pack.id}: {en}", f"{field}：项目不适用本办法：{zh}")
    if found == "none":
        return WrongDoor(amount_field, rules, f"{amount_field}: the unit manages this project on its own; nothing is declared or filed ({en})",
                         f"{amount_field}：该项目由单位自行管理，无需申报或备案（{zh}）")
    if found in ("filing", "below_floor_filing"):
        return WrongDoor(amount_field, rules, f"{amount_field}: this project is filed with the bureau, not declared for review "
                         f"(POST /filings): {en}", f"{amount_field}：该项目应向主管部门备案（POST /filings），不经审批：{zh}")
    return WrongDoor(amount_field, rules, f"{amount_field}: this project is declared for review (POST /declarations), not filed: {en}",
                     f"{amount_field}：该项目应申报审批（POST /declarations），不能以备案代替：{zh}")
