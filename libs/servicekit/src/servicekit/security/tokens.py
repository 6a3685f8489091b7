"""OIDC access tokens (JWT) checked against the issuer's keys (JWKS), audience and expiry.

Keys come from a JWKS file (the development issuer writes one) or from the issuer's JWKS URL
(Keycloak: ``<realm>/protocol/openid-connect/certs``), fetched again when a token names a key
id not seen yet, so a key rotation at the issuer needs no restart.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
from jwt import PyJWKSet

from servicekit.errors import DomainError
from servicekit.security.principal import ROLES, Principal

log = logging.getLogger(__name__)
ALGORITHMS = ("RS256", "ES256")
_REFETCH_INTERVAL_SECONDS = 30.0


class AuthError(DomainError):
    """401: no usable token. 403: a valid token that grants nothing here."""

    def __init__(self, code: str, en: str, zh: str, status_code: int = 401) -> None:
        super().__init__(code, en, zh, status_code=status_code)


class KeySource:
    def __init__(self, *, jwks_file: Path | None = None, jwks_url: str | None = None) -> None:
        if (jwks_file is None) == (jwks_url is None):
            raise ValueError("exactly one of AUTH_JWKS_FILE and AUTH_JWKS_URL must be set")
        self._file = jwks_file
        self._url = jwks_url
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        if self._file is not None:
            document = json.loads(self._file.read_text(encoding="utf-8"))
        else:
            response = httpx.get(self._url, timeout=10)  # type: ignore[arg-type]
            response.raise_for_status()
            document = response.json()
        keys = PyJWKSet.from_dict(document).keys
        self._keys = {key.key_id: key for key in keys if key.key_id}
        self._fetched_at = time.monotonic()

    def key(self, kid: str | None) -> Any:
        if kid in self._keys:
            return self._keys[kid]
        with self._lock:
            # an unknown kid after a rotation: look again, but not on every bad token
            if time.monotonic() - self._fetched_at > _REFETCH_INTERVAL_SECONDS or self._file is not None:
                try:
                    self._load()
                except Exception as exc:  # the old keys stay usable when the issuer is briefly away
                    log.warning("reloading signing keys failed: %r", exc)
        if kid not in self._keys:
            raise AuthError("invalid_token", "The token is signed with an unknown key", "令牌签名密钥未知")
        return self._keys[kid]


class TokenVerifier:
    def __init__(self, keys: KeySource, *, issuer: str, audience: str, leeway_seconds: int = 30) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway_seconds

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("invalid_token", "The bearer token is not a JWT", "令牌格式错误") from None
        if header.get("alg") not in ALGORITHMS:
            raise AuthError("invalid_token", f"Token algorithm {header.get('alg')!r} is not accepted", "令牌签名算法不被接受")
        key = self.keys.key(header.get("kid"))
        try:
            claims = jwt.decode(
                token, key=key.key, algorithms=list(ALGORITHMS), audience=self.audience, issuer=self.issuer,
                leeway=self.leeway, options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token_expired", "The token has expired", "令牌已过期") from None
        except jwt.InvalidAudienceError:
            raise AuthError("invalid_token", f"The token is not for this platform (audience {self.audience})", "令牌受众不符") from None
        except jwt.InvalidIssuerError:
            raise AuthError("invalid_token", "The token is from another issuer", "令牌签发方不符") from None
        except jwt.PyJWTError as exc:
            raise AuthError("invalid_token", f"The token is invalid: {exc}", "令牌无效") from None
        return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Roles from ``roles`` or Keycloak's ``realm_access.roles``; units from ``unit_id`` / ``unit_ids``."""
    raw_roles = claims.get("roles") or (claims.get("realm_access") or {}).get("roles") or []
    if not isinstance(raw_roles, list):
        raise AuthError("invalid_token", "The token's roles are not a list", "令牌角色格式错误")
    known = frozenset(r for r in raw_roles if r in ROLES)
    unknown = sorted(str(r) for r in raw_roles if r not in ROLES and not str(r).startswith(("default-roles-", "offline_access", "uma_")))
    if unknown or not known:
        raise AuthError("unknown_role", f"The token carries no platform role or an unknown one ({', '.join(unknown) or 'none'})",
                        f"令牌未包含有效角色（{'、'.join(unknown) or '无'}）", status_code=403)
    unit_id = claims.get("unit_id")
    unit_ids = claims.get("unit_ids") or []
    if unit_id is not None and not isinstance(unit_id, str) or not isinstance(unit_ids, list):
        raise AuthError("invalid_token", "The token's unit claims are malformed", "令牌单位信息格式错误")
    units = frozenset(str(u) for u in unit_ids) | ({unit_id} if unit_id else set())
    return Principal(subject=str(claims["sub"]), username=str(claims.get("preferred_username") or claims["sub"]),
                     roles=known, unit_ids=units, unit_id=unit_id, name=str(claims.get("name") or ""),
                     token_id=claims.get("jti"))
