"""Demo data, loaded through the services' own APIs as users would enter it.

Each scene shows one rule at work; loading is idempotent, so a restart does not duplicate it.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
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
    "立项方案.pdf": "智慧校园统一身份认证平台立项方案（演示）",
    "立项需求自查表.pdf": "立项需求自查表（演示）",
    "采购需求自查表.pdf": "采购需求自查表（演示）",
    "合同文本.pdf": "统一身份认证平台建设合同（演示）",
    "保密协议.pdf": "保密协议（演示）",
    "监理合同.pdf": "监理服务合同（演示）",
    "人员实名登记及安全保密协议.pdf": "供应商人员实名登记表及安全保密协议（演示）",
    "采购实施计划.pdf": "采购实施计划（演示）",
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
    for n, (expert_id, username, name, employer) in enumerate(EXPERTS):
        # Three of the eligible cover 教育信息化, the meeting's field, so the draw of three seats them
        # all and expert.wang, the demo's expert, finds the meeting in the portal.
        fields = ["电子政务", "教育信息化"] if n < 3 or expert_id == "EXP-HUANG" else ["电子政务"]
        client.post(f"{review}/experts", headers=bureau, json={
            "expert_id": expert_id, "username": username, "name": name, "employer": employer,
            "fields": fields, "pools": ["白云区信息化专家库"]}).raise_for_status()
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


def _until(client: httpx.Client, url: str, headers: dict[str, str], ready: Callable[[dict], bool], what: str) -> dict:
    deadline = time.monotonic() + 30
    while True:
        response = client.get(url, headers=headers)
        if response.status_code == 200 and ready(response.json()):
            return response.json()
        if time.monotonic() > deadline:
            raise RuntimeError(f"demo: {what} did not happen within 30s")
        time.sleep(0.2)


def _procurement_scene(client: httpx.Client, issuer: DevIssuer, urls: dict[str, str], today: date) -> str:
    """A second 教育局 project from declaration to approval, then procured: the requirement self-check
    (BY-24), the builder's contract with its 保密协议 (BY-26), the supervisor (BY-29.2a), and a change
    made before approval that finance holds (BY-32b)."""
    unit, bureau = _as(issuer, "edu.applicant"), _as(issuer, "bureau.reviewer")
    intake, review, procurement = urls["intake"], urls["review"], urls["procurement"]
    declared = client.post(f"{intake}/declarations", headers=unit, json={
        "unit_id": "baiyun-edu", "project_name": "中小学智慧课堂平台", "declared_amount_yuan": 1_900_000, "project_class": "build_develop",
        "system_name": "智慧课堂平台", "purpose": "课堂互动与学情分析", "documents": PLAN_DOCUMENTS})
    declared.raise_for_status()
    project_id = declared.json()["project_id"]
    case = f"{review}/cases/{project_id}"
    _until(client, case, bureau, lambda c: c["stage"] == "plan_review", "the plan review case")
    client.post(f"{case}/opinions", headers=bureau, json={"stage": "plan_review", "round": 1, "result": "passed",
                                                         "amount_yuan": 1_800_000}).raise_for_status()
    _until(client, f"{intake}/declarations/{project_id}", unit, lambda d: d["status"] == "plan_passed", "plan passed in intake")
    client.post(f"{intake}/declarations/{project_id}/schemes", headers=unit, json={"estimate_yuan": 1_800_000, "documents": [
        {"kind": "project_scheme", "document": _ref("立项方案.pdf")},
        {"kind": "self_check_table", "document": _ref("立项需求自查表.pdf")}]}).raise_for_status()
    _until(client, case, bureau, lambda c: c["stage"] == "initial_review" and c["awaiting"] == "bureau", "the scheme's review")
    for stage, extra in (("initial_review", {}), ("expert_review", {}), ("cost_review", {"amount_yuan": 1_750_000})):
        client.post(f"{case}/opinions", headers=bureau, json={"stage": stage, "round": 1, "result": "passed", **extra}).raise_for_status()
    client.post(f"{case}/approval", headers=bureau, json={"approved_amount_yuan": 1_750_000,
                                                         "document_number": f"白政数审〔{today.year}〕8号"}).raise_for_status()
    _until(client, f"{intake}/declarations/{project_id}", unit, lambda d: d["status"] == "approved", "approval in intake")
    client.post(f"{intake}/declarations/{project_id}/scheme-filing", headers=unit,  # BY-21
                json={"document": _ref("立项方案.pdf")}).raise_for_status()
    project = f"{procurement}/projects/{project_id}"
    _until(client, project, bureau, lambda p: True, "procurement learning of the approval")
    client.post(f"{project}/requirement-filings", headers=unit, json={
        "procurement_budget_yuan": 1_750_000, "matches_scheme": True,
        "documents": [{"role": "requirement_self_check", "document": _ref("采购需求自查表.pdf")},
                      {"role": "procurement_plan", "document": _ref("采购实施计划.pdf")}]}).raise_for_status()
    rights = ["source_code", "data", "software_copyright", "patents", "trademarks", "usage_rights"]
    end = (today + timedelta(days=364)).isoformat()
    builder = client.post(f"{project}/contracts", headers=unit, json={
        "supplier": {"supplier_id": "91440101MA5DEMO001", "name": "广州某教育科技有限公司"}, "supplier_role": "builder",
        "title": "中小学智慧课堂平台建设合同", "amount_yuan": 1_600_000, "signed_on": today.isoformat(),
        "term": {"starts_on": today.isoformat(), "ends_on": end}, "deliverables": ["software"], "warranty_software_months": 12,
        "data_terms": True, "procurement_method": "public_tender",
        "ip_clauses": dict.fromkeys(rights, "unit"),
        "milestones": [{"kind": "advance", "amount_yuan": 480_000}, {"kind": "progress", "amount_yuan": 640_000},
                       {"kind": "final_payment", "amount_yuan": 480_000}],
        "documents": [{"role": "contract_text", "document": _ref("合同文本.pdf")},
                      {"role": "confidentiality_agreement", "document": _ref("保密协议.pdf")},
                      {"role": "personnel_register", "document": _ref("人员实名登记及安全保密协议.pdf")}]})
    builder.raise_for_status()
    client.post(f"{project}/contracts", headers=unit, json={
        "supplier": {"supplier_id": "91440101MA5DEMO002", "name": "广州某工程监理有限公司"}, "supplier_role": "supervision",
        "title": "中小学智慧课堂平台监理合同", "amount_yuan": 60_000, "signed_on": today.isoformat(), "procurement_method": "inquiry",
        "term": {"starts_on": today.isoformat(), "ends_on": end}, "deliverables": ["services"],
        "milestones": [{"kind": "progress", "amount_yuan": 60_000}],
        "documents": [{"role": "contract_text", "document": _ref("监理合同.pdf")},
                      {"role": "confidentiality_agreement", "document": _ref("保密协议.pdf")},
                      {"role": "personnel_register", "document": _ref("人员实名登记及安全保密协议.pdf")}]}).raise_for_status()
    client.post(f"{project}/changes", headers=unit, json={
        "stage": "implementation", "after_the_fact": True, "contract_id": builder.json()["contract_id"],
        "lines": [{"kind": "cancel", "amount_yuan": 120_000, "item": "电子班牌"}, {"kind": "add", "amount_yuan": 100_000, "item": "录播教室"}],
        "reason": "学校需求调整，未报批先实施"}).raise_for_status()
    acceptance = f"{urls['acceptance']}/projects/{project_id}"
    _until(client, f"{acceptance}/acceptance", bureau, lambda a: a["contract_amount_yuan"] == 1_600_000, "acceptance following it")
    client.post(f"{acceptance}/initial-acceptances", headers=unit, json={
        "result": "passed", "mode": "expert_meeting", "concluded_on": today.isoformat()}).raise_for_status()
    return project_id


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
            for name in ("立项方案.pdf", "立项需求自查表.pdf", "采购需求自查表.pdf", "合同文本.pdf", "保密协议.pdf", "监理合同.pdf",
                         "人员实名登记及安全保密协议.pdf", "采购实施计划.pdf"):
                _upload(client, issuer, urls["intake"], "edu.applicant", "baiyun-edu", name, DOCUMENTS[name])
            _procurement_scene(client, issuer, urls, today)
        for scene in SCENES:
            lines.append(f"  · {scene.title}")
            lines.append(f"      {urls['intake']}/units/{scene.unit_id}/standing")
            lines.append(f"      {urls['procurement']}/projects/{scene.project_id}/holds")
        lines.append(f"  · 白云区教育局 declared a project; its plan passed review and experts are drawn for its scheme "
                     f"(BY-20.2b): {urls['review']}/cases?unit_id=baiyun-edu")
        edu_cases = client.get(f"{urls['review']}/cases", params={"unit_id": "baiyun-edu"}, headers=_as(issuer, "bureau.reviewer"))
        for case in [c for c in (edu_cases.json() if edu_cases.status_code == 200 else []) if c.get("status") != "approved"]:
            lines.append(f"      its expert draw, seed committed then revealed: {urls['review']}/cases/{case['project_id']}/meetings")
        lines.append(f"      an expert sees only the meetings they sit on: {urls['review']}/experts/me/meetings (token: ./govit token expert.wang)")
        procured = [c for c in (edu_cases.json() if edu_cases.status_code == 200 else []) if c.get("status") == "approved"]
        for case in procured:
            project = f"{urls['procurement']}/projects/{case['project_id']}"
            lines.append(f"  · 白云区教育局's 智慧课堂平台 went through review to approval and was procured (BY-24, BY-26): {project}")
            lines.append(f"      its contracts: {project}/contracts; a change made before approval (BY-32b): {project}/changes")
            lines.append(f"      the finance hold on that contract: {project}/holds (token: ./govit token finance.officer)")
            lines.append(f"      its initial acceptance passed; the trial run and what stands before the final review (BY-41, BY-45): "
                         f"{urls['acceptance']}/projects/{case['project_id']}/acceptance")
        lines.append("  · Every request needs a token: TOKEN=$(./govit token health.leader)  (users: ./govit token --list)")
        lines.append(f"  · Try a refused declaration: curl -s -XPOST {urls['intake']}/declarations -H \"authorization: Bearer $TOKEN\" \\")
        lines.append("        -H 'content-type: application/json' \\")
        refused = {"unit_id": "baiyun-health", "project_name": "区域卫生信息平台二期", "declared_amount_yuan": 3_000_000,
                   "project_class": "build_develop", "upgrade_of_project_id": "P-DEMO-HEALTH", "documents": PLAN_DOCUMENTS}
        lines.append(f"        -d '{json.dumps(refused, ensure_ascii=False)}'")
    return lines
