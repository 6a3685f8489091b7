"""The published schema says how to authenticate, who may call each operation, and what errors look like."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from servicekit.errors import validation_body
from servicekit.openapi import ErrorBody, describe
from servicekit.security.access import PUBLIC, SUBMISSIONS, AccessPolicy, Allow, path_unit, policy


class Thing(BaseModel):
    name: str


router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {}


@router.get("/units/{unit_id}/things", description="A unit's things.")
async def things(unit_id: str) -> list[Thing]:
    return []


@router.post("/units/{unit_id}/things", status_code=201)
async def add_thing(unit_id: str, thing: Thing) -> Thing:
    return thing


@router.get("/things")
async def all_things(limit: int = 10) -> list[Thing]:
    return []


ACCESS = AccessPolicy(policy([
    ("GET", "/healthz", PUBLIC),
    ("GET", "/units/{unit_id}/things", Allow.of("unit_applicant", "bureau_reviewer", units=path_unit())),
    ("POST", "/units/{unit_id}/things", Allow.of("unit_applicant", units=path_unit(), rate=SUBMISSIONS)),
    ("GET", "/things", Allow.of("bureau_reviewer", "auditor")),
]))


def described() -> dict:
    app = FastAPI()
    app.include_router(router)
    return describe(get_openapi(title="t", version="1", routes=app.routes), ACCESS)


def test_protected_operations_name_the_bearer_scheme_and_public_ones_none():
    schema = described()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"]}
    assert schema["paths"]["/healthz"]["get"]["security"] == []
    assert "401" not in schema["paths"]["/healthz"]["get"]["responses"]
    assert schema["paths"]["/things"]["get"]["security"] == [{"bearerAuth": []}]


def test_each_operation_lists_its_roles_and_the_refusals_they_bring():
    paths = described()["paths"]
    listing, adding = paths["/units/{unit_id}/things"]["get"], paths["/units/{unit_id}/things"]["post"]
    assert listing["x-roles"] == ["bureau_reviewer", "unit_applicant"]
    assert listing["description"].startswith("A unit's things.\n\nWho may call: bureau_reviewer, unit_applicant (own unit)")
    assert "auditor (reads everything)" in listing["description"]
    assert "auditor" not in adding["description"]  # the auditor only reads
    assert sorted(listing["responses"]) == ["200", "401", "403", "404", "422"]
    assert sorted(adding["responses"]) == ["201", "401", "403", "404", "409", "422", "429"]
    assert "Retry-After" in adding["responses"]["429"]["headers"]
    assert "WWW-Authenticate" in adding["responses"]["401"]["headers"]
    # a list without path parameters has no object to miss, and reading changes no state
    assert sorted(paths["/things"]["get"]["responses"]) == ["200", "401", "403", "422"]


def test_errors_are_documented_as_the_body_the_services_send():
    schema = described()
    schemas = schema["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert set(schemas["ErrorBody"]["required"]) == {"error", "message", "message_zh", "rule_ids"}
    assert schemas["ErrorBody"]["properties"]["fields"]["anyOf"][0]["items"] == {"$ref": "#/components/schemas/FieldProblem"}
    for status in ("401", "403", "404", "409", "422"):
        content = schema["paths"]["/units/{unit_id}/things"]["post"]["responses"][status]["content"]
        assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    body = validation_body([{"type": "missing", "loc": ("body", "name"), "msg": "Field required", "input": {}}])
    assert ErrorBody.model_validate(body).fields[0].field == "name"


def test_a_wrong_method_names_every_method_the_path_has():
    """Found by fuzzing: a path with a GET and a POST route answered OPTIONS with ``Allow: POST``."""
    import asyncio

    import httpx

    from servicekit.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    app.state.access = ACCESS

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as client:
            return await client.request("PATCH", "/units/U-1/things"), await client.delete("/healthz")

    wrong, health = asyncio.run(ask())
    assert wrong.status_code == 405
    assert wrong.headers.get_list("allow") == ["GET, POST"]
    assert wrong.json()["message_zh"] == "该资源不支持此请求方法"
    assert health.headers["allow"] == "GET"


def test_a_day_is_written_as_a_date_never_a_number():
    """Found by fuzzing: ``"appointed_on": 0`` was stored as 1970-01-01 (Pydantic reads numbers as epoch seconds)."""
    from datetime import date

    import pytest
    from pydantic import TypeAdapter, ValidationError

    from servicekit.identifiers import Day

    day = TypeAdapter(Day)
    assert day.validate_python("2026-11-24") == date(2026, 11, 24)
    assert day.validate_python(date(2026, 11, 24)) == date(2026, 11, 24)
    for number in (0, 1764000000, 0.5):
        with pytest.raises(ValidationError) as refused:
            day.validate_python(number)
        assert refused.value.errors()[0]["type"] == "date_type"
    body = validation_body(refused.value.errors())
    assert body["fields"][0]["message_zh"] == "必须是日期（YYYY-MM-DD），不接受数字"
