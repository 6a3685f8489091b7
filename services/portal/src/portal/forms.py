"""The forms people fill in, as data: each field with its Chinese and English label, its kind and
its limits, and the service route the form posts to. One template renders every form, one
function turns what was typed into the service's JSON, so a form added here is checked in the
browser as the person types (HTML constraints) and by the service's rules on submission.

Field names follow the services' request bodies; a dotted name (``term.starts_on``) builds a
nested object. Rule IDs shown beside a form are the ones the service checks it against.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import uuid
from datetime import date
from typing import Any

Option = tuple[str, str, str]  # value, 中文, English


@dataclass(frozen=True)
class DocumentSlot:
    role: str
    zh: str
    en: str
    required: bool = True


@dataclass(frozen=True)
class Field:
    name: str
    zh: str
    en: str
    kind: str = "text"  # text, textarea, yuan, integer, date, datetime, select, checkbox, checkboxes, lines, document, hidden, hidden_integer
    required: bool = False
    options: tuple[Option, ...] = ()
    hint_zh: str = ""
    hint_en: str = ""
    max_length: int = 200
    minimum: int | None = None
    maximum: int | None = None
    default: str = ""

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def hint(self, lang: str) -> str:
        return self.hint_zh if lang == "zh" else self.hint_en


@dataclass(frozen=True)
class FormSpec:
    key: str
    zh: str
    en: str
    service: str
    path: str  # with {project_id} / {unit_id} / {meeting_id} / {change_id}
    roles: frozenset[str]
    fields: tuple[Field, ...] = ()
    documents: tuple[DocumentSlot, ...] = ()
    document_key: str = "role"  # intake names the slot "kind", the other services "role"
    rules: str = ""
    fixed: Mapping[str, Any] = field(default_factory=dict)
    build: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    """Reshapes the parsed body where the service's JSON is not a plain mapping of the fields."""

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class FormErrors(Exception):
    """What the portal itself found wrong before asking the service (a number that is not one)."""

    def __init__(self, errors: dict[str, tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


PROJECT_CLASSES: tuple[Option, ...] = (
    ("build_develop", "建设开发类", "Build and develop"),
    ("operation_maintenance", "运行维护类", "Operation and maintenance"),
    ("service", "服务类", "Service"),
    ("infrastructure", "基础设施服务", "Infrastructure"),
    ("software_development", "软件开发服务", "Software development"),
    ("business_operation", "系统业务运营服务", "Business operation"),
    ("third_party_service", "第三方服务", "Third-party service"),
    ("application_system", "信息化应用系统", "Application system"),
    ("security_system", "信息化安全体系", "Security system"),
)
RESULTS: tuple[Option, ...] = (("passed", "通过", "Passed"), ("failed", "不通过", "Failed"))
ACCEPTANCE_MODES: tuple[Option, ...] = (
    ("expert_meeting", "专家评审会", "Expert meeting"), ("internal_meeting", "单位内部会议", "Internal meeting"))
IP_OWNERS: tuple[Option, ...] = (("unit", "项目单位所有", "The unit"), ("shared", "双方共有", "Shared"),
                                 ("supplier", "供应商所有", "The supplier"))
IP_RIGHTS = ("source_code", "data", "software_copyright", "patents", "trademarks", "usage_rights")


def _yuan(name: str, zh: str, en: str, required: bool = True, hint_zh: str = "整数，单位元", hint_en: str = "whole 元") -> Field:
    return Field(name, zh, en, "yuan", required, minimum=1, maximum=100_000_000_000, hint_zh=hint_zh, hint_en=hint_en)


def _today(name: str, zh: str, en: str) -> Field:
    return Field(name, zh, en, "date", True, default="today")


def _contract(body: dict[str, Any]) -> dict[str, Any]:
    owner = body.pop("ip_owner", None)
    if owner:
        body["ip_clauses"] = dict.fromkeys(IP_RIGHTS, owner)
    amounts = body.pop("milestone", {}) or {}
    body["milestones"] = [{"kind": kind, "amount_yuan": amounts[kind]}
                          for kind in ("advance", "progress", "final_payment") if amounts.get(kind)]
    return body


DISPOSITION_WORDS = {"保留": "keep", "整合": "consolidate", "迁移改造": "migrate", "迁移": "migrate", "清理下线": "retire",
                     "清理": "retire", "下线": "retire"}
"""The words a census sheet uses for what becomes of a system (YL-4.3), as intake names them."""


def _plan(body: dict[str, Any]) -> dict[str, Any]:
    # One system per line, "name｜what it does[｜保留/整合/迁移改造/清理下线[｜整合至]]", as units keep
    # their catalogues and census sheets in spreadsheets.
    systems = []
    for number, line in enumerate(body.pop("systems", []) or [], start=1):
        parts = [part.strip() for part in line.replace("|", "｜").split("｜")]
        system: dict[str, Any] = {"name": parts[0], "function": parts[1] if len(parts) > 1 else ""}
        word = parts[2] if len(parts) > 2 else ""
        if word:
            if word not in DISPOSITION_WORDS:
                raise FormErrors({"systems": (f"第{number}行：处置方式应为保留、整合、迁移改造或清理下线",
                                              f"line {number}: the disposition is 保留, 整合, 迁移改造 or 清理下线")})
            system["disposition"] = DISPOSITION_WORDS[word]
        if len(parts) > 3 and parts[3]:
            system["into"] = parts[3]
        systems.append(system)
    if systems:
        body["systems"] = systems
    return body


def _change(body: dict[str, Any]) -> dict[str, Any]:
    lines = []
    for kind in ("cancel", "add"):
        part = body.pop(kind, {}) or {}
        if part.get("item") or part.get("amount_yuan"):
            lines.append({"kind": kind, "item": part.get("item", ""), "amount_yuan": part.get("amount_yuan", 0)})
    body["lines"] = lines
    return body


def _dongyuan(body: dict[str, Any]) -> dict[str, Any]:
    """DY-A1 and DY-A2 as the intake body's ``forms``: the yearly plan as a list, and the checklist's
    functions from lines of "功能｜数据名称｜共享周期｜提供方式[｜不共享的法定依据]"."""
    form = body.get("forms", {}).get("application_form", {})
    yearly = form.pop("year", {}) or {}
    form["yearly_funding_yuan"] = [yearly[key] for key in sorted(yearly) if yearly[key] is not None]
    checklist = body.get("forms", {}).get("data_resource_checklist", {})
    functions: dict[str, list[dict[str, Any]]] = {}
    for line in checklist.pop("lines", []) or []:
        parts = [part.strip() for part in line.replace("|", "｜").split("｜")]
        parts += [""] * (5 - len(parts))
        item: dict[str, Any] = {"name": parts[1], "sharing_period": parts[2], "provision_method": parts[3]}
        if parts[4]:
            item["shareable"], item["non_share_legal_basis"] = False, parts[4]
        functions.setdefault(parts[0], []).append(item)
    checklist["functions"] = [{"function": name, "data_items": items} for name, items in functions.items()]
    # DY-7: the document behind a project funded or required before approval, one per kind named
    named = body.pop("commitment", {}) or {}
    commitments = [{"kind": kind, **named[kind]} for kind in ("funded", "mandated") if any((named.get(kind) or {}).values())]
    if commitments:
        body["commitments"] = commitments
    return body


def _bazhong(body: dict[str, Any]) -> dict[str, Any]:
    """The delivery mode as the pack's flag (BZ-4), the counties' share in the project (BZ-9), and a merge
    ground only where one is chosen (BZ-17)."""
    body["flags"] = [body.pop("delivery")] + (["county_collaboration"] if body.pop("county_collaboration", False) else [])
    merge = body.pop("design_merge", {}) or {}
    if merge.get("ground"):
        body["design_merge"] = merge
    return body


ACCEPTANCE_CONCERNS: tuple[Option, ...] = (
    ("security_responsibility", "未落实网络安全责任制、持证上岗或定期检测评估（BY-29.4）",
     "No security responsibility system, certificates or periodic testing (BY-29.4)"),
    ("risk_assessment", "未定期开展网络与信息安全风险评估或落实等保（BY-57）", "No periodic risk assessment or 等保 (BY-57)"),
    ("mobile_app_not_integrated", "移动应用端未集成在粤系列平台（BY-56）", "Mobile app not integrated into the 粤系列 platforms (BY-56)"),
    ("ip_not_handled", "知识产权未按方案、合同落实（BY-49）", "IP not as the scheme or contract defined (BY-49)"),
    ("information_not_shared", "未接入市级共享开放平台进行信息共享（BZ-10）", "Information not shared through the city platform (BZ-10)"),
    ("public_data_not_catalogued", "公共数据资源未纳入全市公共数据资源目录（BZ-32a）",
     "Public data not in the city catalogue (BZ-32a)"),
    ("security_systems", "网络安全、数据安全、密码保障未同步建设运行或未定期检测评估（BZ-45、YL-18a）",
     "Security and cryptography not built and run in step, or not tested periodically (BZ-45, YL-18a)"),
    ("data_not_protected", "数据未处于有效保护和合法利用状态（YL-18c）", "Data not protected for lawful use (YL-18c)"),
)
"""The packs' acceptance concerns by key; the service refuses a key the project's pack does not list."""


def _final_review(body: dict[str, Any]) -> dict[str, Any]:
    """A ticked concern is a judgement that found it; the service refuses a pass that finds any."""
    found = body.pop("concerns_found", []) or []
    if found:
        body["judgements"] = [{"key": key, "found": True} for key in found]
    return body


def _clearance(body: dict[str, Any]) -> dict[str, Any]:
    # A fresh request id per submission: the finance system's own retries reuse theirs.
    body["request_id"] = f"portal-{uuid.uuid4().hex}"
    body["amount_fen"] = body.pop("amount_yuan") * 100
    return body


FORMS: dict[str, FormSpec] = {spec.key: spec for spec in (
    FormSpec(
        "declaration", "计划申报", "Plan declaration", "intake", "/declarations",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(
            Field("project_name", "项目名称", "Project name", required=True),
            _yuan("declared_amount_yuan", "申报金额（元）", "Declared amount (元)"),
            Field("project_class", "项目类别", "Project class", "select", True, PROJECT_CLASSES),
            Field("system_name", "系统名称", "System name", hint_zh="与资产目录比对（BY-22.3）", hint_en="compared with the asset catalogue (BY-22.3)"),
            Field("purpose", "建设目的", "Purpose", "textarea", max_length=500),
            Field("planned_start", "计划开始", "Planned start", "date"),
            Field("planned_end", "计划结束", "Planned end", "date"),
            Field("upgrade_of_project_id", "升级改造的原项目编号", "Project this upgrades", max_length=64,
                  hint_zh="升级改造项目须原项目已通过验收（BY-22.7）", hint_en="its predecessor must have passed acceptance (BY-22.7)"),
            Field("responsible_person", "项目负责人", "Responsible person", max_length=50),
        ),
        documents=(DocumentSlot("plan_declaration_form", "立项计划申报表", "Plan declaration form"),
                   DocumentSlot("government_data_list", "政务数据清单", "Government data list"),
                   DocumentSlot("feasibility_study", "可行性研究报告（3000万元及以上）", "Feasibility study (≥ 3000万)", False)),
        document_key="kind", rules="BY-14, BY-15, BY-22",
    ),
    FormSpec(
        "declaration_dy", "立项申请（东源县立项申请表 DY-A1 与数据资源管理核查表 DY-A2）",
        "Project application (东源 forms DY-A1 and DY-A2)", "intake", "/declarations",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(
            Field("project_name", "项目名称", "Project name", required=True),
            _yuan("declared_amount_yuan", "申报金额（元）", "Declared amount (元)"),
            Field("project_class", "项目类别", "Project class", "select", True, PROJECT_CLASSES[3:7]),
            Field("forms.application_form.using_unit", "项目使用单位", "Using unit", required=True),
            Field("forms.application_form.site", "项目拟建设地点", "Planned site", required=True),
            Field("forms.application_form.nature", "建设性质", "Nature", "select", True, (
                ("new", "新建", "New"), ("expansion", "扩建", "Expansion"), ("relocation", "迁建", "Relocation"),
                ("rebuild", "改建", "Rebuild"), ("other", "其他", "Other"))),
            Field("forms.application_form.in_county_investment_plan", "已列入本年度县级财政投资计划",
                  "In this year's county fiscal investment plan", "checkbox"),
            Field("forms.application_form.county_government_consent", "已经县政府同意建设", "County government consent", "checkbox",
                  hint_zh="DY-7", hint_en="DY-7"),
            *(Field(f"commitment.{kind}.{key}", f"{what_zh}：{zh}", f"{what_en}: {en}", kind="document" if key == "document" else "text",
                    max_length=100 if key == "document_number" else 200, hint_zh=f"{tick_zh}时填写（DY-7）", hint_en=f"when {tick_en} (DY-7)")
              for kind, what_zh, what_en, tick_zh, tick_en in (
                  ("funded", "已落实财政资金的依据", "Funds already arranged", "已列入本年度县级财政投资计划", "in the county investment plan"),
                  ("mandated", "县委、县政府文件", "County document requiring it", "已经县政府同意建设", "the county government agreed"))
              for key, zh, en in (("document_title", "文件名称", "title"), ("document_number", "文号", "number"),
                                  ("document", "文件", "document"))),
            Field("forms.application_form.planned_start", "计划动工时间", "Planned start", "date", True),
            Field("forms.application_form.planned_completion", "计划竣工时间", "Planned completion", "date", True),
            _yuan("forms.application_form.total_investment_yuan", "项目总投资（元）", "Total investment (元)",
                  hint_zh="50万元及以上须申报（DY-2.1a）", hint_en="from 50万 a declaration is owed (DY-2.1a)"),
            *(Field(f"forms.application_form.year.{n}", f"资金安排计划 第{'一二三四五'[n - 1]}年（元）", f"Funding, year {n} (元)", "yuan",
                    n == 1, minimum=0, maximum=100_000_000_000) for n in range(1, 6)),
            *(Field(f"forms.application_form.funding_sources.{key}", zh, en, "yuan", minimum=0, maximum=100_000_000_000)
              for key, zh, en in (("city_fiscal_yuan", "资金来源：市级财政（元）", "Source: city fiscal (元)"),
                                  ("county_fiscal_yuan", "资金来源：县级财政（元）", "Source: county fiscal (元)"),
                                  ("self_raised_yuan", "资金来源：单位自筹（元）", "Source: self-raised (元)"),
                                  ("other_yuan", "资金来源：其它（元）", "Source: other (元)"))),
            Field("forms.application_form.sector_approval_document", "行业主管部门批准文件名称", "Sector approval document"),
            Field("forms.application_form.sector_approval_number", "批准文件文号", "Sector approval number", max_length=100),
            Field("forms.application_form.construction_content", "建设内容", "Construction content", "textarea", True, max_length=2000),
            Field("forms.application_form.expected_benefits", "预期经济、社会效益", "Expected benefits", "textarea", True, max_length=2000),
            Field("forms.application_form.applicant_leader.signer", "申请单位领导（签字）", "Applicant leader (signed)", required=True, max_length=50),
            _today("forms.application_form.applicant_leader.signed_on", "签字日期", "Signed on"),
            Field("forms.application_form.competent_department_leader.signer", "主管部门领导（签字）", "Competent department leader (signed)",
                  required=True, max_length=50, hint_zh="无主管部门的，由本单位主要领导签署（DY-6）",
                  hint_en="the unit's principal leader where there is none (DY-6)"),
            _today("forms.application_form.competent_department_leader.signed_on", "签字日期", "Signed on"),
            Field("forms.application_form.contact.name", "联系人", "Contact", required=True, max_length=50),
            Field("forms.application_form.contact.office_phone", "办公电话", "Office phone", max_length=30),
            Field("forms.application_form.contact.mobile", "手机号码", "Mobile", required=True, max_length=11),
            Field("forms.application_form.contact.address", "联系地址", "Address", required=True, max_length=50),
            Field("forms.application_form.contact.postcode", "邮编", "Postcode", required=True, max_length=6),
            Field("forms.data_resource_checklist.summary", "项目简介", "Summary", "textarea", True, max_length=2000),
            *(Field(f"forms.data_resource_checklist.{key}", zh, en, "yuan", True, minimum=0, maximum=100_000_000_000)
              for key, zh, en in (("hardware_yuan", "总投资：系统硬件（元）", "Hardware (元)"),
                                  ("system_software_yuan", "总投资：系统软件（元）", "System software (元)"),
                                  ("application_development_yuan", "总投资：应用软件开发（元）", "Application development (元)"))),
            Field("forms.data_resource_checklist.expected_acceptance_on", "预计验收时间", "Expected acceptance", "date", True),
            Field("forms.data_resource_checklist.lines", "本项目数据内容（每行：系统功能｜产生数据名称｜共享周期｜提供方式｜不共享的依据）",
                  "Data (one per line: function｜data｜sharing period｜provision｜legal basis if not shared)", "lines", True,
                  hint_zh="数据默认共享；不共享的须写明法律法规或政策依据（DY-A2）",
                  hint_en="data is shared by default; an item not shared names its legal basis (DY-A2)"),
        ),
        documents=(DocumentSlot("application_form", "立项申请表（盖章扫描件）", "Application form (stamped scan)"),
                   DocumentSlot("project_scheme", "项目建设方案", "Project scheme"),
                   DocumentSlot("data_resource_checklist", "数据资源管理核查表（盖章）", "Data-resource checklist (stamped)")),
        document_key="kind", rules="DY-2.1, DY-6, DY-7, DY-9, DY-10.2", build=_dongyuan,
    ),
    FormSpec(
        "declaration_bz", "项目申报（巴中：自行建设或采购服务）", "Project declaration (巴中)", "intake", "/declarations",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(
            Field("project_name", "项目名称", "Project name", required=True),
            _yuan("declared_amount_yuan", "总投资（元）", "Total investment (元)", hint_zh="30万元以上纳入管理（BZ-2）",
                  hint_en="from 30万 (BZ-2)"),
            Field("project_class", "项目类别", "Project class", "select", True, (PROJECT_CLASSES[3], *PROJECT_CLASSES[7:9])),
            Field("delivery", "建设方式", "Delivery", "select", True, (
                ("self_build", "自行建设", "Self-built"), ("service_purchase", "采购服务", "Service purchase")),
                  hint_zh="决定报送的材料（BZ-4、BZ-17、BZ-18）", hint_en="decides the documents owed (BZ-4, BZ-17, BZ-18)"),
            Field("responsible_person", "项目负责人（单位主要负责人）", "Responsible person (the unit's principal head)", required=True,
                  max_length=50, hint_zh="BZ-24", hint_en="BZ-24"),
            Field("county_collaboration", "需县（区）共享协同的市级项目", "A city project the counties share in", "checkbox",
                  hint_zh="经领导小组办公室审核后报市政府审定（BZ-9）", hint_en="goes to the city government after the technical review (BZ-9)"),
            Field("design_merge.ground", "合并可研和初设、编报实施方案的情形", "Ground for one 实施方案", "select", options=(
                ("higher_requirement", "党中央、国务院和省委、省政府及市委、市政府有明确要求", "An explicit requirement (BZ-17.1)"),
                ("urgent_special_reason", "涉及国家安全等特殊原因，情况紧急", "National security or other urgent reason (BZ-17.2)"),
                ("small_investment", "总投资不超过300万元", "Total investment up to 300万 (BZ-17.3)")),
                  hint_zh="不合并的留空，分别报送可行性研究报告和初步设计方案", hint_en="leave empty to hand in the study and the design separately"),
            Field("design_merge.requiring_body", "提出要求的机关", "Requiring body", "select", options=(
                ("central", "党中央、国务院", "Central"), ("provincial", "省委、省政府", "Provincial"), ("municipal", "市委、市政府", "Municipal")),
                  hint_zh="BZ-17.1", hint_en="BZ-17.1"),
            Field("design_merge.document_title", "要求文件名称", "Title of the requiring document", hint_zh="BZ-17.1", hint_en="BZ-17.1"),
            Field("design_merge.document_number", "要求文件文号", "Its number", max_length=100, hint_zh="BZ-17.1", hint_en="BZ-17.1"),
            Field("design_merge.document", "要求文件", "The requiring document", "document", hint_zh="BZ-17.1", hint_en="BZ-17.1"),
            Field("design_merge.reason", "特殊原因及紧急情况说明", "The special reason and its urgency", "textarea", max_length=2000,
                  hint_zh="BZ-17.2", hint_en="BZ-17.2"),
        ),
        documents=(DocumentSlot("annual_needs", "下一年度信息化建设需求及申报材料", "Next year's needs and materials"),
                   DocumentSlot("security_status_statement", "软硬件产品安全可靠情况说明", "Secure-and-reliable statement"),
                   DocumentSlot("project_proposal", "项目建议书（自行建设）", "Project proposal (self-built)", False),
                   DocumentSlot("feasibility_study", "可行性研究报告（自行建设，未合并）", "Feasibility study (self-built, not merged)", False),
                   DocumentSlot("preliminary_design", "初步设计方案（含投资概算）", "Preliminary design with estimate", False),
                   DocumentSlot("implementation_scheme", "项目实施方案（合并编制）", "Implementation scheme (merged)", False),
                   DocumentSlot("service_requirement_scheme", "服务需求方案（采购服务）", "Service requirement scheme (purchase)", False)),
        document_key="kind", rules="BZ-2, BZ-4, BZ-9, BZ-14, BZ-17, BZ-18, BZ-24, BZ-46a", build=_bazhong,
    ),
    FormSpec(
        "plan", "规划与目录备案", "Plan or catalogue filing", "intake", "/units/{unit_id}/plans",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(Field("kind", "类型", "Kind", "select", True, (
                    ("asset_catalogue", "信息化资产目录", "Asset catalogue"), ("dev_plan", "信息化发展规划", "Development plan"),
                    ("data_catalogue", "数据资源目录", "Data resource catalogue"), ("annual_plan", "年度计划", "Annual plan"),
                    ("resource_catalogue", "信息资源目录", "Information resource catalogue"),
                    ("construction_plan", "政务信息化建设规划", "Construction plan"))),
                Field("plan_year", "所属年度", "Plan year", "integer", minimum=2000, maximum=2100,
                      hint_zh="年度计划必填", hint_en="required for an annual plan"),
                Field("document", "文件", "Document", "document", True),
                Field("systems", "系统清单（每行一个：系统名称｜主要功能［｜保留/整合/迁移改造/清理下线［｜整合至］］）",
                      "Systems (one per line: name｜function[｜disposition[｜consolidated into]])", "lines",
                      hint_zh="仅资产目录填写；申报时据此比对重复建设（BY-22.3）；资产普查须注明在用系统的处置方式（YL-4.3）",
                      hint_en="asset catalogue only; declarations are compared with it (BY-22.3); a census states each running "
                              "system's disposition (YL-4.3)"),
                Field("contents", "规划涵盖的内容", "What the plan covers", "checkboxes", options=(
                    ("current_state", "信息化现状", "Current state"), ("business_model", "业务模式", "Business model"),
                    ("business_processes", "业务流程", "Business processes"), ("planned_tasks", "规划任务", "Planned tasks"),
                    ("overall_architecture", "整体架构", "Overall architecture"), ("data_architecture", "数据架构", "Data architecture"),
                    ("application_architecture", "应用架构", "Application architecture")),
                      hint_zh="发展规划须涵盖全部内容（BY-9）", hint_en="a development plan covers them all (BY-9)")),
        rules="BY-9, BY-10, BY-12, BY-22.10, YL-4.3", build=_plan,
    ),
    FormSpec(
        "change", "项目变更", "Project change", "procurement", "/projects/{project_id}/changes",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(Field("stage", "变更阶段", "Stage", "select", True, (
                    ("implementation", "实施阶段", "Implementation"), ("procurement", "采购阶段", "Procurement"),
                    ("approval", "立项阶段", "Approval"))),
                Field("contract_id", "涉及的合同编号", "Contract", max_length=64),
                Field("cancel.item", "取消的内容", "Item cancelled"),
                Field("cancel.amount_yuan", "取消金额（元）", "Amount cancelled (元)", "yuan", minimum=0, maximum=100_000_000_000),
                Field("add.item", "新增的内容", "Item added"),
                Field("add.amount_yuan", "新增金额（元）", "Amount added (元)", "yuan", minimum=0, maximum=100_000_000_000),
                Field("major_content_change", "建设目标、主要内容或技术方案发生变化", "Goals, main content or technical scheme change",
                      "checkbox", hint_zh="须重新报批（BY-33.1）", hint_en="needs approval again (BY-33.1)"),
                Field("affects_ip", "涉及知识产权类型或归属", "Affects intellectual property", "checkbox", hint_zh="BY-35a", hint_en="BY-35a"),
                Field("after_the_fact", "变更已先行实施（未经批准）", "Already made without approval", "checkbox",
                      hint_zh="财政不予支付变更部分（BY-32b）", hint_en="finance will not pay for it (BY-32b)"),
                Field("reason", "变更理由", "Reason", "textarea", True, max_length=2000)),
        rules="BY-32, BY-33, BY-34, BY-35, BY-36", build=_change,
    ),
    FormSpec(
        "scheme", "立项方案", "Project scheme", "intake", "/declarations/{project_id}/schemes",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(_yuan("estimate_yuan", "方案估算（元）", "Estimate (元)"),
                Field("business_operation_yuan", "其中业务运营费用（元）", "Of which business operation (元)", "yuan",
                      minimum=0, maximum=100_000_000_000, hint_zh="不超过30%（BY-17.1）", hint_en="at most 30% (BY-17.1)"),
                Field("differs_from_plan", "方案与批准的计划有明显差异", "The scheme clearly departs from the approved plan", "checkbox",
                      hint_zh="有差异时须附差异说明（BY-31.1）", hint_en="then a difference statement is owed (BY-31.1)")),
        documents=(DocumentSlot("project_scheme", "立项方案", "Project scheme"),
                   DocumentSlot("self_check_table", "立项需求自查表", "Self-check table")),
        document_key="kind", rules="BY-17, BY-31",
    ),
    FormSpec(
        "fund_application", "申请项目资金（专业类）", "Fund application (professional projects)", "intake",
        "/declarations/{project_id}/fund-application", frozenset({"unit_applicant", "unit_leader"}),
        fields=(_yuan("amount_yuan", "申请金额（元）", "Amount applied for (元)", hint_zh="不超过立项审批金额",
                      hint_en="at most the approved amount"),
                Field("document", "报市政府申请资金的请示", "The application to the city government", "document", True,
                      hint_zh="立项审批意见出具、财政局资金审核完成后报送（YF-8.5）",
                      hint_en="after the approval opinion and the finance bureau's fund review (YF-8.5)")),
        rules="YF-8.5",
    ),
    FormSpec(
        "scheme_filing", "立项方案备案（最终方案盖章扫描件）", "Final scheme filing", "intake", "/declarations/{project_id}/scheme-filing",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(Field("document", "最终方案（盖章扫描件）", "Final scheme (stamped scan)", "document", True,
                      hint_zh="评审最后环节意见收到后5个工作日内（BY-21）", hint_en="within 5 working days of the last opinion (BY-21)"),),
        rules="BY-21",
    ),
    FormSpec(
        "opinion", "评审意见", "Review opinion", "review", "/cases/{project_id}/opinions",
        frozenset({"bureau_reviewer"}),
        fields=(Field("stage", "评审环节", "Stage", "hidden", True), Field("round", "轮次", "Round", "hidden_integer", True, minimum=1, maximum=20),
                Field("result", "结论", "Result", "select", True, RESULTS),
                Field("reasons", "意见（每行一条）", "Reasons (one per line)", "lines",
                      hint_zh="不通过时写明理由", hint_en="give the reasons when it fails"),
                Field("amount_yuan", "审定金额（元）", "Amount set (元)", "yuan", minimum=1, maximum=100_000_000_000,
                      hint_zh="计划审核与造价评审时填写", hint_en="for plan and cost review")),
        rules="BY-16, BY-20, BY-22.11–22.13",
    ),
    FormSpec(
        "approval", "立项批复", "Approval", "review", "/cases/{project_id}/approval", frozenset({"bureau_reviewer"}),
        fields=(_yuan("approved_amount_yuan", "批复金额（元）", "Approved amount (元)"),
                Field("document_number", "批复文号", "Document number", required=True, hint_zh="如 白政数审〔2026〕8号",
                      hint_en="e.g. 白政数审〔2026〕8号")),
        rules="BY-20.4",
    ),
    FormSpec(
        "public_fund_application", "申请项目资金（公共类）", "Fund application (public projects)", "review",
        "/cases/{project_id}/fund-application", frozenset({"bureau_reviewer"}),
        fields=(_yuan("amount_yuan", "申请金额（元）", "Amount applied for (元)", hint_zh="不超过造价评审核定金额",
                      hint_en="at most the amount the cost review fixed"),
                Field("document_number", "报市政府申请资金的请示文号", "Number of the application to the city government", required=True,
                      max_length=100, hint_zh="财政局资金审核完成后报送（YF-7.4）",
                      hint_en="after the finance bureau's fund review (YF-7.4)")),
        rules="YF-7.4",
    ),
    FormSpec(
        "meeting", "组织评审会并抽取专家", "Meeting and expert draw", "review", "/cases/{project_id}/meetings",
        frozenset({"bureau_reviewer"}),
        fields=(Field("stage", "评审环节", "Stage", "select", True, (
                    ("expert_review", "专家评审", "Expert review"), ("cost_review", "造价评审", "Cost review"),
                    ("initial_acceptance", "初验", "Initial acceptance"), ("final_acceptance", "终验", "Final acceptance"))),
                Field("pool", "专家库", "Pool", required=True, default="白云区信息化专家库"),
                Field("fields", "专业领域（每行一个）", "Fields (one per line)", "lines"),
                Field("size", "抽取人数", "Experts to draw", "integer", minimum=1, maximum=25, default="3"),
                Field("starts_at", "开始时间", "Starts at", "datetime", True),
                Field("ends_at", "结束时间", "Ends at", "datetime", True),
                Field("conflicted_employers", "回避单位（每行一个）", "Conflicted employers (one per line)", "lines")),
        rules="BY-20.2b, BY-5.2b",
    ),
    FormSpec(
        "expert_opinion", "专家评审意见", "Expert opinion", "review", "/meetings/{meeting_id}/opinions", frozenset({"expert"}),
        fields=(Field("recommendation", "评审建议", "Recommendation", "select", True, (
                    ("pass", "通过", "Pass"), ("revise", "修改后通过", "Pass after revision"), ("fail", "不通过", "Fail"))),
                Field("opinion", "评审意见", "Opinion", "textarea", True, max_length=4000,
                      hint_zh="不少于10个字；提交后不能修改", hint_en="at least 10 characters; final once submitted")),
        rules="BY-20.2b",
    ),
    FormSpec(
        "requirement_filing", "采购需求备案", "Procurement requirement filing", "procurement",
        "/projects/{project_id}/requirement-filings", frozenset({"unit_applicant", "unit_leader"}),
        fields=(_yuan("procurement_budget_yuan", "采购预算（元）", "Procurement budget (元)"),
                Field("matches_scheme", "采购需求与批复方案一致", "The requirement matches the approved scheme", "checkbox")),
        documents=(DocumentSlot("requirement_self_check", "采购需求自查表", "Requirement self-check"),
                   DocumentSlot("procurement_plan", "采购实施计划", "Procurement plan")),
        rules="BY-24, BY-25",
    ),
    FormSpec(
        "contract", "合同备案", "Contract filing", "procurement", "/projects/{project_id}/contracts",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(Field("title", "合同名称", "Contract title", required=True),
                Field("supplier.name", "供应商名称", "Supplier", required=True),
                Field("supplier.supplier_id", "统一社会信用代码", "Unified social credit code", required=True, max_length=18),
                Field("supplier_role", "供应商角色", "Supplier role", "select", True, (
                    ("builder", "承建单位", "Builder"), ("supervision", "监理单位", "Supervision"),
                    ("design", "设计单位", "Design"), ("consulting", "咨询单位", "Consulting"), ("testing", "测评单位", "Testing"),
                    ("cost_review", "造价咨询单位", "Cost review"), ("evaluation", "评估单位", "Evaluation"))),
                _yuan("amount_yuan", "合同金额（元）", "Contract amount (元)", hint_zh="整数，单位元；不超过批复金额（BY-17.2b）",
                      hint_en="whole 元, at most the approved amount (BY-17.2b)"),
                _today("signed_on", "签订日期", "Signed on"),
                Field("term.starts_on", "服务期开始", "Term starts", "date", True, default="today"),
                Field("term.ends_on", "服务期结束", "Term ends", "date", True),
                Field("procurement_method", "采购方式", "Procurement method", "select", True, (
                    ("public_tender", "公开招标", "Public tender"), ("invited_tender", "邀请招标", "Invited tender"),
                    ("inquiry", "询价", "Inquiry"), ("framework_agreement", "框架协议", "Framework agreement"),
                    ("competitive_negotiation", "竞争性谈判", "Competitive negotiation"),
                    ("competitive_consultation", "竞争性磋商", "Competitive consultation"),
                    ("single_source", "单一来源", "Single source"))),
                Field("deliverables", "交付内容", "Deliverables", "checkboxes", True, (
                    ("software", "软件", "Software"), ("hardware", "硬件", "Hardware"), ("services", "服务", "Services"))),
                Field("warranty_software_months", "软件质保期（月）", "Software warranty (months)", "integer", minimum=0, maximum=120,
                      hint_zh="BY-27", hint_en="BY-27"),
                Field("data_terms", "合同含数据安全与归属条款", "Data security and ownership terms included", "checkbox",
                      hint_zh="BY-26a", hint_en="BY-26a"),
                Field("ip_owner", "知识产权归属", "Intellectual property", "select", False, IP_OWNERS,
                      hint_zh="原则上归项目单位（BY-28）", hint_en="the unit's, as a rule (BY-28)"),
                Field("milestone.advance", "预付款（元）", "Advance (元)", "yuan", minimum=0, maximum=100_000_000_000),
                Field("milestone.progress", "进度款（元）", "Progress payment (元)", "yuan", minimum=0, maximum=100_000_000_000),
                Field("milestone.final_payment", "尾款（元）", "Final payment (元)", "yuan", minimum=0, maximum=100_000_000_000)),
        documents=(DocumentSlot("contract_text", "合同文本", "Contract text"),
                   DocumentSlot("confidentiality_agreement", "保密协议", "Confidentiality agreement"),
                   DocumentSlot("personnel_register", "人员实名登记及安全保密协议", "Personnel register")),
        rules="BY-17.2b, BY-26, BY-27, BY-28, BY-29",
        build=_contract,
    ),
    FormSpec(
        "initial_acceptance", "初步验收", "Initial acceptance", "acceptance", "/projects/{project_id}/initial-acceptances",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(Field("result", "结论", "Result", "select", True, RESULTS),
                Field("mode", "验收方式", "Mode", "select", True, ACCEPTANCE_MODES),
                _today("concluded_on", "验收日期", "Concluded on"),
                Field("reasons", "不通过的原因（每行一条）", "Reasons it failed (one per line)", "lines")),
        rules="BY-39",
    ),
    FormSpec(
        "initial_acceptance_filing", "初验报告备案", "Initial acceptance filing", "acceptance",
        "/projects/{project_id}/initial-acceptance-filing", frozenset({"unit_applicant", "unit_leader"}),
        documents=(DocumentSlot("acceptance_report", "初验报告", "Acceptance report"),), rules="BY-40",
    ),
    FormSpec(
        "completion", "申报建成", "Construction completed", "acceptance", "/projects/{project_id}/completion",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(_today("completed_on", "建成日期", "Completed on"),),
        rules="YL-22a",
    ),
    FormSpec(
        "acceptance_application", "验收申请", "Acceptance application", "acceptance",
        "/projects/{project_id}/acceptance-applications", frozenset({"unit_applicant", "unit_leader"}),
        documents=(DocumentSlot("written_request", "书面验收申请", "Written application"),
                   DocumentSlot("acceptance_report", "初步验收报告及材料", "Initial-acceptance report", False),
                   DocumentSlot("self_evaluation", "绩效自评报告（总投资200万元及以上）", "Performance self-evaluation", False)),
        rules="DY-20a, DY-20c, YL-22a",
    ),
    FormSpec(
        "operation_start", "投入运行", "Operation started", "acceptance", "/projects/{project_id}/operation-start",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(_today("started_on", "投入运行日期", "Started on"),),
        rules="BZ-42a",
    ),
    FormSpec(
        "data_aggregation", "数据汇聚确认", "Data aggregation", "acceptance", "/projects/{project_id}/data-aggregation",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(Field("platforms", "已汇聚的平台", "Platforms aggregated into", "checkboxes", True, (
            ("big_data_platform", "大数据平台", "Big data platform"), ("video_platform", "视频平台", "Video platform"),
            ("geographic_platform", "地理信息平台", "Geographic platform"))),),
        rules="BY-42, BY-22.6",
    ),
    FormSpec(
        "evidence", "验收材料", "Acceptance evidence", "acceptance", "/projects/{project_id}/evidence",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(Field("key", "材料", "Evidence", "select", True, (
                    ("djcp_report", "等保测评报告", "Classified protection report"),
                    ("cryptography_evaluation", "密码应用安全性评估", "Cryptography evaluation"),
                    ("third_party_test_report", "第三方测试报告", "Third-party test report"),
                    ("djcp_filing", "等级保护备案证明", "Classified protection filing certificate"),
                    ("public_components_registered", "公共组件登记（或书面说明）", "Public components registered"))),
                Field("document", "文件", "Document", "document", True)),
        rules="BY-43, YF-13b, YL-4.6, YL-24b, YL-25c",
    ),
    FormSpec(
        "monitoring_report", "年度绩效监控报告", "Yearly performance-monitoring report", "acceptance",
        "/projects/{project_id}/monitoring-reports", frozenset({"unit_applicant", "unit_leader"}),
        fields=(Field("report_year", "报告年度", "Year reported on", "integer", True, minimum=2000, maximum=2100),
                Field("document", "项目绩效监控报告", "Monitoring report", "document", True)),
        rules="BZ-41",
    ),
    FormSpec(
        "compliance_request", "符合性审核申请", "Compliance review request", "acceptance",
        "/projects/{project_id}/compliance-requests", frozenset({"unit_applicant", "unit_leader"}),
        documents=(DocumentSlot("written_request", "书面申请", "Written request"),
                   DocumentSlot("login_logs", "登录日志", "Login logs", False),
                   DocumentSlot("operation_logs", "操作日志", "Operation logs", False),
                   DocumentSlot("self_evaluation", "自评报告", "Self-evaluation", False)),
        rules="BY-45",
    ),
    FormSpec(
        "compliance_opinion", "符合性审核意见", "Compliance opinion", "acceptance", "/projects/{project_id}/compliance-opinion",
        frozenset({"bureau_reviewer"}),
        fields=(Field("consent", "同意进行终验", "Consent to the final review", "checkbox"),), rules="BY-45a, BY-45c",
    ),
    FormSpec(
        "final_review", "终验", "Final acceptance review", "acceptance", "/projects/{project_id}/final-reviews",
        frozenset({"unit_applicant", "unit_leader", "bureau_reviewer"}),
        fields=(Field("unit_id", "单位", "Unit", "hidden", True),
                Field("result", "结论", "Result", "select", True, RESULTS),
                Field("mode", "验收方式", "Mode", "select", True, ACCEPTANCE_MODES),
                _today("concluded_on", "验收日期", "Concluded on"),
                Field("reasons", "不通过的原因（每行一条）", "Reasons it failed (one per line)", "lines"),
                Field("concerns_found", "发现的问题（发现任一项的不得通过）", "Concerns found (any found refuses a pass)",
                      "checkboxes", options=ACCEPTANCE_CONCERNS,
                      hint_zh="仅勾选本项目适用办法所列事项，见项目页", hint_en="only the concerns the project's pack lists, shown on the project page")),
        rules="BY-46, BY-47, BY-29.4, BY-49, BY-56, BY-57, BZ-10, BZ-32a, BZ-45, YL-18a, YL-18c",
        build=_final_review,
    ),
    FormSpec(
        "acceptance_filing", "验收备案", "Acceptance filing", "acceptance", "/projects/{project_id}/acceptance-filings",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(Field("rectification_note", "整改说明", "Rectification note", "textarea", max_length=2000,
                      hint_zh="退回后再次报送时必填（BY-48c）", hint_en="required when filing again after defects (BY-48c)"),),
        documents=(DocumentSlot("filing_materials", "验收备案材料", "Filing materials"),
                   DocumentSlot("upper_level_acceptance", "上级部门验收结果（上级统筹项目）", "Higher authority's acceptance result",
                                False)), rules="BY-48, BZ-31",
    ),
    FormSpec(
        "filing_review", "验收备案审查", "Filing review", "acceptance", "/projects/{project_id}/acceptance-filings/review",
        frozenset({"bureau_reviewer"}),
        fields=(Field("accepted", "材料齐全，予以备案", "Complete: file it", "checkbox"),
                Field("defects", "问题（每行一条）", "Defects (one per line)", "lines")),
        rules="BY-48",
    ),
    FormSpec(
        "evaluation", "绩效评价", "Performance evaluation", "acceptance", "/projects/{project_id}/evaluations",
        frozenset({"unit_applicant", "unit_leader", "bureau_reviewer"}),
        fields=(Field("kind", "评价类型", "Kind", "select", True, (("self", "自评", "Self"), ("third_party", "第三方评价", "Third party"))),
                Field("grade", "等级", "Grade", "select", True, (
                    ("excellent", "优秀", "Excellent"), ("qualified", "合格", "Qualified"),
                    ("basically_qualified", "基本合格", "Basically qualified"),
                    ("unqualified", "不合格", "Unqualified")), hint_zh="等级以本项目适用的规定为准（BY-53）",
                      hint_en="grades as the project's pack defines them (BY-53)"),
                _today("completed_on", "完成日期", "Completed on"),
                Field("report", "评价报告", "Report", "document", True),
                Field("firm.name", "第三方机构名称", "Third-party firm", hint_zh="第三方评估必填（BY-52）",
                      hint_en="required for a third-party evaluation (BY-52)"),
                Field("firm.credit_code", "第三方机构统一社会信用代码", "Firm's unified social credit code", max_length=18),
                Field("ground", "实施阶段评估依据", "Ground for evaluating during implementation", "select", options=(
                    ("key_project", "区内重点信息化项目", "District key project"),
                    ("slow_construction", "建设缓慢", "Slow construction"),
                    ("delayed_acceptance", "验收迟滞", "Delayed acceptance")),
                      hint_zh="终验前开展第三方评估时必填（BY-52.3）", hint_en="required before final acceptance (BY-52.3)"),
                Field("ip_report.plan_completion", "知识产权申请计划完成情况", "IP application plan completion", "textarea",
                      max_length=2000, hint_zh="项目合同约定知识产权的必填（BY-54）", hint_en="required where the contract states IP terms (BY-54)"),
                Field("ip_report.ownership_transfer", "知识产权权属转化情况", "IP ownership transfer", "textarea", max_length=2000),
                Field("ip_report.follow_up_operation", "后续运营情况", "Follow-up operation", "textarea", max_length=2000)),
        rules="BY-50, BY-51, BY-52, BY-52.3, BY-53, BY-54",
    ),
    FormSpec(
        "payment_clearance", "拨付前核验", "Payment clearance", "procurement", "/payment-clearances",
        frozenset({"finance_officer"}),
        fields=(Field("project_id", "项目编号", "Project", required=True, max_length=64),
                Field("contract_id", "合同编号", "Contract", max_length=64),
                Field("milestone", "付款节点", "Milestone", "select", True, (
                    ("advance", "预付款", "Advance"), ("progress", "进度款", "Progress"),
                    ("final_payment", "尾款", "Final payment"), ("remaining", "剩余款项", "Remaining"))),
                _yuan("amount_yuan", "拟拨付金额（元）", "Amount to pay (元)")),
        rules="BY-32b, BY-48d",
        build=_clearance,
    ),
)}


def _set(body: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        body = body.setdefault(part, {})
    body[last] = value


def parse(spec: FormSpec, values: Mapping[str, Any], lists: Mapping[str, list[str]],
          documents: Mapping[str, dict[str, str]]) -> dict[str, Any]:
    """The service's JSON body from what was typed; raises FormErrors naming each field the
    portal can tell is wrong without the service (a number that is not a whole number)."""
    body: dict[str, Any] = dict(spec.fixed)
    errors: dict[str, tuple[str, str]] = {}
    for item in spec.fields:
        raw = values.get(item.name, "")
        raw = raw.strip() if isinstance(raw, str) else raw
        if item.kind == "checkbox":
            _set(body, item.name, raw in ("on", "true", "1"))
            continue
        if item.kind == "checkboxes":
            chosen = [v for v in lists.get(item.name, []) if v in {o[0] for o in item.options}]
            if item.required and not chosen:
                errors[item.name] = ("请至少选择一项", "choose at least one")
            _set(body, item.name, chosen)
            continue
        if item.kind == "lines":
            lines = [line.strip() for line in str(raw).splitlines() if line.strip()]
            if lines or item.required:
                _set(body, item.name, lines)
            continue
        if item.kind == "document":
            ref = documents.get(str(raw))
            if ref is None:
                if item.required:
                    errors[item.name] = ("请选择已上传的文件", "choose an uploaded document")
                continue
            _set(body, item.name, ref)
            continue
        if raw == "":
            if item.required:
                errors[item.name] = ("必填", "required")
            continue
        if item.kind in ("yuan", "integer", "hidden_integer"):
            text = str(raw).replace(",", "")
            if not text.isdigit():
                errors[item.name] = (("必须是整数，单位元（不接受小数）", "must be a whole number of 元 (no decimals)")
                                     if item.kind == "yuan" else ("必须是整数", "must be a whole number"))
                continue
            number = int(text)
            if item.minimum is not None and number < item.minimum:
                errors[item.name] = (f"不能小于 {item.minimum}", f"must be at least {item.minimum}")
                continue
            if item.maximum is not None and number > item.maximum:
                errors[item.name] = (f"不能大于 {item.maximum}", f"must be at most {item.maximum}")
                continue
            if item.kind == "yuan" and number == 0 and item.name.startswith(("milestone.", "cancel.", "add.")):
                continue
            _set(body, item.name, number)
        elif item.kind == "date":
            try:
                _set(body, item.name, date.fromisoformat(str(raw)).isoformat())
            except ValueError:
                errors[item.name] = ("日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD")
        elif item.kind == "datetime":
            # The browser sends local time without a zone; the business day is Asia/Shanghai.
            text = str(raw)
            if len(text) == 16:
                text += ":00"
            _set(body, item.name, text if "+" in text[10:] else f"{text}+08:00")
        else:
            if len(str(raw)) > item.max_length:
                errors[item.name] = (f"不超过 {item.max_length} 个字", f"at most {item.max_length} characters")
                continue
            _set(body, item.name, raw)
    if spec.documents:
        attached = []
        for slot in spec.documents:
            ref = documents.get(str(values.get(f"doc.{slot.role}", "")))
            if ref is None:
                if slot.required:
                    errors[f"doc.{slot.role}"] = ("请选择已上传的文件", "choose an uploaded document")
                continue
            attached.append({spec.document_key: slot.role, "document": ref})
        body["documents"] = attached
    if errors:
        raise FormErrors(errors)
    return spec.build(body) if spec.build else body
