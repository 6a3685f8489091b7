"""The portal's pages: sign-in, the unit workspace, the reviewer desk, the expert view, finance,
the bureau dashboard, a project's page and its timeline, and the forms behind them."""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from policy.packs import get_pack

from portal import forms as form_specs
from portal import i18n
from portal.backend import Backend, ServiceError
from portal.dashboard import dashboard_rows, workbook
from portal.oidc import LoginRequest, OidcClient, SignInError
from portal.session import LANG_COOKIE, LANGUAGES, Session
from portal.web import NotAllowed, Viewer, days_left, render, store, today, viewer

router = APIRouter()
ViewerDep = Annotated[Viewer, Depends(viewer)]


def backend(request: Request) -> Backend:
    return request.app.state.backend


def _safe_next(target: str | None) -> str:
    # Only a path on this site: an open redirect would let a link sign people in elsewhere.
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


# ---------------------------------------------------------------- sign-in


@router.get("/login")
async def login(request: Request, next: str | None = None) -> Response:
    oidc: OidcClient = request.app.state.oidc
    attempt = LoginRequest.new()
    try:
        target = await oidc.authorization_url(attempt)
    except SignInError as exc:
        lang = request.cookies.get(LANG_COOKIE, "zh")
        return render(request, "error.html", lang, 503, title=str(exc), error=None)
    response = RedirectResponse(target, status_code=303)
    store(request.app).save_login(response, {"state": attempt.state, "verifier": attempt.verifier,
                                             "nonce": attempt.nonce, "next": _safe_next(next)})
    return response


@router.get("/auth/callback")
async def callback(request: Request, code: str | None = None, state: str | None = None, error: str | None = None) -> Response:
    sessions = store(request.app)
    pending = sessions.load_login(request)
    lang = request.cookies.get(LANG_COOKIE, "zh")
    if error or not code or pending is None or state != pending.get("state"):
        title = ("登录未完成，请重新登录。" if lang == "zh" else "Sign-in did not complete; please sign in again.")
        return render(request, "error.html", lang, 400, title=title, error=None, retry="/login")
    try:
        tokens = await request.app.state.oidc.exchange(code, LoginRequest(pending["state"], pending["verifier"], pending["nonce"]))
        request.app.state.verifier.verify(tokens.access_token)
    except SignInError as exc:
        return render(request, "error.html", lang, 502, title=str(exc), error=None, retry="/login")
    except Exception:
        title = "身份令牌无效，请重新登录。" if lang == "zh" else "The identity token is not valid; please sign in again."
        return render(request, "error.html", lang, 401, title=title, error=None, retry="/login")
    response = RedirectResponse(pending.get("next") or "/", status_code=303)
    sessions.save(response, Session(token=tokens.access_token, refresh=tokens.refresh_token))
    sessions.clear_login(response)
    return response


@router.post("/logout")
async def logout(request: Request, who: ViewerDep, csrf: Annotated[str, Form()] = "") -> Response:
    _check_csrf(who, csrf)
    settings = request.app.state.settings
    target = await request.app.state.oidc.logout_url(settings.public_url.rstrip("/") + "/") or "/"
    response = RedirectResponse(target, status_code=303)
    store(request.app).clear(response)
    return response


@router.get("/lang/{choice}")
async def switch_language(choice: str, next: str | None = None) -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if choice in LANGUAGES:
        response.set_cookie(LANG_COOKIE, choice, max_age=365 * 86400, samesite="lax", path="/")
    return response


@router.get("/")
async def home(who: ViewerDep) -> Response:
    return RedirectResponse(who.home(), status_code=303)


def _check_csrf(who: Viewer, token: str) -> None:
    if not token or token != who.session.csrf:
        raise NotAllowed


# ---------------------------------------------------------------- unit workspace


def _unit_of(who: Viewer, unit_id: str | None) -> str:
    if who.has("unit_applicant", "unit_leader"):
        if unit_id and unit_id in who.principal.unit_ids | {who.unit_id}:
            return unit_id
        if who.unit_id:
            return who.unit_id
        raise NotAllowed
    if unit_id:
        return unit_id
    raise NotAllowed


def _next_deadlines(request: Request, deadlines: list[dict]) -> dict[str, dict]:
    """The nearest open deadline of each project, with the days left as its rule counts them."""
    calendar = request.app.state.calendar
    nearest: dict[str, dict] = {}
    for item in deadlines:
        if item.get("state") != "open":
            continue
        due = date.fromisoformat(item["due_on"])
        left, unit = days_left(calendar, due, item.get("unit_of_count"))
        entry = {**item, "left": left, "left_unit": unit}
        key = item.get("project_id") or "-"
        if key not in nearest or due < date.fromisoformat(nearest[key]["due_on"]):
            nearest[key] = entry
    return nearest


@router.get("/unit", response_class=HTMLResponse)
async def unit_workspace(request: Request, who: ViewerDep, unit_id: str | None = None) -> Response:
    unit = _unit_of(who, unit_id)
    api = backend(request)
    declarations, cases, standing, deadlines, holds, info = await api.gather(
        api.get("intake", "/declarations", who.token, unit_id=unit),
        api.get("review", "/cases", who.token, unit_id=unit),
        api.get("intake", f"/units/{unit}/standing", who.token),
        api.get("notify", f"/units/{unit}/deadlines", who.token),
        api.get("procurement", "/holds", who.token, unit_id=unit),
        api.maybe("intake", f"/units/{unit}", who.token),
    )
    failures = [value for value in (declarations, cases, standing, deadlines, holds, info) if isinstance(value, ServiceError)]
    ok = lambda value, empty: empty if isinstance(value, ServiceError) or value is None else value  # noqa: E731
    by_case = {case["project_id"]: case for case in ok(cases, [])}
    nearest = _next_deadlines(request, ok(deadlines, []))
    projects = []
    approved = [d["project_id"] for d in ok(declarations, []) if by_case.get(d["project_id"], {}).get("status") == "approved"]
    # After approval the stage is acceptance's to tell: accepted once the final review passed.
    states = dict(zip(approved, await api.gather(*(api.maybe("acceptance", f"/projects/{p}/acceptance", who.token)
                                                    for p in approved))))
    for declaration in ok(declarations, []):
        case = by_case.get(declaration["project_id"], {})
        stage = case.get("stage") if case.get("status") not in ("approved", "rejected") else case.get("status")
        state = states.get(declaration["project_id"])
        if isinstance(state, dict) and state.get("passed_on"):
            stage = "accepted"
        elif isinstance(state, dict) and state.get("terminated"):
            stage = "terminated"
        projects.append({**declaration, "case": case, "deadline": nearest.get(declaration["project_id"]), "stage": stage})
    active_holds = [hold for hold in ok(holds, []) if not hold.get("released_at")]
    return render(request, "unit.html", who.lang, viewer=who, unit=ok(info, {"unit_id": unit}), projects=projects,
                  standing=ok(standing, {"blocks": []}), holds=active_holds, failures=failures,
                  deadlines=sorted(nearest.values(), key=lambda d: d["due_on"]))


@router.get("/unit/documents", response_class=HTMLResponse)
async def unit_documents(request: Request, who: ViewerDep, unit_id: str | None = None) -> Response:
    unit = _unit_of(who, unit_id)
    documents = await backend(request).get("intake", f"/units/{unit}/documents", who.token)
    return render(request, "documents.html", who.lang, viewer=who, unit_id=unit, documents=documents)


@router.post("/unit/documents")
async def upload_document(request: Request, who: ViewerDep, file: Annotated[UploadFile, File()],
                          csrf: Annotated[str, Form()], unit_id: Annotated[str | None, Form()] = None) -> Response:
    _check_csrf(who, csrf)
    unit = _unit_of(who, unit_id)
    content = await file.read()
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        stored = await backend(request).post("intake", f"/units/{unit}/documents", who.token, {
            "name": file.filename or "document", "media_type": _media_type(file.content_type),
            "content_base64": base64.b64encode(content).decode("ascii")})
    except ServiceError as exc:
        if wants_json:
            return JSONResponse({"message": exc.message(who.lang), "rule_ids": list(exc.rule_ids)}, status_code=exc.status)
        raise
    if wants_json:
        return JSONResponse(stored, status_code=201)
    return RedirectResponse("/unit/documents", status_code=303)


def _media_type(value: str | None) -> str:
    allowed = value or "application/octet-stream"
    return allowed if "/" in allowed and ";" not in allowed and len(allowed) <= 100 else "application/octet-stream"


# ---------------------------------------------------------------- forms


async def _documents_for(request: Request, who: Viewer, unit: str | None) -> list[dict]:
    if not unit or not who.has("unit_applicant", "unit_leader"):
        return []
    try:
        return await backend(request).get("intake", f"/units/{unit}/documents", who.token)
    except ServiceError:
        return []


def _document_choices(documents: list[dict]) -> dict[str, dict[str, str]]:
    return {doc["sm3"]: {"name": doc["name"], "sm3": doc["sm3"]} for doc in documents}


def _defaults(spec: form_specs.FormSpec, query: dict[str, str]) -> dict[str, str]:
    values = {}
    for item in spec.fields:
        if item.name in query:
            values[item.name] = query[item.name]
        elif item.default == "today":
            values[item.name] = today().isoformat()
        elif item.default:
            values[item.name] = item.default
    return values


async def _project_unit(request: Request, who: Viewer, project_id: str | None) -> str | None:
    if who.unit_id and who.has("unit_applicant", "unit_leader"):
        return who.unit_id
    if project_id:
        declaration = await backend(request).maybe("intake", f"/declarations/{project_id}", who.token)
        return declaration["unit_id"] if declaration else None
    return None


@router.get("/forms/{key}", response_class=HTMLResponse)
async def show_form(request: Request, key: str, who: ViewerDep) -> Response:
    spec = form_specs.FORMS.get(key)
    if spec is None:
        raise NotAllowed
    if not who.roles & spec.roles:
        raise NotAllowed
    query = dict(request.query_params)
    documents = await _documents_for(request, who, who.unit_id)
    return render(request, "form.html", who.lang, viewer=who, spec=spec, values=_defaults(spec, query),
                  errors={}, error=None, documents=documents, target=query)


@router.post("/forms/{key}", response_class=HTMLResponse)
async def submit_form(request: Request, key: str, who: ViewerDep) -> Response:
    spec = form_specs.FORMS.get(key)
    if spec is None or not who.roles & spec.roles:
        raise NotAllowed
    submitted = await request.form()
    _check_csrf(who, str(submitted.get("csrf", "")))
    values = {name: value for name, value in submitted.items() if isinstance(value, str)}
    lists = {name: [v for v in submitted.getlist(name) if isinstance(v, str)] for name in submitted.keys()}
    project_id = values.get("target.project_id") or None
    unit = who.unit_id if who.has("unit_applicant", "unit_leader") else await _project_unit(request, who, project_id)
    documents = await _documents_for(request, who, unit)
    if spec.path == "/declarations":  # every declaration form names the declaring unit (BY-5.2a)
        values["unit_id"] = unit or ""
    try:
        body = form_specs.parse(spec, values, lists, _document_choices(documents))
    except form_specs.FormErrors as exc:
        errors = {name: (zh if who.lang == "zh" else en) for name, (zh, en) in exc.errors.items()}
        return render(request, "form.html", who.lang, 422, viewer=who, spec=spec, values=values, errors=errors, error=None,
                      documents=documents, target={k: values.get(f"target.{k}", "") for k in ("project_id", "meeting_id", "change_id")})
    if spec.path == "/declarations":
        body["unit_id"] = unit
    meeting_id = values.get("target.meeting_id") or ""
    path = spec.path.format(project_id=quote(project_id or "", safe=""), unit_id=quote(unit or "", safe=""),
                            meeting_id=quote(meeting_id, safe=""))
    try:
        result = await backend(request).post(spec.service, path, who.token, body)
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        field_errors = {name: " ".join(issue.message(who.lang) + (f"（{'、'.join(issue.rule_ids)}）" if issue.rule_ids else "")
                                       for issue in issues)
                        for name, issues in exc.field_issues().items()}
        return render(request, "form.html", who.lang, exc.status, viewer=who, spec=spec, values=values, errors=field_errors,
                      error=exc, documents=documents, target={"project_id": project_id or "", "meeting_id": meeting_id})
    created = project_id or (result.get("project_id") if isinstance(result, dict) else None)
    return render(request, "done.html", who.lang, 201, viewer=who, spec=spec, result=result, project_id=created,
                  result_json=json.dumps(result, ensure_ascii=False, indent=2) if isinstance(result, (dict, list)) else "")


# ---------------------------------------------------------------- a project


@router.get("/projects/{project_id}", response_class=HTMLResponse)
async def project_page(request: Request, project_id: str, who: ViewerDep) -> Response:
    api = backend(request)
    declaration, case, meetings, approval, procured, contracts, holds, acceptance, deadlines = await api.gather(
        api.maybe("intake", f"/declarations/{project_id}", who.token),
        api.maybe("review", f"/cases/{project_id}", who.token),
        api.maybe("review", f"/cases/{project_id}/meetings", who.token),
        api.maybe("review", f"/cases/{project_id}/approval", who.token),
        api.maybe("procurement", f"/projects/{project_id}", who.token),
        api.maybe("procurement", f"/projects/{project_id}/contracts", who.token),
        api.maybe("procurement", f"/projects/{project_id}/holds", who.token),
        api.maybe("acceptance", f"/projects/{project_id}/acceptance", who.token),
        api.maybe("notify", f"/projects/{project_id}/deadlines", who.token),
    )
    parts = [declaration, case, meetings, approval, procured, contracts, holds, acceptance, deadlines]
    failures = [part for part in parts if isinstance(part, ServiceError)]
    value = lambda part: None if isinstance(part, ServiceError) else part  # noqa: E731
    if all(value(part) is None for part in parts) and not failures:
        raise NotAllowed
    filed_documents = []
    declared = value(declaration)
    if declared and who.has("unit_applicant", "unit_leader", "bureau_reviewer", "administrator"):
        stored = await api.maybe("intake", f"/units/{declared['unit_id']}/documents", who.token)
        by_digest = {doc["sm3"]: doc for doc in stored or []}
        for ref in (declared.get("receipt") or {}).get("documents", []):
            filed_documents.append({**ref, "document_id": by_digest.get(ref["sm3"], {}).get("document_id")})
    opinions: dict[str, list] = {}
    if who.has("bureau_reviewer", "administrator", "auditor"):
        for meeting in value(meetings) or []:
            answer = await api.maybe("review", f"/meetings/{meeting['meeting_id']}/opinions", who.token)
            opinions[meeting["meeting_id"]] = answer or []
    calendar = request.app.state.calendar
    open_deadlines = []
    for item in value(deadlines) or []:
        left, unit = days_left(calendar, date.fromisoformat(item["due_on"]), item.get("unit_of_count"))
        open_deadlines.append({**item, "left": left, "left_unit": unit})
    case_value = value(case)
    actions = _actions(who, value(declaration), case_value, value(procured), value(acceptance))
    return render(request, "project.html", who.lang, viewer=who, project_id=project_id, declaration=value(declaration),
                  case=case_value, meetings=value(meetings) or [], approval=value(approval), procured=value(procured),
                  contracts=value(contracts) or [], holds=[h for h in value(holds) or [] if not h.get("released_at")],
                  acceptance=value(acceptance), deadlines=sorted(open_deadlines, key=lambda d: d["due_on"]),
                  failures=failures, actions=actions, opinions=opinions, filed_documents=filed_documents)


def _actions(who: Viewer, declaration: dict | None, case: dict | None, procured: dict | None,
             acceptance: dict | None) -> list[tuple[str, dict[str, str]]]:
    """The forms that fit the project's state and the viewer's role; the service still decides."""
    actions: list[tuple[str, dict[str, str]]] = []
    unit_person = who.has("unit_applicant", "unit_leader")
    if unit_person and declaration and declaration["status"] == "plan_passed":
        actions.append(("scheme", {}))
    if unit_person and declaration and declaration["status"] in ("scheme_passed", "approved") and not declaration.get("scheme_filed_on") \
            and declaration.get("pack_id") == "BY":
        actions.append(("scheme_filing", {}))
    if who.has("bureau_reviewer") and case and case.get("status") not in ("approved", "rejected"):
        open_round = next((r for r in reversed(case.get("rounds", [])) if r.get("result") is None), None)
        if case.get("awaiting") == "bureau" and open_round:
            actions.append(("opinion", {"stage": open_round["stage"], "round": str(open_round["round"])}))
        if case.get("stage") == "approval":
            actions.append(("approval", {"approved_amount_yuan": str((case.get("reviewed_amount_fen") or 0) // 100)}))
        actions.append(("meeting", {}))
    if who.has("bureau_reviewer") and case and case.get("status") != "rejected" and not case.get("fund_application") \
            and _bureau_applies_for_funds(case):
        actions.append(("public_fund_application", {"amount_yuan": str((case.get("reviewed_amount_fen") or 0) // 100)}))
    if procured and unit_person:
        actions += [("requirement_filing", {"procurement_budget_yuan": str(procured.get("approved_amount_yuan", ""))}),
                    ("contract", {}), ("change", {})]
    if acceptance:
        if unit_person:
            actions += [("initial_acceptance", {}), ("initial_acceptance_filing", {}), ("data_aggregation", {}),
                        ("evidence", {}), ("compliance_request", {}),
                        ("final_review", {"unit_id": acceptance["unit_id"]}), ("acceptance_filing", {}), ("evaluation", {})]
            if acceptance.get("passed_on") is None and _asks_monitoring_report(acceptance.get("pack", "")):
                actions.append(("monitoring_report", {"report_year": str(today().year)}))
        if who.has("bureau_reviewer"):
            actions += [("compliance_opinion", {}), ("filing_review", {}), ("evaluation", {})]
    return actions


def _bureau_applies_for_funds(case: dict) -> bool:
    """Whether the bureau applies for this project's funds itself (YF-7.4: a 公共类 project)."""
    try:
        rule = get_pack(case.get("pack_id", ""), case.get("pack_version") or None).review.fund_application
    except (LookupError, ValueError):
        return False
    return rule is not None and set(rule.flags) <= set(case.get("flags") or [])


def _asks_monitoring_report(pack: str) -> bool:
    """Whether the project's pack (``ID@version``) asks for a yearly monitoring report (BZ-41)."""
    pack_id, _, version = pack.partition("@")
    try:
        return get_pack(pack_id, version or None).evaluation.monitoring_report_due is not None
    except (LookupError, ValueError):
        return False


@router.get("/units/{unit_id}/documents/{document_id}")
async def document_file(request: Request, unit_id: str, document_id: str, who: ViewerDep) -> Response:
    """A filed document as stored, with the SM3 intake computed, for a reviewer to read and check."""
    response = await backend(request).client.get(
        f"{backend(request).urls['intake']}/units/{quote(unit_id, safe='')}/documents/{quote(document_id, safe='')}/content",
        headers={"authorization": f"Bearer {who.token}"})
    if response.status_code != 200:
        raise ServiceError.from_response("intake", response)
    names = {doc["document_id"]: doc["name"] for doc in
             await backend(request).get("intake", f"/units/{quote(unit_id, safe='')}/documents", who.token)}
    name = names.get(document_id, "document")
    return Response(response.content, media_type=response.headers.get("content-type", "application/octet-stream"), headers={
        "content-disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "x-content-sm3": response.headers.get("x-content-sm3", "")})


@router.get("/projects/{project_id}/receipt")
async def receipt(request: Request, project_id: str, who: ViewerDep) -> Response:
    declaration = await backend(request).get("intake", f"/declarations/{project_id}", who.token)
    content = json.dumps({"project_id": declaration["project_id"], "project_name": declaration["project_name"],
                          "unit_id": declaration["unit_id"], "submitted_at": declaration["submitted_at"],
                          "event_id": declaration["event_id"], "receipt": declaration["receipt"]}, ensure_ascii=False, indent=2)
    return Response(content, media_type="application/json; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="receipt-{project_id}.json"'})


@router.get("/projects/{project_id}/timeline", response_class=HTMLResponse)
async def timeline(request: Request, project_id: str, who: ViewerDep) -> Response:
    api = backend(request)
    unit = await _project_unit(request, who, project_id) if who.has("unit_applicant", "unit_leader") else None
    services = ("intake", "review", "procurement", "acceptance", "notify")
    answers = await api.gather(*(api.get(service, "/audit/records", who.token, project_id=project_id, unit_id=unit)
                                 for service in services))
    records = [record for answer in answers if isinstance(answer, list) for record in answer]
    failures = [answer for answer in answers if isinstance(answer, ServiceError) and answer.status != 403]
    records.sort(key=lambda record: record["recorded_at"])
    return render(request, "timeline.html", who.lang, viewer=who, project_id=project_id, records=records, failures=failures,
                  auditor=who.has("auditor", "administrator"))


# ---------------------------------------------------------------- reviewer desk, expert, finance


@router.get("/desk", response_class=HTMLResponse)
async def desk(request: Request, who: ViewerDep) -> Response:
    if not who.has("bureau_reviewer"):
        raise NotAllowed
    cases = await backend(request).get("review", "/cases", who.token)
    waiting = [case for case in cases if case.get("status") not in ("approved", "rejected")]
    waiting.sort(key=lambda case: (case.get("due_on") or "9999-12-31", case.get("opened_at") or ""))
    return render(request, "desk.html", who.lang, viewer=who, cases=waiting, decided=[c for c in cases if c not in waiting])


@router.post("/meetings/{meeting_id}/draw")
async def draw(request: Request, meeting_id: str, who: ViewerDep, csrf: Annotated[str, Form()],
               project_id: Annotated[str, Form()]) -> Response:
    _check_csrf(who, csrf)
    await backend(request).post("review", f"/meetings/{quote(meeting_id, safe='')}/draw", who.token, None)
    return RedirectResponse(f"/projects/{quote(project_id, safe='')}#meetings", status_code=303)


@router.get("/expert", response_class=HTMLResponse)
async def expert_view(request: Request, who: ViewerDep) -> Response:
    if not who.has("expert"):
        raise NotAllowed
    meetings = await backend(request).get("review", "/experts/me/meetings", who.token)
    return render(request, "expert.html", who.lang, viewer=who, meetings=meetings)


@router.get("/finance", response_class=HTMLResponse)
async def finance(request: Request, who: ViewerDep) -> Response:
    if not who.has("finance_officer", "bureau_reviewer", "administrator", "auditor"):
        raise NotAllowed
    holds = await backend(request).get("procurement", "/holds", who.token)
    active = [hold for hold in holds if not hold.get("released_at")]
    by_project = Counter(hold["project_id"] for hold in active)
    return render(request, "finance.html", who.lang, viewer=who, holds=active, by_project=by_project,
                  released=[hold for hold in holds if hold.get("released_at")][:50])


# ---------------------------------------------------------------- dashboard


async def _dashboard_data(request: Request, who: Viewer) -> dict[str, Any]:
    api = backend(request)
    cases, holds, assessment, notifications, standing = await api.gather(
        api.get("review", "/cases", who.token), api.get("procurement", "/holds", who.token),
        api.get("notify", "/bureau/assessment", who.token, year=today().year),
        api.get("notify", "/bureau/notifications", who.token), api.get("intake", "/standing", who.token))
    return dashboard_rows(cases, holds, assessment, notifications, standing)


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, who: ViewerDep) -> Response:
    if not who.has("bureau_reviewer", "administrator", "auditor"):
        raise NotAllowed
    data = await _dashboard_data(request, who)
    charts = {**data["charts"], "stages": [[i18n.stage(key, who.lang), count] for key, count in data["charts"]["stages"]]}
    # Escaped for a <script> element: a "</" in a name must not close it.
    encoded = json.dumps(charts, ensure_ascii=False).replace("</", "<\\/")
    return render(request, "dashboard.html", who.lang, viewer=who, data=data, charts=encoded)


@router.get("/dashboard.xlsx")
async def dashboard_export(request: Request, who: ViewerDep) -> Response:
    if not who.has("bureau_reviewer", "administrator", "auditor"):
        raise NotAllowed
    data = await _dashboard_data(request, who)
    return Response(workbook(data, who.lang), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": f'attachment; filename="govit-dashboard-{today().isoformat()}.xlsx"'})
