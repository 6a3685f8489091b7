"""A session outlives its short access token: the portal renews it with the refresh token the
provider gave (Keycloak's tokens last minutes), and sends the person to sign in when it cannot."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from devstack.auth import DevIssuer
from portal.main import create_app
from portal.oidc import SignInError, Tokens
from portal.session import SESSION_COOKIE, Session
from portal.settings import PortalSettings


class Provider:
    """The token endpoint's side of a refresh, answering as the issuer would."""

    def __init__(self, issuer: DevIssuer, works: bool = True) -> None:
        self.issuer, self.works, self.asked = issuer, works, []

    async def refresh(self, refresh_token: str) -> Tokens:
        self.asked.append(refresh_token)
        if not self.works:
            raise SignInError("the refresh token was revoked")
        return Tokens(self.issuer.token_for("edu.applicant"), "refresh-2")


@pytest.fixture
def issuer(tmp_path) -> DevIssuer:
    return DevIssuer(tmp_path)


def portal(issuer: DevIssuer, provider: Provider) -> TestClient:
    settings = PortalSettings(oidc_discovery_url="http://127.0.0.1:9/.well-known/openid-configuration",
                              session_secret="x" * 40, auth_issuer="urn:govit:dev-issuer", auth_jwks_file=issuer.jwks_file)
    app = create_app(settings)
    app.state.oidc = provider
    return TestClient(app, follow_redirects=False)


def cookie_for(client: TestClient, session: Session) -> str:
    return client.app.state.sessions.cookie_header(session).decode().split(";")[0].split("=", 1)[1]


def test_an_expired_token_is_renewed_with_the_refresh_token_and_the_new_cookie_sent(issuer):
    provider = Provider(issuer)
    client = portal(issuer, provider)
    expired = issuer.token_for("edu.applicant", issued_at=time.time() - 7200, ttl_seconds=60)
    client.cookies.set(SESSION_COOKIE, cookie_for(client, Session(token=expired, refresh="refresh-1", csrf="c")))
    response = client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/unit"
    assert provider.asked == ["refresh-1"]
    renewed = client.app.state.sessions.load(_request_with(response.cookies[SESSION_COOKIE]))
    assert renewed is not None and renewed.refresh == "refresh-2" and renewed.csrf == "c" and renewed.token != expired


def test_without_a_refresh_token_or_when_refresh_fails_the_person_signs_in_again(issuer):
    expired = issuer.token_for("edu.applicant", issued_at=time.time() - 7200, ttl_seconds=60)
    for provider, refresh in ((Provider(issuer), None), (Provider(issuer, works=False), "refresh-1")):
        client = portal(issuer, provider)
        client.cookies.set(SESSION_COOKIE, cookie_for(client, Session(token=expired, refresh=refresh)))
        response = client.get("/unit")
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/unit")
        assert SESSION_COOKIE not in response.cookies


def _request_with(value: str):  # type: ignore[no-untyped-def]
    from starlette.requests import Request
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": b"",
                    "headers": [(b"cookie", f"{SESSION_COOKIE}={value}".encode())]})
