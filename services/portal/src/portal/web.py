"""What every page shares: the signed-in viewer, the templates, and errors shown as pages.

A page never shows a stack trace or a blank screen: a service's refusal is shown with its
field, rules and causes; a service that is down is named; anything else is logged with a
reference the person can quote, and the page says so in their language.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from policy.calendar import WorkingDayCalendar
from servicekit.security.principal import Principal
from servicekit.security.tokens import TokenVerifier

from portal import i18n
from portal.forms import FORMS
from portal.backend import ServiceError
from portal.session import Session, SessionStore, language

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

ROLE_HOME = (
    ("unit_applicant", "/unit"), ("unit_leader", "/unit"), ("bureau_reviewer", "/desk"), ("expert", "/expert"),
    ("finance_officer", "/finance"), ("auditor", "/dashboard"), ("administrator", "/dashboard"),
)
ROLE_NAMES = {
    "unit_applicant": ("单位经办人", "Unit applicant"), "unit_leader": ("单位负责人", "Unit leader"),
    "bureau_reviewer": ("政数局审核员", "Bureau reviewer"), "expert": ("评审专家", "Expert"),
    "finance_officer": ("财政人员", "Finance officer"), "auditor": ("审计人员", "Auditor"),
    "administrator": ("系统管理员", "Administrator"),
}


class SignInRequired(Exception):
    pass


class NotAllowed(Exception):
    pass


@dataclass
class Viewer:
    principal: Principal
    session: Session
    lang: str

    @property
    def token(self) -> str:
        return self.session.token

    @property
    def roles(self) -> frozenset[str]:
        return self.principal.roles

    def has(self, *roles: str) -> bool:
        return bool(self.principal.roles & set(roles))

    @property
    def unit_id(self) -> str | None:
        return self.principal.unit_id

    def home(self) -> str:
        return next((path for role, path in ROLE_HOME if role in self.principal.roles), "/dashboard")

    def nav(self) -> list[tuple[str, str]]:
        items = []
        if self.has("unit_applicant", "unit_leader"):
            items += [("/unit", "unit"), ("/unit/documents", "documents")]
        if self.has("bureau_reviewer"):
            items += [("/desk", "desk")]
        if self.has("expert"):
            items += [("/expert", "expert")]
        if self.has("finance_officer", "bureau_reviewer", "administrator", "auditor"):
            items += [("/finance", "finance")]
        if self.has("bureau_reviewer", "administrator", "auditor"):
            items += [("/dashboard", "dashboard")]
        return items


async def viewer(request: Request) -> Viewer:
    """The signed-in person, their token verified again on every page; a token that ran out is
    renewed with the refresh token when the provider gave one, else the person signs in again."""
    state = request.app.state
    session: Session | None = state.sessions.load(request)
    if session is None:
        raise SignInRequired
    verifier: TokenVerifier = state.verifier
    try:
        principal = verifier.verify(session.token)
    except Exception:
        if not session.refresh:
            raise SignInRequired from None
        try:
            tokens = await state.oidc.refresh(session.refresh)
            principal = verifier.verify(tokens.access_token)
        except Exception:
            raise SignInRequired from None
        session = Session(token=tokens.access_token, refresh=tokens.refresh_token or session.refresh, csrf=session.csrf)
        # PageGuard sends the renewed cookie with whatever the page answers.
        request.state.renewed_session = state.sessions.cookie_header(session)
    session.principal = principal
    return Viewer(principal, session, language(request))


def today() -> date:
    return datetime.now(SHANGHAI).date()


def days_left(calendar: WorkingDayCalendar, due_on: date, unit_of_count: str | None) -> tuple[int, str]:
    """Days until ``due_on`` counted the way the rule counts them; negative when overdue."""
    now = today()
    if unit_of_count == "working_days":
        try:
            if due_on >= now:
                return calendar.working_days_between(now, due_on), "working_days"
            return -calendar.working_days_between(due_on, now), "working_days"
        except LookupError:
            pass  # a year without holiday data: natural days, which the page marks as such
    return (due_on - now).days, "natural_days"


def yuan(value: int | None, fen: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value // 100:,}" if fen else f"{value:,}"


def render(request: Request, template: str, lang: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("viewer", None)
    return TEMPLATES.TemplateResponse(request, template, {
        "lang": lang, "t": lambda key: i18n.t(key, lang), "stage": lambda key: i18n.stage(key, lang),
        "yuan": yuan, "role_name": lambda role: ROLE_NAMES.get(role, (role, role))[0 if lang == "zh" else 1],
        "path": request.url.path, "forms": FORMS, **context}, status_code=status_code)


def _lang_only(request: Request) -> str:
    return language(request)


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, exc: NotAllowed) -> Response:
        lang = _lang_only(request)
        return render(request, "error.html", lang, 403, title=i18n.t("not_allowed", lang), error=None)

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> Response:
        lang = _lang_only(request)
        status = exc.status if exc.status < 500 else 503
        return render(request, "error.html", lang, status, title=i18n.t("error_title" if status < 500 else "service_error", lang),
                      error=exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        lang = _lang_only(request)
        title = {404: ("页面不存在", "Page not found"), 405: ("不支持此操作", "Not supported")}.get(
            exc.status_code, ("请求有误", "Bad request"))
        return render(request, "error.html", lang, exc.status_code, title=title[0 if lang == "zh" else 1], error=None)



def unexpected_error_page(request: Request) -> Response:
    """What a person sees when a page fails for a reason nobody foresaw: a reference to quote, logged
    with the traceback, and never the traceback itself."""
    reference = uuid.uuid4().hex[:12]
    log.exception("portal page failed (reference %s)", reference)
    lang = _lang_only(request)
    title = ("系统出现问题，请稍后重试。如需协助，请提供编号 " if lang == "zh" else
             "Something went wrong; please try again. If you need help, quote reference ") + reference
    return render(request, "error.html", lang, 500, title=title, error=None)


def store(app: FastAPI) -> SessionStore:
    return app.state.sessions
