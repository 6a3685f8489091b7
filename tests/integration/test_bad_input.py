"""Bad input gets a 4xx that names the field (and the rule where one applies), and changes nothing."""

from __future__ import annotations

import pytest

from tests.integration.harness import BUREAU, PLAN_DOCUMENTS, applicant, leader

pytestmark = pytest.mark.integration

OUTBOX = "SELECT count(*) FROM outbox"


@pytest.mark.parametrize(
    ("amount", "error_type"),
    [("1200000", "int_type"), (1200000.5, "int_type"), (-5, "greater_than"), (0, "greater_than"),
     (10**15, "less_than_equal"), (None, "int_type")],
)
async def test_a_declaration_with_a_bad_amount_is_refused_naming_the_field(api, dbs, unit_id, amount, error_type):
    declarations, outbox = await dbs["intake"].value("SELECT count(*) FROM declaration"), await dbs["intake"].value(OUTBOX)
    response = await api["intake"].post("/declarations", {"unit_id": unit_id, "project_name": "数据共享平台", "declared_amount_yuan": amount,
                                                                "project_class": "build_develop", "documents": PLAN_DOCUMENTS},
                                        as_=applicant(unit_id))
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "declared_amount_yuan" and body["fields"][0]["type"] == error_type
    assert "declared_amount_yuan" in body["message"] and "declared_amount_yuan" in body["message_zh"]
    assert await dbs["intake"].value("SELECT count(*) FROM declaration") == declarations
    assert await dbs["intake"].value(OUTBOX) == outbox


async def test_a_declaration_missing_a_field_names_it(api, unit_id):
    response = await api["intake"].post("/declarations", {"unit_id": unit_id, "declared_amount_yuan": 100, "project_class": "service",
                                                          "documents": PLAN_DOCUMENTS}, as_=applicant(unit_id))
    assert response.status_code == 422 and response.json()["field"] == "project_name"
    assert "必填" in response.json()["message_zh"]


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"result": "maybe"}, "result", None),
        ({"concluded_on": "2026-13-40"}, "concluded_on", None),
        ({"concluded_on": "2099-01-01"}, "concluded_on", None),
        ({"reasons": []}, "reasons", "BY-47.3a"),
        ({"pack_id": "XX"}, "pack_id", None),
        ({"unit_id": "单位 1"}, "unit_id", None),
        ({"surprise": 1}, "surprise", None),
    ],
)
async def test_a_bad_final_review_is_refused_and_records_nothing(api, dbs, unit_id, project_id, change, field, rule):
    before = await dbs["acceptance"].value("SELECT count(*) FROM final_review"), await dbs["acceptance"].value(OUTBOX)
    body = {"unit_id": unit_id, "result": "failed", "concluded_on": "2026-11-02", "reasons": ["缺少等保测评报告"], **change}
    response = await api["acceptance"].post(f"/projects/{project_id}/final-reviews", body, as_=leader(unit_id))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    if rule:
        assert response.json()["rule_ids"] == [rule]
    assert (await dbs["acceptance"].value("SELECT count(*) FROM final_review"), await dbs["acceptance"].value(OUTBOX)) == before
    assert await dbs["acceptance"].value("SELECT count(*) FROM acceptance_case WHERE project_id = $1", project_id) == 0


async def test_a_review_under_another_unit_is_refused(api, dbs, unit_id, project_id):
    first = await api["acceptance"].post(f"/projects/{project_id}/final-reviews",
                                         {"unit_id": unit_id, "result": "failed", "concluded_on": "2026-11-02", "reasons": ["x"]},
                                         as_=leader(unit_id))
    assert first.status_code == 201
    # the unit's own people cannot act for another unit at all …
    foreign = await api["acceptance"].post(f"/projects/{project_id}/final-reviews",
                                           {"unit_id": "U-other", "result": "passed", "concluded_on": "2026-11-10"},
                                           as_=leader("U-other"))
    assert foreign.status_code == 403
    # … and the bureau, which may, is told the project belongs to another unit
    other = await api["acceptance"].post(f"/projects/{project_id}/final-reviews",
                                         {"unit_id": "U-other", "result": "passed", "concluded_on": "2026-11-10"}, as_=BUREAU)
    assert other.status_code == 422 and other.json()["field"] == "unit_id"
    assert await dbs["acceptance"].value(
        "SELECT count(*) FROM final_review r JOIN acceptance_case c ON c.id = r.case_id WHERE c.project_id = $1", project_id) == 1


@pytest.mark.parametrize(("extra", "rule", "field"), [
    ({"exclusions": ["state_secret"]}, "BY-2", "exclusions"),
    ({"exclusions": ["emergency"]}, "BY-60", "exclusions"),
    ({"funding_source": "self_raised"}, "BY-3", "funding_source"),
])
async def test_a_project_outside_the_pack_is_refused_with_its_rule_and_nothing_is_kept(api, dbs, unit_id, extra, rule, field):
    body = {"unit_id": unit_id, "project_name": "涉密网络改造", "declared_amount_yuan": 900_000, "project_class": "build_develop",
            "documents": PLAN_DOCUMENTS, **extra}
    for route in ("/declarations", "/filings"):
        response = await api["intake"].post(route, body, as_=applicant(unit_id))
        assert response.status_code == 409 and rule in response.json()["rule_ids"] and response.json()["field"] == field
    assert await dbs["intake"].value("SELECT count(*) FROM declaration WHERE unit_id = $1", unit_id) == 0


async def test_by_19_1a_a_micro_project_is_not_filed_before_its_plan_review(api, unit_id):
    body = {"unit_id": unit_id, "project_name": "会议室显示屏采购", "declared_amount_yuan": 300_000, "project_class": "build_develop",
            "documents": PLAN_DOCUMENTS}
    refused = await api["intake"].post("/filings", body, as_=applicant(unit_id))
    assert refused.status_code == 409 and "BY-19.1a" in refused.json()["rule_ids"] and "/declarations" in refused.json()["message"]
    assert (await api["intake"].post("/declarations", body, as_=applicant(unit_id))).status_code == 201


async def test_a_document_a_browser_would_run_is_refused_and_a_stored_one_is_served_as_an_attachment(api, dbs, new_unit_id):
    """Found by fuzzing: any ``type/subtype`` was stored and served back with it, so an HTML upload
    would have opened as a page in a reviewer's browser."""
    before = await dbs["intake"].value("SELECT count(*) FROM document")
    refused = await api["intake"].post(f"/units/{new_unit_id}/documents", {
        "name": "通知.html", "media_type": "text/html", "content_base64": "PHNjcmlwdD4="}, as_=applicant(new_unit_id))
    assert refused.status_code == 422 and refused.json()["field"] == "media_type", refused.text
    assert await dbs["intake"].value("SELECT count(*) FROM document") == before
    stored = await api["intake"].post(f"/units/{new_unit_id}/documents", {
        "name": "可研报告 v2.pdf", "media_type": "application/pdf", "content_base64": "JVBERi0="}, as_=applicant(new_unit_id))
    assert stored.status_code == 201, stored.text
    served = await api["intake"].get(f"/units/{new_unit_id}/documents/{stored.json()['document_id']}/content",
                                     as_=applicant(new_unit_id))
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == "attachment; filename*=UTF-8''%E5%8F%AF%E7%A0%94%E6%8A%A5%E5%91%8A%20v2.pdf"


async def test_a_day_given_as_a_number_is_refused_naming_the_field(api, dbs, new_unit_id):
    """Found by fuzzing: ``"appointed_on": 0`` was kept as 1970-01-01."""
    response = await api["intake"].put(f"/units/{new_unit_id}/chief-data-officer",
                                       {"name": "王芳", "title": "副主任", "appointed_on": 0}, as_=leader(new_unit_id))
    assert response.status_code == 422 and response.json()["field"] == "appointed_on", response.text
    assert "不接受数字" in response.json()["message_zh"]
    unit = await api["intake"].get(f"/units/{new_unit_id}", as_=BUREAU)
    assert unit.json()["chief_data_officer"] is None
