"""Every operation each service publishes, called with requests generated from its own OpenAPI.

Schemathesis reads ``/openapi.json`` from the running service and generates valid and invalid
requests for one operation at a time, each sent with a token the route's access rule admits, so
they reach the handler instead of stopping at access control. No answer may be a 5xx; its status
must be one the schema documents and its body must match what is documented for it, and every 4xx
carries the platform's bilingual error body. Generation is derandomized and bounded, so CI sends
the same requests on every run within a minute; ``govit fuzz`` runs the same checks and more for
as long as it is given.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import requests
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from devstack.auth import DevIssuer
from devstack.fuzzing import ACCESS, NOT_FUZZED, named_unit, platform_error_body, token_headers
from devstack.processes import SERVICES, ServiceProcess

pytestmark = pytest.mark.integration

OPERATIONS = [(service, method, path) for service in SERVICES
              for (method, path) in sorted(ACCESS[service]) if (method, path) not in NOT_FUZZED]

EXAMPLES = 30
"""Per operation and generation mode (valid, invalid): enough to reach the validation of every
parameter, few enough that the file stays within a minute on two cores."""


# ---- fixtures --------------------------------------------------------------------------------------

@contextmanager
def hypothesis_left_as_found() -> Iterator[None]:
    """Importing Schemathesis patches Hypothesis process-wide (among others, a pretty-printer that
    prints nothing); the property tests elsewhere in the suite need their falsifying examples shown.
    The pytest plugin, which would import it at start-up, is off (``-p no:schemathesis``)."""
    from hypothesis import core as root_core
    from hypothesis.internal import entropy
    from hypothesis.internal.conjecture import engine
    from hypothesis.strategies._internal import collections, core

    patched = [(root_core, "RepresentationPrinter"), (root_core, "BUFFER_SIZE"), (engine, "BUFFER_SIZE"),
               (collections, "BUFFER_SIZE"), (core, "is_first_param_referenced_in_function"),
               (entropy, "register_random")]
    saved = [(module, name, getattr(module, name)) for module, name in patched if hasattr(module, name)]
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


@pytest.fixture(scope="module")
def schemas(platform: dict[str, ServiceProcess]) -> Iterator[dict[str, Any]]:
    with hypothesis_left_as_found():
        import schemathesis

        yield {name: schemathesis.openapi.from_url(f"{process.url}/openapi.json", timeout=15)
               for name, process in platform.items()}


def admin_headers(issuer: DevIssuer) -> dict[str, str]:
    return {"authorization": f"Bearer {issuer.token(subject='schema-fuzzing', roles=['administrator'])}"}


@pytest.fixture(scope="module", autouse=True)
def events_settled(platform: dict[str, ServiceProcess], issuer: DevIssuer) -> Iterator[None]:
    """Accepted requests publish events the other services go on handling; later tests count
    rows and must not see these still arriving."""
    yield
    deadline = time.monotonic() + 30
    with httpx.Client(timeout=15, headers=admin_headers(issuer)) as client:
        while time.monotonic() < deadline:
            pending = 0
            for process in platform.values():
                pending += client.get(f"{process.url}/ops/outbox").json()["unpublished"]
                for consumer in client.get(f"{process.url}/ops/consumers").json():
                    pending += consumer.get("num_pending", 0) + consumer.get("num_ack_pending", 0)
            if not pending:
                return
            time.sleep(0.2)
    raise AssertionError("events from the generated requests still in flight after 30 s")


# ---- the checks --------------------------------------------------------------------------------

def logged_since(process: ServiceProcess, offset: int) -> str:
    """What the service logged about the request, for the failure report."""
    with open(process.log_path, "rb") as log:
        log.seek(offset)
        lines = log.read().decode("utf-8", errors="replace").splitlines()
    for line in reversed(lines):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("exception"):
            return f"{process.name} logged:\n" + "\n".join(record["exception"].splitlines()[-15:])
    return f"{process.name} logged no exception for it"


def parked_ids(process: ServiceProcess, issuer: DevIssuer) -> set[int]:
    response = httpx.get(f"{process.url}/ops/parked", params={"include_replayed": True}, headers=admin_headers(issuer),
                         timeout=15)
    return {row["id"] for row in response.json()}


@pytest.mark.parametrize(("service", "method", "path"), OPERATIONS, ids=lambda value: value)
def test_generated_requests_get_answers_their_schema_allows(schemas, platform, issuer, service, method, path):
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

    operation = schemas[service][path][method]
    allow = ACCESS[service][(method, path)]
    process = platform[service]
    # replaying a message another test parked would change what that test sees
    others_parked = parked_ids(process, issuer) if path == "/ops/parked/{parked_id}/replay" else set()
    cases = st.one_of(*(operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)))

    with requests.Session() as session:
        @settings(max_examples=2 * EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
        @given(case=cases)
        def exchange(case: Any) -> None:
            assume((case.path_parameters or {}).get("parked_id") not in others_parked)
            headers = token_headers(issuer, allow, named_unit(case))
            offset = process.log_path.stat().st_size
            response = case.call(base_url=process.url, session=session, headers=headers, timeout=15)
            try:
                case.validate_response(response, checks=[not_a_server_error, status_code_conformance, response_schema_conformance,
                                               platform_error_body],
                                       headers=headers)
            except FailureGroup as failure:
                raise AssertionError(f"{failure}\n{logged_since(process, offset)}") from None

        exchange()


def test_every_published_operation_is_generated_for(platform):
    published = set()
    for service, process in platform.items():
        spec = httpx.get(f"{process.url}/openapi.json", timeout=15).json()
        published |= {(service, method.upper(), path) for path, operations in spec["paths"].items() for method in operations}
    skipped = {(service, method, path) for service in SERVICES for (method, path) in NOT_FUZZED}
    assert published - skipped == set(OPERATIONS)


@pytest.mark.parametrize(("service", "method", "url"), [
    ("intake", "GET", f"/ops/parked/{2**63}"), ("intake", "POST", f"/ops/parked/{2**63}/replay"),
    ("acceptance", "GET", f"/audit/records?after_seq={2**63}"),
])
def test_an_id_beyond_the_bigint_column_is_a_422_naming_it(platform, issuer, service, method, url):
    """Found by generation: such an id used to reach the query and fail there (500)."""
    route = url.split("?")[0].replace(str(2**63), "{parked_id}")
    headers = token_headers(issuer, ACCESS[service][(method, route)], "U-1")
    response = httpx.request(method, f"{platform[service].url}{url}", headers=headers, timeout=15)
    assert response.status_code == 422, response.text
    assert response.json()["field"] in ("path.parked_id", "query.after_seq")


@pytest.mark.parametrize(("service", "path"), [("intake", "/declarations"), ("acceptance", "/projects/P-1/final-reviews")])
def test_a_body_that_is_not_text_is_a_422_naming_the_body(platform, issuer, service, path):
    """Found by generation: FastAPI answered it with an undocumented 400 without the bilingual body."""
    route = "/projects/{project_id}/final-reviews" if "final-reviews" in path else path
    headers = token_headers(issuer, ACCESS[service][("POST", route)], "U-1")
    response = httpx.post(f"{platform[service].url}{path}", content=b"\xff",
                          headers={"content-type": "application/json", **headers}, timeout=15)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "body" and response.json()["message_zh"]


@pytest.mark.parametrize(("path", "route", "body", "field"), [
    ("/cases/P-1/co-reviews", "/cases/{project_id}/co-reviews",
     {"invited": [{"body": "sector_dept", "name_zh": "行业主管部门"}, {"body": "sector_dept", "name_zh": "行业主管部门"}]}, "invited"),
    ("/meetings/00000000-0000-0000-0000-000000000000/declines", "/meetings/{meeting_id}/declines",
     {"expert_id": "X-1\u0000", "reason": "回避"}, "expert_id"),
])
def test_review_input_the_database_cannot_take_is_a_422_naming_it(platform, issuer, path, route, body, field):
    """Found by ``govit fuzz`` with the demo's ids: a body invited twice broke a unique constraint and
    a NUL in an expert id reached PostgreSQL, both answered 500."""
    headers = token_headers(issuer, ACCESS["review"][("POST", route)], "U-1")
    response = httpx.post(f"{platform['review'].url}{path}", json=body, headers=headers, timeout=15)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
