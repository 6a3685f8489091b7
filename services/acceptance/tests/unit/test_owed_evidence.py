"""Evidence acceptance owes, as approval fixed it and as the project's contracts settle it: the 等保
filing (YL-4.6), public components (YL-24b), the tester's report (YF-13b, YL-25c), and the higher
authorities' acceptance result in the filing of a project they co-ordinate (BZ-31)."""

from datetime import date

from policy.calendar import build_calendar
from policy.facts import Amounts, ProjectFacts
from policy.packs import get_pack
from policy.requirements import requirements

from acceptance.domain.evidence import owed_on_contract
from acceptance.domain.filing import filing_problems, upper_level_filing
from acceptance.domain.gates import Owed, Standing, final_review_problems

BZ, YF, YL = get_pack("BZ"), get_pack("YF"), get_pack("YL")
CALENDAR = build_calendar(allow_provisional=True)


def fixed(pack, project_class: str, yuan: int, flags=()) -> tuple[Owed, ...]:
    """What approval hands on for acceptance: the items required, or pending on an amount not known yet."""
    facts = ProjectFacts(project_type=project_class, amounts=Amounts.declared(yuan).model_copy(update={"approved_amount": yuan}),
                         flags=flags)
    return tuple(Owed(i.key, i.status, tuple(i.rule_ids)) for i in requirements(pack, facts, "acceptance").items
                 if i.status in ("required", "pending"))


def evidence_owed(pack, owed, evidence=()) -> set[tuple[str, ...]]:
    standing = Standing(project_class="software_development", contract_amount_yuan=3_000_000, compliance="consent",
                        initial_passed_on=date(2026, 1, 5), data_confirmed=True, evidence=set(evidence), owed=owed)
    return {p.rule_ids for p in final_review_problems(pack, standing, date(2027, 4, 6), None, CALENDAR) if p.field == "evidence"}


def test_yl_4_6_the_public_security_djcp_filing_is_acceptance_evidence():
    owed = fixed(YL, "software_development", 3_000_000)
    assert Owed("djcp_filing", "required", ("YL-4.6",)) in owed
    assert ("YL-4.6",) in evidence_owed(YL, owed)
    assert ("YL-4.6",) not in evidence_owed(YL, owed, {"djcp_filing"})


def test_yl_24b_public_components_registered_before_acceptance_from_500_wan_of_software_development():
    owed = fixed(YL, "software_development", 5_000_000, ("software_development",))
    assert ("YL-24b", "YL-27.8") in evidence_owed(YL, owed)
    assert ("YL-24b", "YL-27.8") not in evidence_owed(YL, owed, {"public_components_registered"})
    assert ("YL-24b", "YL-27.8") not in evidence_owed(YL, fixed(YL, "software_development", 4_999_999, ("software_development",)))


def test_yl_25c_a_project_that_contracts_a_tester_owes_its_report_before_acceptance():
    owed = fixed(YL, "software_development", 3_000_000)
    assert all(o.key != "third_party_test_report" for o in owed)  # "where required": approval cannot tell
    assert ("YL-25c", "YL-27.3") not in evidence_owed(YL, owed_on_contract(YL, owed, {"builder"}))
    tested = owed_on_contract(YL, owed, {"builder", "testing"})
    assert Owed("third_party_test_report", "required", ("YL-25c", "YL-27.3")) in tested
    assert ("YL-25c", "YL-27.3") in evidence_owed(YL, tested)
    assert ("YL-25c", "YL-27.3") not in evidence_owed(YL, tested, {"third_party_test_report"})


def test_yf_13b_the_application_software_test_report_is_owed_once_a_tester_is_contracted():
    owed = fixed(YF, "software_development", 2_000_000)
    assert Owed("third_party_test_report", "pending", ("YF-13b",)) in owed  # 应用软件开发费用 is not known at approval
    assert ("YF-13b",) not in evidence_owed(YF, owed)
    tested = owed_on_contract(YF, owed, {"testing"})
    assert ("YF-13b",) in evidence_owed(YF, tested)
    assert ("YF-13b",) not in evidence_owed(YF, tested, {"third_party_test_report"})
    # below 100万 of software cost approval leaves it out, and a tester's contract does not bring it back
    facts = ProjectFacts(project_type="software_development", amounts=Amounts(software_dev_cost=999_999, total_investment=2_000_000))
    [item] = [i for i in requirements(YF, facts, "acceptance").items if i.key == "third_party_test_report"]
    assert item.status == "not_required"
    assert all(o.key != "third_party_test_report" for o in owed_on_contract(YF, (), {"testing"}))


def test_bz_31_the_filing_of_a_project_the_higher_authorities_co_ordinate_brings_their_acceptance_result():
    owed = fixed(BZ, "application_system", 2_000_000, ("upper_level_funded",))
    assert upper_level_filing(owed) == Owed("upper_level_result_filing", "required", ("BZ-31",))
    [problem] = filing_problems(owed, {"filing_materials"})
    assert (problem.field, problem.rule_ids) == ("documents", ("BZ-31",))
    assert filing_problems(owed, {"filing_materials", "upper_level_acceptance"}) == []
    local = fixed(BZ, "application_system", 2_000_000)
    assert upper_level_filing(local) is None and filing_problems(local, {"filing_materials"}) == []
