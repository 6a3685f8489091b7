"""How the assessment reads a deadline (BY-59): met in time, late, or still open. A filing the platform
hears of only when it is made (a contract, BY-26c) meets its deadline at once, late or not."""

from datetime import date, datetime, timezone

from notify.models import Deadline
from notify.deadlines import outcome

DUE = date(2026, 11, 9)


def deadline(**changes) -> Deadline:
    return Deadline(kind="contract_filing", due_on=DUE, due_at=datetime(2026, 11, 9, 16, tzinfo=timezone.utc), **changes)


def test_by_59_a_deadline_met_by_its_last_day_is_on_time():
    # 23:30 in Shanghai on the last day is still that day
    assert outcome(deadline(stopped_at=datetime(2026, 11, 9, 15, 30, tzinfo=timezone.utc))) == "stopped"


def test_by_26c_by_59_a_filing_after_the_last_day_is_late_even_though_it_met_the_deadline():
    assert outcome(deadline(stopped_at=datetime(2026, 11, 9, 16, 30, tzinfo=timezone.utc))) == "elapsed"


def test_by_59_a_deadline_that_ran_out_is_late_and_an_unmet_one_open():
    assert outcome(deadline(fired_at=datetime(2026, 11, 9, 16, tzinfo=timezone.utc))) == "elapsed"
    assert outcome(deadline()) == "open"
