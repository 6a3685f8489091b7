"""A service's refusal becomes something a page can show: the message in the person's language,
each field's problem with its rule, each block's cause and what lifts it; a failure never
shows its internals."""

from __future__ import annotations

import httpx

from portal.backend import ServiceError


def response(status: int, body) -> httpx.Response:  # type: ignore[no-untyped-def]
    return httpx.Response(status, json=body) if not isinstance(body, str) else httpx.Response(status, text=body)


def test_a_blocked_declaration_lists_each_block_with_its_cause_and_lift():
    error = ServiceError.from_response("intake", response(409, {
        "error": "declaration_refused", "message": "The unit may not declare", "message_zh": "该单位不得申报此项目",
        "rule_ids": ["BY-22.8"], "details": {"violations": [{
            "rule_ids": ["BY-22.8"], "message": "an upgrade of a failed project", "message_zh": "其升级改造项目不予立项",
            "cause": {"event_type": "AcceptanceFailed", "project_id": "P-1", "placed_at": "2026-11-02T10:00:00+08:00"},
            "lifted_by": "P-1 passing", "lifted_by_zh": "项目 P-1 通过终验"}]}}))
    assert error.status == 409 and error.message("zh") == "该单位不得申报此项目" and error.rule_ids == ("BY-22.8",)
    (issue,) = error.issues
    assert issue.cause == "AcceptanceFailed · P-1 · 2026-11-02" and issue.lifted_by("zh") == "项目 P-1 通过终验"


def test_field_problems_are_grouped_by_the_form_field_they_name():
    error = ServiceError.from_response("procurement", response(422, {
        "error": "refused", "message": "amount_yuan: over", "message_zh": "超过批复金额", "field": "amount_yuan",
        "rule_ids": ["BY-17.2b"], "details": {"problems": [
            {"field": "amount_yuan", "message": "over the approval", "message_zh": "超过批复金额", "rule_ids": ["BY-17.2b"]},
            {"field": "documents.1.document", "message": "missing", "message_zh": "缺少保密协议", "rule_ids": ["BY-26b"]}]}}))
    grouped = error.field_issues()
    assert [i.rule_ids for i in grouped["amount_yuan"]] == [("BY-17.2b",)]
    assert grouped["documents"][0].message("zh") == "缺少保密协议"


def test_a_single_refusal_without_details_is_its_own_issue():
    error = ServiceError.from_response("review", response(409, {"error": "x", "message": "round 1 is closed",
                                                                "message_zh": "第1轮已结束", "field": "round", "rule_ids": []}))
    assert error.field_issues()["round"][0].message("en") == "round 1 is closed"


def test_a_server_failure_says_which_service_and_nothing_of_its_internals():
    error = ServiceError.from_response("acceptance", response(500, "Traceback (most recent call last): secret"))
    assert error.status == 500 and "验收与评价服务出错" in error.message("zh")
    assert "Traceback" not in error.message("zh") + error.message("en")
    down = ServiceError.unreachable("notify", "ConnectError")
    assert down.status == 503 and "通知服务暂时无法访问" in down.message("zh")
