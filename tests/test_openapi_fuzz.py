"""Property-based fuzzing of the whole OpenAPI surface (schemathesis): no input may cause a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from tests.factories import create_account
from timbre.app import create_app
from timbre.config import get_settings

schema = schemathesis.openapi.from_asgi("/v2/openapi.json", create_app(get_settings()))


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    acct = create_account()
    headers = {**(case.headers or {}), **acct.headers()}
    if case.path_parameters and "team_id" in case.path_parameters and case.path_parameters["team_id"].startswith("a"):
        case.path_parameters["team_id"] = acct.team_id  # reach the handlers behind the lookup too
    response = case.call(headers=headers)
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: " \
                                       f"{response.text[:500]}"
    content_type = response.headers.get("content-type") or [""]
    # JSON, unless the operation documents another type for this status (`/metrics` is Prometheus' text)
    documented = case.operation.definition.raw.get("responses", {}).get(str(response.status_code), {})
    assert content_type[0].startswith(("application/json", *documented.get("content", {})))
