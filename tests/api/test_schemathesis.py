"""The live API against its own OpenAPI document (``/openapi.json``), with Schemathesis.

Every operation gets a bounded number of generated requests (derandomized, no deadline)
over real HTTP on 127.0.0.1: no answer may be a 5xx, and every answer must match the
schema and media type the document declares for it. (Schemathesis' pytest plugin does not
run under this pytest, so the operations are driven through Hypothesis directly.)
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def test_every_operation_conforms_to_the_openapi_document(live_server):
    schema = schemathesis.openapi.from_url(live_server + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    failures: dict[str, str] = {}
    for operation in operations:

        @settings(
            max_examples=2,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(base_url=live_server, checks=CHECKS, timeout=120)

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - collected, reported together below
            failures[operation.label] = str(exc)[:800]
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
