"""Which day a period counts from and when it has run out (RULES.md §3.10.2; A-13 the anchor not counted)."""

import hmac
from datetime import date, datetime, timezone

from policy.calendar import build_calendar
from policy.packs import get_pack
from policy.timers import timer_due, timers_for

from notify.domain.periods import anchor_of, ordered_due, runs_out_at

BY = get_pack("BY")
RECEIVED = datetime(2026, 11, 24, 2, tzinfo=timezone.utc)


def test_the_day_the_event_says_is_the_anchor_not_the_day_it_arrived():
    assert anchor_of({"approved_on": date(2026, 3, 2), "approved_at": "x"}, RECEIVED) == date(2026, 3, 2)
    assert anchor_of({"rejected_at": datetime(2026, 5, 31, 17, tzinfo=timezone.utc)}, RECEIVED) == date(2026, 6, 1)  # 01:00 in 北京时间
    assert anchor_of({}, RECEIVED) == date(2026, 11, 24)


def test_a_period_runs_out_at_the_first_moment_after_its_last_day_in_shanghai():
    assert runs_out_at(date(2026, 10, 9)).isoformat() == "2026-10-10T00:00:00+08:00"


def test_bz_43a_by_53_3_an_order_sets_its_own_deadline():
    assert ordered_due({"rectification_due": "2027-01-15"}) == date(2027, 1, 15)
    assert ordered_due({}) is None


def test_by_20_4b_by_26c_timers_of_the_pack_across_the_national_day_holiday():
    calendar = build_calendar(allow_provisional=True)  # 2027 holiday data is not published yet
    (validity, filing) = sorted(timers_for(BY, "ProjectApproved").timers, key=lambda t: t.kind)
    assert validity.kind == "approval_validity" and validity.rule_ids == ("BY-20.4b", "BY-37.3")
    assert timer_due(BY, validity, date(2026, 3, 2), calendar).due == date(2027, 3, 2)
    # five working days from 2026-09-29 skip the 国庆 holiday (10-01 to 10-07), count the 调休 Saturday 10-10, land on 10-12
    assert filing.kind == "scheme_filing" and timer_due(BY, filing, date(2026, 9, 29), calendar).due == date(2026, 10, 12)


def test_a_units_deadlines_as_an_icalendar_feed():
    from notify.domain.ical import Entry, render

    text = render([Entry("d1", date(2026, 10, 12), "立项方案未按时备案（P-1）", "scheme_filing · BY-21, BY-59 · late")],
                  "U-1 期限", RECEIVED)
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and "DTSTART;VALUE=DATE:20261012" in lines and "DTEND;VALUE=DATE:20261013" in lines
    assert "DESCRIPTION:scheme_filing · BY-21\\, BY-59 · late" in lines
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)


def test_by_59_filing_timeliness_per_unit_for_the_assessment():
    from notify.domain.assessment import Outcome, as_csv, tally

    rows = tally([Outcome("U-1", "scheme_filing", "stopped"), Outcome("U-1", "contract_filing", "elapsed"),
                  Outcome("U-2", "acceptance_filing", "stopped"), Outcome("U-2", "approval_validity", "elapsed"),
                  Outcome("U-2", "change_filing", "open")])
    assert [(t.unit_id, t.on_time, t.late, t.open, t.rate) for t in rows] == [("U-1", 1, 1, 0, "50%"), ("U-2", 1, 0, 1, "100%")]
    assert as_csv(rows).splitlines()[1] == "U-1,1,1,0,50%"


def test_channel_addresses_and_the_webhook_signature():
    from notify.channels import check_address, signature

    assert check_address("email", "xinxi@example.gov.cn") == []
    assert check_address("email", "not an address")[0].field == "address"
    assert check_address("webhook", "https://finance.example.gov.cn/hooks/govit") == []
    assert check_address("webhook", "http://127.0.0.1:8080/hook") == []  # plain http only to this machine
    assert check_address("webhook", "http://finance.example.gov.cn/hook")[0].field == "address"
    assert check_address("webhook", "ftp://x/y")[0].field == "address"
    assert signature("k", "1700000000", b"{}") == "sha256=" + hmac.new(b"k", b"1700000000.{}", "sha256").hexdigest()
