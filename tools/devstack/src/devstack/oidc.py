"""An OpenID provider for development, standing in for Keycloak in front of the portal.

The portal signs people in with the authorization code flow and PKCE (S256) as public client
``govit-portal``, the same flow as against the deployment's Keycloak. Here the sign-in page
asks for no password: it lists the demo users of the development issuer, and the tokens it hands
out are that issuer's, so the services accept them as they accept ``govit token``'s.

    python -m devstack.oidc --state-dir .govit/auth --port 8009
"""

from __future__ import annotations

import argparse
import atexit
import base64
import hashlib
import hmac
import html
import ipaddress
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from devstack.auth import DEMO_USERS, ISSUER, DevIssuer
from devstack.childproc import ChildServer, StateDirLock, wait_until_ready
from devstack.ports import LOOPBACK, free_port

DEFAULT_PORT = 8009
CLIENT_ID = "govit-portal"
DISCOVERY_PATH = "/.well-known/openid-configuration"
CODE_TTL_SECONDS = 60
ACCESS_TOKEN_TTL_SECONDS = 3600
ID_TOKEN_TTL_SECONDS = 3600

ROLE_NAMES = {
    "unit_applicant": "单位经办人",
    "unit_leader": "单位负责人",
    "bureau_reviewer": "政数局审核员",
    "expert": "评审专家",
    "finance_officer": "财政人员",
    "auditor": "审计人员",
    "administrator": "系统管理员",
}

_LOOPBACK_NAMES = frozenset({"localhost"})
# RFC 7636 section 4.1: 43 to 128 unreserved characters, for the verifier and an S256 challenge alike.
_PKCE_VALUE = re.compile(r"[A-Za-z0-9._~-]{43,128}")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_PAGE_HEADERS = {
    **_NO_STORE,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def _now() -> float:
    return time.monotonic()


def redirect_uri_allowed(uri: str, hosts: frozenset[str] = frozenset()) -> bool:
    """An absolute http(s) URL without fragment or user info, on a loopback host or one of ``hosts``."""
    # Browsers read a backslash as a slash and drop tabs and newlines, so such a URL may lead
    # elsewhere than the host urlsplit finds in it; refusing them keeps the two readings alike.
    if not uri or not uri.isascii() or "\\" in uri or "#" in uri or any(c.isspace() or not c.isprintable() for c in uri):
        return False
    try:
        parts = urlsplit(uri)
        parts.port  # raises on a malformed port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or "@" in parts.netloc or not parts.hostname:
        return False
    host = parts.hostname
    if host in _LOOPBACK_NAMES or host in hosts:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def _with_query(uri: str, params: dict[str, str | None]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


class _Refused(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def _single(pairs: list[tuple[str, str]]) -> dict[str, str]:
    # RFC 6749 section 3.1: a parameter sent twice is an error, not a choice for the server to make.
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise _Refused(f"参数 {name} 出现多次", f"parameter {name} is repeated")
        values[name] = value
    return values


async def _form(request: Request) -> list[tuple[str, str]]:
    # Parsed here rather than by FastAPI's Form(), which needs python-multipart even for urlencoded bodies.
    body = await request.body()
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=32)
    except (UnicodeDecodeError, ValueError):
        raise _Refused("表单无法解析", "the form cannot be parsed") from None


@dataclass(frozen=True)
class _AuthorizeRequest:
    client_id: str
    redirect_uri: str
    code_challenge: str
    state: str | None
    nonce: str | None
    scope: str

    def hidden_fields(self) -> dict[str, str]:
        fields = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                  "scope": self.scope, "code_challenge": self.code_challenge, "code_challenge_method": "S256"}
        if self.state is not None:
            fields["state"] = self.state
        if self.nonce is not None:
            fields["nonce"] = self.nonce
        return fields


@dataclass(frozen=True)
class _Grant:
    username: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    auth_time: int
    expires_at: float


def _authorize_request(params: dict[str, str], hosts: frozenset[str]) -> _AuthorizeRequest:
    # client and redirect URI first: until both are known good, nothing may be sent to the URI.
    client_id = params.get("client_id", "")
    if client_id != CLIENT_ID:
        raise _Refused(f"未知的客户端 {client_id!r}，只接受 {CLIENT_ID}", f"unknown client {client_id!r}; only {CLIENT_ID} is registered")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri_allowed(redirect_uri, hosts):
        raise _Refused("回调地址 redirect_uri 不在允许范围内（须为本机或允许列表中的 http(s) 地址）",
                       "redirect_uri is not allowed: it must be an http(s) URL on a loopback host or an allowed host")
    if params.get("response_type") != "code":
        raise _Refused("只支持授权码模式（response_type=code）", "only response_type=code is supported")
    if params.get("code_challenge_method") != "S256":
        raise _Refused("须使用 PKCE，且 code_challenge_method 为 S256", "PKCE with code_challenge_method=S256 is required")
    code_challenge = params.get("code_challenge", "")
    if not _PKCE_VALUE.fullmatch(code_challenge):
        raise _Refused("code_challenge 缺失或格式错误", "code_challenge is missing or malformed")
    scope = params.get("scope", "")
    if "openid" not in scope.split():
        raise _Refused("scope 须包含 openid", "scope must include openid")
    return _AuthorizeRequest(client_id, redirect_uri, code_challenge, params.get("state"), params.get("nonce"), scope)


def _page(title_zh: str, title_en: str, body: str, status_code: int = 200) -> HTMLResponse:
    text = f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title_zh} / {title_en}</title>
<style>
body {{ font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; background: #f4f5f7; color: #1a1a1a; line-height: 1.5; }}
main {{ max-width: 44rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border: 1px solid #c8ccd2; border-radius: 6px; }}
h1 {{ margin-top: 0; font-size: 1.5rem; }}
.en {{ display: block; font-size: 0.95rem; font-weight: normal; color: #444; }}
.note {{ border-left: 4px solid #b35c00; padding: 0.5rem 0.75rem; background: #fff6ec; }}
fieldset {{ border: 0; padding: 0; margin: 1rem 0 0; }}
legend {{ font-weight: bold; margin-bottom: 0.5rem; }}
ul {{ list-style: none; padding: 0; margin: 0; }}
li {{ margin: 0.5rem 0; }}
button {{ width: 100%; text-align: left; font: inherit; padding: 0.6rem 0.8rem; border: 1px solid #5b6470; border-radius: 4px; background: #fff; color: inherit; cursor: pointer; }}
button:hover {{ background: #eef3fb; }}
button:focus-visible {{ outline: 3px solid #0b5fcc; outline-offset: 2px; }}
.name {{ display: block; font-weight: bold; }}
.meta {{ display: block; color: #444; font-size: 0.9rem; }}
code {{ word-break: break-all; }}
</style>
</head>
<body>
<main>
<h1>{title_zh} <span class="en" lang="en">{title_en}</span></h1>
{body}
</main>
</body>
</html>
"""
    return HTMLResponse(text, status_code=status_code, headers=_PAGE_HEADERS)


def _refusal_page(refused: _Refused) -> HTMLResponse:
    body = (f'<p role="alert">{html.escape(refused.zh)}<span class="en" lang="en">{html.escape(refused.en)}</span></p>\n'
            "<p>请检查门户的 OIDC 配置后重新登录。<span class=\"en\" lang=\"en\">Check the portal's OIDC settings and sign in again.</span></p>")
    return _page("无法登录", "Sign-in refused", body, status_code=400)


def _user_buttons() -> str:
    items = []
    for user in DEMO_USERS.values():
        roles = "、".join(f"{ROLE_NAMES.get(role, role)}（{role}）" for role in user.roles)
        units = ", ".join(([user.unit_id] if user.unit_id else []) + list(user.unit_ids))
        meta = f"{user.username} · {roles}" + (f" · 单位 {units}" if units else "")
        label = f"{user.name}，{user.username}，{roles}：以此身份登录"
        u = html.escape(user.username)
        items.append(
            f'<li><button type="submit" name="username" value="{u}" data-username="{u}" aria-label="{html.escape(label)}">'
            f'<span class="name">{html.escape(user.name)}</span><span class="meta">{html.escape(meta)}</span></button></li>'
        )
    return "\n".join(items)


def _sign_in_page(request: _AuthorizeRequest) -> HTMLResponse:
    hidden = "\n".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                       for k, v in request.hidden_fields().items())
    back_to = html.escape(urlunsplit(urlsplit(request.redirect_uri)._replace(query="")))
    body = f"""<p class="note">这是开发环境的令牌签发方（{html.escape(ISSUER)}），不是 Keycloak：不核验密码，选择一位演示用户即以其身份登录门户。正式部署通过 Keycloak 登录。
<span class="en" lang="en">This is the development issuer, not Keycloak: no password is checked, and choosing a demo user signs you in to the portal as that user. Deployments sign in through Keycloak.</span></p>
<form method="post" action="authorize">
{hidden}
<fieldset>
<legend>选择演示用户 <span lang="en">/ Choose a demo user</span></legend>
<ul>
{_user_buttons()}
</ul>
</fieldset>
</form>
<p>登录后返回 <span lang="en">/ Returns to</span> <code>{back_to}</code></p>"""
    return _page("开发环境登录", "Development sign-in", body)


def _oauth_error(error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=400, headers=_NO_STORE)


def create_oidc_app(issuer: DevIssuer, public_url: str, redirect_hosts: frozenset[str] | set[str] | tuple[str, ...] = ()) -> FastAPI:
    """The provider's endpoints; ``redirect_hosts`` are host names besides loopback the portal may return to."""
    public_url = public_url.rstrip("/")
    hosts = frozenset(h.lower() for h in redirect_hosts)
    grants: dict[str, _Grant] = {}
    app = FastAPI(title="govit development OpenID provider", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get(DISCOVERY_PATH)
    def discovery() -> dict:
        # The issuer is the one the services already trust, not the URL served from, so ID tokens
        # and access tokens carry one iss.
        return {
            "issuer": ISSUER,
            "authorization_endpoint": f"{public_url}/authorize",
            "token_endpoint": f"{public_url}/token",
            "jwks_uri": f"{public_url}/jwks",
            "end_session_endpoint": f"{public_url}/logout",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "name", "preferred_username"],
        }

    @app.get("/jwks")
    def jwks() -> Response:
        return Response(issuer.jwks_file.read_bytes(), media_type="application/json")

    @app.get("/authorize")
    def authorize_page(request: Request) -> Response:
        try:
            return _sign_in_page(_authorize_request(_single(request.query_params.multi_items()), hosts))
        except _Refused as refused:
            return _refusal_page(refused)

    @app.post("/authorize")
    async def authorize(request: Request) -> Response:
        try:
            params = _single(await _form(request))
            checked = _authorize_request(params, hosts)
            username = params.get("username", "")
            if username not in DEMO_USERS:
                raise _Refused(f"未知的演示用户 {username!r}", f"unknown demo user {username!r}")
        except _Refused as refused:
            return _refusal_page(refused)
        now = _now()
        for expired in [code for code, grant in grants.items() if grant.expires_at <= now]:
            del grants[expired]
        code = secrets.token_urlsafe(32)
        grants[code] = _Grant(username, checked.client_id, checked.redirect_uri, checked.code_challenge, checked.nonce,
                              auth_time=int(time.time()), expires_at=now + CODE_TTL_SECONDS)
        return RedirectResponse(_with_query(checked.redirect_uri, {"code": code, "state": checked.state}),
                                status_code=303, headers=_NO_STORE)

    @app.post("/token")
    async def token(request: Request) -> Response:
        try:
            params = _single(await _form(request))
        except _Refused as refused:
            return _oauth_error("invalid_request", refused.en)
        if params.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type", "only grant_type=authorization_code is supported")
        missing = [name for name in ("code", "redirect_uri", "client_id", "code_verifier") if not params.get(name)]
        if missing:
            return _oauth_error("invalid_request", f"missing {', '.join(missing)}")
        if params["client_id"] != CLIENT_ID:
            return _oauth_error("invalid_client", f"unknown client {params['client_id']!r}")
        # Taken out before any check: a code meets one attempt, so a verifier cannot be guessed at.
        grant = grants.pop(params["code"], None)
        if grant is None:
            return _oauth_error("invalid_grant", "the code is unknown or already used")
        if grant.expires_at <= _now():
            return _oauth_error("invalid_grant", "the code has expired")
        if grant.client_id != params["client_id"]:
            return _oauth_error("invalid_grant", "the code was issued to another client")
        if grant.redirect_uri != params["redirect_uri"]:
            return _oauth_error("invalid_grant", "redirect_uri differs from the one the code was issued for")
        verifier = params["code_verifier"]
        if not _PKCE_VALUE.fullmatch(verifier) or not hmac.compare_digest(_s256(verifier), grant.code_challenge):
            return _oauth_error("invalid_grant", "code_verifier does not match the code_challenge")
        user = DEMO_USERS[grant.username]
        now = int(time.time())
        id_claims = {
            "iss": ISSUER, "aud": grant.client_id, "azp": grant.client_id, "sub": user.username, "typ": "ID",
            "iat": now, "exp": now + ID_TOKEN_TTL_SECONDS, "auth_time": grant.auth_time,
            "name": user.name, "preferred_username": user.username,
        }
        if grant.nonce is not None:
            id_claims["nonce"] = grant.nonce
        return JSONResponse({
            "access_token": issuer.token_for(user.username, ttl_seconds=ACCESS_TOKEN_TTL_SECONDS, extra={"azp": grant.client_id}),
            "id_token": issuer.sign(id_claims),
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_TTL_SECONDS,
        }, headers=_NO_STORE)

    @app.get("/logout")
    def logout(request: Request) -> Response:
        target = request.query_params.get("post_logout_redirect_uri")
        if target and redirect_uri_allowed(target, hosts):
            return RedirectResponse(_with_query(target, {"state": request.query_params.get("state")}), status_code=303)
        # Nothing to end here: the provider keeps no session, every sign-in shows the user list.
        return _page("已退出", "Signed out", '<p>您已退出登录。<span class="en" lang="en">You are signed out.</span></p>')

    return app


@dataclass(eq=False)
class OidcProvider(ChildServer):
    """``python -m devstack.oidc`` as a child process of the launcher, on 127.0.0.1."""

    port: int
    state_dir: Path
    log_path: Path
    startup_timeout: float = 30.0
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    # No lock on the issuer's directory: the provider loads the key there and rewrites the same JWKS.
    _lock: StateDirLock | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.url}{DISCOVERY_PATH}"

    def env(self) -> dict[str, str]:
        """What tells the portal where to sign people in."""
        return {"PORTAL_OIDC_DISCOVERY_URL": self.discovery_url}

    def _start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log_file:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "devstack.oidc", "--state-dir", str(self.state_dir),
                 "--host", LOOPBACK, "--port", str(self.port)],
                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                # Own session, as the other children: the launcher decides the shutdown order.
                start_new_session=True,
            )
        try:
            wait_until_ready(self._ready, process=self._process, timeout=self.startup_timeout,
                             what=f"development OpenID provider on port {self.port}", log_path=self.log_path)
        except BaseException:
            self.stop()
            raise

    def _ready(self) -> bool:
        try:
            return httpx.get(self.discovery_url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False


def start_oidc_provider(state_dir: Path, port: int | None = None, *, log_path: Path) -> OidcProvider:
    """Start the provider on ``port`` (default 8009, another free one when taken) and wait until it answers.

    ``state_dir`` is the development issuer's directory, so the provider signs with the key the
    services trust.
    """
    provider = OidcProvider(port=port or free_port(DEFAULT_PORT), state_dir=Path(state_dir).absolute(),
                            log_path=Path(log_path).absolute())
    provider._start()
    # Children run in their own session, so nothing else stops them when we exit.
    atexit.register(provider.stop)
    return provider


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m devstack.oidc", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state-dir", required=True, help="the development issuer's directory (govit up: .govit/auth)")
    parser.add_argument("--host", default=LOOPBACK)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--public-url", help="the URL browsers reach the provider at (default http://HOST:PORT)")
    parser.add_argument("--redirect-host", action="append", default=[], metavar="HOST",
                        help="a host besides loopback the portal may be redirected back to; repeatable")
    args = parser.parse_args(argv)
    host = f"[{args.host}]" if ":" in args.host else args.host
    public_url = args.public_url or f"http://{host}:{args.port}"
    app = create_oidc_app(DevIssuer(Path(args.state_dir)), public_url, redirect_hosts=args.redirect_host)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
