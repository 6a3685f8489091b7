"""Intake under the packs the test platform does not run (it runs BY): the same handlers, over the
intake database, with a DY or YL deployment's pack. 东源's forms (DY-6, DY-9, DY-A1, DY-A2) and
floor (DY-2.1a/b); 玉林's regimes (YL-11a/b/c, YL-13)."""

from __future__ import annotations

import base64
import uuid

import pytest

from servicekit.clock import SystemClock
from servicekit.db import UnitOfWorkFactory, make_engine, make_session_factory
from servicekit.errors import DomainError

from intake import documents, handlers, registry
from intake.schemas import DeclarationIn, DocumentIn, FilingIn, UnitIn

pytestmark = pytest.mark.integration


@pytest.fixture
async def units(platform, databases):
    """Sessions on the intake database the running platform migrated."""
    engine = make_engine(databases["intake"], pool_size=2)
    yield UnitOfWorkFactory(make_session_factory(engine), "/services/intake", SystemClock())
    await engine.dispose()


async def new_unit(units) -> str:
    unit_id = f"U-{uuid.uuid4().hex[:8]}"
    async with units() as uow:
        await registry.register_unit(uow, UnitIn(unit_id=unit_id, name="东源县测试单位", level="first_level"))
        await uow.commit()
    return unit_id


async def stored(units, unit_id: str, name: str) -> dict:
    async with units() as uow:
        uploaded = await documents.upload(uow, unit_id, DocumentIn(name=name, content_base64=base64.b64encode(name.encode()).decode()))
        await uow.commit()
        return {"name": name, "sm3": uploaded.row.sm3}


DY_KEYS = {"application_form": "立项申请表.pdf", "project_scheme": "项目建设方案.pdf", "data_resource_checklist": "数据资源管理核查表.pdf",
           "necessity_documents": "必要性文件.pdf"}


def dy_forms(total: int = 800_000, county: int = 800_000, shareable: bool = True) -> dict:
    return {
        "application_form": {
            "using_unit": "东源县人民医院", "site": "东源县", "nature": "new", "in_county_investment_plan": False,
            "county_government_consent": False, "planned_start": "2027-03-01", "planned_completion": "2027-12-31",
            "total_investment_yuan": total, "yearly_funding_yuan": [total], "funding_sources": {"county_fiscal_yuan": county},
            "construction_content": "医疗影像共享平台", "expected_benefits": "减少重复检查",
            "applicant_leader": {"signer": "李四", "signed_on": "2026-11-20"},
            "competent_department_leader": {"signer": "王五", "signed_on": "2026-11-21"},
            "contact": {"name": "赵六", "mobile": "13800000000", "address": "东源县县城", "postcode": "517500"},
        },
        "data_resource_checklist": {
            "summary": "医疗影像共享", "hardware_yuan": 200_000, "system_software_yuan": 100_000, "application_development_yuan": 300_000,
            "expected_acceptance_on": "2027-12-31",
            "functions": [{"function": "影像调阅", "data_items": [
                {"name": "检查报告", "sharing_period": "实时", "provision_method": "接口", "shareable": shareable}]}],
        },
    }


async def attempt(units, body, pack: str, how=handlers.submit_declaration):
    async with units() as uow:
        result = await how(uow, body, pack)
        await uow.commit()
        return result


async def test_dy_6_dy_9_a_declaration_brings_its_forms_as_data_that_agree(units, dbs):
    unit_id = await new_unit(units)
    attached = [{"kind": key, "document": await stored(units, unit_id, name)} for key, name in DY_KEYS.items()]
    base = {"unit_id": unit_id, "project_name": "医疗影像共享平台", "declared_amount_yuan": 800_000,
            "project_class": "software_development", "documents": attached}

    with pytest.raises(DomainError) as missing:
        await attempt(units, DeclarationIn.model_validate(base), "DY")
    assert missing.value.field == "forms.application_form" and "DY-6" in missing.value.rule_ids

    with pytest.raises(DomainError) as disagreeing:
        await attempt(units, DeclarationIn.model_validate({**base, "forms": dy_forms(county=700_000)}), "DY")
    assert disagreeing.value.field == "forms.application_form.funding_sources" and disagreeing.value.message_zh

    with pytest.raises(DomainError) as unshared:
        await attempt(units, DeclarationIn.model_validate({**base, "forms": dy_forms(shareable=False)}), "DY")
    assert unshared.value.rule_ids == ["DY-9", "DY-A2"]
    assert await dbs["intake"].value("SELECT count(*) FROM declaration WHERE unit_id = $1", unit_id) == 0

    accepted = await attempt(units, DeclarationIn.model_validate({**base, "forms": dy_forms()}), "DY")
    assert accepted.pack_id == "DY" and accepted.door == "declaration"
    kept = await dbs["intake"].value("SELECT forms->'application_form'->>'site' FROM declaration WHERE project_id = $1",
                                     accepted.project_id)
    assert kept == "东源县"


async def test_dy_2_1b_below_the_floor_a_project_is_filed_not_declared(units, dbs):
    unit_id = await new_unit(units)
    scheme = await stored(units, unit_id, "项目建设方案（报备）.pdf")
    body = {"unit_id": unit_id, "project_name": "档案数字化", "declared_amount_yuan": 300_000, "project_class": "software_development"}
    with pytest.raises(DomainError) as declared:
        await attempt(units, DeclarationIn.model_validate(body), "DY")
    assert declared.value.status_code == 409 and "DY-2.1b" in declared.value.rule_ids and "/filings" in declared.value.message_en

    with pytest.raises(DomainError) as bare:
        await attempt(units, FilingIn.model_validate(body), "DY", handlers.file_project)
    assert bare.value.field == "documents" and bare.value.rule_ids == ["DY-2.1b"]

    filed, rules = await attempt(units, FilingIn.model_validate({**body, "documents": [{"kind": "below_floor_scheme", "document": scheme}]}),
                                 "DY", handlers.file_project)
    assert filed.door == "below_floor_filing" and filed.status == "filed" and "DY-2.1b" in rules
    assert await dbs["intake"].value("SELECT event_type FROM outbox WHERE event_id = $1", filed.event_id) == "intake.project.micro_filed.v1"


@pytest.mark.parametrize(("yuan", "belongs_at"), [(499_999, "/filings"), (500_000, "/declarations")])
async def test_dy_2_1a_the_floor_is_50_wan_inclusive(units, yuan, belongs_at):
    unit_id = await new_unit(units)
    body = {"unit_id": unit_id, "project_name": "档案数字化", "declared_amount_yuan": yuan, "project_class": "software_development"}
    with pytest.raises(DomainError) as refused:
        if belongs_at == "/declarations":
            await attempt(units, FilingIn.model_validate(body), "DY", handlers.file_project)
        else:
            await attempt(units, DeclarationIn.model_validate(body), "DY")
    assert belongs_at in refused.value.message_en and "DY-2.1a" in refused.value.rule_ids


async def test_yl_11b_yl_13_a_filing_regime_project_is_filed_and_announced(units, dbs):
    unit_id = await new_unit(units)
    body = {"unit_id": unit_id, "project_name": "执法记录管理系统", "declared_amount_yuan": 1_000_000,
            "project_class": "software_development"}
    with pytest.raises(DomainError) as declared:
        await attempt(units, DeclarationIn.model_validate(body), "YL")
    assert "YL-11b" in declared.value.rule_ids
    filed, rules = await attempt(units, FilingIn.model_validate(body), "YL", handlers.file_project)
    assert filed.door == "filing" and {"YL-11b"} <= set(rules)
    assert await dbs["intake"].value("SELECT event_type FROM outbox WHERE event_id = $1", filed.event_id) == "intake.project.filed.v1"


@pytest.mark.parametrize(("yuan", "project_class", "rule", "how"), [
    (2_000_000, "software_development", "YL-11a", "file"),  # 审批制 from 200万 (含): declared, never filed
    (99_999, "software_development", "YL-11c", "file"),  # under 10万: the unit manages it alone
    (99_999, "operation_maintenance", "YL-11c", "declare"),
])
async def test_yl_11_each_regime_has_one_door(units, yuan, project_class, rule, how):
    unit_id = await new_unit(units)
    body = {"unit_id": unit_id, "project_name": "运维服务", "declared_amount_yuan": yuan, "project_class": project_class}
    with pytest.raises(DomainError) as refused:
        if how == "file":
            await attempt(units, FilingIn.model_validate(body), "YL", handlers.file_project)
        else:
            await attempt(units, DeclarationIn.model_validate(body), "YL")
    assert rule in refused.value.rule_ids and refused.value.field == "declared_amount_yuan"



async def test_yf_7_1_a_public_class_project_is_declared_by_the_bureau(units, dbs):
    unit_id = await new_unit(units)
    bureau_id = f"U-SJJ-{uuid.uuid4().hex[:6]}"
    async with units() as uow:
        await registry.register_unit(uow, UnitIn(unit_id=bureau_id, name="市政务服务数据管理局", level="first_level", role="data_bureau"))
        await uow.commit()
    body = {"project_name": "全市统一身份认证平台", "declared_amount_yuan": 3_000_000, "project_class": "software_development",
            "flags": ["public_class"]}
    with pytest.raises(DomainError) as refused:
        await attempt(units, DeclarationIn.model_validate({"unit_id": unit_id, **body}), "YF")
    assert refused.value.field == "flags" and "YF-7.1" in refused.value.rule_ids
    accepted = await attempt(units, DeclarationIn.model_validate({"unit_id": bureau_id, **body}), "YF")
    assert accepted.pack_id == "YF" and accepted.unit_id == bureau_id


async def test_yl_9_bz_22_a_cross_department_project_states_each_part_without_overlap(units, dbs):
    lead, other, third = await new_unit(units), await new_unit(units), await new_unit(units)
    body = {"unit_id": lead, "project_name": "城市运行一网统管平台", "declared_amount_yuan": 3_000_000,
            "project_class": "software_development", "participants": [
                {"unit_id": other, "scope": "城管部门：城市部件事件采集与处置"},
                {"unit_id": third, "scope": "城管部门：城市部件事件采集与处置子系统"}]}
    with pytest.raises(DomainError) as overlapping:
        await attempt(units, DeclarationIn.model_validate(body), "YL")
    assert overlapping.value.field == "participants[1].scope" and overlapping.value.rule_ids == ["YL-9"]
    with pytest.raises(DomainError) as itself:
        await attempt(units, DeclarationIn.model_validate({**body, "project_class": "application_system",
                                                           "participants": [{"unit_id": lead, "scope": "牵头"}]}), "BZ")
    assert itself.value.field == "participants[0].unit_id" and itself.value.rule_ids == ["BZ-22"]
    body["participants"][1]["scope"] = "交通部门：路网视频接入与信号配时数据共享"
    accepted = await attempt(units, DeclarationIn.model_validate(body), "YL")
    assert [p["unit_id"] for p in accepted.participants] == [other, third]


async def test_bz_24_the_project_answers_to_the_units_principal_head(units, dbs):
    unregistered_head = await new_unit(units)
    body = {"unit_id": unregistered_head, "project_name": "智慧医保结算系统", "declared_amount_yuan": 900_000,
            "project_class": "application_system", "responsible_person": "王局长"}
    with pytest.raises(DomainError) as unknown:
        await attempt(units, DeclarationIn.model_validate(body), "BZ")
    assert unknown.value.status_code == 409 and unknown.value.rule_ids == ["BZ-24"]
    unit_id = f"U-{uuid.uuid4().hex[:8]}"
    async with units() as uow:
        await registry.register_unit(uow, UnitIn(unit_id=unit_id, name="巴中市医疗保障局", level="first_level", principal_head="李局长"))
        await uow.commit()
    with pytest.raises(DomainError) as someone_else:
        await attempt(units, DeclarationIn.model_validate({**body, "unit_id": unit_id}), "BZ")
    assert someone_else.value.field == "responsible_person" and someone_else.value.rule_ids == ["BZ-24"]
    assert "李局长" in someone_else.value.message_zh
