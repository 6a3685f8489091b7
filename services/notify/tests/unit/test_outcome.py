"""How the assessment reads a deadline (BY-59): met in time, late, or still open. A filing the platform
hears of only when it is made (a contract, BY-26c) meets its deadline at once, late or not; what counts
is the day the filing happened, not the day notify heard of it."""

from datetime import date, datetime, timezone

from notify.deadlines import outcome
from notify.models import Deadline

DUE = date(2026, 11, 9)
HEARD = datetime(2026, 11, 12, 2, tzinfo=timezone.utc)


def deadline(**changes) -> Deadline:
    return Deadline(kind="contract_filing", due_on=DUE, due_at=datetime(2026, 11, 9, 16, tzinfo=timezone.utc), **changes)


def test_by_59_a_deadline_met_by_its_last_day_is_on_time_however_late_notify_hears_of_it():
    assert outcome(deadline(stopped_at=HEARD, met_on=DUE)) == "stopped"


def test_by_26c_by_59_a_filing_after_the_last_day_is_late_even_though_it_met_the_deadline():
    assert outcome(deadline(stopped_at=HEARD, met_on=date(2026, 11, 10))) == "elapsed"


def test_by_59_a_deadline_that_ran_out_is_late_and_an_unmet_one_open():
    assert outcome(deadline(fired_at=datetime(2026, 11, 9, 16, tzinfo=timezone.utc))) == "elapsed"
    assert outcome(deadline()) == "open"
