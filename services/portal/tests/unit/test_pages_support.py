"""Sessions, redirects, working days left and the dashboard's workbook."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from starlette.requests import Request
from starlette.responses import Response

from policy.calendar import build_calendar
from portal.backend import ServiceError
from portal.dashboard import dashboard_rows, workbook
from portal.pages import _safe_next
from portal.session import SESSION_COOKIE, Session, SessionStore
from portal.web import days_left, today


def request_with(cookie: str | None) -> Request:
    headers = [(b"cookie", f"{SESSION_COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b""})


def test_a_session_cookie_round_trips_and_a_tampered_one_is_refused():
    store = SessionStore("s" * 40, 3600, secure=True)
    response = Response()
    store.save(response, Session(token="header.payload.sig"))
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "samesite=lax" in cookie.lower()
    value = cookie.split(";")[0].split("=", 1)[1]
    loaded = store.load(request_with(value))
    assert loaded is not None and loaded.token == "header.payload.sig" and loaded.csrf
    assert store.load(request_with(value[:-2] + "xx")) is None
    assert SessionStore("t" * 40, 3600, secure=False).load(request_with(value)) is None  # another secret


def test_only_a_path_on_this_site_is_followed_after_sign_in():
    assert _safe_next("/projects/P-1?x=1") == "/projects/P-1?x=1"
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", None, ""):
        assert _safe_next(target) == "/"


def test_days_left_count_working_days_where_the_rule_does():
    calendar = build_calendar(None, allow_provisional=True)
    start = today()
    in_ten = start + timedelta(days=10)
    working, unit = days_left(calendar, in_ten, "working_days")
    assert unit == "working_days" and working == calendar.working_days_between(start, in_ten) and working < 10
    assert days_left(calendar, in_ten, "natural_days") == (10, "natural_days")
    late, _ = days_left(calendar, start - timedelta(days=7), "working_days")
    assert late < 0


def test_the_dashboard_counts_by_stage_and_pack_and_exports_the_same_figures():
    cases = [
        {"project_id": "P-1", "project_name": "甲", "unit_id": "u1", "pack_id": "BY", "stage": "plan_review", "status": "open",
         "declared_amount_fen": 100_000_00, "reviewed_amount_fen": None, "opened_at": "2026-11-20T01:00:00Z", "closed_at": None},
        {"project_id": "P-2", "project_name": "乙", "unit_id": "u2", "pack_id": "BZ", "stage": "approval", "status": "approved",
         "declared_amount_fen": 300_000_00, "reviewed_amount_fen": 250_000_00, "opened_at": "2026-11-20T02:00:00Z",
         "closed_at": "2026-11-23T02:00:00Z"},
    ]
    holds = [{"project_id": "P-9", "unit_id": "u9", "scope": "project", "rule_ids": ["BY-48d"], "cause_event_type": "X",
              "release_condition": None, "placed_at": "2026-11-01T00:00:00Z", "released_at": None}]
    data = dashboard_rows(cases, holds, [], [], ServiceError.unreachable("intake", "ConnectError"))
    assert dict(data["by_stage"]) == {"plan_review": 1, "approved": 1}
    assert dict(data["by_pack"])["BZ"]["declared_fen"] == 300_000_00
    assert data["charts"]["throughput"] == [["2026-11-20", 2, 0], ["2026-11-23", 0, 1]]
    assert len(data["failures"]) == 1 and data["totals"]["holds"] == 1
    book = load_workbook(io.BytesIO(workbook(data, "zh")))
    cases_sheet = book["案件"]
    assert [row[0] for row in cases_sheet.iter_rows(min_row=2, values_only=True)] == ["P-1", "P-2"]
    assert list(book["按规定"].iter_rows(min_row=2, values_only=True))[1] == ("BZ", 1, 300_000, 250_000)
    assert list(book["拨付冻结"].iter_rows(min_row=2, values_only=True))[0][:4] == ("P-9", "u9", "project", "BY-48d")
