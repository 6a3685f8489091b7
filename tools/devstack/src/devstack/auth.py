"""A small token issuer for development and tests, standing in for the deployment's Keycloak.

It keeps an EC P-256 signing key in the state directory, publishes the public half as a JWKS
file the services read (AUTH_JWKS_FILE), and signs access tokens shaped like Keycloak's for the
demo users. Tokens it signs are accepted only by services configured with its issuer and key
file, which only ``govit up`` and the test harness do.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ISSUER = "urn:govit:dev-issuer"
AUDIENCE = "govit"


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    roles: tuple[str, ...]
    unit_id: str | None = None
    unit_ids: tuple[str, ...] = ()


DEMO_USERS: dict[str, DemoUser] = {u.username: u for u in (
    DemoUser("health.leader", "白云区卫生健康局 负责人 黄志强", ("unit_leader",), "baiyun-health"),
    DemoUser("market.leader", "白云区市场监管局 负责人 何丽", ("unit_leader",), "baiyun-market"),
    DemoUser("edu.applicant", "白云区教育局 经办人 陈敏", ("unit_applicant",), "baiyun-edu"),
    DemoUser("medicare.leader", "巴中市医保局 负责人 杨帆", ("unit_leader",), "bazhong-medicare"),
    DemoUser("dongyuan.edu.leader", "东源县教育局 负责人 刘洋", ("unit_leader",), "dongyuan-edu"),
    DemoUser("bureau.reviewer", "政数局 审核员 林晓", ("bureau_reviewer",)),
    DemoUser("expert.wang", "评审专家 王建国", ("expert",)),
    DemoUser("finance.officer", "财政局 周静", ("finance_officer",)),
    DemoUser("auditor", "审计局 吴磊", ("auditor",)),
    DemoUser("admin", "系统管理员", ("administrator",)),
)}


class DevIssuer:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        key_file = directory / "signing-key.pem"
        if key_file.exists():
            self._key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        else:
            self._key = ec.generate_private_key(ec.SECP256R1())
            pem = self._key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self._key.public_key()))
        self.kid = hashlib.sha256(json.dumps(jwk, sort_keys=True).encode()).hexdigest()[:16]
        self.jwks_file = directory / "jwks.json"
        self.jwks_file.write_text(json.dumps({"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "ES256"}]}), encoding="utf-8")

    def env(self) -> dict[str, str]:
        """Settings that make a service trust this issuer."""
        return {"AUTH_ISSUER": ISSUER, "AUTH_AUDIENCE": AUDIENCE, "AUTH_JWKS_FILE": str(self.jwks_file)}

    def token(self, *, subject: str, roles: tuple[str, ...] | list[str], unit_id: str | None = None,
              unit_ids: tuple[str, ...] | list[str] = (), name: str = "", ttl_seconds: int = 3600,
              audience: str = AUDIENCE, issued_at: float | None = None, extra: dict | None = None) -> str:
        now = int(issued_at if issued_at is not None else time.time())
        claims = {
            "iss": ISSUER, "aud": audience, "sub": subject, "preferred_username": subject, "name": name,
            "iat": now, "nbf": now, "exp": now + ttl_seconds, "jti": uuid.uuid4().hex,
            "realm_access": {"roles": list(roles)},
        }
        if unit_id:
            claims["unit_id"] = unit_id
        if unit_ids:
            claims["unit_ids"] = list(unit_ids)
        claims.update(extra or {})
        return self.sign(claims)

    def sign(self, claims: dict) -> str:
        """A JWT with exactly these claims under this issuer's key (the OpenID provider's ID tokens)."""
        return jwt.encode(claims, self._key, algorithm="ES256", headers={"kid": self.kid})

    def token_for(self, username: str, **kwargs) -> str:
        user = DEMO_USERS[username]
        return self.token(subject=user.username, roles=user.roles, unit_id=user.unit_id, unit_ids=user.unit_ids,
                          name=user.name, **kwargs)
