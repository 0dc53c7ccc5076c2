"""Property-based fuzzing of the whole OpenAPI surface (schemathesis): no input may cause a 5xx, and a
refused request spends nothing.

Every operation is called by a team that can stamp (fiscal data, a test CSD, a client), with the bodies
schemathesis generates from the schema and the same bodies spoiled the ways attackers and broken clients
spoil them: a character XML cannot hold in one of its texts, a number beyond what a database column or a
CFDI holds (or a boolean for it), a value nested deep. Whatever the answer, it is a JSON envelope below
500; when it is an error, the team's used credits and its invoices (folios) are what they were. Bodies
nested 100,000 deep (too deep for any JSON encoder to send) go to every operation that takes a body.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.factories import _url
from tests.invoices.conftest import Ready, ready, test_csd
from timbre.app import create_app
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import Invoice, Team

__all__ = ["ready", "test_csd"]

app = create_app(get_settings())
schema = schemathesis.openapi.from_asgi("/v2/openapi.json", app)
# Lone surrogates are left to tests/test_schemas.py: the HTTP client cannot encode them as UTF-8.
BAD_CHARACTERS = ["\u0000", "\u0001", "\u0008", "\u000b", "\u001f", "\ufffe", "\uffff"]
OUT_OF_RANGE = [10**20, -(10**20), 2**63, 2**64 + 1, 1e308, -1e308, True]
DEEP = b"[" * 100_000 + b"]" * 100_000
Path = tuple[str | int, ...]


def _leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _replace(value: Any, path: Path, new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)  # type: ignore[index]
    return copy


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def flatmap_body(_ctx: Any, body: Any) -> st.SearchStrategy[Any]:
    """The generated body, or it spoiled at one of its leaves."""
    leaves = list(_leaves(body))
    texts = [path for path, value in leaves if isinstance(value, str)]
    numbers = [path for path, value in leaves if isinstance(value, int | float) and not isinstance(value, bool)]
    options: list[st.SearchStrategy[Any]] = [st.just(body)]
    if texts:
        options.append(st.tuples(st.sampled_from(texts), st.sampled_from(BAD_CHARACTERS)).map(
            lambda spoil: _replace(body, spoil[0], f"a{spoil[1]}b")))
    if numbers:
        options.append(st.tuples(st.sampled_from(numbers), st.sampled_from(OUT_OF_RANGE)).map(
            lambda spoil: _replace(body, spoil[0], spoil[1])))
    if leaves and leaves[0][0]:
        options.append(st.sampled_from([path for path, _ in leaves]).map(lambda path: _replace(body, path,
                                                                                                _nested(300))))
    return st.one_of(options)


def _spent(team_id: str) -> tuple[int, int]:
    """The team's used credits and its invoices of every type (each holds a folio)."""
    with session_scope(_url()) as session:
        used = session.scalar(select(Team.used_credits).where(Team.id == team_id))
        count = session.scalar(select(func.count()).select_from(Invoice).where(Invoice.team_id == team_id))
        return int(used or 0), int(count or 0)


@schema.hooks.apply(flatmap_body)
@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_server_errors_and_nothing_spent_on_refusals(case: schemathesis.Case, ready: Ready) -> None:
    headers = {**(case.headers or {}), **ready.headers}
    params = case.path_parameters or {}
    for name, real in (("team_id", ready.account.team_id), ("client_id", ready.client_id)):
        if name in params and str(params[name]).startswith("a"):
            params[name] = real  # reach the handlers behind the lookup too
    if case.query and "team" in case.query and not str(case.query["team"]).startswith("z"):
        case.query["team"] = ready.account.team_id  # mostly the caller's own team: past the Connect check
    before = _spent(ready.account.team_id)
    response = case.call(headers=headers)
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: " \
                                       f"{response.text[:500]}"
    event(f"{response.status_code} {response.text[:60] if response.status_code >= 400 else ''}")
    content_type = response.headers.get("content-type") or [""]
    # JSON, unless the operation documents another type for this status (`/metrics` is Prometheus' text)
    documented = case.operation.definition.raw.get("responses", {}).get(str(response.status_code), {})
    assert content_type[0].startswith(("application/json", *documented.get("content", {})))
    if response.status_code >= 400:
        assert _spent(ready.account.team_id) == before, f"{case.method} {case.formatted_path} spent on a refusal"


def test_bodies_nested_100000_deep_are_refused_everywhere(ready: Ready) -> None:
    spec = app.openapi()
    with TestClient(app, raise_server_exceptions=False) as client:
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                if "requestBody" not in operation:
                    continue
                url = path.replace("{team_id}", ready.account.team_id)
                for extra in ({}, {"Idempotency-Key": f"deep {method} {path}"}):
                    res = client.request(method.upper(), url, content=DEEP, headers={
                        **ready.headers, "Content-Type": "application/json", **extra})
                    assert 400 <= res.status_code < 500, f"{method} {path} -> {res.status_code}: {res.text[:300]}"
        assert _spent(ready.account.team_id) == (0, 0)
