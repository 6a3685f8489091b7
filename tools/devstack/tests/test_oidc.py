from __future__ import annotations

import base64
import hashlib
import json
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from devstack import oidc
from devstack.auth import AUDIENCE, DEMO_USERS, ISSUER, DevIssuer
from devstack.oidc import CLIENT_ID, create_oidc_app, redirect_uri_allowed, start_oidc_provider
from servicekit.security.tokens import AuthError, KeySource, TokenVerifier

PUBLIC_URL = "http://127.0.0.1:8009"
REDIRECT_URI = "http://127.0.0.1:8000/auth/callback"


@pytest.fixture
def issuer(tmp_path: Path) -> DevIssuer:
    return DevIssuer(tmp_path / "auth")


@pytest.fixture
def client(issuer: DevIssuer) -> TestClient:
    app = create_oidc_app(issuer, PUBLIC_URL, redirect_hosts={"Portal.Example.gov.cn"})
    return TestClient(app, base_url=PUBLIC_URL, follow_redirects=False)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(challenge: str, **overrides: str | None) -> dict[str, str]:
    params = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "state": "st-1",
              "nonce": "n-1", "code_challenge": challenge, "code_challenge_method": "S256", "scope": "openid"}
    params.update(overrides)  # type: ignore[arg-type]
    return {k: v for k, v in params.items() if v is not None}


def sign_in(client: TestClient, challenge: str, username: str = "health.leader", **overrides: str | None) -> httpx.Response:
    return client.post("/authorize", data={**authorize_params(challenge, **overrides), "username": username})


def code_from(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


def exchange(client: TestClient, code: str, verifier: str, **overrides: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": CLIENT_ID,
            "code_verifier": verifier, **overrides}
    return client.post("/token", data=form)


def assert_refused(response: httpx.Response, description: str) -> None:
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert description in response.json()["error_description"]


def test_discovery_names_the_trusted_issuer_and_the_public_endpoints(client: TestClient, issuer: DevIssuer) -> None:
    document = client.get("/.well-known/openid-configuration").json()
    assert document["issuer"] == ISSUER == "urn:govit:dev-issuer"
    assert document["authorization_endpoint"] == f"{PUBLIC_URL}/authorize"
    assert document["token_endpoint"] == f"{PUBLIC_URL}/token"
    assert document["jwks_uri"] == f"{PUBLIC_URL}/jwks"
    assert document["end_session_endpoint"] == f"{PUBLIC_URL}/logout"
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["grant_types_supported"] == ["authorization_code"]
    assert client.get("/jwks").json() == json.loads(issuer.jwks_file.read_text())


def test_the_sign_in_page_offers_every_demo_user_and_carries_the_request(client: TestClient) -> None:
    _, challenge = pkce()
    page = client.get("/authorize", params=authorize_params(challenge, state='"><script>x</script>'))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert '<html lang="zh-CN">' in text and "开发环境登录" in text and "Development sign-in" in text
    assert ISSUER in text
    for user in DEMO_USERS.values():
        assert f'data-username="{user.username}"' in text
        assert user.name in text
    for zh in ("单位经办人", "单位负责人", "政数局审核员", "评审专家", "财政人员", "审计人员", "系统管理员"):
        assert zh in text
    assert 'aria-label="白云区卫生健康局 负责人 黄志强，health.leader，单位负责人（unit_leader）：以此身份登录"' in text
    assert f'<input type="hidden" name="code_challenge" value="{challenge}">' in text
    assert '<input type="hidden" name="redirect_uri" value="http://127.0.0.1:8000/auth/callback">' in text
    assert "<script>" not in text and "&quot;&gt;&lt;script&gt;" in text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_code_flow_with_pkce_yields_tokens_the_services_accept(client: TestClient, issuer: DevIssuer) -> None:
    verifier, challenge = pkce()
    redirect = sign_in(client, challenge)
    location = urlsplit(redirect.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    assert parse_qs(location.query)["state"] == ["st-1"]

    response = exchange(client, code_from(redirect), verifier)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0

    verifier_of_services = TokenVerifier(KeySource(jwks_file=issuer.jwks_file), issuer=ISSUER, audience=AUDIENCE)
    principal = verifier_of_services.verify(body["access_token"])
    assert principal.username == "health.leader"
    assert principal.roles == frozenset({"unit_leader"})
    assert principal.unit_id == "baiyun-health"

    key = jwt.PyJWKSet.from_dict(client.get("/jwks").json()).keys[0]
    id_token = jwt.decode(body["id_token"], key.key, algorithms=["ES256"], audience=CLIENT_ID, issuer=ISSUER)
    assert id_token["sub"] == "health.leader" == id_token["preferred_username"]
    assert id_token["name"] == DEMO_USERS["health.leader"].name
    assert id_token["nonce"] == "n-1"
    assert "realm_access" not in id_token
    # An ID token is for the portal, never a key to the services.
    with pytest.raises(AuthError):
        verifier_of_services.verify(body["id_token"])


def test_a_user_without_a_unit_and_a_request_without_nonce(client: TestClient, issuer: DevIssuer) -> None:
    verifier, challenge = pkce()
    body = exchange(client, code_from(sign_in(client, challenge, "bureau.reviewer", nonce=None, state=None)), verifier).json()
    principal = TokenVerifier(KeySource(jwks_file=issuer.jwks_file), issuer=ISSUER, audience=AUDIENCE).verify(body["access_token"])
    assert principal.roles == frozenset({"bureau_reviewer"}) and principal.unit_id is None
    assert "nonce" not in jwt.decode(body["id_token"], options={"verify_signature": False})


def test_the_redirect_keeps_the_query_the_portal_put_in_its_uri(client: TestClient) -> None:
    verifier, challenge = pkce()
    uri = f"{REDIRECT_URI}?next=%2Fprojects"
    redirect = sign_in(client, challenge, redirect_uri=uri)
    query = parse_qs(urlsplit(redirect.headers["location"]).query)
    assert query["next"] == ["/projects"] and query["state"] == ["st-1"]
    assert exchange(client, code_from(redirect), verifier, redirect_uri=uri).status_code == 200


def test_a_wrong_verifier_is_refused_and_burns_the_code(client: TestClient) -> None:
    verifier, challenge = pkce()
    code = code_from(sign_in(client, challenge))
    other, _ = pkce()
    assert_refused(exchange(client, code, other), "code_verifier")
    assert_refused(exchange(client, code, verifier), "already used")


def test_a_code_is_good_once(client: TestClient) -> None:
    verifier, challenge = pkce()
    code = code_from(sign_in(client, challenge))
    assert exchange(client, code, verifier).status_code == 200
    assert_refused(exchange(client, code, verifier), "already used")


def test_a_code_expires_after_a_minute(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    verifier, challenge = pkce()
    code = code_from(sign_in(client, challenge))
    issued = oidc._now()
    monkeypatch.setattr(oidc, "_now", lambda: issued + oidc.CODE_TTL_SECONDS + 1)
    assert_refused(exchange(client, code, verifier), "expired")


def test_the_redirect_uri_must_be_the_one_the_code_was_issued_for(client: TestClient) -> None:
    verifier, challenge = pkce()
    code = code_from(sign_in(client, challenge))
    assert_refused(exchange(client, code, verifier, redirect_uri="http://127.0.0.1:8000/other"), "redirect_uri")


def test_an_unknown_client_is_refused(client: TestClient) -> None:
    verifier, challenge = pkce()
    page = client.get("/authorize", params=authorize_params(challenge, client_id="someone-else"))
    assert page.status_code == 400 and "location" not in page.headers
    assert "未知的客户端" in page.text
    assert sign_in(client, challenge, client_id="someone-else").status_code == 400

    code = code_from(sign_in(client, challenge))
    refused = exchange(client, code, verifier, client_id="someone-else")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_client"


@pytest.mark.parametrize("method", ["plain", None])
def test_only_s256_pkce_is_accepted(client: TestClient, method: str | None) -> None:
    verifier, _ = pkce()
    params = authorize_params(verifier, code_challenge_method=method)
    page = client.get("/authorize", params=params)
    assert page.status_code == 400 and "S256" in page.text
    assert client.post("/authorize", data={**params, "username": "admin"}).status_code == 400


@pytest.mark.parametrize("overrides", [{"response_type": "token"}, {"code_challenge": None}, {"scope": "profile"}])
def test_other_malformed_requests_get_the_refusal_page(client: TestClient, overrides: dict) -> None:
    _, challenge = pkce()
    page = client.get("/authorize", params=authorize_params(challenge, **overrides))
    assert page.status_code == 400 and "location" not in page.headers


@pytest.mark.parametrize("uri", [
    "https://evil.example/callback",
    "http://127.0.0.1.evil.example/callback",
    "http://127.0.0.1@evil.example/callback",
    "http://evil.example\\@127.0.0.1/callback",
    "http://127.0.0.1:8000/callback#fragment",
    "//evil.example/callback",
    "javascript:alert(1)//127.0.0.1",
    "ftp://127.0.0.1/callback",
    "http://127.0.0.1:99999/callback",
    "/auth/callback",
    "",
])
def test_a_redirect_uri_off_the_allow_list_is_refused_without_redirecting(client: TestClient, uri: str) -> None:
    _, challenge = pkce()
    page = client.get("/authorize", params=authorize_params(challenge, redirect_uri=uri))
    assert page.status_code == 400 and "location" not in page.headers
    assert "redirect_uri" in page.text
    posted = sign_in(client, challenge, redirect_uri=uri)
    assert posted.status_code == 400 and "location" not in posted.headers
    assert client.get("/logout", params={"post_logout_redirect_uri": uri}).status_code == 200


@pytest.mark.parametrize("uri", [
    "http://localhost:8000/auth/callback",
    "http://127.0.0.1:8000/auth/callback?next=/",
    "http://[::1]:8000/auth/callback",
    "https://portal.example.gov.cn/auth/callback",
])
def test_loopback_and_allowed_hosts_are_redirect_targets(uri: str) -> None:
    assert redirect_uri_allowed(uri, frozenset({"portal.example.gov.cn"}))


def test_an_unknown_user_and_a_repeated_parameter_are_refused(client: TestClient) -> None:
    _, challenge = pkce()
    assert sign_in(client, challenge, "nobody").status_code == 400
    query = httpx.QueryParams(authorize_params(challenge)).add("redirect_uri", "https://evil.example/")
    page = client.get("/authorize", params=query)
    assert page.status_code == 400 and "location" not in page.headers


def test_token_endpoint_errors_are_oauth_json(client: TestClient) -> None:
    unsupported = client.post("/token", data={"grant_type": "password", "username": "admin"})
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"
    missing = client.post("/token", data={"grant_type": "authorization_code", "code": "x"})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    verifier, _ = pkce()
    assert_refused(exchange(client, "no-such-code", verifier), "unknown")


def test_logout_returns_to_a_checked_uri_only(client: TestClient) -> None:
    back = client.get("/logout", params={"post_logout_redirect_uri": "http://localhost:8000/", "state": "s"})
    assert back.status_code == 303 and back.headers["location"] == "http://localhost:8000/?state=s"
    page = client.get("/logout")
    assert page.status_code == 200 and "已退出" in page.text


def test_the_provider_runs_as_a_child_process_with_the_launchers_key(tmp_path: Path) -> None:
    issuer = DevIssuer(tmp_path / "auth")
    provider = start_oidc_provider(tmp_path / "auth", log_path=tmp_path / "logs" / "oidc.log")
    try:
        assert provider.env() == {"PORTAL_OIDC_DISCOVERY_URL": f"{provider.url}/.well-known/openid-configuration"}
        document = httpx.get(provider.discovery_url, timeout=5).json()
        assert document["token_endpoint"] == f"{provider.url}/token"
        served = httpx.get(document["jwks_uri"], timeout=5).json()
        assert [key["kid"] for key in served["keys"]] == [issuer.kid]
    finally:
        provider.stop()
    assert not provider.running
