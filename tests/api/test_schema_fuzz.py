"""Schemathesis fuzzes every operation of the OpenAPI document, signed in as a federation manager with the CSRF
token: no request may make the server fail (5xx). Examples are bounded so the whole run stays short."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from gainshare.interfaces.app import OPENAPI_URL
from tests.api.conftest import World, make_world

MAX_EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    yield from make_world(folder / "data", f"sqlite:///{folder / 'fuzz.sqlite3'}")


def test_no_request_makes_the_server_fail(fuzz_world: World) -> None:
    """Every operation in turn (the schemathesis pytest plugin does not run under this pytest)."""
    schema = schemathesis.openapi.from_asgi(OPENAPI_URL, fuzz_world.app)
    manager = fuzz_world.client("manager")
    headers = {"X-CSRF-Token": manager.headers["X-CSRF-Token"]}
    cookies = {"gainshare_session": manager.cookies["gainshare_session"]}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, cookies=cookies, checks=[not_a_server_error])

        fuzz()
