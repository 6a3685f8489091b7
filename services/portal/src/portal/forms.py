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
                    ("third_party_test", "第三方测评报告", "Third-party test report"))),
                Field("document", "文件", "Document", "document", True)),
        rules="BY-43",
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
                Field("reasons", "不通过的原因（每行一条）", "Reasons it failed (one per line)", "lines")),
        rules="BY-46, BY-47",
    ),
    FormSpec(
        "acceptance_filing", "验收备案", "Acceptance filing", "acceptance", "/projects/{project_id}/acceptance-filings",
        frozenset({"unit_applicant", "unit_leader"}),
        fields=(Field("rectification_note", "整改说明", "Rectification note", "textarea", max_length=2000,
                      hint_zh="退回后再次报送时必填（BY-48c）", hint_en="required when filing again after defects (BY-48c)"),),
        documents=(DocumentSlot("filing_materials", "验收备案材料", "Filing materials"),), rules="BY-48",
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
                    ("superb", "优秀", "Superb"), ("good", "良好", "Good"), ("qualified", "合格", "Qualified"),
                    ("unqualified", "不合格", "Unqualified")), hint_zh="等级以本项目适用的规定为准（BY-53）",
                      hint_en="grades as the project's pack defines them (BY-53)"),
                _today("completed_on", "完成日期", "Completed on"),
                Field("report", "评价报告", "Report", "document", True)),
        rules="BY-51, BY-52, BY-53",
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
            if item.kind == "yuan" and number == 0 and item.name.startswith("milestone."):
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
