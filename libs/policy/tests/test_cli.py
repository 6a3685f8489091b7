"""``govit-policy``: the answers bureau staff read off a shell, and the exit code 2 for bad input."""

from __future__ import annotations

import json
from datetime import date, timedelta

import chinese_calendar
import pytest

from policy import packs
from policy.cli import UsageError, main, parse_amount
from policy.packs import bundled_pack_files, load_registry


@pytest.fixture(autouse=True)
def bundled_packs_only(monkeypatch):
    # The CLI reads the process's registry and calendar settings; pin both so the
    # answers do not depend on what the shell running the tests has exported.
    for name in ("POLICY_PACKS_DIR", "CALENDAR_OVERRIDES_FILE", "CALENDAR_ALLOW_PROVISIONAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(packs, "_installed", load_registry())


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert err == ""
    return out


def usage_error(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2, out
    assert out == ""
    assert err.startswith("error: ")
    return err


def section(out: str, pack_ref: str) -> str:
    """One pack's block of a multi-pack answer, so an assertion cannot be met by the other pack."""
    blocks = out.split("\n\n")
    (block,) = [b for b in blocks if b.startswith(f"== {pack_ref} ")]
    return block


# ---- parse_amount (A-40: amounts are whole 元, never floats) -------------------------------------

@pytest.mark.parametrize(("text", "yuan"), [
    ("3000万", 30_000_000),
    ("3000万元", 30_000_000),
    ("1.5亿", 150_000_000),
    ("1.5亿元", 150_000_000),
    ("12.5万", 125_000),
    ("49万", 490_000),
    ("30000000", 30_000_000),
    ("30,000,000", 30_000_000),
    ("30_000_000", 30_000_000),
    (" 500元 ", 500),
    ("0", 0),
])
def test_parse_amount(text, yuan):
    assert parse_amount(text) == yuan
    assert type(parse_amount(text)) is int


@pytest.mark.parametrize("text", ["", "万", "abc", "三千万", "3000万万", "3000 万 元", "12.345元", "1.23456万", "-5万",
                                  "-1", "nan"])
def test_parse_amount_refuses(text):
    with pytest.raises(UsageError, match="amount"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["inf", "Infinity", "1e3"])
def test_parse_amount_refuses_infinity(text):
    with pytest.raises(UsageError):
        parse_amount(text)


# ---- packs and check -----------------------------------------------------------------------------

def test_packs_lists_all_five(capsys):
    rows = ok(capsys, "packs").splitlines()
    assert [row.split()[0] for row in rows] == ["BY@2024.1", "BZ@2022.1", "DY@2020.1", "YF@2020.1", "YL@draft.1"]
    statuses = {row.split()[0]: row.split()[1] for row in rows}
    assert statuses == {"BY@2024.1": "in_force", "BZ@2022.1": "in_force", "DY@2020.1": "trial",
                        "YF@2020.1": "expired", "YL@draft.1": "draft"}
    assert "unpublished" in rows[-1]  # YL-36: no date until published


def test_check_accepts_the_bundled_packs(capsys):
    files = [str(path) for path in bundled_pack_files()]
    out = ok(capsys, "check", *files)
    assert out.count(": ok (") == 5
    assert "BY@2024.1" in out


def test_check_names_the_broken_field(capsys, tmp_path):
    (by_file,) = [p for p in bundled_pack_files() if p.name == "BY-2024.1.toml"]
    text = by_file.read_text(encoding="utf-8")
    assert text.count("micro = { yuan = 500_000,") == 1
    broken = tmp_path / "BY-2024.1.toml"
    broken.write_text(text.replace("micro = { yuan = 500_000,", "micro = { yuan = 500000.0,"), encoding="utf-8")
    err = usage_error(capsys, "check", str(broken))
    assert "BY-2024.1.toml" in err
    assert "classification.micro.yuan" in err


def test_check_of_a_missing_file(capsys, tmp_path):
    err = usage_error(capsys, "check", str(tmp_path / "BY-2030.1.toml"))
    assert "cannot read pack file" in err


# ---- explain -------------------------------------------------------------------------------------

def test_explain_3000_wan_under_by_and_yl(capsys):
    out = ok(capsys, "explain", "--amount", "3000万", "--type", "BY=build_develop", "--type", "YL=software_development",
             "--pack", "BY", "--pack", "YL")
    by = section(out, "BY@2024.1")
    # BY-15b: 3000万 and above needs a feasibility study; BY-20.4a: 50万 and above goes to the district government
    assert "可行性研究报告 (feasibility_study) [BY-15b]" in by
    assert "区政府审定" in by and "BY-20.4a" in by
    assert "classification: approval 审批制, ordinary" in by
    yl = section(out, "YL@draft.1")
    # YL-11a: software development of 200万 and above is approved, not filed
    assert "classification: approval 审批制" in yl
    assert "[YL-11a]" in yl
    assert "可行性研究报告 (feasibility_study)" not in yl


def test_explain_49_wan_is_micro(capsys):
    """BY-19.1a: 投资概算 below 50万 (the line itself excluded) is 小微 and takes the filing track."""
    out = ok(capsys, "explain", "--amount", "49万", "--type", "build_develop")
    assert "classification: filing 备案制, micro 小微" in out
    assert "[BY-19.1a]" in out
    assert "项目备案表" in out
    assert "可行性研究报告" not in out and "区政府审定" not in out


def test_explain_50_wan_is_not_micro(capsys):
    out = ok(capsys, "explain", "--amount", "50万", "--type", "build_develop")
    assert "classification: approval 审批制, ordinary" in out


def test_explain_json_parses(capsys):
    out = ok(capsys, "explain", "--json", "--amount", "3000万", "--type", "BY=build_develop",
             "--type", "YL=software_development", "--pack", "BY", "--pack", "YL")
    by, yl = json.loads(out)
    assert by["classification"]["pack_id"] == "BY" and by["classification"]["regime"] == "approval"
    assert yl["classification"]["pack_id"] == "YL" and "YL-11a" in yl["classification"]["rule_ids"]
    assert "feasibility_study" in {item["key"] for item in by["requirements"]["items"]}


def test_explain_refuses_fractional_yuan(capsys):
    err = usage_error(capsys, "explain", "--amount", "12.345元", "--type", "build_develop")
    assert "12.345元" in err and "whole" in err


def test_explain_type_the_pack_does_not_have(capsys):
    err = usage_error(capsys, "explain", "--amount", "100万", "--type", "software_development")
    assert "project_type" in err
    assert "build_develop, operation_maintenance, service" in err


def test_explain_type_no_pack_has(capsys):
    err = usage_error(capsys, "explain", "--amount", "100万", "--type", "nonsense")
    assert "project_type" in err


def test_explain_without_a_type_for_one_of_the_packs(capsys):
    err = usage_error(capsys, "explain", "--amount", "100万", "--type", "BY=build_develop", "--pack", "BY", "--pack", "YL")
    assert "--type" in err and "YL" in err


def test_explain_unknown_pack(capsys):
    err = usage_error(capsys, "explain", "--amount", "100万", "--type", "build_develop", "--pack", "XX")
    assert "XX" in err


# ---- change (BY-33: measured as |cancelled| + |added| against the approved amount) ---------------

def change_outcome(capsys, *amounts: str) -> str:
    out = ok(capsys, "change", "--pack", "BY", "--base", "1000万", *amounts)
    return out.splitlines()[0]


def test_by_33_3a_cancel_100_add_60_is_16_percent_redeclaration(capsys):
    out = ok(capsys, "change", "--pack", "BY", "--base", "1000万", "--cancel", "100万", "--add", "60万")
    assert out.startswith("== BY@2024.1: redeclaration ")
    assert "16.00%" in out and "160万" in out
    assert "[BY-33.3a]" in out and "BY-33.3c" in out


def test_by_33_3b_exactly_15_percent_is_bureau_consent(capsys):
    out = ok(capsys, "change", "--pack", "BY", "--base", "1000万", "--cancel", "100万", "--add", "50万")
    assert out.startswith("== BY@2024.1: bureau_consent ")
    assert "15.00%" in out and "BY-33.3b" in out


def test_by_33_3b_one_yuan_over_15_percent_is_redeclaration(capsys):
    assert "redeclaration" in change_outcome(capsys, "--cancel", "100万", "--add", "500001")


def test_by_33_2_cancel_only_is_filed(capsys):
    out = ok(capsys, "change", "--pack", "BY", "--base", "1000万", "--cancel", "200万")
    assert out.startswith("== BY@2024.1: filing ")
    assert "[BY-33.2]" in out


def test_change_json_parses(capsys):
    out = ok(capsys, "change", "--json", "--pack", "BY", "--base", "1000万", "--cancel", "100万", "--add", "50万")
    (decision,) = json.loads(out)
    assert decision["outcome"] == "bureau_consent"
    assert decision["change_amount_yuan"] == 1_500_000 and decision["change_ratio_percent"] == "15.00%"


def test_change_needs_an_amount(capsys):
    err = usage_error(capsys, "change", "--pack", "BY", "--base", "1000万")
    assert "--add" in err and "--cancel" in err


def test_change_with_a_bad_amount(capsys):
    err = usage_error(capsys, "change", "--pack", "BY", "--base", "1000万", "--add", "60万.5")
    assert "60万.5" in err


# ---- calendar ------------------------------------------------------------------------------------

def working_days_after(anchor: date, count: int) -> date:
    day = anchor
    while count:
        day += timedelta(days=1)
        count -= chinese_calendar.is_workday(day)
    return day


def test_calendar_add_working_days_across_national_day(capsys):
    # 国庆 2025 runs 10-01 … 10-08 and 10-11 (Saturday) is worked (调休)
    expected = working_days_after(date(2025, 9, 30), 5)
    assert expected == date(2025, 10, 14)
    assert ok(capsys, "calendar", "add", "2025-09-30", "5", "--unit", "WD").strip() == expected.isoformat()


def test_calendar_add_into_a_year_without_data_is_refused(capsys):
    err = usage_error(capsys, "calendar", "add", "2026-12-28", "10")
    assert "2027" in err


def test_calendar_add_provisional(capsys):
    out = ok(capsys, "calendar", "add", "2026-12-28", "10", "--provisional").strip()
    due, _, mark = out.partition(" ")
    assert date.fromisoformat(due) > date(2026, 12, 31)
    assert "provisional" in mark and "2027" in mark


def test_calendar_add_bad_unit(capsys):
    err = usage_error(capsys, "calendar", "add", "2025-09-30", "5", "--unit", "fortnights")
    assert "fortnights" in err


def test_calendar_make_up_sunday_is_a_working_day(capsys):
    # 2025-09-28 is a Sunday worked in exchange for the National Day holiday (调休)
    assert ok(capsys, "calendar", "is-working-day", "2025-09-28").strip() == "2025-09-28: working day / 工作日"
    assert ok(capsys, "calendar", "is-working-day", "2025-10-02").strip() == "2025-10-02: rest day / 休息日"


def test_calendar_between(capsys):
    expected = sum(chinese_calendar.is_workday(date(2025, 9, 30) + timedelta(days=n)) for n in range(1, 16))
    assert ok(capsys, "calendar", "between", "2025-09-30", "2025-10-15").strip() == str(expected)


def test_calendar_bad_date(capsys):
    assert "2025/10/01" in usage_error(capsys, "calendar", "is-working-day", "2025/10/01")
    # a well-formed but impossible date is refused too, though the message does not repeat it
    assert "month" in usage_error(capsys, "calendar", "is-working-day", "2025-13-01")


# ---- sanctions and timers ------------------------------------------------------------------------

def test_by_47_3b_second_failed_acceptance_terminates(capsys):
    out = ok(capsys, "sanctions", "--pack", "BY", "--trigger", "AcceptanceFailed", "--fact", "terminal=true")
    assert "terminate_project (project, hard) [BY-47.3b" in out
    # BY-22.8 applies to every failure, terminal or not
    assert "unit_block" in out and "BY-22.8" in out


def test_by_47_3a_first_failed_acceptance_does_not_terminate(capsys):
    out = ok(capsys, "sanctions", "--pack", "BY", "--trigger", "AcceptanceFailed", "--fact", "terminal=false")
    assert "terminate_project" not in out


def test_sanctions_json_parses(capsys):
    out = ok(capsys, "sanctions", "--json", "--pack", "BY", "--trigger", "AcceptanceFailed", "--fact", "terminal=true")
    (decision,) = json.loads(out)
    assert "terminate_project" in {s["effect"] for s in decision["sanctions"]}


def test_sanctions_bad_fact(capsys):
    err = usage_error(capsys, "sanctions", "--pack", "BY", "--trigger", "AcceptanceFailed", "--fact", "terminal")
    assert "key=value" in err


def test_by_48a_acceptance_filing_due_30_days_after_final_review(capsys):
    out = ok(capsys, "timers", "--pack", "BY", "--event", "AcceptancePassed", "--anchor", "2026-11-02",
             "--fact", "project_class=build_develop")
    (line,) = [row for row in out.splitlines() if row.strip().startswith("acceptance_filing:")]
    assert line.strip() == "acceptance_filing: due 2026-12-02 [BY-48a, BY-22.7]"
    assert "self_evaluation" in out  # BY-51a applies to build projects only
    # the 3-year hardware warranty (BY-27) runs past the holiday data: that one timer says so, the rest stand
    (warranty,) = [row for row in out.splitlines() if row.strip().startswith("warranty_end_hardware:")]
    assert "no working-day calendar for 2029" in warranty


def test_timers_without_facts_start_only_the_unconditional_ones(capsys):
    out = ok(capsys, "timers", "--pack", "BY", "--event", "AcceptancePassed", "--anchor", "2026-11-02")
    assert "acceptance_filing: due 2026-12-02" in out
    assert "self_evaluation" not in out


def test_timers_for_an_event_that_starts_none(capsys):
    out = ok(capsys, "timers", "--pack", "BY", "--event", "NoSuchEvent", "--anchor", "2026-11-02")
    assert "no timer" in out
