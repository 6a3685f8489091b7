"""Demo data, loaded through the services' own APIs as users would enter it.

Each scene shows one rule at work; loading is idempotent, so a restart does not duplicate it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import httpx


@dataclass(frozen=True)
class Scene:
    title: str
    project_id: str
    unit_id: str


SCENES = [
    Scene("白云区卫生健康局: 区域卫生信息平台 failed final acceptance once (BY-47.3a) → its upgrade is refused (BY-22.8)",
          "P-DEMO-HEALTH", "baiyun-health"),
    Scene("白云区市场监管局: 智慧监管平台 failed the re-review (BY-47.3b) → terminated, remaining funds recovered (BY-38b)",
          "P-DEMO-MARKET", "baiyun-market"),
    Scene("巴中市医保局 (BZ pack): 医保结算系统 failed acceptance → no new projects, no O&M funds (BZ-30)",
          "P-DEMO-BZ-MEDICARE", "bazhong-medicare"),
    Scene("东源县教育局 (DY pack): 教育云平台 failed acceptance → remaining funds not paid (DY-24)",
          "P-DEMO-DY-EDU", "dongyuan-edu"),
]


def _review(client: httpx.Client, url: str, scene: Scene, result: str, day: date, pack: str | None, reasons: list[str]) -> None:
    body = {"unit_id": scene.unit_id, "result": result, "concluded_on": day.isoformat()}
    if pack:
        body["pack_id"] = pack
    if reasons:
        body["reasons"] = reasons
    response = client.post(f"{url}/projects/{scene.project_id}/final-reviews", json=body)
    response.raise_for_status()


def load(urls: dict[str, str], today: date) -> list[str]:
    """Load every scene not loaded yet; returns lines describing what there is to see."""
    lines = []
    with httpx.Client(timeout=15) as client:
        acceptance = urls["acceptance"]
        loaded = client.get(f"{acceptance}/projects/{SCENES[0].project_id}/final-reviews").json()
        if not loaded:
            health, market, medicare, edu = SCENES
            _review(client, acceptance, health, "failed", today - timedelta(days=20), "BY", ["接口响应时间未达到合同约定指标", "缺少等保测评报告"])
            _review(client, acceptance, market, "failed", today - timedelta(days=60), "BY", ["数据未完成汇聚"])
            _review(client, acceptance, market, "failed", today - timedelta(days=10), None, ["整改后复验仍未通过"])
            _review(client, acceptance, medicare, "failed", today - timedelta(days=15), "BZ", ["第三方测评报告缺失"])
            _review(client, acceptance, edu, "failed", today - timedelta(days=5), "DY", ["验收小组现场核查不通过"])
            client.post(f"{urls['intake']}/declarations", json={
                "unit_id": "baiyun-edu", "project_name": "智慧校园统一身份认证平台", "declared_amount_yuan": 2_800_000,
            }).raise_for_status()
        for scene in SCENES:
            lines.append(f"  · {scene.title}")
            lines.append(f"      {urls['intake']}/units/{scene.unit_id}/standing")
            lines.append(f"      {urls['procurement']}/projects/{scene.project_id}/holds")
        lines.append(f"  · 白云区教育局 declared a project; its review case: {urls['review']}/cases?unit_id=baiyun-edu")
        lines.append(f"  · Try a refused declaration: curl -s -XPOST {urls['intake']}/declarations -H 'content-type: application/json' \\")
        lines.append("        -d '{\"unit_id\":\"baiyun-health\",\"project_name\":\"区域卫生信息平台二期\",\"declared_amount_yuan\":3000000,\"upgrade_of_project_id\":\"P-DEMO-HEALTH\"}'")
    return lines
