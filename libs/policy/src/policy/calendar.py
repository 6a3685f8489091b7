"""The Chinese working-day calendar (工作日历) and the period arithmetic built on it.

The rules count periods in working days (工作日), natural days, natural months or natural
years (RULES.md §0, A-9). Working days follow the State Council's yearly holiday notice,
which moves weekend days around (调休), so no weekday rule can stand in for it: the data
comes from the ``chinese_calendar`` package, corrected and extended by an administrator's
override file when a notice is out before the package has caught up.

A year nobody has entered is a hard stop by default (``CalendarYearMissing``): a wrong due
date on a statutory period is worse than none. A deployment that prefers to keep running
builds the calendar with ``allow_provisional=True``; every deadline that leaned on a guessed
year then says so, and ``recompute`` settles it once the year is entered.

Pure apart from ``load_overrides`` (and ``build_calendar``, which calls it): the services
decide where the override file lives.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

import chinese_calendar
from chinese_calendar import constants as _bundled

PeriodUnit = Literal["working_days", "natural_days", "natural_months", "natural_years"]
PERIOD_UNITS: tuple[PeriodUnit, ...] = get_args(PeriodUnit)

_ONE_DAY = timedelta(days=1)
_YEAR_KEY = re.compile(r"[1-9][0-9]{3}")
_YEAR_KEYS = ("complete", "source", "holidays", "workdays")


class CalendarYearMissing(LookupError):
    """A period needs a year whose holiday notice has not been entered.

    Raised rather than guessing Mon–Fri, because the notice routinely turns weekends into
    working days and weekdays into days off; the fix is data, not code, so the message says
    where the data goes in both languages the administrators read.
    """

    def __init__(self, year: int, partial: bool = False) -> None:
        self.year = year
        self.partial = partial
        if partial:
            message = (
                f"The working-day calendar for {year} is incomplete (complete = false): finish the year in the "
                f"calendar override file (CALENDAR_OVERRIDES_FILE) from the State Council holiday notice / "
                f"{year} 年工作日历不完整：请依据国务院办公厅节假日安排通知在日历覆盖文件中补全该年"
            )
        else:
            message = (
                f"No working-day calendar for {year}: add the year to the calendar override file "
                f"(CALENDAR_OVERRIDES_FILE) from the State Council holiday notice / "
                f"{year} 年工作日历缺失：请依据国务院办公厅节假日安排通知在日历覆盖文件中补充该年"
            )
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # the default would rebuild from the message and lose .year
        return (type(self), (self.year, self.partial))


class CalendarDataError(ValueError):
    """The override file is wrong; the message names the file, the year and the field."""


@dataclass(frozen=True)
class YearData:
    """One year of the State Council calendar: only the exceptions to Mon–Fri working."""

    year: int
    holidays: frozenset[date]
    """Days off: statutory holidays and the weekdays given off by 调休 (weekend days may appear too)."""
    workdays: frozenset[date]
    """Days worked that would otherwise be off: the weekend make-up days of 调休."""
    complete: bool
    """The year's notice is fully entered, so the year counts as covered."""
    source: str

    def __post_init__(self) -> None:
        # Lookups trust these invariants; a bad YearData must fail here, not give a wrong answer later.
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        for day in sorted(self.holidays | self.workdays):
            if type(day) is not date or day.year != self.year:
                raise ValueError(f"YearData {self.year}: {day!r} is not a date in {self.year}")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ValueError(f"YearData {self.year}: {both[0]} is both a holiday and a workday")

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


@dataclass(frozen=True)
class OverrideYear(YearData):
    """A year as read from an override file, before it is merged onto the bundled data.

    Keeps what merging needs and YearData has no place for: which file it came from (for
    error messages) and whether ``complete`` was written at all, since leaving it out means
    "keep the bundled status" for a known year and is an error for an unknown one.
    """

    file: str = ""
    complete_stated: bool = True


@dataclass(frozen=True)
class Deadline:
    """A computed due date together with everything needed to compute it again."""

    due: date
    anchor: date
    """The day the period runs from; it is not counted itself (A-13)."""
    length: int
    unit: PeriodUnit
    provisional: bool
    """The due date leaned on a year without complete data and may move when the year is entered."""
    provisional_years: tuple[int, ...] = ()
    extend_if_rest_day: bool = False


class WorkingDayCalendar:
    """Working-day lookups and period arithmetic over a fixed set of years.

    Immutable: when the override file changes, build a new calendar and ``recompute`` the
    provisional deadlines with it, so a deadline never changes under a running computation.
    """

    __slots__ = ("_years", "_allow_provisional")
    _years: Mapping[int, YearData]
    _allow_provisional: bool

    def __init__(self, years: Mapping[int, YearData], *, allow_provisional: bool = False) -> None:
        checked: dict[int, YearData] = {}
        for year, data in years.items():
            if year != data.year:
                raise ValueError(f"years[{year}] holds the data for {data.year}")
            checked[year] = data
        object.__setattr__(self, "_years", MappingProxyType(checked))
        object.__setattr__(self, "_allow_provisional", bool(allow_provisional))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("WorkingDayCalendar is immutable; build a new one")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("WorkingDayCalendar is immutable; build a new one")

    def __repr__(self) -> str:
        years = self.covered_years()
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return f"WorkingDayCalendar(covered={span}, allow_provisional={self._allow_provisional})"

    @property
    def allow_provisional(self) -> bool:
        return self._allow_provisional

    def covers(self, year: int) -> bool:
        data = self._years.get(year)
        return data is not None and data.complete

    def covered_years(self) -> tuple[int, ...]:
        return tuple(sorted(year for year, data in self._years.items() if data.complete))

    def year_data(self, year: int) -> YearData | None:
        """The data behind a year, for showing administrators where an answer came from."""
        return self._years.get(year)

    def is_working_day(self, day: date) -> bool:
        _check_date(day, "day")
        return self._working(day, set())

    def add(
        self, anchor: date, length: int, unit: PeriodUnit, *, extend_if_rest_day: bool = False
    ) -> Deadline:
        """The last day of a period of ``length`` ``unit`` from ``anchor``, the anchor not counted (A-13).

        ``extend_if_rest_day`` applies 民法典 §203 to natural-unit periods: one whose last day
        is a rest day ends on the next working day. Only the days actually looked up make a
        natural-unit deadline depend on the calendar, so a plain 3-month period into an
        unentered year is neither refused nor provisional.
        """
        _check_date(anchor, "anchor")
        length = _check_length(length)
        if unit not in PERIOD_UNITS:
            raise ValueError(f"unit must be one of {', '.join(PERIOD_UNITS)}, not {unit!r}")
        relied: set[int] = set()
        if length == 0:
            # an empty period ends where it starts; there is no last day to move off a rest day
            due = anchor
        elif unit == "working_days":
            due = anchor
            counted = 0
            while counted < length:
                due += _ONE_DAY
                if self._working(due, relied):
                    counted += 1
        else:
            if unit == "natural_days":
                due = anchor + timedelta(days=length)
            elif unit == "natural_months":
                due = _add_months(anchor, length)
            else:
                due = _add_months(anchor, 12 * length)
            if extend_if_rest_day:
                while not self._working(due, relied):
                    due += _ONE_DAY
        return Deadline(
            due=due,
            anchor=anchor,
            length=length,
            unit=unit,
            provisional=bool(relied),
            provisional_years=tuple(sorted(relied)),
            extend_if_rest_day=extend_if_rest_day,
        )

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: the count ``add`` would have reached at ``end``.

        In provisional mode uncovered years are counted Mon–Fri plus whatever partial data
        exists, without a flag; callers that need to know check ``covers``.
        """
        _check_date(start, "start")
        _check_date(end, "end")
        relied: set[int] = set()
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            if self._working(day, relied):
                count += 1
            day += _ONE_DAY
        return count

    def recompute(self, deadline: Deadline) -> Deadline:
        """The same period computed with this calendar's data, e.g. once a provisional year is entered."""
        return self.add(
            deadline.anchor, deadline.length, deadline.unit, extend_if_rest_day=deadline.extend_if_rest_day
        )

    def _working(self, day: date, relied: set[int]) -> bool:
        data = self._years.get(day.year)
        if data is not None and data.complete:
            return data.is_working_day(day)
        if not self._allow_provisional:
            raise CalendarYearMissing(day.year, partial=data is not None)
        relied.add(day.year)
        return data.is_working_day(day) if data is not None else day.weekday() < 5


def bundled_years() -> dict[int, YearData]:
    """Every year the installed ``chinese_calendar`` knows, as complete years.

    The span is the package's own (first to last year with holidays): inside it a year with
    no listed exception would still be a real year of plain Mon–Fri, outside it nothing is known.
    """
    version = getattr(chinese_calendar, "__version__", "unknown")
    source = f"chinese-calendar {version}"
    holidays: dict[int, set[date]] = {}
    workdays: dict[int, set[date]] = {}
    for day in _bundled.holidays:
        holidays.setdefault(day.year, set()).add(day)
    for day in _bundled.workdays:
        workdays.setdefault(day.year, set()).add(day)
    first, last = min(holidays), max(holidays)
    return {
        year: YearData(
            year=year,
            holidays=frozenset(holidays.get(year, ())),
            workdays=frozenset(workdays.get(year, ())),
            complete=True,
            source=source,
        )
        for year in range(first, last + 1)
    }


def parse_overrides(text: str, *, source: str) -> dict[int, YearData]:
    """The years in an override file's text; ``source`` names the file in error messages.

    Checks everything that can be checked without the bundled data. Whether ``complete`` may
    be left out depends on the bundled data, so ``merge_years`` checks that.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarDataError(f"{source}: invalid TOML: {exc}") from exc
    for key in document:
        if key != "years":
            raise CalendarDataError(f"{source}: {key}: unknown top-level key (only [years.YYYY] tables belong here)")
    table = document.get("years", {})
    if not isinstance(table, dict):
        raise CalendarDataError(f"{source}: years: must be a table of [years.YYYY] tables")
    result: dict[int, YearData] = {}
    for key, entry in table.items():
        if not _YEAR_KEY.fullmatch(key):
            raise CalendarDataError(f"{source}: years.{key}: the year must be a four-digit integer such as 2027")
        year = int(key)
        result[year] = _parse_year(entry, year, source)
    return result


def load_overrides(path: Path) -> dict[int, YearData]:
    """The years in the override file at ``path`` (the module's only file access)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise CalendarDataError(f"{path}: cannot read the calendar override file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise CalendarDataError(f"{path}: the calendar override file is not UTF-8: {exc}") from exc
    return parse_overrides(text, source=str(path))


def merge_years(base: Mapping[int, YearData], overrides: Mapping[int, YearData]) -> dict[int, YearData]:
    """``base`` with ``overrides`` laid over it; for any date listed in an override, the override wins.

    For a year in ``base`` the override lists are corrections: a listed holiday becomes a day
    off and a listed workday a working day, whatever ``base`` said. A year not in ``base`` is
    taken as written and must say whether it is complete, since guessing "complete" would
    silently turn a half-entered notice into firm deadlines.
    """
    merged = dict(base)
    for year, override in overrides.items():
        if year != override.year:
            raise ValueError(f"overrides[{year}] holds the data for {override.year}")
        stated = override.complete_stated if isinstance(override, OverrideYear) else True
        origin = override.file if isinstance(override, OverrideYear) and override.file else override.source
        known = base.get(year)
        if known is None:
            if not stated:
                raise CalendarDataError(
                    f"{origin}: years.{year}.complete: required for {year}, which the bundled calendar data "
                    f"does not cover (true once the State Council notice is fully entered, false while partial)"
                )
            merged[year] = YearData(year, override.holidays, override.workdays, override.complete, override.source)
        else:
            merged[year] = YearData(
                year=year,
                holidays=(known.holidays - override.workdays) | override.holidays,
                workdays=(known.workdays - override.holidays) | override.workdays,
                complete=override.complete if stated else known.complete,
                source=f"{known.source} + {override.source}",
            )
    return merged


def build_calendar(overrides_file: Path | None = None, *, allow_provisional: bool = False) -> WorkingDayCalendar:
    """The bundled calendar with the administrator's override file, if any, laid over it."""
    years = bundled_years()
    if overrides_file is not None:
        years = merge_years(years, load_overrides(overrides_file))
    return WorkingDayCalendar(years, allow_provisional=allow_provisional)


def _parse_year(entry: object, year: int, source: str) -> OverrideYear:
    where = f"{source}: years.{year}"
    if not isinstance(entry, dict):
        raise CalendarDataError(f"{where}: must be a table ([years.{year}])")
    for key in entry:
        if key not in _YEAR_KEYS:
            raise CalendarDataError(f"{where}.{key}: unknown key (allowed: {', '.join(_YEAR_KEYS)})")
    complete = entry.get("complete")
    if complete is not None and type(complete) is not bool:
        raise CalendarDataError(f"{where}.complete: must be true or false, not {complete!r}")
    notice = entry.get("source")
    if notice is not None and not isinstance(notice, str):
        raise CalendarDataError(f"{where}.source: must be a string, not {notice!r}")
    holidays = _parse_dates(entry.get("holidays", []), year, f"{where}.holidays")
    workdays = _parse_dates(entry.get("workdays", []), year, f"{where}.workdays")
    for index, day in enumerate(workdays):
        if day in holidays:
            raise CalendarDataError(f"{where}.workdays[{index}]: {day} is also listed in holidays")
    return OverrideYear(
        year=year,
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        complete=bool(complete),
        source=notice or source,
        file=source,
        complete_stated=complete is not None,
    )


def _parse_dates(value: object, year: int, where: str) -> list[date]:
    if not isinstance(value, list):
        raise CalendarDataError(f"{where}: must be a list of dates such as [{year}-01-01], not {value!r}")
    days: list[date] = []
    for index, item in enumerate(value):
        at = f"{where}[{index}]"
        if isinstance(item, str):
            raise CalendarDataError(f"{at}: {item!r} is a string; write the date without quotes, e.g. {year}-01-01")
        # tomllib gives datetime (a date subclass) for 2027-01-01T00:00:00: a time of day has no place here
        if type(item) is not date:
            raise CalendarDataError(f"{at}: {item!r} is not a date such as {year}-01-01")
        if item.year != year:
            raise CalendarDataError(f"{at}: {item} is not in {year}")
        if item in days:
            raise CalendarDataError(f"{at}: {item} is listed twice")
        days.append(item)
    return days


def _check_date(value: object, name: str) -> None:
    # A datetime would compare unequal to every listed date and quietly count as a plain
    # weekday; which calendar day it is depends on a time zone only the caller knows.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date (convert datetimes in Asia/Shanghai first), not {value!r}")


def _check_length(length: object) -> int:
    if isinstance(length, bool) or not isinstance(length, int):
        raise TypeError(f"length must be an int, not {length!r}")
    if length < 0:
        raise ValueError(f"length must be 0 or more, not {length}")
    return length


def _add_months(day: date, months: int) -> date:
    # 民法典 §202: the period ends on the corresponding day of the last month, or on that
    # month's last day when it has none (3 months from 11-30 ends on 02-28 or 02-29).
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31
