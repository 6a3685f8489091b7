"""The bureau's picture at a glance, computed from the services' answers: projects by stage and
pack, amounts, throughput by day, holds, blocked units and overdue deadlines; the same tables
as an Excel workbook."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from portal import i18n
from portal.backend import ServiceError


def _ok(value: Any) -> list:
    return value if isinstance(value, list) else []


def dashboard_rows(cases: Any, holds: Any, assessment: Any, notifications: Any, standing: Any = None) -> dict[str, Any]:
    failures = [value for value in (cases, holds, assessment, notifications, standing) if isinstance(value, ServiceError)]
    cases, holds, notifications = _ok(cases), _ok(holds), _ok(notifications)
    by_stage: Counter[str] = Counter()
    by_pack: dict[str, dict[str, int]] = defaultdict(lambda: {"count": 0, "declared_fen": 0, "reviewed_fen": 0})
    received: Counter[str] = Counter()
    decided: Counter[str] = Counter()
    for case in cases:
        key = case["status"] if case.get("status") in ("approved", "rejected", "filed") else case.get("stage") or "open"
        by_stage[key] += 1
        pack = by_pack[case.get("pack_id") or "?"]
        pack["count"] += 1
        pack["declared_fen"] += case.get("declared_amount_fen") or 0
        pack["reviewed_fen"] += case.get("reviewed_amount_fen") or 0
        if case.get("opened_at"):
            received[str(case["opened_at"])[:10]] += 1
        if case.get("closed_at"):
            decided[str(case["closed_at"])[:10]] += 1
    active_holds = [hold for hold in holds if not hold.get("released_at")]
    overdue = [n for n in notifications if n.get("event_type") == "DeadlineElapsed"]
    blocked = _ok(standing)
    days = sorted(set(received) | set(decided))[-30:]
    return {
        "cases": cases, "holds": active_holds, "overdue": overdue, "blocked": blocked,
        "assessment": _ok(assessment), "failures": failures,
        "by_stage": sorted(by_stage.items(), key=lambda item: -item[1]),
        "by_pack": sorted(by_pack.items()),
        "totals": {"cases": len(cases), "holds": len(active_holds), "overdue": len(overdue), "blocked": len(blocked),
                   "declared_fen": sum(p["declared_fen"] for p in by_pack.values())},
        "charts": {"stages": [[key, count] for key, count in sorted(by_stage.items(), key=lambda item: -item[1])],
                   "packs": [[key, value["count"], value["declared_fen"] // 100] for key, value in sorted(by_pack.items())],
                   "throughput": [[day, received[day], decided[day]] for day in days]},
    }


def workbook(data: dict[str, Any], lang: str) -> bytes:
    """The dashboard's tables, one sheet each, amounts in whole 元."""
    zh = lang == "zh"
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list[Any]]) -> None:
        ws = book.create_sheet(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        for column in ws.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            ws.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 2))

    book.remove(book.active)
    sheet("按阶段" if zh else "By stage", ["阶段" if zh else "Stage", "数量" if zh else "Count"],
          [[i18n.stage(key, lang), count] for key, count in data["by_stage"]])
    sheet("按规定" if zh else "By pack", ["规定" if zh else "Pack", "项目数" if zh else "Projects",
                                        "申报金额（元）" if zh else "Declared (元)", "审定金额（元）" if zh else "Reviewed (元)"],
          [[pack, value["count"], value["declared_fen"] // 100, value["reviewed_fen"] // 100] for pack, value in data["by_pack"]])
    sheet("案件" if zh else "Cases", ["项目编号" if zh else "Project", "项目名称" if zh else "Name", "单位" if zh else "Unit",
                                     "规定" if zh else "Pack", "阶段" if zh else "Stage", "状态" if zh else "Status",
                                     "申报金额（元）" if zh else "Declared (元)", "办理期限" if zh else "Due"],
          [[c["project_id"], c.get("project_name"), c.get("unit_id"), c.get("pack_id"), i18n.stage(c.get("stage"), lang),
            i18n.stage(c.get("status"), lang), (c.get("declared_amount_fen") or 0) // 100, c.get("due_on")] for c in data["cases"]])
    sheet("拨付冻结" if zh else "Holds", ["项目编号" if zh else "Project", "单位" if zh else "Unit", "范围" if zh else "Scope",
                                        "依据" if zh else "Rules", "起因" if zh else "Cause", "解除条件" if zh else "Release",
                                        "冻结时间" if zh else "Placed"],
          [[h["project_id"], h["unit_id"], h["scope"], "、".join(h["rule_ids"]), h["cause_event_type"],
            h.get("release_condition"), str(h["placed_at"])[:19]] for h in data["holds"]])
    sheet("受限单位" if zh else "Blocked units", ["单位" if zh else "Unit", "依据" if zh else "Rules", "说明" if zh else "Message"],
          [[s["unit_id"], "、".join(r for b in s["blocks"] for r in b["rule_ids"]),
            "；".join(b["message_zh"] if zh else b["message"] for b in s["blocks"])] for s in data["blocked"]])
    sheet("报送及时率" if zh else "Timeliness", ["单位" if zh else "Unit", "按时" if zh else "On time", "逾期" if zh else "Late",
                                             "未办" if zh else "Open", "及时率" if zh else "Rate"],
          [[a["unit_id"], a["on_time"], a["late"], a["open"], a["on_time_rate"]] for a in data["assessment"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
