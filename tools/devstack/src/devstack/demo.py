"""Demo data, loaded through the services' own APIs as users would enter it.

Each scene shows one rule at work; loading is idempotent, so a restart does not duplicate it.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
from cryptography.hazmat.primitives import hashes

from devstack.auth import DevIssuer


@dataclass(frozen=True)
class Scene:
    title: str
    project_id: str
    unit_id: str
    recorded_by: str
    """The demo user who records the review: the unit under BY-46 and BZ-29, the bureau under DY-22."""


SCENES = [
    Scene("白云区卫生健康局: 区域卫生信息平台 failed final acceptance once (BY-47.3a) → its upgrade is refused (BY-22.8)",
          "P-DEMO-HEALTH", "baiyun-health", "health.leader"),
    Scene("白云区市场监管局: 智慧监管平台 failed the re-review (BY-47.3b) → terminated, remaining funds recovered (BY-38b)",
          "P-DEMO-MARKET", "baiyun-market", "market.leader"),
    Scene("巴中市医保局 (BZ pack): 医保结算系统 failed acceptance → no new projects, no O&M funds (BZ-30)",
          "P-DEMO-BZ-MEDICARE", "bazhong-medicare", "medicare.leader"),
    Scene("东源县教育局 (DY pack): 教育云平台 failed acceptance → remaining funds not paid (DY-24)",
          "P-DEMO-DY-EDU", "dongyuan-edu", "bureau.reviewer"),
]


UNITS = [
    ("baiyun-health", "白云区卫生健康局", None), ("baiyun-market", "白云区市场监督管理局", None),
    ("baiyun-edu", "白云区教育局", None), ("baiyun-edu-no1", "白云区第一中学", "baiyun-edu"),
    ("bazhong-medicare", "巴中市医疗保障局", None), ("dongyuan-edu", "东源县教育局", None),
]
"""The registry (BY-5.2a): first-level budget units, and a school under its education bureau."""

DOCUMENTS = {
    "立项计划申报表.pdf": "立项计划申报表（演示）",
    "政务数据清单（盖章）.pdf": "政务数据清单（演示，已盖章）",
    "信息化资产目录.xlsx": "信息化资产目录（演示）",
}
CATALOGUES = {
    "baiyun-edu": [{"name": "教育局办公自动化系统", "function": "公文流转与督办"},
                   {"name": "学籍管理系统", "function": "中小学学籍登记与变动"}],
    "baiyun-health": [{"name": "区域卫生信息平台", "function": "居民健康档案与诊疗数据汇聚"}],
}


def sm3_of(text: str) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(text.encode("utf-8"))
    return digest.finalize().hex()


def _as(issuer: DevIssuer, username: str) -> dict[str, str]:
    return {"authorization": f"Bearer {issuer.token_for(username)}"}


def _ref(name: str) -> dict[str, str]:
    return {"name": name, "sm3": sm3_of(DOCUMENTS[name])}


PLAN_DOCUMENTS = [{"kind": "plan_declaration_form", "document": _ref("立项计划申报表.pdf")},
                  {"kind": "government_data_list", "document": _ref("政务数据清单（盖章）.pdf")}]


def _register_units(client: httpx.Client, issuer: DevIssuer, intake: str) -> None:
    for unit_id, name, parent in UNITS:
        body = {"unit_id": unit_id, "name": name, "level": "subordinate" if parent else "first_level", "parent_unit_id": parent}
        response = client.post(f"{intake}/units", json=body, headers=_as(issuer, "admin"))
        if response.status_code != 409:  # registered by an earlier, interrupted load
            response.raise_for_status()


def _upload(client: httpx.Client, issuer: DevIssuer, intake: str, user: str, unit: str, name: str, text: str) -> None:
    body = {"name": name, "content_base64": base64.b64encode(text.encode("utf-8")).decode()}
    client.post(f"{intake}/units/{unit}/documents", json=body, headers=_as(issuer, user)).raise_for_status()


EXPERTS = [
    ("EXP-WANG", "expert.wang", "王建国", "华南理工大学"), ("EXP-LI", "expert.li", "李敏", "广东工业大学"),
    ("EXP-ZHANG", "expert.zhang", "张伟", "中山大学"), ("EXP-CHEN", "expert.chen", "陈静", "广州大学"),
    ("EXP-ZHAO", "expert.zhao", "赵磊", "暨南大学"), ("EXP-HUANG", "expert.huang", "黄芳", "承建公司甲"),
]
"""The 白云区 pool (BY-20.2b); one works for the supplier the demo names as conflicted (BY-5.2b)."""


def _review_scene(client: httpx.Client, issuer: DevIssuer, review: str, project_id: str, today: date) -> None:
    """The bureau passes the plan (BY-15c) and draws three experts for the scheme's review meeting."""
    bureau = _as(issuer, "bureau.reviewer")
    for expert_id, username, name, employer in EXPERTS:
        client.post(f"{review}/experts", headers=bureau, json={
            "expert_id": expert_id, "username": username, "name": name, "employer": employer,
            "fields": ["电子政务", "教育信息化"], "pools": ["白云区信息化专家库"]}).raise_for_status()
    deadline = time.monotonic() + 30
    while client.get(f"{review}/cases/{project_id}", headers=bureau).status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError(f"review opened no case for {project_id}")
        time.sleep(0.2)
    client.post(f"{review}/cases/{project_id}/opinions", headers=bureau, json={
        "stage": "plan_review", "round": 1, "result": "passed", "amount_yuan": 2_600_000}).raise_for_status()
    day = today + timedelta(days=14)
    meeting = client.post(f"{review}/cases/{project_id}/meetings", headers=bureau, json={
        "stage": "expert_review", "pool": "白云区信息化专家库", "fields": ["教育信息化"], "size": 3,
        "starts_at": f"{day.isoformat()}T09:30:00+08:00", "ends_at": f"{day.isoformat()}T12:00:00+08:00",
        "conflicted_employers": ["承建公司甲"]})
    meeting.raise_for_status()
    client.post(f"{review}/meetings/{meeting.json()['meeting_id']}/draw", headers=bureau).raise_for_status()


def _review(client: httpx.Client, issuer: DevIssuer, url: str, scene: Scene, result: str, day: date, pack: str | None,
            reasons: list[str]) -> None:
    body = {"unit_id": scene.unit_id, "result": result, "concluded_on": day.isoformat()}
    if pack:
        body["pack_id"] = pack
    if reasons:
        body["reasons"] = reasons
    response = client.post(f"{url}/projects/{scene.project_id}/final-reviews", json=body, headers=_as(issuer, scene.recorded_by))
    response.raise_for_status()


def load(urls: dict[str, str], today: date, issuer: DevIssuer) -> list[str]:
    """Load every scene not loaded yet; returns lines describing what there is to see."""
    lines = []
    with httpx.Client(timeout=15) as client:
        acceptance = urls["acceptance"]
        found = client.get(f"{acceptance}/projects/{SCENES[0].project_id}/final-reviews", headers=_as(issuer, "bureau.reviewer"))
        found.raise_for_status()
        loaded = found.json()
        if not loaded:
            health, market, medicare, edu = SCENES
            _review(client, issuer, acceptance, health, "failed", today - timedelta(days=20), "BY", ["接口响应时间未达到合同约定指标", "缺少等保测评报告"])
            _review(client, issuer, acceptance, market, "failed", today - timedelta(days=60), "BY", ["数据未完成汇聚"])
            _review(client, issuer, acceptance, market, "failed", today - timedelta(days=10), None, ["整改后复验仍未通过"])
            _review(client, issuer, acceptance, medicare, "failed", today - timedelta(days=15), "BZ", ["第三方测评报告缺失"])
            _review(client, issuer, acceptance, edu, "failed", today - timedelta(days=5), "DY", ["验收小组现场核查不通过"])
            client.post(f"{urls['intake']}/batches", headers=_as(issuer, "bureau.reviewer"), json={
                "plan_year": today.year + 1, "title": f"{today.year + 1}年度政务信息化项目申报", "notice_issued_on": today.isoformat(),
            }).raise_for_status()
            _register_units(client, issuer, urls["intake"])
            for user, unit in (("edu.applicant", "baiyun-edu"), ("health.leader", "baiyun-health")):
                for name, text in DOCUMENTS.items():
                    _upload(client, issuer, urls["intake"], user, unit, name, text)
                # BY-22.10: a unit declares only once its asset catalogue is filed
                client.post(f"{urls['intake']}/units/{unit}/plans", headers=_as(issuer, user), json={
                    "kind": "asset_catalogue", "document": _ref("信息化资产目录.xlsx"), "systems": CATALOGUES[unit],
                }).raise_for_status()
            declared = client.post(f"{urls['intake']}/declarations", json={
                "unit_id": "baiyun-edu", "project_name": "智慧校园统一身份认证平台", "declared_amount_yuan": 2_800_000,
                "project_class": "build_develop", "system_name": "统一身份认证平台", "purpose": "全区中小学师生统一身份认证",
                "documents": PLAN_DOCUMENTS,
            }, headers=_as(issuer, "edu.applicant"))
            declared.raise_for_status()
            _review_scene(client, issuer, urls["review"], declared.json()["project_id"], today)
        for scene in SCENES:
            lines.append(f"  · {scene.title}")
            lines.append(f"      {urls['intake']}/units/{scene.unit_id}/standing")
            lines.append(f"      {urls['procurement']}/projects/{scene.project_id}/holds")
        lines.append(f"  · 白云区教育局 declared a project; its plan passed review and experts are drawn for its scheme "
                     f"(BY-20.2b): {urls['review']}/cases?unit_id=baiyun-edu")
        edu_cases = client.get(f"{urls['review']}/cases", params={"unit_id": "baiyun-edu"}, headers=_as(issuer, "bureau.reviewer"))
        for case in edu_cases.json() if edu_cases.status_code == 200 else []:
            lines.append(f"      its expert draw, seed committed then revealed: {urls['review']}/cases/{case['project_id']}/meetings")
        lines.append(f"      an expert sees only the meetings they sit on: {urls['review']}/experts/me/meetings (token: ./govit token expert.wang)")
        lines.append("  · Every request needs a token: TOKEN=$(./govit token health.leader)  (users: ./govit token --list)")
        lines.append(f"  · Try a refused declaration: curl -s -XPOST {urls['intake']}/declarations -H \"authorization: Bearer $TOKEN\" \\")
        lines.append("        -H 'content-type: application/json' \\")
        refused = {"unit_id": "baiyun-health", "project_name": "区域卫生信息平台二期", "declared_amount_yuan": 3_000_000,
                   "project_class": "build_develop", "upgrade_of_project_id": "P-DEMO-HEALTH", "documents": PLAN_DOCUMENTS}
        lines.append(f"        -d '{json.dumps(refused, ensure_ascii=False)}'")
    return lines
