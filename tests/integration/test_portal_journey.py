"""The portal in a real browser: each role signs in through the OpenID provider and one project
goes from declaration to accepted through the pages people use, with a refused declaration
showing its block on the way. Screenshots of each main page are kept as test artefacts.

Runs Debian's Chromium through Playwright (``./govit test`` installs it with a CJK font where it
can); the platform is the integration suite's, with the portal and the sign-in provider added.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from devstack.auth import DevIssuer
from devstack.oidc import OidcProvider, start_oidc_provider
from devstack.processes import ServiceProcess, start_portal
from devstack.servers import free_port
from servicekit.audit import sm3_hex
from tests.integration.harness import ADMIN, BUREAU, eventually, leader

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SHOTS = Path(os.environ.get("PORTAL_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts" / "portal"))
EDU, HEALTH = "baiyun-edu", "baiyun-health"
FILES = {name: f"{name} — 白云区教育局 测试材料".encode() for name in (
    "立项计划申报表.pdf", "政务数据清单（盖章）.pdf", "立项方案.pdf", "立项需求自查表.pdf", "采购需求自查表.pdf",
    "采购实施计划.pdf", "合同文本.pdf", "保密协议.pdf", "人员实名登记及安全保密协议.pdf", "符合性审核申请.pdf",
    "效能自评估报告.pdf", "等保测评报告.pdf", "信息化资产目录.xlsx")}
SM3 = {name: sm3_hex(content) for name, content in FILES.items()}

if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (./govit test installs Debian's chromium where apt is available)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def oidc(issuer: DevIssuer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    provider = start_oidc_provider(issuer.directory, free_port(), log_path=tmp_path_factory.mktemp("oidc") / "oidc.log")
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def portal(platform: dict[str, ServiceProcess], issuer: DevIssuer, oidc: OidcProvider,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    urls = {name: process.url for name, process in platform.items()}
    process = start_portal(urls, {**issuer.env(), **oidc.env()}, secrets.token_urlsafe(40), free_port(),
                           tmp_path_factory.mktemp("portal-logs"))
    yield process
    process.stop()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        yield chromium
        await chromium.close()


class Person:
    """One signed-in person's browser tab."""

    def __init__(self, page, base: str, name: str) -> None:  # type: ignore[no-untyped-def]
        self.page, self.base, self.name = page, base, name

    async def go(self, path: str) -> None:
        response = await self.page.goto(self.base + path)
        assert response is not None and response.status < 500, f"{path}: {response and response.status}"

    async def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    async def text(self) -> str:
        return await self.page.inner_text("main")

    async def until(self, path: str, expected: str, timeout: float = 30) -> None:
        """Reload ``path`` until it shows ``expected``: the services catch up through events."""
        async def shown() -> bool:
            await self.go(path)
            return expected in await self.text()
        await eventually(shown, timeout=timeout, interval=0.5, what=f"{expected!r} on {path}")

    async def act(self, project_id: str, action: str, fill: dict[str, str] | None = None, select: dict[str, str] | None = None,
                  check: list[str] | None = None) -> str:
        """Open a project's action, fill it in and submit; returns the page text after it."""
        await self.until(f"/projects/{project_id}", "")
        await self.page.click(f'a[data-action="{action}"]')
        await self.submit(fill, select, check)
        return await self.text()

    async def submit(self, fill: dict[str, str] | None = None, select: dict[str, str] | None = None,
                     check: list[str] | None = None) -> None:
        for name, value in (fill or {}).items():
            await self.page.fill(f'[name="{name}"]', value)
        for name, value in (select or {}).items():
            await self.page.select_option(f'[name="{name}"]', value)
        for selector in check or []:
            await self.page.check(selector)
        await self.page.click('form.form button[type="submit"]')
        await self.page.wait_for_load_state()
        done = await self.page.query_selector('[data-testid="done"]')
        if done is None:
            await self.shot(f"failed-{self.name}")
        assert done is not None, f"{self.name}: the form was refused:\n{await self.text()}"


async def sign_in(browser, base: str, username: str, *, width: int = 1280) -> Person:  # type: ignore[no-untyped-def]
    context = await browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    await page.goto(base + "/")
    await page.click(f'button[data-username="{username}"]')
    await page.wait_for_url(f"{base}/**")
    assert await page.inner_text('[data-testid="signed-in-user"]')
    return Person(page, base, username)


async def upload_through_the_page(person: Person, names: list[str]) -> None:
    """Upload each file with the page's form, waiting for the SM3 the service stored."""
    await person.go("/unit/documents")
    for name in names:
        await person.page.set_input_files("#file", files=[{"name": name, "mimeType": "application/pdf", "buffer": FILES[name]}])
        await person.page.click('form[data-upload] button[type="submit"]')
        await person.page.wait_for_selector(f'.upload-result[data-sm3="{SM3[name]}"]')
        await person.go("/unit/documents")


async def unlabelled_controls(page) -> list[str]:  # type: ignore[no-untyped-def]
    return await page.evaluate("""() => [...document.querySelectorAll('main input, main select, main textarea')]
        .filter(el => el.type !== 'hidden' && !el.labels?.length && !el.getAttribute('aria-label'))
        .map(el => el.name)""")


async def test_a_project_from_declaration_to_accepted_through_the_portal(platform, portal, browser, api, open_batch):
    base = portal.url
    for unit in (EDU, HEALTH):
        registered = await api["intake"].post("/units", {"unit_id": unit, "name": {EDU: "白云区教育局", HEALTH: "白云区卫生健康局"}[unit],
                                                         "level": "first_level"}, as_=ADMIN)
        assert registered.status_code in (201, 409), registered.text
    # Three experts in a field no other test's experts cover, for a meeting of three in that field:
    # the draw seats them all, so expert.wang's view is known.
    for expert_id, username, name in (("EXP-WANG", "expert.wang", "王建国"), ("EXP-LI", "expert.li", "李敏"),
                                      ("EXP-ZHANG", "expert.zhang", "张伟")):
        response = await api["review"].post("/experts", {"expert_id": expert_id, "username": username, "name": name,
                                                         "employer": f"{name}所在高校", "fields": ["电子政务", "课后服务信息化"],
                                                         "pools": ["白云区信息化专家库"]}, as_=BUREAU)
        assert response.status_code in (201, 409), response.text
    # A 白云区卫生健康局 project failed its final acceptance: an upgrade of it may not be declared (BY-22.8).
    failed = await api["acceptance"].post("/projects/P-E2E-HEALTH/final-reviews", {
        "unit_id": HEALTH, "result": "failed", "concluded_on": "2026-11-02", "pack_id": "BY",
        "reasons": ["接口响应时间未达到合同约定指标"]}, as_=leader(HEALTH))
    assert failed.status_code in (201, 409), failed.text

    # --- the unit's officer uploads the documents, watching the progress and the stored SM3
    unit = await sign_in(browser, base, "edu.applicant")
    await upload_through_the_page(unit, list(FILES))
    listed = await unit.text()
    assert all(digest in listed for digest in SM3.values())
    await unit.shot("unit-documents")

    # --- the asset catalogue a declaration is compared with, and without which none is taken (BY-22.10)
    await unit.go("/forms/plan")
    await unit.submit(fill={"systems": "教育资源公共服务平台｜资源共享\n智慧课堂平台｜课堂互动"},
                      select={"kind": "asset_catalogue", "document": SM3["信息化资产目录.xlsx"]})

    # --- a wrong amount is caught as it is typed and by the portal, and nothing is filed
    await unit.go("/forms/declaration")
    assert await unlabelled_controls(unit.page) == []
    await unit.page.fill('[name="declared_amount_yuan"]', "12.5")
    await unit.page.press('[name="declared_amount_yuan"]', "Tab")
    assert "整数" in await unit.page.inner_text('[data-testid="error-declared_amount_yuan"]')
    await unit.shot("declaration-typing-error")

    # --- the declaration, its receipt, and the receipt as a download
    await unit.submit(fill={"project_name": "中小学课后服务管理平台", "declared_amount_yuan": "1200000",
                            "system_name": "课后服务管理平台", "purpose": "全区中小学课后服务报名与结算"},
                      select={"project_class": "service", "doc.plan_declaration_form": SM3["立项计划申报表.pdf"],
                              "doc.government_data_list": SM3["政务数据清单（盖章）.pdf"]})
    project_id = (await unit.page.inner_text('[data-testid="project-id"]')).strip()
    assert SM3["立项计划申报表.pdf"] in await unit.text()
    await unit.shot("declaration-receipt")
    async with unit.page.expect_download() as download_info:
        await unit.page.click(f'a[href="/projects/{project_id}/receipt"]')
    receipt = json.loads(Path(await (await download_info.value).path()).read_text(encoding="utf-8"))
    assert receipt["project_id"] == project_id and receipt["receipt"]["request_sm3"]

    # --- a unit under a block is refused, with the rule, the cause and what lifts it
    health = await sign_in(browser, base, "health.leader")
    await upload_through_the_page(health, ["立项计划申报表.pdf", "政务数据清单（盖章）.pdf"])
    await health.go("/forms/declaration")
    await health.page.fill('[name="project_name"]', "区域卫生信息平台二期")
    await health.page.fill('[name="declared_amount_yuan"]', "3000000")
    await health.page.fill('[name="upgrade_of_project_id"]', "P-E2E-HEALTH")
    await health.page.select_option('[name="project_class"]', "build_develop")
    await health.page.select_option('[name="doc.plan_declaration_form"]', SM3["立项计划申报表.pdf"])
    await health.page.select_option('[name="doc.government_data_list"]', SM3["政务数据清单（盖章）.pdf"])
    await health.page.click('form.form button[type="submit"]')
    refusal = await health.page.inner_text('[data-testid="service-error"]')
    assert "BY-22.8" in refusal and "AcceptanceFailed" in refusal and "P-E2E-HEALTH" in refusal
    await health.shot("declaration-refused-block")
    await health.until("/unit", "BY-22.8")
    await health.shot("unit-workspace-blocked")

    # --- the reviewer works the queue: plan review
    bureau = await sign_in(browser, base, "bureau.reviewer")
    await bureau.until("/desk", project_id)
    await bureau.shot("reviewer-desk")
    # the reviewer reads the filed documents, checked by their SM3
    await bureau.go(f"/projects/{project_id}")
    async with bureau.page.expect_download() as filed:
        await bureau.page.click('[data-testid="filed-documents"] a >> nth=0')
    assert sm3_hex(Path(await (await filed.value).path()).read_bytes()) == SM3["立项计划申报表.pdf"]
    await bureau.act(project_id, "opinion", fill={"amount_yuan": "1150000"}, select={"result": "passed"})

    # --- the unit files its scheme once intake hears the plan passed
    await unit.until(f"/projects/{project_id}", "计划已通过")
    await unit.act(project_id, "scheme", fill={"estimate_yuan": "1150000"},
                   select={"doc.project_scheme": SM3["立项方案.pdf"], "doc.self_check_table": SM3["立项需求自查表.pdf"]})

    # --- material review, an expert meeting with its committed seed, expert and cost review, approval
    await bureau.until(f"/projects/{project_id}", "材料初审")
    await bureau.act(project_id, "opinion", select={"result": "passed"})
    await bureau.act(project_id, "meeting", fill={"starts_at": "2026-12-08T09:30", "ends_at": "2026-12-08T12:00",
                                                  "fields": "课后服务信息化", "size": "3"}, select={"stage": "expert_review"})
    await bureau.go(f"/projects/{project_id}")
    commitment = await bureau.page.inner_text('[data-testid="seed-commitment"]')
    await bureau.page.click('#meetings button[type="submit"]')
    await bureau.page.wait_for_selector('[data-testid="drawn"]')
    assert len(commitment.strip()) == 64
    await bureau.shot("reviewer-case-draw")
    assert "EXP-WANG" in await bureau.page.inner_text('[data-testid="drawn"]')

    # --- an expert sees only the meetings they were drawn for, and writes an opinion once
    expert = await sign_in(browser, base, "expert.wang")
    await expert.until("/expert", project_id)
    await expert.shot("expert-view")
    await expert.page.click('a[data-action="expert_opinion"]')
    await expert.submit(fill={"opinion": "方案总体可行，建议细化数据共享清单后实施。"}, select={"recommendation": "revise"})
    await expert.go("/expert")
    await expert.page.click('a[data-action="expert_opinion"]')
    await expert.page.select_option('[name="recommendation"]', "pass")
    await expert.page.fill('[name="opinion"]', "再次提交的意见应被拒绝。")
    await expert.page.click('form.form button[type="submit"]')
    assert "不能重复提交" in await expert.page.inner_text('[data-testid="service-error"]')
    await bureau.until(f"/projects/{project_id}", "细化数据共享清单")
    await bureau.shot("reviewer-expert-opinions")
    for stage_name in ("专家评审", "造价评审"):
        await bureau.until(f"/projects/{project_id}", stage_name)
        extra = {"amount_yuan": "1100000"} if stage_name == "造价评审" else {}
        await bureau.act(project_id, "opinion", fill=extra, select={"result": "passed"})
    await bureau.until(f"/projects/{project_id}", "批复")
    await bureau.act(project_id, "approval", fill={"approved_amount_yuan": "1100000", "document_number": "白政数审〔2026〕21号"})

    # --- the final scheme filed within its 5 working days (BY-21), which stops that deadline
    await unit.until(f"/projects/{project_id}", "立项方案备案")
    await unit.act(project_id, "scheme_filing", select={"document": SM3["立项方案.pdf"]})

    # --- procurement: the requirement filing and the contract
    await unit.until(f"/projects/{project_id}", "采购需求备案")
    await unit.act(project_id, "requirement_filing", fill={"procurement_budget_yuan": "1100000"},
                   select={"doc.requirement_self_check": SM3["采购需求自查表.pdf"], "doc.procurement_plan": SM3["采购实施计划.pdf"]},
                   check=['[name="matches_scheme"]'])
    today = (await unit.page.evaluate("() => new Date().toISOString().slice(0, 10)"))
    await unit.act(project_id, "contract", fill={
        "title": "中小学课后服务管理平台服务合同", "supplier.name": "广州某信息技术有限公司", "supplier.supplier_id": "91440101MAE2E00001",
        "amount_yuan": "1000000", "term.ends_on": str(int(today[:4]) + 1) + today[4:], "milestone.progress": "1000000"},
        select={"supplier_role": "builder", "procurement_method": "public_tender", "ip_owner": "unit",
                "doc.contract_text": SM3["合同文本.pdf"], "doc.confidentiality_agreement": SM3["保密协议.pdf"],
                "doc.personnel_register": SM3["人员实名登记及安全保密协议.pdf"]},
        check=['[name="deliverables"][value="services"]', '[name="data_terms"]'])

    # --- finance sees the holds and asks before paying
    finance = await sign_in(browser, base, "finance.officer")
    await finance.go("/finance")
    await finance.shot("finance-holds")
    await finance.go("/forms/payment_clearance")
    await finance.submit(fill={"project_id": project_id, "amount_yuan": "300000"}, select={"milestone": "progress"})
    assert await finance.page.inner_text('[data-testid="answer"]')
    await finance.shot("finance-clearance")

    # --- acceptance: compliance, data, evidence, self-evaluation, then the final review passes
    await unit.until(f"/projects/{project_id}", "终验前尚需完成")
    await unit.act(project_id, "compliance_request", select={"doc.written_request": SM3["符合性审核申请.pdf"],
                                                             "doc.self_evaluation": SM3["效能自评估报告.pdf"]})
    await bureau.act(project_id, "compliance_opinion", check=['[name="consent"]'])
    await unit.act(project_id, "data_aggregation", check=['[name="platforms"][value="big_data_platform"]'])
    await unit.act(project_id, "evidence", select={"key": "djcp_report", "document": SM3["等保测评报告.pdf"]})
    # the builder's contract states IP terms, so the report accounts for them (BY-54)
    await unit.act(project_id, "evaluation", select={"kind": "self", "grade": "qualified", "report": SM3["效能自评估报告.pdf"]},
                   fill={"ip_report.plan_completion": "计划登记软件著作权1项，已登记", "ip_report.ownership_transfer": "已归项目单位",
                         "ip_report.follow_up_operation": "由项目单位负责运营"})
    await unit.act(project_id, "final_review", select={"result": "passed", "mode": "expert_meeting"})
    await unit.until(f"/projects/{project_id}", "终验通过")
    passed_on = (await unit.page.inner_text('[data-testid="passed-on"]')).strip()
    assert passed_on != "—", await unit.text()
    await unit.shot("project-accepted")
    await unit.go(f"/projects/{project_id}/timeline")
    timeline = await unit.text()
    assert "edu.applicant" in timeline and "bureau.reviewer" in timeline
    await unit.shot("project-timeline")
    await unit.until("/unit", "已验收")
    await unit.shot("unit-workspace")

    # --- the bureau's picture: charts, tables and the Excel export
    auditor = await sign_in(browser, base, "auditor")
    await auditor.go("/dashboard")
    await auditor.page.wait_for_selector('[data-chart="stages"] canvas')
    assert "baiyun-health" in await auditor.text()
    await auditor.shot("bureau-dashboard")
    async with auditor.page.expect_download() as download_info:
        await auditor.page.click('a[href="/dashboard.xlsx"]')
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(Path(await (await download_info.value).path()).read_bytes()))
    assert any(project_id == row[0] for row in book.worksheets[2].iter_rows(values_only=True))

    # --- the administrator sees the same picture and every project's timeline with its audit links
    admin = await sign_in(browser, base, "admin")
    assert admin.page.url.endswith("/dashboard")
    await admin.go(f"/projects/{project_id}/timeline")
    assert "#" in await admin.page.inner_text('[data-testid="timeline"]')  # sequence numbers and hashes of the trail
    await admin.shot("admin-timeline")

    # --- a phone's width: nothing runs off the side
    phone = await sign_in(browser, base, "edu.applicant", width=390)
    for path in ("/unit", f"/projects/{project_id}", "/forms/contract?project_id=" + project_id):
        await phone.go(path)
        overflow = await phone.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} overflows a phone's width by {overflow}px"
    await phone.shot("unit-workspace-phone")

    # --- every form a unit fills has a label on every control, and the English pages read in English
    for key in ("declaration", "declaration_dy", "plan", "scheme", "requirement_filing", "contract", "change",
                "initial_acceptance", "compliance_request", "final_review", "acceptance_filing", "evaluation"):
        await unit.go(f"/forms/{key}?project_id={project_id}")
        assert await unlabelled_controls(unit.page) == [], key
    await unit.go("/lang/en?next=/unit")
    assert "Unit workspace" in await unit.text() and "Blocks and holds" in await unit.text()
    await unit.shot("unit-workspace-english")


async def test_a_service_that_is_down_is_named_on_the_page_not_a_stack_trace(platform, portal, browser):
    person = await sign_in(browser, portal.url, "finance.officer")
    platform["procurement"].stop()
    try:
        response = await person.page.goto(person.base + "/finance")
        assert response is not None and response.status == 503
        text = await person.text()
        assert "采购与合同服务暂时无法访问" in text and "Traceback" not in text
        await person.shot("service-down")
    finally:
        platform["procurement"].start()
        platform["procurement"].wait_ready()
