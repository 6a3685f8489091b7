"""The working-day calendar and period arithmetic (RULES.md §0 units, A-9, A-13).

§0: "WD = 工作日 … 调休 make-up working days count as working days". A-13: the anchor day is
not counted. A-9: an unqualified 个月 / 年 is a natural month / year.
"""

import pickle
from dataclasses import FrozenInstanceError
from calendar import monthrange
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import holidays as holidays_pkg
import pytest
from chinese_calendar import constants as cc_constants
from hypothesis import given, settings
from hypothesis import strategies as st

import policy
from policy.calendar import (
    PERIOD_UNITS,
    CalendarDataError,
    CalendarYearMissing,
    Deadline,
    WorkingDayCalendar,
    YearData,
    build_calendar,
    bundled_years,
    load_overrides,
    merge_years,
    parse_overrides,
)

CAL = build_calendar()
PROVISIONAL = build_calendar(allow_provisional=True)
D = date
ONE = timedelta(days=1)
EXAMPLE = Path(policy.__file__).parent / "data" / "calendar_overrides.example.toml"

SYNTHETIC_2027 = """
[years.2027]
complete = true
source = "synthetic test data, not the real 2027 notice"
holidays = [2027-01-04]
"""


def write(tmp_path: Path, text: str, name: str = "calendar_overrides.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += ONE


# --- the bundled data ---------------------------------------------------------------------


def test_bundled_years_cover_2004_to_2026_and_name_the_package():
    years = bundled_years()
    assert CAL.covered_years() == tuple(range(2004, 2027)) == tuple(sorted(years))
    assert years[2026].source.startswith("chinese-calendar ")
    assert CAL.covers(2026) and not CAL.covers(2027) and not CAL.covers(2003)


def test_section_0_wd_agrees_with_the_holidays_package_for_2024_to_2026():
    reference = holidays_pkg.China(years=[2024, 2025, 2026])
    disagreements = [d for d in days(D(2024, 1, 1), D(2026, 12, 31)) if CAL.is_working_day(d) != reference.is_working_day(d)]
    assert disagreements == []


def test_section_0_national_day_2025_holidays_and_make_up_days():
    # checked against the package first, so a data change fails here rather than in the arithmetic
    assert all(D(2025, 10, d) in cc_constants.holidays for d in range(1, 9))
    assert {D(2025, 9, 28), D(2025, 10, 11)} <= set(cc_constants.workdays)
    assert not any(CAL.is_working_day(D(2025, 10, d)) for d in range(1, 9))
    assert CAL.is_working_day(D(2025, 9, 28))  # Sunday, 调休 make-up day
    assert CAL.is_working_day(D(2025, 10, 11))  # Saturday, 调休 make-up day
    assert not CAL.is_working_day(D(2025, 10, 12))  # an ordinary Sunday


def test_by_16b_five_wd_from_the_eve_of_national_day_2025_lands_after_the_holiday():
    # 10-09 Thu, 10-10 Fri, 10-11 Sat (调休), 10-13 Mon, 10-14 Tue
    assert CAL.add(D(2025, 9, 30), 5, "working_days").due == D(2025, 10, 14)


def test_section_0_a_tiaoxiu_saturday_counts_as_a_working_day():
    assert CAL.add(D(2025, 10, 10), 1, "working_days").due == D(2025, 10, 11)
    assert CAL.add(D(2025, 9, 26), 1, "working_days").due == D(2025, 9, 28)


def test_by_40_fifteen_wd_across_spring_festival_2026():
    assert set(days(D(2026, 2, 15), D(2026, 2, 23))) <= set(cc_constants.holidays)
    assert {D(2026, 2, 14), D(2026, 2, 28)} <= set(cc_constants.workdays)
    # 02-11..02-14 (Sat 调休) = 4, holiday 15–23, 02-24..02-28 (Sat 调休) = 9, 03-02..03-06 = 14, 03-09 = 15
    deadline = CAL.add(D(2026, 2, 10), 15, "working_days")
    assert deadline.due == D(2026, 3, 9)
    assert CAL.working_days_between(D(2026, 2, 10), D(2026, 3, 9)) == 15


# --- the period rules ---------------------------------------------------------------------


def test_a_13_by_16b_anchor_not_counted_five_wd_from_a_friday_is_the_next_friday():
    deadline = CAL.add(D(2026, 11, 20), 5, "working_days")
    assert deadline == Deadline(
        due=D(2026, 11, 27),
        anchor=D(2026, 11, 20),
        length=5,
        unit="working_days",
        provisional=False,
        provisional_years=(),
        extend_if_rest_day=False,
    )


def test_a_13_by_47_3a_thirty_nd_from_new_year():
    assert CAL.add(D(2026, 1, 1), 30, "natural_days").due == D(2026, 1, 31)


def test_a_9_by_41_three_nm_without_a_corresponding_day_end_on_the_last_day_of_the_month():
    deadline = CAL.add(D(2026, 11, 30), 3, "natural_months")
    assert deadline.due == D(2027, 2, 28)
    # a plain natural period does not consult the calendar, so 2027 being unknown does not matter
    assert deadline.provisional is False
    assert CAL.add(D(2027, 11, 30), 3, "natural_months").due == D(2028, 2, 29)
    assert CAL.add(D(2026, 1, 31), 1, "natural_months").due == D(2026, 2, 28)
    assert CAL.add(D(2026, 1, 15), 1, "natural_months").due == D(2026, 2, 15)


def test_a_9_by_20_4b_one_ny_from_a_leap_day():
    assert CAL.add(D(2024, 2, 29), 1, "natural_years").due == D(2025, 2, 28)
    assert CAL.add(D(2024, 2, 29), 4, "natural_years").due == D(2028, 2, 29)


def test_extend_if_rest_day_moves_a_natural_period_off_a_holiday():
    # 25 ND from 2025-09-06 is 2025-10-01, National Day: the period ends on 10-09
    plain = CAL.add(D(2025, 9, 6), 25, "natural_days")
    extended = CAL.add(D(2025, 9, 6), 25, "natural_days", extend_if_rest_day=True)
    assert plain.due == D(2025, 10, 1)
    assert extended.due == D(2025, 10, 9) and extended.extend_if_rest_day
    # a weekend counts as a rest day; a 调休 Saturday does not
    assert CAL.add(D(2026, 1, 1), 30, "natural_days", extend_if_rest_day=True).due == D(2026, 2, 2)
    assert CAL.add(D(2026, 1, 28), 31, "natural_days", extend_if_rest_day=True).due == D(2026, 2, 28)


def test_extend_if_rest_day_consults_only_the_days_it_checks():
    # 3 NM from 2026-11-30 ends on Sunday 2027-02-28: moving it needs 2027
    with pytest.raises(CalendarYearMissing):
        CAL.add(D(2026, 11, 30), 3, "natural_months", extend_if_rest_day=True)
    deadline = PROVISIONAL.add(D(2026, 11, 30), 3, "natural_months", extend_if_rest_day=True)
    assert deadline.due == D(2027, 3, 1) and deadline.provisional_years == (2027,)


def test_extend_if_rest_day_leaves_working_day_periods_alone():
    assert CAL.add(D(2025, 9, 30), 5, "working_days", extend_if_rest_day=True).due == D(2025, 10, 14)


@pytest.mark.parametrize("unit", PERIOD_UNITS)
def test_length_zero_is_the_anchor(unit):
    sunday = D(2026, 3, 1)
    deadline = CAL.add(sunday, 0, unit)
    assert deadline.due == sunday and not deadline.provisional
    assert CAL.add(sunday, 0, unit, extend_if_rest_day=True).due == sunday
    assert CAL.add(D(2027, 5, 1), 0, unit).due == D(2027, 5, 1)


def test_negative_length_is_refused():
    with pytest.raises(ValueError, match="length"):
        CAL.add(D(2026, 1, 5), -1, "working_days")


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unit"):
        CAL.add(D(2026, 1, 5), 3, "weeks")  # type: ignore[arg-type]


def test_datetimes_are_refused_because_the_day_depends_on_the_time_zone():
    with pytest.raises(TypeError, match="anchor"):
        CAL.add(datetime(2026, 1, 5, 12), 3, "working_days")
    with pytest.raises(TypeError):
        CAL.is_working_day(datetime(2026, 1, 5))


def test_by_48c_working_days_between_counts_start_exclusive_end_inclusive():
    due = CAL.add(D(2026, 9, 30), 10, "working_days").due
    assert due == D(2026, 10, 20)
    assert CAL.working_days_between(D(2026, 9, 30), due) == 10
    assert CAL.working_days_between(D(2026, 9, 30), D(2026, 10, 7)) == 0  # all National Day
    assert CAL.working_days_between(D(2026, 10, 20), D(2026, 9, 30)) == 0
    assert CAL.working_days_between(D(2026, 10, 20), D(2026, 10, 20)) == 0


# --- years without data -------------------------------------------------------------------


def test_2027_is_refused_with_a_bilingual_message_naming_the_year():
    with pytest.raises(CalendarYearMissing) as caught:
        CAL.is_working_day(D(2027, 3, 1))
    error = caught.value
    assert isinstance(error, LookupError) and error.year == 2027
    message = str(error)
    assert "2027" in message and "CALENDAR_OVERRIDES_FILE" in message
    assert "No working-day calendar for 2027" in message and "2027 年工作日历缺失" in message
    assert "国务院办公厅" in message
    assert pickle.loads(pickle.dumps(error)).year == 2027


def test_by_48c_ten_wd_from_2026_12_28_runs_into_2027_and_is_refused():
    with pytest.raises(CalendarYearMissing) as caught:
        CAL.add(D(2026, 12, 28), 10, "working_days")
    assert caught.value.year == 2027


def test_by_48c_ten_wd_into_2027_is_provisional_when_allowed():
    deadline = PROVISIONAL.add(D(2026, 12, 28), 10, "working_days")
    # Mon–Fri only: 12-29..12-31, 01-01, 01-04..01-08, 01-11
    assert deadline.due == D(2027, 1, 11)
    assert deadline.provisional is True and deadline.provisional_years == (2027,)
    assert PROVISIONAL.allow_provisional and not CAL.allow_provisional


def test_a_deadline_inside_covered_years_is_not_provisional_in_provisional_mode():
    deadline = PROVISIONAL.add(D(2025, 9, 30), 5, "working_days")
    assert deadline == CAL.add(D(2025, 9, 30), 5, "working_days")


def test_entering_2027_settles_a_provisional_deadline_on_recompute(tmp_path):
    provisional = PROVISIONAL.add(D(2026, 12, 28), 10, "working_days")
    later = build_calendar(write(tmp_path, SYNTHETIC_2027))
    assert later.covers(2027)
    settled = later.recompute(provisional)
    # the synthetic holiday on Mon 2027-01-04 pushes the tenth working day to 01-12
    assert settled.due == D(2027, 1, 12)
    assert settled.provisional is False and settled.provisional_years == ()
    assert (settled.anchor, settled.length, settled.unit) == (provisional.anchor, provisional.length, provisional.unit)


def test_partial_2027_is_used_only_in_provisional_mode(tmp_path):
    path = write(tmp_path, SYNTHETIC_2027.replace("complete = true", "complete = false"))
    strict = build_calendar(path)
    assert not strict.covers(2027) and 2027 not in strict.covered_years()
    with pytest.raises(CalendarYearMissing, match="incomplete") as caught:
        strict.add(D(2026, 12, 28), 10, "working_days")
    assert caught.value.partial and "2027 年工作日历不完整" in str(caught.value)
    deadline = build_calendar(path, allow_provisional=True).add(D(2026, 12, 28), 10, "working_days")
    assert deadline.due == D(2027, 1, 12) and deadline.provisional_years == (2027,)


def test_provisional_years_are_sorted_and_only_the_uncovered_ones():
    deadline = PROVISIONAL.add(D(2026, 12, 30), 400, "working_days")
    assert deadline.provisional_years == (2027, 2028)


# --- override file ------------------------------------------------------------------------


def test_overrides_correct_a_bundled_year(tmp_path):
    path = write(
        tmp_path,
        """
        [years.2026]
        holidays = [2026-03-10, 2026-10-10]   # a Tuesday off; a bundled 调休 Saturday taken back
        workdays = [2026-03-15, 2026-10-07]   # a Sunday worked; a bundled holiday worked
        """,
    )
    assert CAL.is_working_day(D(2026, 3, 10)) and not CAL.is_working_day(D(2026, 3, 15))
    corrected = build_calendar(path)
    assert corrected.covers(2026)  # complete left out: the year stays covered
    assert not corrected.is_working_day(D(2026, 3, 10))
    assert corrected.is_working_day(D(2026, 3, 15))
    assert not corrected.is_working_day(D(2026, 10, 10))
    assert corrected.is_working_day(D(2026, 10, 7))
    assert corrected.add(D(2026, 3, 9), 1, "working_days").due == D(2026, 3, 11)
    assert corrected.year_data(2026).source.startswith("chinese-calendar ")
    assert CAL.is_working_day(D(2026, 3, 10))  # the bundled calendar is untouched


def test_an_override_can_mark_a_bundled_year_incomplete():
    merged = merge_years(bundled_years(), parse_overrides("[years.2026]\ncomplete = false\n", source="o.toml"))
    calendar = WorkingDayCalendar(merged)
    assert not calendar.covers(2026) and calendar.covers(2025)


def test_the_example_override_file_is_valid_and_changes_no_bundled_answer():
    overrides = load_overrides(EXAMPLE)
    assert set(overrides) == {2026, 2027}
    assert overrides[2027].complete is False
    calendar = build_calendar(EXAMPLE)
    assert not calendar.covers(2027)
    assert all(calendar.is_working_day(d) == CAL.is_working_day(d) for d in days(D(2026, 1, 1), D(2026, 12, 31)))


def test_parse_overrides_reads_dates_source_and_complete():
    years = parse_overrides(SYNTHETIC_2027, source="o.toml")
    year = years[2027]
    assert year.holidays == frozenset({D(2027, 1, 4)}) and year.workdays == frozenset()
    assert year.complete is True and year.source.startswith("synthetic")
    assert parse_overrides("", source="o.toml") == {}


BAD_FILES = [
    ("years = [", "invalid TOML"),
    ("version = 1\n", "version: unknown top-level key"),
    ("years = 5\n", "years: must be a table"),
    ("[years.27]\ncomplete = true\n", "years.27: the year must be a four-digit integer"),
    ("[years.abcd]\ncomplete = true\n", "years.abcd: the year must be a four-digit integer"),
    ("[years]\n2027 = 5\n", "years.2027: must be a table"),
    ("[years.2027]\ncomplete = true\nholiday = [2027-01-01]\n", "years.2027.holiday: unknown key"),
    ("[years.2027]\ncomplete = true\nholidays = 2027-01-01\n", "years.2027.holidays: must be a list"),
    ('[years.2027]\ncomplete = true\nholidays = ["2027-01-01"]\n', "years.2027.holidays[0]: '2027-01-01' is a string"),
    ("[years.2027]\ncomplete = true\nworkdays = [2027-02-06T09:00:00]\n", "years.2027.workdays[0]"),
    ("[years.2027]\ncomplete = true\nholidays = [2027-01-01, 2026-12-31]\n", "years.2027.holidays[1]: 2026-12-31 is not in 2027"),
    (
        "[years.2027]\ncomplete = true\nholidays = [2027-02-06]\nworkdays = [2027-02-06]\n",
        "years.2027.workdays[0]: 2027-02-06 is also listed in holidays",
    ),
    ("[years.2027]\ncomplete = true\nholidays = [2027-01-01, 2027-01-01]\n", "years.2027.holidays[1]: 2027-01-01 is listed twice"),
    ('[years.2027]\ncomplete = "yes"\n', "years.2027.complete: must be true or false"),
    ("[years.2027]\ncomplete = true\nsource = 7\n", "years.2027.source: must be a string"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FILES)
def test_bad_override_files_are_refused_naming_file_year_and_field(text, expected):
    with pytest.raises(CalendarDataError) as caught:
        parse_overrides(text, source="calendar_overrides.toml")
    message = str(caught.value)
    assert message.startswith("calendar_overrides.toml: ")
    assert expected in message


def test_complete_is_required_for_a_year_the_bundled_data_does_not_know(tmp_path):
    path = write(tmp_path, "[years.2027]\nholidays = [2027-01-04]\n")
    assert parse_overrides(path.read_text(encoding="utf-8"), source=str(path))  # parses on its own
    with pytest.raises(CalendarDataError) as caught:
        build_calendar(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "years.2027.complete" in message


def test_load_overrides_names_a_missing_file(tmp_path):
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(CalendarDataError, match="nowhere.toml"):
        load_overrides(missing)


def test_load_overrides_names_the_file_in_data_errors(tmp_path):
    path = write(tmp_path, "[years.2027]\ncomplete = true\nholidays = [2026-12-31]\n")
    with pytest.raises(CalendarDataError, match=r"calendar_overrides\.toml: years\.2027\.holidays\[0\]"):
        load_overrides(path)


def test_year_data_refuses_dates_outside_its_year_or_in_both_lists():
    with pytest.raises(ValueError):
        YearData(2026, frozenset({D(2025, 1, 1)}), frozenset(), True, "t")
    with pytest.raises(ValueError):
        YearData(2026, frozenset({D(2026, 1, 3)}), frozenset({D(2026, 1, 3)}), True, "t")
    with pytest.raises(ValueError):
        WorkingDayCalendar({2025: YearData(2026, frozenset(), frozenset(), True, "t")})


def test_the_calendar_is_immutable():
    with pytest.raises(AttributeError):
        CAL._years = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        CAL._years[2026] = None  # type: ignore[index]
    with pytest.raises(FrozenInstanceError):
        CAL.year_data(2026).complete = False  # type: ignore[misc]


# --- properties ---------------------------------------------------------------------------

anchors = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 6, 30))
lengths = st.integers(min_value=0, max_value=120)
units = st.sampled_from(PERIOD_UNITS)


@settings(max_examples=200, deadline=None)
@given(anchor=anchors, a=lengths, b=lengths, unit=units)
def test_property_periods_are_monotonic_in_length(anchor, a, b, unit):
    n, m = sorted((a, b))
    assert CAL.add(anchor, n, unit).due <= CAL.add(anchor, m, unit).due
    if unit == "working_days" and n < m:
        assert CAL.add(anchor, n, unit).due < CAL.add(anchor, m, unit).due


@settings(max_examples=200, deadline=None)
@given(anchor=anchors, n=st.integers(min_value=1, max_value=120))
def test_property_section_0_wd_due_is_a_working_day_n_working_days_on(anchor, n):
    due = CAL.add(anchor, n, "working_days").due
    assert CAL.is_working_day(due) and chinese_calendar.is_workday(due)
    assert CAL.working_days_between(anchor, due) == n


@settings(max_examples=200, deadline=None)
@given(anchor=anchors, n=st.integers(min_value=1, max_value=120))
def test_property_section_0_wd_skips_every_holiday(anchor, n):
    due = CAL.add(anchor, n, "working_days").due
    window = list(days(anchor + ONE, due))
    # independent recount with the package itself: exactly n of the days are working days,
    # and none of the counted ones is a listed holiday
    counted = [d for d in window if chinese_calendar.is_workday(d)]
    assert len(counted) == n
    assert not any(d in cc_constants.holidays for d in counted)
    assert due not in cc_constants.holidays


@settings(max_examples=200, deadline=None)
@given(workday=st.sampled_from(sorted(cc_constants.workdays)))
def test_property_section_0_wd_counts_every_tiaoxiu_make_up_day(workday):
    assert workday.weekday() >= 5
    assert CAL.add(workday - ONE, 1, "working_days").due == workday


@settings(max_examples=200, deadline=None)
@given(anchor=anchors, n=lengths)
def test_property_a_13_natural_days_are_plain_date_arithmetic(anchor, n):
    deadline = CAL.add(anchor, n, "natural_days")
    assert deadline.due - anchor == timedelta(days=n) and not deadline.provisional


@settings(max_examples=200, deadline=None)
@given(anchor=anchors, n=lengths)
def test_property_a_9_natural_months_land_on_the_corresponding_or_last_day(anchor, n):
    due = CAL.add(anchor, n, "natural_months").due
    assert (due.year * 12 + due.month) - (anchor.year * 12 + anchor.month) == n
    assert due.day == min(anchor.day, monthrange(due.year, due.month)[1])


@settings(max_examples=200, deadline=None)
@given(anchor=anchors, n=lengths, unit=units, extend=st.booleans())
def test_property_recompute_on_the_same_data_changes_nothing(anchor, n, unit, extend):
    if unit != "natural_days" and extend:
        unit = "natural_days"  # keep extended periods inside the covered years
    deadline = CAL.add(anchor, n, unit, extend_if_rest_day=extend)
    assert CAL.recompute(deadline) == deadline
    if extend and n > 0:
        # a zero-length period is its anchor, rest day or not
        assert CAL.is_working_day(deadline.due)
