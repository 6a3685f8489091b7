"""Every endpoint of every service, tried by every role, by the owning unit and by another unit.

Exactly the allowed calls get past access control; no object of unit B is readable or
changeable by unit A's people; auditors read everything and change nothing; a call without a
token is 401. The table must list every route the services publish, so a new endpoint fails
this test until someone decides who may use it.
"""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest

from tests.integration.harness import (
    ADMIN,
    ASSET_CATALOGUE,
    AUDITOR,
    Actor,
    BUREAU,
    EXPERT,
    FINANCE,
    KNOWN_DOCUMENTS,
    PLAN_DOCUMENTS,
    applicant,
    eventually,
    leader,
)

pytestmark = pytest.mark.integration

A, B = f"U-A{uuid.uuid4().hex[:6]}", f"U-B{uuid.uuid4().hex[:6]}"
ACTORS: dict[str, Actor | None] = {
    "a_applicant": applicant(A), "a_leader": leader(A), "b_applicant": applicant(B), "b_leader": leader(B),
    "bureau": BUREAU, "expert": EXPERT, "finance": FINANCE, "auditor": AUDITOR, "admin": ADMIN, "nobody": None,
}
EVERYONE = set(ACTORS)
OWN_UNIT = {"a_applicant", "a_leader"}
READERS = {"auditor"}
OPS_READ = {"admin", "auditor"}
MATRIX_DOCUMENT = {"role": "other", "document": {"name": "矩阵测试.pdf", "sm3": "0" * 64}}

# (service, method, route template) → who gets past access control
MATRIX: dict[tuple[str, str, str], set[str]] = {
    ("intake", "POST", "/declarations"): OWN_UNIT,
    ("intake", "POST", "/filings"): OWN_UNIT,
    ("intake", "GET", "/units/{unit_id}/standing"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("intake", "POST", "/units/{unit_id}/plans"): OWN_UNIT,
    ("intake", "POST", "/batches"): {"bureau", "admin"},
    ("intake", "GET", "/standing"): {"bureau", "finance", "admin"} | READERS,
    ("intake", "GET", "/declarations"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("intake", "GET", "/declarations/{project_id}"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("intake", "POST", "/declarations/{project_id}/resubmissions"): OWN_UNIT,
    ("intake", "POST", "/declarations/{project_id}/schemes"): OWN_UNIT,
    ("intake", "POST", "/declarations/{project_id}/micro-filing"): OWN_UNIT,
    ("intake", "POST", "/declarations/{project_id}/scheme-filing"): OWN_UNIT,
    ("intake", "POST", "/declarations/{project_id}/fund-application"): OWN_UNIT,
    ("intake", "GET", "/project-library"): {"bureau", "finance", "admin"} | READERS,
    ("intake", "GET", "/asset-census"): {"bureau", "admin"} | READERS,
    ("intake", "GET", "/batches"): OWN_UNIT | {"b_applicant", "b_leader", "bureau", "admin"} | READERS,
    ("intake", "GET", "/units/{unit_id}/plans"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("intake", "POST", "/units"): {"bureau", "admin"},
    ("intake", "GET", "/units/{unit_id}"): OWN_UNIT | {"bureau", "finance", "admin"} | READERS,
    ("intake", "PUT", "/units/{unit_id}/chief-data-officer"): {"a_leader", "admin"},
    ("intake", "POST", "/units/{unit_id}/documents"): OWN_UNIT,
    ("intake", "GET", "/units/{unit_id}/documents"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("intake", "GET", "/units/{unit_id}/documents/{document_id}/content"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("review", "GET", "/cases"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("review", "GET", "/cases/{project_id}"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("review", "POST", "/cases/{project_id}/opinions"): {"bureau"},
    ("review", "PUT", "/cases/{project_id}/priority"): {"bureau"},
    ("review", "POST", "/cases/{project_id}/approval"): {"bureau"},
    ("review", "GET", "/cases/{project_id}/approval"): OWN_UNIT | {"bureau", "finance", "admin"} | READERS,
    ("review", "POST", "/cases/{project_id}/fund-application"): {"bureau"},
    ("review", "GET", "/cases/{project_id}/co-reviews"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("review", "POST", "/cases/{project_id}/co-reviews"): {"bureau"},
    ("review", "POST", "/cases/{project_id}/co-reviews/{body_key}/opinion"): {"bureau"},
    ("review", "POST", "/cases/{project_id}/scheme-changes"): OWN_UNIT,
    ("review", "GET", "/cases/{project_id}/scheme-changes"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("review", "POST", "/cases/{project_id}/scheme-changes/{change_id}/decision"): {"bureau"},
    ("review", "POST", "/annual-lists"): {"bureau"},
    ("review", "GET", "/annual-lists"): {"bureau", "finance", "admin"} | READERS,
    ("review", "POST", "/experts"): {"bureau", "admin"},
    ("review", "GET", "/experts"): {"bureau", "admin"} | READERS,
    ("review", "POST", "/cases/{project_id}/meetings"): {"bureau"},
    ("review", "GET", "/cases/{project_id}/meetings"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("review", "GET", "/meetings/{meeting_id}"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("review", "POST", "/meetings/{meeting_id}/draw"): {"bureau"},
    ("review", "POST", "/meetings/{meeting_id}/declines"): {"bureau"},
    ("review", "POST", "/meetings/{meeting_id}/opinions"): {"expert"},
    ("review", "GET", "/meetings/{meeting_id}/opinions"): {"bureau", "admin"} | READERS,
    ("review", "GET", "/experts/me/meetings"): {"expert"} | READERS,
    ("procurement", "GET", "/projects/{project_id}/holds"): OWN_UNIT | {"bureau", "finance", "admin"} | READERS,
    ("procurement", "GET", "/holds"): OWN_UNIT | {"bureau", "finance", "admin"} | READERS,
    ("procurement", "GET", "/projects/{project_id}/terminations"): OWN_UNIT | {"bureau", "finance", "admin"} | READERS,
    ("procurement", "POST", "/projects/{project_id}/terminations"): OWN_UNIT,
    ("procurement", "GET", "/projects/{project_id}"): OWN_UNIT | {"bureau", "finance", "admin"} | READERS,
    ("procurement", "POST", "/projects/{project_id}/requirement-filings"): OWN_UNIT,
    ("procurement", "POST", "/projects/{project_id}/contracts"): OWN_UNIT,
    ("procurement", "GET", "/projects/{project_id}/contracts"): OWN_UNIT | {"bureau", "finance", "admin"} | READERS,
    ("procurement", "POST", "/projects/{project_id}/changes"): OWN_UNIT,
    ("procurement", "GET", "/projects/{project_id}/changes"): OWN_UNIT | {"bureau", "finance", "admin"} | READERS,
    ("procurement", "POST", "/projects/{project_id}/changes/{change_id}/decision"): {"bureau"},
    ("procurement", "POST", "/projects/{project_id}/progress-reports"): OWN_UNIT,
    ("procurement", "POST", "/projects/{project_id}/incidents"): OWN_UNIT,
    ("procurement", "POST", "/projects/{project_id}/final-accounts"): OWN_UNIT,
    ("procurement", "POST", "/payment-clearances"): {"finance"},
    ("procurement", "GET", "/projects/{project_id}/payment-clearances"): {"bureau", "finance", "admin"} | READERS,
    ("acceptance", "POST", "/projects/{project_id}/final-reviews"): OWN_UNIT | {"bureau"},
    ("acceptance", "GET", "/projects/{project_id}/final-reviews"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("acceptance", "GET", "/projects/{project_id}/acceptance"): OWN_UNIT | {"bureau", "finance", "admin"} | READERS,
    ("acceptance", "POST", "/projects/{project_id}/completion"): OWN_UNIT,
    ("acceptance", "POST", "/projects/{project_id}/acceptance-applications"): OWN_UNIT,
    ("acceptance", "POST", "/projects/{project_id}/operation-start"): OWN_UNIT,
    ("acceptance", "POST", "/projects/{project_id}/initial-acceptances"): OWN_UNIT | {"bureau"},
    ("acceptance", "POST", "/projects/{project_id}/initial-acceptance-filing"): OWN_UNIT,
    ("acceptance", "POST", "/projects/{project_id}/data-aggregation"): OWN_UNIT,
    ("acceptance", "POST", "/projects/{project_id}/evidence"): OWN_UNIT,
    ("acceptance", "POST", "/projects/{project_id}/monitoring-reports"): OWN_UNIT,
    ("acceptance", "POST", "/projects/{project_id}/compliance-requests"): OWN_UNIT,
    ("acceptance", "POST", "/projects/{project_id}/compliance-opinion"): {"bureau"},
    ("acceptance", "POST", "/projects/{project_id}/deferrals"): {"bureau"},
    ("acceptance", "POST", "/projects/{project_id}/acceptance-filings"): OWN_UNIT,
    ("acceptance", "POST", "/projects/{project_id}/acceptance-filings/review"): {"bureau"},
    ("acceptance", "POST", "/projects/{project_id}/evaluations"): OWN_UNIT | {"bureau"},
    ("acceptance", "GET", "/projects/{project_id}/evaluations"): OWN_UNIT | {"bureau", "finance", "admin"} | READERS,
    ("acceptance", "POST", "/projects/{project_id}/evaluations/{evaluation_id}/rectification"): {"bureau"},
    ("acceptance", "POST", "/findings"): {"bureau", "admin"},
    ("acceptance", "GET", "/units/{unit_id}/findings"): OWN_UNIT | {"bureau", "finance", "admin"} | READERS,
    ("acceptance", "POST", "/findings/{finding_id}/rectification"): {"bureau", "admin"},
    ("notify", "GET", "/units/{unit_id}/notifications"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("notify", "GET", "/units/{unit_id}/deadlines"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("notify", "GET", "/units/{unit_id}/deadlines.ics"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("notify", "POST", "/units/{unit_id}/notifications/{notification_id}/read"): OWN_UNIT,
    ("notify", "GET", "/bureau/notifications"): {"bureau", "admin"} | READERS,
    ("notify", "POST", "/units/{unit_id}/channels"): {"a_leader", "admin"},
    ("notify", "GET", "/units/{unit_id}/channels"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("notify", "GET", "/units/{unit_id}/deliveries"): OWN_UNIT | {"bureau", "admin"} | READERS,
    ("notify", "GET", "/bureau/assessment"): {"bureau", "admin"} | READERS,
    ("notify", "GET", "/bureau/assessment.csv"): {"bureau", "admin"} | READERS,
    ("notify", "GET", "/projects/{project_id}/deadlines"): OWN_UNIT | {"bureau", "admin"} | READERS,
}
for service in ("intake", "review", "procurement", "acceptance", "notify"):
    MATRIX |= {
        (service, "GET", "/healthz"): EVERYONE, (service, "GET", "/readyz"): EVERYONE,
        (service, "GET", "/metrics"): EVERYONE,
        (service, "GET", "/ops/outbox"): OPS_READ, (service, "GET", "/ops/consumers"): OPS_READ,
        (service, "GET", "/ops/parked"): OPS_READ, (service, "GET", "/ops/parked/{parked_id}"): OPS_READ,
        (service, "POST", "/ops/parked/{parked_id}/replay"): {"admin"},
        (service, "GET", "/ops/clock"): OPS_READ, (service, "POST", "/ops/clock/advance"): {"admin"},
        (service, "GET", "/audit/verify"): OPS_READ, (service, "GET", "/audit/records"): OPS_READ | OWN_UNIT | {"bureau"},
    }


def request_for(method: str, route: str, project_id: str, document_id: str, meeting_id: str) -> tuple[str, dict, object]:
    """A concrete call on unit A's objects; bodies are valid or harmless (the clock is not moved)."""
    path = route.format(unit_id=A, project_id=project_id, parked_id=999_999_999, document_id=document_id, meeting_id=meeting_id,
                        body_key="video_office", change_id="00000000-0000-0000-0000-000000000000",
                        evaluation_id="00000000-0000-0000-0000-000000000000", finding_id="00000000-0000-0000-0000-000000000000",
                        notification_id="00000000-0000-0000-0000-000000000000")
    params: dict = {"unit_id": A} if route in ("/cases", "/holds", "/declarations", "/audit/records") and method == "GET" else {}
    if route.startswith("/bureau/assessment"):
        params = {"year": 2026}
    body: object = None
    if route in ("/declarations", "/filings"):
        body = {"unit_id": A, "project_name": "访问控制测试项目", "declared_amount_yuan": 100_000,
                "project_class": "build_develop", "documents": PLAN_DOCUMENTS}
    elif route.endswith("/final-reviews") and method == "POST":
        body = {"unit_id": A, "result": "failed", "concluded_on": "2026-11-02", "reasons": ["矩阵测试"]}
    elif route == "/units/{unit_id}/plans" and method == "POST":
        body = {"kind": "asset_catalogue", "document": ASSET_CATALOGUE}
    elif route == "/units" and method == "POST":
        body = {"unit_id": A, "name": "已登记单位", "level": "first_level"}  # already registered: 409 past access control
    elif route.endswith("/chief-data-officer"):
        body = {"name": "张三", "title": "副局长", "appointed_on": "2026-01-05"}
    elif route.endswith("/documents") and method == "POST":
        body = {"name": "矩阵测试.txt", "media_type": "text/plain", "content_base64": "5rWL6K+V"}
    elif route == "/batches" and method == "POST":
        body = {"plan_year": 2020, "title": "访问控制测试批次", "notice_issued_on": "2019-11-04"}  # long closed
    elif route.endswith("/scheme-filing"):
        body = {"document": PLAN_DOCUMENTS[0]["document"]}
    elif route.endswith("/fund-application"):
        body = {"amount_yuan": 1, "document": PLAN_DOCUMENTS[0]["document"]}  # BY asks no fund application: 409
    elif route.endswith("/schemes") or route.endswith("/micro-filing"):
        body = {"estimate_yuan": 100_000}
    elif route == "/experts" and method == "POST":
        body = {"expert_id": "X-MATRIX", "username": "expert.matrix", "name": "矩阵专家", "employer": "矩阵大学",
                "fields": ["电子政务"], "pools": ["白云区信息化专家库"]}  # 201 once, then 409: both past access control
    elif route.endswith("/meetings") and method == "POST":
        body = {"pool": "白云区信息化专家库", "size": 25, "starts_at": "2032-01-05T09:00:00+08:00", "ends_at": "2032-01-05T12:00:00+08:00"}
    elif route.endswith("/scheme-changes") and method == "POST":
        body = {"reason": "矩阵测试", "substantive": False}  # no expert review passed yet: 409
    elif route.endswith("/changes/{change_id}/decision"):
        body = {"approved": True}  # the matrix project is not approved: 409
    elif route.endswith("/decision"):
        body = {"consent": True}  # no such change: 404
    elif route.endswith("/requirement-filings"):
        body = {"procurement_budget_yuan": 1, "matches_scheme": True, "documents": [MATRIX_DOCUMENT]}  # not approved: 409
    elif route.endswith("/contracts") and method == "POST":
        body = {"supplier": {"supplier_id": "91440111MATRIX0001", "name": "矩阵供应商"}, "supplier_role": "builder",
                "title": "矩阵合同", "amount_yuan": 1, "signed_on": "2026-11-02",
                "term": {"starts_on": "2026-11-02", "ends_on": "2026-12-31"}}
    elif route.endswith("/changes") and method == "POST":
        body = {"stage": "implementation", "lines": [{"kind": "cancel", "amount_yuan": 1, "item": "矩阵"}], "reason": "矩阵测试"}
    elif route.endswith("/terminations") and method == "POST":
        body = {"ground": "policy_change", "note": "矩阵测试", "documents": [MATRIX_DOCUMENT]}
    elif route.endswith("/channels") and method == "POST":
        body = {"kind": "email", "address": "not-an-address"}  # refused by validation: who may ask is all this checks
    elif route.endswith("/final-accounts"):
        body = {"final_amount_yuan": 1, "report": MATRIX_DOCUMENT["document"]}
    elif route.endswith("/incidents"):
        body = {"kind": "serious_delay", "description": "矩阵测试"}
    elif route.endswith("/progress-reports"):
        body = {"period_end": "2026-11-02", "schedule_status": "on_schedule", "milestones_due": 1, "milestones_done": 1}
    elif route == "/findings":
        body = {"unit_id": B, "kind": "quality", "severity": "general", "authority": "data_bureau", "description": "矩阵测试",
                "rule_ids": ["BY-5.1"]}  # another unit than the one the matrix reads
    elif route.endswith("/rectification"):
        body = {"completed_on": "2026-11-02"}  # no such finding or evaluation: 404
    elif route.endswith("/completion"):
        body = {"completed_on": "2026-11-02"}  # not a project acceptance followed from approval: 404
    elif route.endswith("/operation-start"):
        body = {"started_on": "2026-11-02"}  # not followed from approval: 404
    elif route.endswith("/acceptance-applications"):
        body = {"documents": [MATRIX_DOCUMENT]}  # not followed from approval: 404
    elif route.endswith("/evaluations") and method == "POST":
        body = {"kind": "self", "completed_on": "2026-11-02", "report": MATRIX_DOCUMENT["document"]}
    elif route.endswith("/compliance-opinion"):
        body = {"consent": True}
    elif route.endswith("/deferrals"):
        body = {"months": 1, "reason": "矩阵测试"}
    elif route == "/payment-clearances":
        body = {"request_id": f"mx-{uuid.uuid4().hex}", "project_id": project_id, "milestone": "advance", "amount_fen": 1}
    elif route == "/annual-lists" and method == "POST":
        body = {"year": 2027, "project_ids": [project_id], "approved_on": "2026-12-20", "document_number": "矩阵测试"}  # BY: 409
    elif route.endswith("/co-reviews") and method == "POST":
        body = {"topics": ["public_video"]}
    elif route.endswith("/co-reviews/{body_key}/opinion"):
        body = {"result": "agreed"}  # asked just above, answered once: 201, then 409
    elif route.endswith("/opinions") and route.startswith("/meetings"):
        body = {"recommendation": "pass", "opinion": "方案可行，建议按计划实施。"}
    elif route.endswith("/declines"):
        body = {"expert_id": "X-NOBODY", "reason": "矩阵测试"}  # holds no seat: 409
    elif route.endswith("/priority"):
        body = {"priority": "high", "reason": "矩阵测试"}
    elif route.endswith("/opinions"):
        body = {"stage": "plan_review", "round": 9, "result": "passed", "amount_yuan": 1}  # round 9 is not open: 409
    elif route.endswith("/approval") and method == "POST":
        body = {"approved_amount_yuan": 1, "document_number": "矩阵测试"}  # not at approval: 409
    elif route.endswith("/resubmissions"):
        body = {"adjustment_note": "按意见修改"}
    elif route == "/ops/clock/advance":
        body = {"days": -1}  # refused by validation: who may ask is all this checks
    return path, params, body


@pytest.fixture(scope="module")
async def owned_project(platform, issuer, open_batch):
    """Unit A's projects: one intake declared, one acceptance and procurement know (a DY failure leaves a hold)."""
    project_id = f"P-MX-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=platform["intake"].url, timeout=15) as client:
        bureau = {"authorization": f"Bearer {issuer.token(subject='setup', roles=['bureau_reviewer'])}"}
        registered = await client.post("/units", headers=bureau, json={"unit_id": A, "name": "矩阵单位", "level": "first_level"})
        assert registered.status_code == 201, registered.text
        headers = {"authorization": f"Bearer {issuer.token(subject='setup', roles=['unit_leader'], unit_id=A)}"}
        for reference in [ASSET_CATALOGUE] + [d["document"] for d in PLAN_DOCUMENTS]:
            name, data = KNOWN_DOCUMENTS[reference["sm3"]]
            uploaded = await client.post(f"/units/{A}/documents", headers=headers,
                                         json={"name": name, "content_base64": base64.b64encode(data).decode()})
            assert uploaded.status_code in (200, 201), uploaded.text
        document_id = uploaded.json()["document_id"]
        filed = await client.post(f"/units/{A}/plans", headers=headers, json={"kind": "asset_catalogue", "document": ASSET_CATALOGUE})
        assert filed.status_code == 201, filed.text
        declared = await client.post("/declarations", headers=headers, json={
            "unit_id": A, "project_name": "访问控制矩阵项目", "declared_amount_yuan": 1_000_000, "project_class": "build_develop",
            "documents": PLAN_DOCUMENTS})
        assert declared.status_code == 201, declared.text
        declared_id = declared.json()["project_id"]
    async with httpx.AsyncClient(base_url=platform["acceptance"].url, timeout=15) as client:
        token = issuer.token(subject="setup", roles=["unit_leader"], unit_id=A)
        response = await client.post(f"/projects/{project_id}/final-reviews", headers={"authorization": f"Bearer {token}"},
                                     json={"unit_id": A, "result": "failed", "concluded_on": "2026-11-02", "pack_id": "DY",
                                           "reasons": ["矩阵测试"]})
        assert response.status_code == 201, response.text
    async with httpx.AsyncClient(base_url=platform["procurement"].url, timeout=15) as client:
        token = issuer.token(subject="setup", roles=["finance_officer"])

        async def held():
            rows = (await client.get(f"/projects/{project_id}/holds", headers={"authorization": f"Bearer {token}"})).json()
            return rows or None
        await eventually(held, what="DY-24 hold for the matrix project")
    async with httpx.AsyncClient(base_url=platform["review"].url, timeout=15) as client:
        token = issuer.token(subject="setup", roles=["bureau_reviewer"])

        async def case_opened():
            response = await client.get(f"/cases/{declared_id}", headers={"authorization": f"Bearer {token}"})
            return response.status_code == 200 or None
        await eventually(case_opened, what="review case of the matrix declaration")
        meeting = await client.post(f"/cases/{declared_id}/meetings", headers={"authorization": f"Bearer {token}"},
                                    json={"pool": "白云区信息化专家库", "size": 25, "starts_at": "2032-01-05T09:00:00+08:00",
                                          "ends_at": "2032-01-05T12:00:00+08:00"})
        assert meeting.status_code == 201, meeting.text
    return {"intake": declared_id, "other": project_id, "document_id": document_id, "meeting_id": meeting.json()["meeting_id"]}


def published_routes(platform) -> set[tuple[str, str, str]]:
    routes = set()
    for service, process in platform.items():
        spec = httpx.get(f"{process.url}/openapi.json", timeout=15).json()
        for path, operations in spec["paths"].items():
            routes |= {(service, method.upper(), path) for method in operations}
    return routes


def test_the_matrix_lists_every_published_route(platform):
    assert published_routes(platform) == set(MATRIX)


@pytest.mark.parametrize("endpoint", sorted(MATRIX), ids=lambda e: f"{e[0]} {e[1]} {e[2]}")
async def test_exactly_the_allowed_calls_pass(api, platform, owned_project, endpoint):
    service, method, route = endpoint
    path, params, body = request_for(method, route, owned_project["intake" if service in ("intake", "review") else "other"],
                                     owned_project["document_id"], owned_project["meeting_id"])
    outcomes = {}
    async with httpx.AsyncClient(base_url=platform[service].url, timeout=15) as client:
        for name, actor in ACTORS.items():
            headers = api[service].headers(actor) if actor else {}
            response = await client.request(method, path, params=params, json=body, headers=headers)
            outcomes[name] = response.status_code
    allowed = MATRIX[endpoint]
    for name, status in outcomes.items():
        if name in allowed:
            assert status not in (401, 403), f"{name} should pass {method} {path}: {status}"
        elif name == "nobody":
            assert status == 401, f"no token must be 401 on {method} {path}: {status}"
        else:
            assert status == 403, f"{name} must be refused {method} {path}: {status}"


async def test_a_unit_person_must_name_their_own_unit_in_lists(api):
    assert (await api["procurement"].get("/holds", as_=leader(A), unit_id=B)).status_code == 403
    assert (await api["review"].get("/cases", as_=leader(A))).status_code == 403
    assert (await api["procurement"].get("/holds", as_=FINANCE, unit_id=B)).status_code == 200
    assert (await api["procurement"].get("/holds", as_=leader(A))).status_code == 403
    assert (await api["procurement"].get("/holds", as_=FINANCE)).status_code == 200  # every unit's, for finance
    assert (await api["intake"].get("/declarations", as_=leader(A))).status_code == 403
    assert (await api["intake"].get("/audit/records", as_=leader(A))).status_code == 403
    assert (await api["intake"].get("/audit/records", as_=leader(A), unit_id=B)).status_code == 403
