"""Access tokens: signature against the issuer's keys, audience, issuer, expiry and roles.

Expired, unsigned, foreign-audience and unknown-role tokens are refused (401 / 403)."""

import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import Depends, FastAPI

from servicekit.errors import install_error_handlers
from servicekit.security.access import PUBLIC, AccessPolicy, Allow, make_authorize
from servicekit.security.tokens import AuthError, KeySource, TokenVerifier

ISSUER, AUDIENCE = "https://sso.example.gov.cn/realms/govit", "govit"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    path = tmp_path_factory.mktemp("jwks") / "jwks.json"
    path.write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "ES256", "use": "sig"}]}))
    return key, path


@pytest.fixture(scope="module")
def verifier(keys):
    return TokenVerifier(KeySource(jwks_file=keys[1]), issuer=ISSUER, audience=AUDIENCE, leeway_seconds=0)


def sign(key, *, kid="k1", alg="ES256", **overrides):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "iat": now, "exp": now + 300,
              "realm_access": {"roles": ["unit_applicant"]}, "unit_id": "baiyun-cg"}
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def refused(verifier, token, status):
    with pytest.raises(AuthError) as raised:
        verifier.verify(token)
    assert raised.value.status_code == status
    assert raised.value.message_zh
    return raised.value


def test_a_valid_token_names_the_person_roles_and_unit(keys, verifier):
    principal = verifier.verify(sign(keys[0], preferred_username="chen.min", unit_ids=["baiyun-cg-sub"]))
    assert principal.username == "chen.min" and principal.roles == {"unit_applicant"}
    assert principal.unit_ids == {"baiyun-cg", "baiyun-cg-sub"} and principal.unit_id == "baiyun-cg"


def test_roles_may_come_as_a_plain_claim(keys, verifier):
    assert verifier.verify(sign(keys[0], realm_access=None, roles=["auditor"])).roles == {"auditor"}


def test_expired_token_is_refused(keys, verifier):
    now = int(time.time())
    assert refused(verifier, sign(keys[0], iat=now - 600, exp=now - 1), 401).code == "token_expired"


def test_unsigned_token_is_refused(keys, verifier):
    unsigned = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "exp": int(time.time()) + 60,
                           "roles": ["administrator"]}, key=None, algorithm="none")
    refused(verifier, unsigned, 401)


def test_token_for_another_audience_or_issuer_is_refused(keys, verifier):
    refused(verifier, sign(keys[0], aud="another-system"), 401)
    refused(verifier, sign(keys[0], iss="https://evil.example.com"), 401)


def test_token_signed_by_another_key_is_refused(keys, verifier):
    stranger = ec.generate_private_key(ec.SECP256R1())
    refused(verifier, sign(stranger), 401)  # same kid, wrong key
    refused(verifier, sign(stranger, kid="k2"), 401)  # a kid the issuer never published


def test_tampered_token_is_refused(keys, verifier):
    header, payload, signature = sign(keys[0]).split(".")
    forged = jwt.utils.base64url_encode(json.dumps({"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "iat": 1, "exp": 2**40,
                                                     "roles": ["administrator"]}).encode()).decode()
    refused(verifier, f"{header}.{forged}.{signature}", 401)


def test_unknown_role_or_no_role_is_refused_with_403(keys, verifier):
    assert refused(verifier, sign(keys[0], realm_access={"roles": ["unit_applicant", "superuser"]}), 403).code == "unknown_role"
    refused(verifier, sign(keys[0], realm_access={"roles": []}), 403)
    refused(verifier, sign(keys[0], realm_access={"roles": ["default-roles-govit", "offline_access"]}), 403)


def test_missing_claims_are_refused(keys, verifier):
    refused(verifier, sign(keys[0], exp=None), 401)
    refused(verifier, sign(keys[0], sub=None), 401)


def test_symmetric_algorithms_are_not_accepted(keys, verifier):
    # HS256 signed with the public key as secret is the classic confusion attack
    token = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "iat": 1, "exp": 2**40, "roles": ["administrator"]},
                       "a-shared-secret-long-enough-for-hs256!!", algorithm="HS256", headers={"kid": "k1"})
    refused(verifier, token, 401)


# ---- the dependency in front of routes -------------------------------------------------------

@pytest.fixture(scope="module")
def client(verifier):
    app = FastAPI()
    install_error_handlers(app)
    access = AccessPolicy({("GET", "/open"): PUBLIC, ("GET", "/bureau"): Allow.of("bureau_reviewer"),
                           ("POST", "/bureau"): Allow.of("bureau_reviewer")})
    app.router.dependencies.append(Depends(make_authorize(access, verifier)))

    @app.get("/open")
    async def open_route() -> dict:
        return {}

    @app.get("/bureau")
    async def bureau_route() -> dict:
        return {}

    @app.post("/bureau")
    async def bureau_write() -> dict:
        return {}

    @app.get("/forgotten")
    async def forgotten() -> dict:
        return {}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_no_token_is_401_with_a_bilingual_message(client):
    response = await client.get("/bureau")
    assert response.status_code == 401 and response.json()["message_zh"]
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert (await client.get("/bureau", headers={"authorization": "Basic abc"})).status_code == 401


async def test_public_routes_need_no_token(client):
    assert (await client.get("/open")).status_code == 200


async def test_a_route_without_a_rule_is_closed(client, keys):
    token = sign(keys[0], realm_access={"roles": ["administrator"]})
    response = await client.get("/forgotten", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 403 and "no access rule" in response.json()["message"]


async def test_role_and_auditor_read_only(client, keys):
    def bearer(*roles):
        return {"authorization": f"Bearer {sign(keys[0], realm_access={'roles': list(roles)})}"}
    assert (await client.get("/bureau", headers=bearer("bureau_reviewer"))).status_code == 200
    assert (await client.get("/bureau", headers=bearer("unit_applicant"))).status_code == 403
    assert (await client.get("/bureau", headers=bearer("auditor"))).status_code == 200
    assert (await client.post("/bureau", headers=bearer("auditor"))).status_code == 403


def test_rate_limiter_refills_over_time():
    from servicekit.security.access import Rate, RateLimiter

    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    rate = Rate(2, 60.0)
    assert limiter.allow(("u", "POST /x"), rate) == 0 and limiter.allow(("u", "POST /x"), rate) == 0
    wait = limiter.allow(("u", "POST /x"), rate)
    assert 29 < wait <= 30
    assert limiter.allow(("v", "POST /x"), rate) == 0  # another person has their own bucket
    now[0] = 30.0
    assert limiter.allow(("u", "POST /x"), rate) == 0


async def _submit(verifier, keys, rate, times: int, **authorize) -> list[httpx.Response]:
    """POST ``times`` to a route limited to ``rate``."""
    app = FastAPI()
    install_error_handlers(app)
    access = AccessPolicy({("POST", "/submit"): Allow.of("bureau_reviewer", rate=rate)})
    app.router.dependencies.append(Depends(make_authorize(access, verifier, **authorize)))

    @app.post("/submit")
    async def submit() -> dict:
        return {}

    headers = {"authorization": f"Bearer {sign(keys[0], realm_access={'roles': ['bureau_reviewer']})}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return [await client.post("/submit", headers=headers) for _ in range(times)]


async def test_submissions_over_the_rate_get_429_with_retry_after(verifier, keys):
    from servicekit.security.access import Rate

    statuses = await _submit(verifier, keys, Rate(2, 60.0), 3)
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[-1].headers["retry-after"]) >= 1 and statuses[-1].json()["message_zh"]


async def test_the_deployment_sets_how_many_submissions_a_person_may_make_a_minute(verifier, keys):
    from servicekit.security.access import SUBMISSIONS, Rate

    limited = await _submit(verifier, keys, SUBMISSIONS, 4, submissions=Rate(3, 60.0))
    assert [r.status_code for r in limited] == [200, 200, 200, 429]


async def test_subordinate_units_count_only_where_the_pack_says_so(verifier, keys):
    from servicekit.security.access import path_unit

    class Runtime:
        pass

    def app_for(subordinates: bool) -> FastAPI:
        app = FastAPI()
        app.state.runtime = Runtime()
        install_error_handlers(app)
        access = AccessPolicy({("GET", "/units/{unit_id}"): Allow.of("unit_leader", units=path_unit())})
        app.router.dependencies.append(Depends(make_authorize(access, verifier, subordinates=subordinates)))

        @app.get("/units/{unit_id}")
        async def unit(unit_id: str) -> dict:
            return {}
        return app

    token = sign(keys[0], realm_access={"roles": ["unit_leader"]}, unit_id="baiyun-health", unit_ids=["baiyun-health-cdc"])
    headers = {"authorization": f"Bearer {token}"}
    for subordinates, expected in ((True, 200), (False, 403)):  # BY-5.2a vs a pack that says nothing
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_for(subordinates)), base_url="http://t") as client:
            assert (await client.get("/units/baiyun-health", headers=headers)).status_code == 200
            assert (await client.get("/units/baiyun-health-cdc", headers=headers)).status_code == expected
            assert (await client.get("/units/baiyun-market", headers=headers)).status_code == 403


def test_rate_limiter_forgets_only_people_whose_bucket_has_refilled(monkeypatch):
    from servicekit.security.access import Rate, RateLimiter

    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    monkeypatch.setattr(RateLimiter, "MAX_TRACKED", 3)
    rate = Rate(1, 60.0)
    assert limiter.allow(("old", "POST /x"), rate) == 0
    now[0] = 100.0
    assert limiter.allow(("busy", "POST /x"), rate) == 0
    assert limiter.allow(("new", "POST /x"), rate) == 0
    assert limiter.allow(("another", "POST /x"), rate) == 0  # the table is full: the refilled "old" bucket goes
    assert ("old", "POST /x") not in limiter._buckets
    assert limiter.allow(("busy", "POST /x"), rate) > 0  # a throttled person stays throttled
