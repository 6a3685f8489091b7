"""Checks across the fields of 东源's forms (RULES.md §4): what a single field's type cannot say."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FormViolation:
    field: str
    rule_ids: tuple[str, ...]
    en: str
    zh: str


def application_form_violations(form: Any, declared_yuan: int) -> list[FormViolation]:
    """DY-A1 立项申请表 (DY-6, DY-10.2)."""
    out = []
    at = "forms.application_form"
    if form.planned_completion < form.planned_start:
        out.append(FormViolation(f"{at}.planned_completion", ("DY-A1",), "planned_completion: before planned_start",
                                 "计划竣工时间早于计划动工时间"))
    sources = form.funding_sources
    funded = sources.city_fiscal_yuan + sources.county_fiscal_yuan + sources.self_raised_yuan + sources.other_yuan
    if funded != form.total_investment_yuan:  # the form's own sum; the check itself is our reading (§4, inferred)
        out.append(FormViolation(f"{at}.funding_sources", ("DY-A1",),
                                 f"funding_sources: the sources add up to {funded} 元, not the total investment {form.total_investment_yuan} 元",
                                 f"资金来源合计 {funded} 元，与项目总投资 {form.total_investment_yuan} 元不符"))
    if sum(form.yearly_funding_yuan) != form.total_investment_yuan:
        out.append(FormViolation(f"{at}.yearly_funding_yuan", ("DY-A1",),
                                 f"yearly_funding_yuan: the yearly plan adds up to {sum(form.yearly_funding_yuan)} 元, not the total investment",
                                 f"资金安排计划合计 {sum(form.yearly_funding_yuan)} 元，与项目总投资不符"))
    if form.total_investment_yuan != declared_yuan:
        out.append(FormViolation(f"{at}.total_investment_yuan", ("DY-A1", "DY-2.1a"),
                                 f"total_investment_yuan: {form.total_investment_yuan} 元 on the form, {declared_yuan} 元 declared",
                                 f"申请表项目总投资 {form.total_investment_yuan} 元与申报金额 {declared_yuan} 元不一致"))
    if (form.sector_approval_document is None) != (form.sector_approval_number is None):
        out.append(FormViolation(f"{at}.sector_approval_number", ("DY-A1",),
                                 "sector_approval_document and sector_approval_number go together",
                                 "批准文件名称与文号须同时填写"))
    return out


def data_checklist_violations(checklist: Any, declared_yuan: int) -> list[FormViolation]:
    """DY-A2 数据资源管理核查表 (DY-9): data is shared by default; keeping an item unshared cites its basis."""
    out = []
    at = "forms.data_resource_checklist"
    for i, function in enumerate(checklist.functions):
        for j, item in enumerate(function.data_items):
            if not item.shareable and not item.non_share_legal_basis:
                out.append(FormViolation(
                    f"{at}.functions[{i}].data_items[{j}].non_share_legal_basis", ("DY-A2", "DY-9"),
                    f"non_share_legal_basis: {item.name} is declared not shareable without the law or policy that says so",
                    f"{item.name} 声明不予共享，须注明法律、行政法规或党中央、国务院政策依据"))
    split = checklist.hardware_yuan + checklist.system_software_yuan + checklist.application_development_yuan
    if split > declared_yuan:
        out.append(FormViolation(f"{at}.application_development_yuan", ("DY-A2",),
                                 f"the investment split adds up to {split} 元, more than the {declared_yuan} 元 declared",
                                 f"硬件、软件、应用开发投资合计 {split} 元，超过申报金额 {declared_yuan} 元"))
    return out


STRUCTURED = {"application_form": application_form_violations, "data_resource_checklist": data_checklist_violations}
"""Document keys whose fields the platform holds as data, beside the stamped scan (RULES.md §4)."""
