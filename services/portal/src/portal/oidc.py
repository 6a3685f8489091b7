"""Sign-in with OpenID Connect: authorization code with PKCE (S256), the same against Keycloak in
a deployment and against the development issuer on a workstation."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None = None


class SignInError(Exception):
    """The provider refused or could not be reached; the page says so instead of failing."""


@dataclass(frozen=True)
class LoginRequest:
    state: str
    verifier: str
    nonce: str

    @classmethod
    def new(cls) -> LoginRequest:
        return cls(secrets.token_urlsafe(24), secrets.token_urlsafe(48), secrets.token_urlsafe(16))

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    DISCOVERY_TTL_SECONDS = 300

    def __init__(self, discovery_url: str, client_id: str, redirect_uri: str, timeout: float = 10) -> None:
        self.discovery_url = discovery_url
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.timeout = timeout
        self._discovery: dict | None = None
        self._fetched_at = 0.0

    async def discovery(self) -> dict:
        if self._discovery is None or time.monotonic() - self._fetched_at > self.DISCOVERY_TTL_SECONDS:
            try:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    response = await client.get(self.discovery_url)
                response.raise_for_status()
                document = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise SignInError(f"the sign-in provider at {self.discovery_url} did not answer: {exc}") from exc
            for key in ("authorization_endpoint", "token_endpoint"):
                if key not in document:
                    raise SignInError(f"the sign-in provider's discovery document lacks {key}")
            self._discovery, self._fetched_at = document, time.monotonic()
        return self._discovery

    async def authorization_url(self, login: LoginRequest) -> str:
        endpoint = (await self.discovery())["authorization_endpoint"]
        query = urlencode({
            "response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
            "scope": "openid", "state": login.state, "nonce": login.nonce,
            "code_challenge": login.challenge, "code_challenge_method": "S256",
        })
        return f"{endpoint}?{query}"

    async def exchange(self, code: str, login: LoginRequest) -> Tokens:
        """The tokens for an authorization code; the services verify the access token on every call."""
        return await self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
                                  "client_id": self.client_id, "code_verifier": login.verifier})

    async def refresh(self, refresh_token: str) -> Tokens:
        """New tokens for a session whose access token ran out (Keycloak issues them for minutes)."""
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": self.client_id})

    async def _token(self, form: dict[str, str]) -> Tokens:
        endpoint = (await self.discovery())["token_endpoint"]
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(endpoint, data=form)
        except httpx.HTTPError as exc:
            raise SignInError(f"the sign-in provider did not answer: {exc}") from exc
        if response.status_code != 200:
            try:
                reason = response.json().get("error_description") or response.json().get("error")
            except ValueError:
                reason = response.text[:200]
            raise SignInError(f"the sign-in provider refused the code: {reason}")
        answer = response.json()
        token, refresh = answer.get("access_token"), answer.get("refresh_token")
        if not isinstance(token, str):
            raise SignInError("the sign-in provider returned no access token")
        return Tokens(token, refresh if isinstance(refresh, str) else None)

    async def logout_url(self, return_to: str) -> str | None:
        try:
            endpoint = (await self.discovery()).get("end_session_endpoint")
        except SignInError:
            return None
        if not endpoint:
            return None
        return f"{endpoint}?{urlencode({'post_logout_redirect_uri': return_to, 'client_id': self.client_id})}"
