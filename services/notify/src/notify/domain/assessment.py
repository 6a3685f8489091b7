"""Filing timeliness per unit for the year's assessment (BY-59: late filings count against the unit;
YF-21 organ performance), and the overdue list a 通报 draws on (BZ-43b, DY-25b, BY-53a)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

FILINGS = ("scheme_filing", "contract_filing", "change_filing", "initial_acceptance_filing", "acceptance_filing",
           "acceptance_upload", "filing_rectification")
"""The deadlines that are filings of the unit's."""


@dataclass(frozen=True)
class Outcome:
    unit_id: str
    kind: str
    state: str
    """``stopped`` (filed in time), ``elapsed`` (late) or ``open``."""


@dataclass
class Tally:
    unit_id: str
    on_time: int = 0
    late: int = 0
    open: int = 0

    @property
    def rate(self) -> str:
        done = self.on_time + self.late
        return f"{self.on_time * 100 // done}%" if done else "—"


def tally(outcomes: Iterable[Outcome]) -> list[Tally]:
    by_unit: dict[str, Tally] = {}
    for outcome in outcomes:
        if outcome.kind not in FILINGS:
            continue
        row = by_unit.setdefault(outcome.unit_id, Tally(outcome.unit_id))
        if outcome.state == "stopped":
            row.on_time += 1
        elif outcome.state == "elapsed":
            row.late += 1
        else:
            row.open += 1
    return sorted(by_unit.values(), key=lambda t: (-t.late, t.unit_id))


def as_csv(rows: list[Tally]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位 unit_id", "按时备案 on_time", "逾期备案 late", "未到期 open", "按时率 on_time_rate"])
    for row in rows:
        writer.writerow([row.unit_id, row.on_time, row.late, row.open, row.rate])
    return "\ufeff" + out.getvalue()  # the BOM lets spreadsheet programs read the Chinese headers as UTF-8
