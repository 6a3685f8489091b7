"""Payment clearance from the hold ledger (RULES.md §3.10.1): which holds block which payments
(BY-32b, BY-38b, BY-45d, BY-48d, DY-24, BZ-30), and failing closed while events wait."""

from datetime import date

from procurement.domain.clearance import ContractView, HoldView, Known, Question, decide

TODAY = date(2027, 6, 1)


def known(**changes) -> Known:
    base = dict(authorised=True, gate_rules=("BY-23",), project_class="build_develop",
                contract=ContractView("C1", False, [("advance", 100), ("final_payment", 300)]), contract_rules=("BY-26c",),
                compliance=None, compliance_rules=("BY-45c",), unapplied_events=0)
    return Known(**{**base, **changes})


def ask(milestone="advance", amount=100, contract_id="C1") -> Question:
    return Question("P-1", contract_id, milestone, amount, TODAY)  # type: ignore[arg-type]


def hold(scope, rules, contract_id=None, mode="hard", expires_on=None) -> HoldView:
    return HoldView(f"H-{scope}", scope, rules, contract_id, mode, "en", "zh", expires_on)


def test_nothing_in_the_way_is_cleared():
    assert decide(ask(), known(), []).answer == "cleared"


def test_unapplied_events_make_it_pending_never_cleared():
    for count in (1, -1):
        decision = decide(ask(), known(unapplied_events=count), [])
        assert decision.answer == "pending" and "not applied" in decision.reason


def test_dy_3_3_an_unapproved_project_is_not_paid():
    decision = decide(ask(), known(authorised=False, gate_rules=("DY-3.3", "DY-13")), [])
    assert (decision.answer, decision.rule_ids) == ("blocked", ("DY-3.3", "DY-13"))


def test_only_filed_contracts_and_their_milestones_are_paid():
    assert decide(ask(contract_id="C9"), known(contract=None), []).rule_ids == ("BY-26c",)
    assert decide(ask("progress"), known(), []).answer == "blocked"
    assert decide(ask(amount=101), known(), []).answer == "blocked"


def test_by_48d_dy_24_by_38b_remaining_payments_stop():
    for scope, rules in (("remaining", ("BY-48d",)), ("remaining", ("DY-24",)), ("recover_remaining", ("BY-38b",))):
        decision = decide(ask(), known(), [hold(scope, rules)])
        assert (decision.answer, decision.rule_ids, decision.hold_ids) == ("blocked", rules, (f"H-{scope}",))


def test_by_45d_the_final_payment_waits_for_a_consenting_opinion():
    assert decide(ask("final_payment"), known(), []).answer == "pending"
    assert decide(ask("final_payment"), known(compliance="consent"), []).answer == "cleared"
    refused = decide(ask("final_payment"), known(compliance="refused"), [hold("final_payment", ("BY-45d",), mode="advisory")])
    assert refused.answer == "blocked" and "重要依据" in refused.reason
    assert decide(ask("advance"), known(), [hold("final_payment", ("BY-45d",))]).answer == "cleared"
    assert decide(ask("final_payment", 300), known(compliance_rules=()), []).answer == "cleared"  # a pack without the review


def test_by_32b_the_contract_carrying_an_unapproved_change_is_held():
    held = [hold("change_delta", ("BY-32b",), contract_id="C1")]
    assert decide(ask(), known(), held).rule_ids == ("BY-32b",)
    other = known(contract=ContractView("C2", False, [("advance", 100)]))
    assert decide(ask(contract_id="C2"), other, held).answer == "cleared"


def test_bz_30_no_om_funds_hold_blocks_om_payments_only():
    held = [hold("no_om_funding", ("BZ-30",))]
    assert decide(ask(), known(), held).answer == "cleared"
    om = known(contract=ContractView("C1", True, [("advance", 100)]))
    assert decide(ask(), om, held).rule_ids == ("BZ-30",)
    assert decide(ask(contract_id=None), known(project_class="operation_maintenance", contract=None), held).answer == "blocked"


def test_bz_32c_a_hold_ends_with_its_day():
    held = [hold("no_funding", ("BZ-32c",), expires_on=date(2027, 5, 31))]
    assert decide(ask(), known(), held).answer == "cleared"
    assert decide(ask(), known(), [hold("no_funding", ("YL-19b",), expires_on=TODAY)]).answer == "blocked"


def test_a_scope_this_code_does_not_know_blocks():
    assert decide(ask(), known(), [hold("something_new", ("BY-99",))]).answer == "blocked"
