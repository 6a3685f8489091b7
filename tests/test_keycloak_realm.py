"""The Keycloak realm export gives tokens the services accept: audience, roles, units; no secret ships."""

import json
from pathlib import Path

from servicekit.security.principal import ROLES
from servicekit.security.tokens import principal_from_claims

REALM = json.loads((Path(__file__).parents[1] / "deploy" / "keycloak" / "govit-realm.json").read_text(encoding="utf-8"))


def mappers():
    (scope,) = [s for s in REALM["clientScopes"] if s["name"] == "govit-api"]
    return {m["protocolMapper"]: m for m in scope["protocolMappers"]} | {m["name"]: m for m in scope["protocolMappers"]}


def test_the_realm_defines_exactly_the_platform_roles():
    assert sorted(r["name"] for r in REALM["roles"]["realm"]) == sorted(ROLES)


def test_access_tokens_carry_the_audience_roles_and_units():
    found = mappers()
    assert found["oidc-audience-mapper"]["config"]["included.custom.audience"] == "govit"
    assert found["realm roles"]["config"]["claim.name"] == "realm_access.roles"
    assert found["unit"]["config"]["claim.name"] == "unit_id" and found["units"]["config"]["multivalued"] == "true"
    (portal,) = REALM["clients"]
    assert "govit-api" in portal["defaultClientScopes"]


def test_a_token_shaped_by_the_realm_is_understood():
    user = next(u for u in REALM["users"] if u["username"] == "health.leader")
    claims = {"sub": "f3a1", "preferred_username": user["username"], "realm_access": {"roles": user["realmRoles"]},
              "unit_id": user["attributes"]["unit_id"][0]}
    principal = principal_from_claims(claims)
    assert principal.roles == {"unit_leader"} and principal.unit_ids == {"baiyun-health"}


def test_login_is_protected_and_no_password_ships():
    assert REALM["bruteForceProtected"] and REALM["failureFactor"] <= 5
    assert REALM["accessTokenLifespan"] <= 300
    assert all("credentials" not in u for u in REALM["users"])
    assert all("UPDATE_PASSWORD" in u["requiredActions"] for u in REALM["users"])
    (portal,) = REALM["clients"]
    assert portal["publicClient"] and not portal["implicitFlowEnabled"] and not portal["directAccessGrantsEnabled"]
    assert portal["attributes"]["pkce.code.challenge.method"] == "S256"


def test_demo_users_match_the_development_issuer():
    from devstack.auth import DEMO_USERS

    for user in REALM["users"]:
        demo = DEMO_USERS[user["username"]]
        assert tuple(user["realmRoles"]) == demo.roles
        assert user["attributes"].get("unit_id", [None])[0] == demo.unit_id
