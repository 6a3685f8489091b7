"""The reference client's view of the holds in force, from FinanceHoldPlaced / FinanceHoldReleased alone."""

from datetime import date, datetime, timezone

from contracts.envelope import Envelope
from contracts.events import FinanceHoldPlaced, FinanceHoldReleased, PaymentClearanceAnswered

from finance_client import HoldBook

NOW = datetime(2027, 6, 1, 2, tzinfo=timezone.utc)


def placed(hold_id, project_id="P-1", expires_on=None):
    return Envelope(FinanceHoldPlaced(hold_id=hold_id, project_id=project_id, unit_id="U-1", scope="remaining", rule_ids=["DY-24"],
                                      cause_event_id="e1", cause_event_type="AcceptanceFailed", placed_at=NOW,
                                      expires_on=expires_on), source="/services/procurement")


def test_a_hold_is_in_force_until_released():
    book = HoldBook()
    book.apply(placed("H1"))
    book.apply(placed("H2", project_id="P-2"))
    assert [h.hold_id for h in book.in_force("P-1")] == ["H1"]
    book.apply(Envelope(FinanceHoldReleased(hold_id="H1", project_id="P-1", unit_id="U-1", scope="remaining", rule_ids=["DY-24"],
                                            release_event_id="e2", release_event_type="AcceptancePassed", released_at=NOW),
                        source="/services/procurement"))
    assert book.in_force("P-1") == []


def test_bz_32c_a_time_bound_hold_ends_after_its_day():
    book = HoldBook()
    book.apply(placed("H3", expires_on=date(2028, 12, 31)))
    assert book.in_force("P-1", today=date(2028, 12, 31)) and not book.in_force("P-1", today=date(2029, 1, 1))


def test_answers_are_kept_by_request():
    book = HoldBook()
    book.apply(Envelope(PaymentClearanceAnswered(request_id="R1", project_id="P-1", answer="blocked", rule_ids=["DY-24"],
                                                 hold_ids=["H1"], ledger_as_of=NOW, answered_at=NOW), source="/services/procurement"))
    assert book.answers["R1"].rule_ids == ["DY-24"]
