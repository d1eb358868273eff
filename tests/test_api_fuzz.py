"""Property-based fuzzing of the JSON API from its own OpenAPI schema (schemathesis):
whatever the parameters, no 5xx, and every error is JSON {status, reason}."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from storywire import Store, load_settings
from storywire.web import create_app

from tests.support.live import LiveServer
from tests.support.webfixture import build


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    db = tmp_path_factory.mktemp("fuzz") / "storywire.db"
    build(db)
    store = Store(db)
    server = LiveServer(create_app(load_settings(db=db), store))
    yield schemathesis.openapi.from_url(f"{server.base_url}/api/v1/openapi.json")
    server.close()
    store.close()


def test_api_never_fails_on_any_input(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 9
    calls: list[int] = []
    for operation in operations:
        _fuzz(operation, calls)
    assert len(calls) >= 5 * len(operations), "hypothesis generated too few requests"
    assert any(status == 400 for status in calls) and any(status == 200 for status in calls)


def _fuzz(operation, calls):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(timeout=10)
        calls.append(response.status_code)
        assert response.status_code < 500, (case.path, case.query, response.text[:300])
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"status", "reason"} and body["status"] == response.status_code

    run()
