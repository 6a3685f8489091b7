"""Schemathesis hooks for ``govit fuzz`` (loaded through ``SCHEMATHESIS_HOOKS``): each generated
request carries a token its route admits, and every 4xx must carry the platform's error body.

``GOVIT_FUZZ_AUTH_DIR`` is the development issuer's key directory the services trust;
``GOVIT_FUZZ_SERVICE`` names the service under test, whose access table picks the roles;
``GOVIT_FUZZ_KNOWN_IDS`` (optional) a JSON file of ids that exist, by parameter name, which
generated path parameters use half of the time so requests reach objects and not only 404s.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import strategies as st

from devstack.auth import DevIssuer
from devstack.fuzzing import case_headers, platform_error_body

_ISSUER = DevIssuer(Path(os.environ["GOVIT_FUZZ_AUTH_DIR"]))
_SERVICE = os.environ["GOVIT_FUZZ_SERVICE"]
_KNOWN: dict[str, list[str]] = (json.loads(Path(os.environ["GOVIT_FUZZ_KNOWN_IDS"]).read_text(encoding="utf-8"))
                                if os.environ.get("GOVIT_FUZZ_KNOWN_IDS") else {})


@schemathesis.auth(refresh_interval=None)
class RouteToken:
    """A fresh token per request, with the roles (and unit) the operation's access rule admits."""

    def get(self, case: Any, context: Any) -> str | None:
        return case_headers(_ISSUER, _SERVICE, case).get("authorization")

    def set(self, case: Any, data: str | None, context: Any) -> None:
        if data:
            case.headers = {**(case.headers or {}), "Authorization": data}


schemathesis.check(platform_error_body)


@schemathesis.hook
def before_generate_path_parameters(context: Any, strategy: st.SearchStrategy) -> st.SearchStrategy:
    def existing(parameters: Any) -> st.SearchStrategy:
        if not isinstance(parameters, dict) or not any(name in _KNOWN for name in parameters):
            return st.just(parameters)
        return st.fixed_dictionaries({name: st.sampled_from(_KNOWN[name]) if name in _KNOWN else st.just(value)
                                      for name, value in parameters.items()})

    return st.one_of(strategy, strategy.flatmap(existing)) if _KNOWN else strategy

