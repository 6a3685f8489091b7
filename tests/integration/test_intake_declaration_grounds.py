"""What a declaration must say for itself, and what the bureau keeps of the units' projects and
systems, under each pack: 巴中's merged 实施方案 and its grounds (BZ-17.1–17.3), 东源's funded or
county-mandated projects (DY-7) and its units' ownership of their projects (DY-3.2), 玉林's batches
issued to units (YL-6), asset census (YL-4.3) and project library (YL-4.1), 云浮's fund application
(YF-8.5). The packs the test platform does not run are exercised through intake's handlers over its
database, as in test_other_jurisdictions; refusals of the running (BY) platform through HTTP."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import ProjectApproved, ReviewStageCompletedV2
from policy.calendar import build_calendar
from policy.packs import get_pack
from servicekit.clock import SystemClock, business_date
from servicekit.db import UnitOfWorkFactory, make_engine, make_session_factory
from servicekit.errors import DomainError

from intake import handlers, registry
from intake.domain.catalogue import census_counts
from intake.schemas import BatchIn, DeclarationIn, FundApplicationIn, PlanFilingIn, UnitIn
from tests.integration.harness import BUREAU, PLAN_DOCUMENTS, applicant, doc, register_unit
from tests.integration.test_other_jurisdictions import DY_KEYS, attempt, dy_forms, new_unit, stored

pytestmark = pytest.mark.integration

NOW = datetime.now(timezone.utc)


@pytest.fixture
async def units(platform, databases):
    """Sessions on the intake database the running platform migrated."""
    engine = make_engine(databases["intake"], pool_size=2)
    yield UnitOfWorkFactory(make_session_factory(engine), "/services/intake", SystemClock())
    await engine.dispose()


async def registered(units, name: str, **extra) -> str:
    unit_id = f"U-{uuid.uuid4().hex[:8]}"
    async with units() as uow:
        await registry.register_unit(uow, UnitIn(unit_id=unit_id, name=name, level="first_level", **extra))
        await uow.commit()
    return unit_id


async def payload(dbs, event_id: str) -> dict:
    return json.loads(await dbs["intake"].value("SELECT convert_from(payload, 'UTF8') FROM outbox WHERE event_id = $1", event_id))


async def count(dbs, unit_id: str) -> int:
    return await dbs["intake"].value("SELECT count(*) FROM declaration WHERE unit_id = $1", unit_id)


# ---- 巴中: one 实施方案 in place of 可研 and 初设 (BZ-17) ---------------------------------------------

async def bz_declaration(units, unit_id: str, *kinds: str, **extra) -> dict:
    documents = [{"kind": kind, "document": await stored(units, unit_id, f"{kind}.pdf")}
                 for kind in ("annual_needs", "security_status_statement", "project_proposal", *kinds)]
    return {"unit_id": unit_id, "project_name": "城市运行管理服务平台", "declared_amount_yuan": 8_000_000,
            "project_class": "application_system", "flags": ["self_build"], "responsible_person": "李局长",
            "documents": documents, **extra}


async def test_bz_17_1_a_merge_on_an_explicit_requirement_names_its_body_and_document(units, dbs):
    unit_id = await registered(units, "巴中市城市管理局", principal_head="李局长")
    requirement = await stored(units, unit_id, "市委办公室关于加快城市运行管理服务平台建设的通知.pdf")
    body = await bz_declaration(units, unit_id, "implementation_scheme")
    merge = {"ground": "higher_requirement", "requiring_body": "municipal", "document_title": "关于加快城市运行管理服务平台建设的通知",
             "document_number": "巴委办〔2026〕21号"}

    with pytest.raises(DomainError) as undocumented:
        await attempt(units, DeclarationIn.model_validate({**body, "design_merge": merge}), "BZ")
    assert (undocumented.value.status_code, undocumented.value.field) == (422, "design_merge.document")
    assert undocumented.value.rule_ids == ["BZ-17.1"] and undocumented.value.message_zh

    separate = await bz_declaration(units, unit_id, "feasibility_study", "preliminary_design")
    with pytest.raises(DomainError) as no_scheme:
        await attempt(units, DeclarationIn.model_validate({**separate, "design_merge": {**merge, "document": requirement}}), "BZ")
    assert no_scheme.value.field == "documents" and no_scheme.value.rule_ids == ["BZ-17"]
    assert [m["kind"] for m in no_scheme.value.details["missing"]] == ["implementation_scheme"]
    assert await count(dbs, unit_id) == 0

    accepted = await attempt(units, DeclarationIn.model_validate({**body, "design_merge": {**merge, "document": requirement}}), "BZ")
    assert accepted.design_merge["requiring_body"] == "municipal" and accepted.design_merge["document"] == requirement
    assert "merged_design" in accepted.flags
    assert "merged_design" in (await payload(dbs, accepted.event_id))["flags"]  # review sees the merge


async def test_bz_17_2_an_urgent_special_reason_is_stated(units, dbs):
    unit_id = await registered(units, "巴中市应急管理局", principal_head="李局长")
    body = await bz_declaration(units, unit_id, "implementation_scheme")
    with pytest.raises(DomainError) as unstated:
        await attempt(units, DeclarationIn.model_validate({**body, "design_merge": {"ground": "urgent_special_reason"}}), "BZ")
    assert (unstated.value.field, unstated.value.rule_ids) == ("design_merge.reason", ["BZ-17.2"])
    reason = {"ground": "urgent_special_reason", "reason": "防汛应急指挥须在主汛期前投入使用，涉及人民群众生命财产安全"}
    accepted = await attempt(units, DeclarationIn.model_validate({**body, "design_merge": reason}), "BZ")
    assert accepted.design_merge["ground"] == "urgent_special_reason"


async def test_bz_17_3_the_amount_ground_holds_up_to_300_wan(units, dbs):
    unit_id = await registered(units, "巴中市档案馆", principal_head="李局长")
    body = await bz_declaration(units, unit_id, "implementation_scheme", design_merge={"ground": "small_investment"})
    with pytest.raises(DomainError) as over:
        await attempt(units, DeclarationIn.model_validate(body), "BZ")
    assert (over.value.status_code, over.value.field, over.value.rule_ids) == (422, "design_merge.ground", ["BZ-17.3"])
    assert await count(dbs, unit_id) == 0
    accepted = await attempt(units, DeclarationIn.model_validate({**body, "declared_amount_yuan": 3_000_000}), "BZ")
    assert accepted.door == "declaration" and accepted.design_merge == {"ground": "small_investment"}


async def test_bz_17_a_pack_without_the_merge_refuses_it_over_http(api, unit_id, dbs):
    body = {"unit_id": unit_id, "project_name": "智慧城管平台", "declared_amount_yuan": 800_000, "project_class": "build_develop",
            "documents": PLAN_DOCUMENTS, "design_merge": {"ground": "small_investment"}}
    refused = await api["intake"].post("/declarations", body, as_=applicant(unit_id))
    assert (refused.status_code, refused.json()["field"]) == (422, "design_merge")
    assert "pack BY has no merged 实施方案" in refused.json()["message"] and "BY 规定未设合并编制" in refused.json()["message_zh"]
    assert await count(dbs, unit_id) == 0


# ---- 东源: funded or county-mandated projects still apply (DY-7); units own their projects (DY-3.2) --

async def dy_body(units, unit_id: str, **form_changes) -> dict:
    attached = [{"kind": key, "document": await stored(units, unit_id, name)} for key, name in DY_KEYS.items()]
    forms = dy_forms()
    forms["application_form"].update(form_changes)
    return {"unit_id": unit_id, "project_name": "医疗影像共享平台", "declared_amount_yuan": 800_000,
            "project_class": "software_development", "documents": attached, "forms": forms}


async def test_dy_7_a_county_mandated_project_applies_naming_the_county_document(units, dbs):
    unit_id = await new_unit(units)
    body = await dy_body(units, unit_id, county_government_consent=True)
    with pytest.raises(DomainError) as unnamed:
        await attempt(units, DeclarationIn.model_validate(body), "DY")
    assert (unnamed.value.status_code, unnamed.value.field, unnamed.value.rule_ids) == (422, "commitments", ["DY-7"])
    assert "县委、县政府" in unnamed.value.message_zh

    letter = await stored(units, unit_id, "县人民政府关于建设医疗影像共享平台的批复.pdf")
    mandate = {"kind": "mandated", "document_title": "关于建设医疗影像共享平台的批复", "document_number": "东府函〔2026〕88号",
               "document": letter}
    with pytest.raises(DomainError) as funded_too:
        await attempt(units, DeclarationIn.model_validate({**body, "commitments": [mandate, {**mandate, "kind": "funded"}]}), "DY")
    assert funded_too.value.field == "forms.application_form.in_county_investment_plan"
    assert funded_too.value.rule_ids == ["DY-7", "DY-A1"]
    assert await count(dbs, unit_id) == 0

    accepted = await attempt(units, DeclarationIn.model_validate({**body, "commitments": [mandate]}), "DY")
    assert accepted.commitments == [mandate]
    kept = await dbs["intake"].value("SELECT commitments->0->>'document_number' FROM declaration WHERE project_id = $1",
                                     accepted.project_id)
    assert kept == "东府函〔2026〕88号"


async def test_dy_7_an_already_funded_project_names_its_plan(units, dbs):
    unit_id = await new_unit(units)
    body = await dy_body(units, unit_id, in_county_investment_plan=True)
    plan = await stored(units, unit_id, "东源县2026年县级财政投资计划.pdf")
    funded = {"kind": "funded", "document_title": "东源县2026年县级财政投资计划", "document_number": "东财〔2026〕5号", "document": plan}
    accepted = await attempt(units, DeclarationIn.model_validate({**body, "commitments": [funded]}), "DY")
    assert [c["kind"] for c in accepted.commitments] == ["funded"]


async def test_dy_3_2_a_county_unit_owns_its_project_and_only_the_bureaus_own_is_the_bureaus(units, dbs):
    unit_id = await new_unit(units)
    body = await dy_body(units, unit_id)
    with pytest.raises(DomainError) as claimed:
        await attempt(units, DeclarationIn.model_validate({**body, "flags": ["bureau_is_owner"]}), "DY")
    assert (claimed.value.status_code, claimed.value.field) == (422, "flags")
    assert claimed.value.rule_ids == ["DY-3.2", "DY-10.3b"]
    assert await count(dbs, unit_id) == 0
    owned = await attempt(units, DeclarationIn.model_validate(body), "DY")
    assert owned.unit_id == unit_id and "bureau_is_owner" not in owned.flags

    bureau = await registered(units, "东源县政务服务数据管理局", role="data_bureau")
    own = await dy_body(units, bureau)
    with pytest.raises(DomainError) as unflagged:
        await attempt(units, DeclarationIn.model_validate(own), "DY")
    assert unflagged.value.field == "flags" and "DY-10.3b" in unflagged.value.rule_ids
    accepted = await attempt(units, DeclarationIn.model_validate({**own, "flags": ["bureau_is_owner"]}), "DY")
    assert "bureau_is_owner" in (await payload(dbs, accepted.event_id))["flags"]  # review sends it to a third party


# ---- 玉林: batches issued to units (YL-6), asset census (YL-4.3), project library (YL-4.1) ---------

async def open_yl_batch(factory, **extra):
    today = NOW.date()
    body = BatchIn.model_validate({"plan_year": 2031, "title": "2031年市本级政务信息化项目建设计划（第一批）",
                                   "notice_issued_on": today.isoformat(), "closes_on": (today + timedelta(days=30)).isoformat(),
                                   **extra})
    async with factory() as uow:
        row, rules = await handlers.open_batch(uow, body, "YL", build_calendar(allow_provisional=True))
        await uow.commit()
        return row, rules


async def test_yl_6_batches_are_numbered_and_issued_to_their_units(units, dbs):
    mature, other = await new_unit(units), await new_unit(units)
    with pytest.raises(DomainError) as unissued:
        await open_yl_batch(units)
    assert (unissued.value.status_code, unissued.value.field, unissued.value.rule_ids) == (422, "units", ["YL-6"])
    with pytest.raises(DomainError) as unknown:
        await open_yl_batch(units, units=[mature, "U-NOBODY"])
    assert unknown.value.field == "units[1]"

    first, rules = await open_yl_batch(units, units=[mature])
    second, _ = await open_yl_batch(units, units=[other], title="2031年市本级政务信息化项目建设计划（第二批）")
    assert (first.sequence, second.sequence, first.units) == (1, 2, [mature]) and rules[0] == "YL-6"
    assert (await payload(dbs, first.event_id))["rule_ids"][0] == "YL-6"  # BatchOpened cites it

    body = {"unit_id": other, "project_name": "智慧交通信号控制系统", "declared_amount_yuan": 3_000_000,
            "project_class": "software_development"}
    with pytest.raises(DomainError) as elsewhere:
        await attempt(units, DeclarationIn.model_validate({**body, "batch_id": str(first.id)}), "YL")
    assert (elsewhere.value.status_code, elsewhere.value.field, elsewhere.value.rule_ids) == (409, "batch_id", ["YL-6"])
    assert await count(dbs, other) == 0
    theirs = await attempt(units, DeclarationIn.model_validate(body), "YL")
    assert theirs.batch_id == second.id  # the open batch issued to it, not the other unit's
    declared = await attempt(units, DeclarationIn.model_validate({**body, "unit_id": mature}), "YL")
    assert declared.batch_id == first.id


async def test_yl_4_3_a_unit_files_its_census_saying_what_becomes_of_each_running_system(units, dbs):
    unit_id = await new_unit(units)
    census = await stored(units, unit_id, "信息化资产普查表.xlsx")
    systems = [{"name": "一体化政务服务平台", "function": "办事", "disposition": "migrate"},
               {"name": "网上办事大厅", "function": "办事", "disposition": "consolidate", "into": "一体化政务服务平台"},
               {"name": "旧公文系统", "status": "retired"},
               {"name": "视频会议系统", "function": "会议"}]

    async def file(rows):
        async with units() as uow:
            result = await handlers.file_plan(uow, unit_id, PlanFilingIn.model_validate(
                {"kind": "asset_catalogue", "document": census, "systems": rows}), "YL")
            await uow.commit()
            return result

    with pytest.raises(DomainError) as undecided:
        await file(systems)
    assert (undecided.value.status_code, undecided.value.field) == (422, "systems[3].disposition")
    assert undecided.value.rule_ids == ["YL-4.3", "YL-4.1"]
    assert await dbs["intake"].value("SELECT count(*) FROM unit_plan WHERE unit_id = $1", unit_id) == 0

    systems[3]["disposition"] = "keep"
    plan, rules = await file(systems)
    assert plan.kind == "asset_catalogue" and "YL-4.3" in rules
    assert plan.systems[1] == {"name": "网上办事大厅", "function": "办事", "status": "in_service", "disposition": "consolidate",
                               "into": "一体化政务服务平台"}

    async with units() as uow:
        filed, missing = await handlers.asset_census(uow)
        (row, _), = [(p, n) for p, n in filed if p.unit_id == unit_id]
        assert census_counts(row.systems)["by_disposition"] == {"consolidate": 1, "keep": 1, "migrate": 1}
        assert unit_id not in missing


async def test_yl_4_1_the_project_library_follows_each_project_as_it_moves_on(units, dbs):
    unit_id = await new_unit(units)
    declared = await attempt(units, DeclarationIn.model_validate({
        "unit_id": unit_id, "project_name": "市域社会治理平台", "declared_amount_yuan": 2_500_000,
        "project_class": "software_development"}), "YL")
    yl = get_pack("YL", "draft.1")

    async def library():
        async with units() as uow:
            total, by_status, rows = await handlers.project_library(uow, yl, status=None, plan_year=None, unit_id=unit_id,
                                                                    limit=50, offset=0)
            return total, by_status, [(row.project_id, row.status, row.approved_amount_fen) for row, _ in rows]

    total, by_status, rows = await library()
    assert (total, by_status, rows) == (1, {"submitted": 1}, [(declared.project_id, "submitted", None)])
    async with units() as uow:
        await handlers.on_project_approved(uow, Envelope(ProjectApproved(
            project_id=declared.project_id, approval_id="A-1", unit_id=unit_id, pack=PackRef(id="YL", version="draft.1"),
            project_class="software_development", approved_amount_fen=240_000_000, approved_on=NOW.date(),
            rule_ids=["YL-12.4"], approved_at=NOW), source="/services/review"))
        await uow.commit()
    total, by_status, rows = await library()
    assert (by_status, rows) == ({"approved": 1}, [(declared.project_id, "approved", 240_000_000)])


async def test_yl_4_1_the_bureau_reads_the_library_and_the_census_over_http(api, unit_id):
    unfiled = f"U-{uuid.uuid4().hex[:8]}"
    await register_unit(api, unfiled)
    declared = await api["intake"].post("/declarations", {
        "unit_id": unit_id, "project_name": "智慧城管平台", "declared_amount_yuan": 800_000, "project_class": "build_develop",
        "documents": PLAN_DOCUMENTS}, as_=applicant(unit_id))
    assert declared.status_code == 201, declared.text
    library = await api["intake"].get("/project-library", as_=BUREAU, unit_id=unit_id)
    assert library.status_code == 200, library.text
    assert [p["project_id"] for p in library.json()["projects"]] == [declared.json()["project_id"]]
    assert library.json()["by_status"] == {"submitted": 1} and library.json()["total"] == 1
    census = (await api["intake"].get("/asset-census", as_=BUREAU)).json()
    assert unit_id in {u["unit_id"] for u in census["units"]} and unfiled in census["not_filed"]
    assert "BY-10" in census["rule_ids"]


async def test_yl_6_a_pack_that_opens_batches_to_every_unit_names_none(api, unit_id):
    refused = await api["intake"].post("/batches", {"plan_year": 2030, "title": "2030年度项目申报", "notice_issued_on": "2029-11-05",
                                                    "units": [unit_id]}, as_=BUREAU)
    assert (refused.status_code, refused.json()["field"]) == (422, "units")
    assert "pack BY opens each batch to every unit" in refused.json()["message"] and "不指定单位" in refused.json()["message_zh"]


# ---- 云浮: the unit applies for its approved funds (YF-8.5) --------------------------------------

async def test_yf_8_5_the_unit_applies_for_funds_after_approval_and_fund_review(units, dbs):
    unit_id = await new_unit(units)
    attached = [{"kind": kind, "document": await stored(units, unit_id, f"{kind}.pdf")}
                for kind in ("project_scheme", "shared_data_catalogue")]
    declared = await attempt(units, DeclarationIn.model_validate({
        "unit_id": unit_id, "project_name": "智慧教育云平台", "declared_amount_yuan": 3_000_000,
        "project_class": "software_development", "documents": attached}), "YF")
    request = await stored(units, unit_id, "关于申请智慧教育云平台项目资金的请示.pdf")
    pack = PackRef(id="YF", version="2020.1")

    async def apply(yuan: int):
        async with units() as uow:
            result = await handlers.apply_for_funds(uow, declared.project_id, FundApplicationIn(amount_yuan=yuan, document=request))
            await uow.commit()
            return result

    with pytest.raises(DomainError) as early:
        await apply(2_800_000)
    assert (early.value.status_code, early.value.field, early.value.rule_ids) == (409, "project_id", ["YF-8.5"])

    async with units() as uow:
        await handlers.on_stage_completed(uow, Envelope(ReviewStageCompletedV2(
            project_id=declared.project_id, scheme_id="S-1", unit_id=unit_id, pack=pack, stage="finance", round=1, result="passed",
            final_stage=False, rule_ids=["YF-8.3"], opinion_issued_at=NOW), source="/services/review"))
        await handlers.on_project_approved(uow, Envelope(ProjectApproved(
            project_id=declared.project_id, approval_id="A-1", unit_id=unit_id, pack=pack, project_class="software_development",
            approved_amount_fen=280_000_000, approved_on=NOW.date(), valid_until=NOW.date() + timedelta(days=730),
            rule_ids=["YF-8.4a"], approved_at=NOW), source="/services/review"))
        await uow.commit()

    with pytest.raises(DomainError) as over:
        await apply(2_800_001)
    assert (over.value.status_code, over.value.field, over.value.rule_ids) == (422, "amount_yuan", ["YF-8.5"])
    assert await dbs["intake"].value("SELECT fund_application FROM declaration WHERE project_id = $1", declared.project_id) is None

    row, rules = await apply(2_800_000)
    assert rules == ["YF-8.5"] and row.fund_application["addressee_zh"] == "市政府"
    assert row.fund_application["applied_on"] == business_date(datetime.now(timezone.utc)).isoformat()
    with pytest.raises(DomainError) as twice:
        await apply(2_800_000)
    assert twice.value.status_code == 409 and twice.value.field == "project_id"


async def test_yf_8_5_a_pack_without_the_fund_application_refuses_it_over_http(api, unit_id):
    declared = await api["intake"].post("/declarations", {
        "unit_id": unit_id, "project_name": "智慧城管平台", "declared_amount_yuan": 800_000, "project_class": "build_develop",
        "documents": PLAN_DOCUMENTS}, as_=applicant(unit_id))
    project_id = declared.json()["project_id"]
    refused = await api["intake"].post(f"/declarations/{project_id}/fund-application",
                                       {"amount_yuan": 800_000, "document": doc("立项计划申报表.pdf")}, as_=applicant(unit_id))
    assert (refused.status_code, refused.json()["field"]) == (409, "project_id") and refused.json()["message_zh"]
    assert (await api["intake"].get(f"/declarations/{project_id}", as_=applicant(unit_id))).json()["fund_application"] is None
