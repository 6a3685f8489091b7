"""The pieces of ``govit fuzz`` that decide what is sent and what counts as a finding."""

from __future__ import annotations

from pathlib import Path

from devstack.fuzz import SKIPPED_CHECKS, _ids_in, schemathesis_command
from devstack.fuzzing import ACCESS, NOT_FUZZED, error_body_problems

REFUSAL = {"error": "refused", "message": "amount: over the plan", "message_zh": "超出计划金额", "rule_ids": ["BY-17.2"]}


def test_the_ids_an_answer_shows_are_collected_at_any_depth():
    answer = [{"project_id": "P-1", "unit_id": "U-1", "blocks": [{"block_id": "b-1", "cause": {"event_id": "e-1"}}],
               "approved": True, "amount_id_like": 5, "flag_id": False}]
    assert sorted(_ids_in(answer)) == [("block_id", "b-1"), ("event_id", "e-1"), ("project_id", "P-1"), ("unit_id", "U-1")]


def test_the_run_uses_every_phase_and_check_but_the_two_that_do_not_fit_and_leaves_the_clock_alone():
    command = schemathesis_command("http://127.0.0.1:8001", 600, Path("/reports"), 7, 2)
    assert command[command.index("--phases") + 1] == "examples,coverage,fuzzing,stateful"
    assert command[command.index("--checks") + 1] == "all"
    assert set(command[command.index("--exclude-checks") + 1].split(",")) == set(SKIPPED_CHECKS)
    assert [command[i + 1] for i, part in enumerate(command) if part == "--exclude-path"] == [path for _, path in NOT_FUZZED]
    assert command[command.index("--max-time") + 1] == "600" and command[command.index("--seed") + 1] == "7"


def test_every_service_route_has_the_access_rule_that_picks_its_token():
    assert all(("GET", "/healthz") in rules for rules in ACCESS.values())
    assert ("POST", "/declarations") in ACCESS["intake"]


def test_a_refusal_is_the_platform_error_body_and_anything_else_is_named():
    assert error_body_problems(409, REFUSAL) is None
    assert error_body_problems(409, {**REFUSAL, "details": {"problems": []}}) is None
    assert "rule_ids" in error_body_problems(409, {k: v for k, v in REFUSAL.items() if k != "rule_ids"})
    assert "['error', 'message', 'message_zh', 'rule_ids']" in error_body_problems(404, {"detail": "Not Found"})
    assert error_body_problems(400, "Bad Request") is not None
