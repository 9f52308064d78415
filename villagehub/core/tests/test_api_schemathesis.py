"""Every operation of the read API, driven by schemathesis from its own OpenAPI schema:
no server error, and every answer (status, content type, headers, body) as the schema says.

The operations are run through the Django application in the test process (WSGI), with a
bounded number of generated requests each, so the whole run takes seconds.
"""

import io

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from villagehub.api import api

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 30

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
APPLICATION = get_wsgi_application()
OPERATIONS = {
    f"{op.method.upper()} {op.path}": op
    for op in (result.ok() for result in SCHEMA.get_all_operations())
}


@pytest.fixture
def demo(db):
    call_command("demo", no_migrate=True, stdout=io.StringIO())
    # Like Django's test client: the WSGI handler would otherwise close the test's database
    # connection after each request (on PostgreSQL, with the test transaction in it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_api_operation_conforms_to_its_schema(demo, label):
    @given(case=OPERATIONS[label].as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(checks=CHECKS, app=APPLICATION)

    run()


def test_every_operation_is_exercised():
    assert len(OPERATIONS) == 23
