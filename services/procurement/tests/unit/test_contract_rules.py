"""Checks of a contract filing (RULES.md §3.4): price cap (BY-17.2b, DY-11b, BZ-25a), 保密协议 (BY-26b),
IP ownership (BY-28, BZ-27, YL-18b, YL-25a), warranty (BY-27), term (BZ-38, YL-18d), supplier roles
(BY-29.1, DY-10.1c) and dates."""

from dataclasses import replace
from datetime import date

import pytest

from policy.packs import get_pack

from procurement.domain.contract_rules import ContractTerms, Existing, ProjectTerms, check_contract, conflicting_roles, filing_rules

BY, DY, BZ, YL, YF = (get_pack(p) for p in ("BY", "DY", "BZ", "YL", "YF"))
TODAY = date(2027, 3, 10)
RIGHTS = ("source_code", "data", "software_copyright", "patents", "trademarks", "usage_rights", "results")


def project(pack=BY, amount_fen=200_000_000, project_class="build_develop") -> ProjectTerms:
    return ProjectTerms("P-1", project_class, amount_fen, date(2027, 1, 5), pack.contracts.price_cap_rules or ("BY-20.4b",))


def contract(**changes) -> ContractTerms:
    base = ContractTerms(
        kind="contract", supplier_id="S1", supplier_role="builder", amount_fen=150_000_000, signed_on=date(2027, 3, 1),
        term_starts_on=date(2027, 3, 1), term_ends_on=date(2028, 2, 28), deliverables=("software",),
        warranty_software_months=12, warranty_hardware_months=None, ip_clauses=dict.fromkeys(RIGHTS, "unit"),
        milestone_amounts_fen=(45_000_000, 60_000_000, 45_000_000), data_terms=True, procurement_method="public_tender",
        document_roles=("contract_text", "confidentiality_agreement", "personnel_register"))
    return replace(base, **changes)


def problems(pack=BY, terms=None, existing=Existing(), proj=None):
    return [(p.field, p.rule_ids, p.status) for p in check_contract(pack, proj or project(pack), terms or contract(), existing, TODAY)]


def test_a_contract_in_order_has_no_problem():
    assert problems() == []


def test_by_17_2b_dy_11b_contracts_stay_within_the_approved_amount():
    assert problems(existing=Existing(contracted_fen=50_000_001)) == [("amount_yuan", ("BY-17.2b",), 422)]
    assert problems(existing=Existing(contracted_fen=50_000_000)) == []  # exactly at the amount
    assert problems(DY, existing=Existing(contracted_fen=60_000_000)) == [("amount_yuan", ("DY-11b",), 422)]


def test_milestones_add_up_to_the_contract_amount():
    assert problems(terms=contract(milestone_amounts_fen=(1, 2))) == [("milestones", ("BY-26c",), 422)]


def test_dates_in_order():
    assert ("signed_on", ("BY-26c",), 422) in problems(terms=contract(signed_on=date(2027, 3, 11)))
    assert ("signed_on", ("BY-17.2b",), 422) in problems(terms=contract(signed_on=date(2027, 1, 4)))  # before approval
    assert problems(terms=contract(term_ends_on=date(2027, 2, 28))) == [("term.ends_on", ("BY-26c",), 422)]


def test_by_26b_the_confidentiality_agreement_is_filed_with_the_contract():
    assert problems(terms=contract(document_roles=("contract_text", "personnel_register"))) == [("documents", ("BY-26b",), 422)]
    assert problems(terms=contract(kind="supplementary", document_roles=("contract_text",))) == []
    assert problems(YF, terms=contract(document_roles=("contract_text",))) == []  # YF states no such duty


def test_by_28_ip_ownership_stated_and_software_with_the_unit():
    clauses = dict.fromkeys(RIGHTS, "unit")
    del clauses["patents"]
    assert problems(terms=contract(ip_clauses=clauses)) == [("ip_clauses.patents", ("BY-28",), 422)]
    supplier_code = {**dict.fromkeys(RIGHTS, "unit"), "source_code": "supplier"}
    assert problems(terms=contract(ip_clauses=supplier_code)) == [("ip_clauses.source_code", ("BY-28",), 422)]
    assert problems(terms=contract(ip_clauses=supplier_code, ip_override_rules=("BY-28",))) == []  # 原则上
    assert problems(terms=contract(supplier_role="supervision", ip_clauses={})) == []  # a supervisor builds nothing


def test_bz_27_yl_25a_yl_18b_ip_terms_of_the_other_packs():
    assert problems(BZ, terms=contract(ip_clauses={"source_code": "unit", "patents": "unit"})) == [
        ("ip_clauses.results", ("BZ-27",), 422)]
    assert problems(YL, terms=contract(ip_clauses={"results": "supplier"})) == [("ip_clauses.results", ("YL-25a",), 422)]
    assert problems(YL, terms=contract(ip_clauses={"results": "unit"}, service_purchase=True)) == [
        ("ip_clauses.software_copyright", ("YL-18b",), 422), ("ip_clauses.source_code", ("YL-18b",), 422)]


def test_by_27_free_maintenance_after_final_acceptance():
    assert problems(terms=contract(warranty_software_months=11)) == [("warranty_software_months", ("BY-27",), 422)]
    hardware = contract(deliverables=("software", "hardware"), warranty_hardware_months=24)
    assert problems(terms=hardware) == [("warranty_hardware_months", ("BY-27",), 422)]
    assert problems(terms=replace(hardware, warranty_hardware_months=36)) == []
    # BY-27 is about 建设开发类 projects
    assert problems(terms=contract(warranty_software_months=None), proj=project(project_class="service")) == []


def test_bz_38_om_service_contracts_at_most_three_years_signed_year_by_year():
    om = contract(om_service=True, term_ends_on=date(2028, 3, 1))
    assert problems(BZ, terms=om) == [("term.ends_on", ("BZ-38",), 422)]
    assert problems(BZ, terms=replace(om, term_ends_on=date(2030, 3, 1))) == [("term.ends_on", ("BZ-38",), 422)]
    assert problems(BZ, terms=replace(om, term_ends_on=date(2028, 2, 28))) == []
    assert problems(BZ, terms=contract(term_ends_on=date(2029, 3, 1))) == []  # a build contract: no cap


def test_yl_18d_service_purchase_at_most_three_years():
    bought = contract(service_purchase=True, ip_clauses=dict.fromkeys(RIGHTS, "unit"), term_ends_on=date(2030, 3, 1))
    assert problems(YL, terms=bought) == [("term.ends_on", ("YL-18d",), 422)]
    assert problems(YL, terms=replace(bought, term_ends_on=date(2030, 2, 28))) == []


@pytest.mark.parametrize(("role", "held", "clash"), [
    ("builder", {"design"}, {"design"}), ("builder", {"testing", "cost_review"}, {"testing"}),
    ("supervision", {"builder"}, {"builder"}), ("builder", {"builder"}, set()), ("cost_review", {"builder"}, set()),
])
def test_by_29_1_who_designs_advises_supervises_or_tests_may_not_build(role, held, clash):
    assert conflicting_roles(role, held) == clash


def test_by_29_1_dy_10_1c_the_conflict_is_refused_under_the_packs_rule():
    roles = Existing(supplier_roles={"S1": frozenset({"design"})})
    assert problems(terms=contract(), existing=roles) == [("supplier.supplier_id", ("BY-29.1",), 409)]
    assert problems(DY, terms=contract(), existing=roles) == [("supplier.supplier_id", ("DY-10.1c",), 409)]
    assert problems(YF, terms=contract(document_roles=("contract_text",)), existing=roles) == []  # YF states no such rule


def test_by_26c_yl_20b_a_filing_answers_to_the_period_the_upload_duty_or_the_gate():
    assert filing_rules(BY) == ("BY-26c",)
    assert filing_rules(YL) == ("YL-20b",)
    assert filing_rules(DY) == ("DY-3.3", "DY-13")


def test_by_26a_the_builders_contract_states_data_resource_terms():
    assert problems(terms=contract(data_terms=False)) == [("data_terms", ("BY-26a",), 422)]
    assert problems(terms=contract(data_terms=False, supplier_role="supervision")) == []
    assert problems(DY, terms=contract(data_terms=False, document_roles=("contract_text",))) == []


def test_by_29_3b_staff_register_under_real_name():
    assert problems(terms=contract(document_roles=("contract_text", "confidentiality_agreement"))) == [
        ("documents", ("BY-29.3b",), 422)]
    assert problems(terms=contract(supplier_role="consulting", document_roles=("contract_text", "confidentiality_agreement"))) == []


def test_bz_36_bz_37_bz_39_how_the_contract_was_procured():
    bz = contract(document_roles=("contract_text",))
    assert problems(BZ, terms=replace(bz, procurement_method=None)) == [("procurement_method", ("BZ-36",), 422)]
    assert problems(BZ, terms=replace(bz, procurement_method="inquiry", includes_works=True)) == [
        ("procurement_method", ("BZ-37",), 422)]
    assert problems(BZ, terms=replace(bz, procurement_method="invited_tender", includes_works=True)) == []
    assert problems(BZ, terms=replace(bz, procurement_method="internal_control")) == [("procurement_method", ("BZ-39",), 422)]
    assert problems(BZ, terms=replace(bz, procurement_method="internal_control", below_procurement_limit=True)) == []
    assert problems(BY, terms=contract(procurement_method=None)) == []  # BY names no method rule of its own
