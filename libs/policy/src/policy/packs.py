"""The jurisdiction packs a deployment can judge projects by.

A project keeps the pack version in force when it was declared, and every later decision
about it uses that version, whatever the deployment's default is by then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal


@dataclass(frozen=True)
class Pack:
    id: str
    version: str
    title: str
    valid_from: date
    valid_to: date | None
    status: Literal["in_force", "expired", "trial", "draft"]
    final_acceptance_max_attempts: int | None
    """How many final reviews a project gets; None where the text sets no limit (A-22)."""

    @property
    def ref(self) -> tuple[str, str]:
        return (self.id, self.version)


BY = Pack("BY", "2024.1", "广州市白云区政府投资信息化项目管理办法（2024版）", date(2024, 10, 25), None, "in_force", 2)
YF = Pack("YF", "2020.1", "云浮市市级政务信息化服务项目管理办法", date(2020, 2, 1), date(2025, 1, 31), "expired", None)
BZ = Pack("BZ", "2022.1", "“智慧巴中”建设项目管理办法", date(2022, 5, 22), None, "in_force", None)
DY = Pack("DY", "2020.1", "东源县县级政务信息化服务项目管理办法（试行）", date(2020, 7, 13), date(2022, 7, 12), "trial", None)
YL = Pack("YL", "draft.1", "玉林市政务信息化项目建设管理办法（征求意见稿）", date(2024, 1, 1), None, "draft", None)

PACKS: dict[str, Pack] = {pack.id: pack for pack in (BY, YF, BZ, DY, YL)}
DEFAULT_PACK = BY


class UnknownPack(LookupError):
    pass


def get_pack(pack_id: str, version: str | None = None) -> Pack:
    pack = PACKS.get(pack_id)
    if pack is None or (version is not None and pack.version != version):
        raise UnknownPack(f"no policy pack {pack_id}@{version or '*'}; known: {sorted(f'{p.id}@{p.version}' for p in PACKS.values())}")
    return pack
