"""Every operation of the API, driven by schemathesis from its own OpenAPI schema with all
of its checks, as `schemathesis run --checks all` does: the examples, coverage and fuzzing
phases, with valid and invalid data, and a personal token so that the writes are covered
(its owner edits the demo community `torup`, which the schema's examples name).

The operations are run through the Django application in the test process (WSGI), with a
fixed seed and a bounded number of generated requests each, so the run is the same every
time and takes seconds per operation.
"""

import io

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from villagehub.accounts.services import api_token_create, role_grant
from villagehub.api import api
from villagehub.communities.models import Community

EXAMPLES_PER_OPERATION = 25

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
SCHEMA.app = get_wsgi_application()
SCHEMA.config.generation.update(
    modes=["positive", "negative"], max_examples=EXAMPLES_PER_OPERATION, deterministic=True
)


@SCHEMA.hook
def filter_body(context, body):
    """A period ends on or after its start: a rule between two fields, which JSON Schema
    cannot state, so the schema says it in words and valid bodies keep it."""
    if not isinstance(body, dict):
        return True
    start, end = body.get("temporal_start"), body.get("temporal_end")
    return not (isinstance(start, str) and isinstance(end, str) and end < start)


@pytest.fixture
def token(db):
    call_command("demo", no_migrate=True, stdout=io.StringIO())
    editor = User.objects.create_user("editor", email="editor@example.org", password="x" * 20)
    role_grant(user=editor, kind="community_editor", target=Community.objects.get(slug="torup"))
    _token, key = api_token_create(user=editor, name="schemathesis")
    # Like Django's test client: the WSGI handler would otherwise close the test's database
    # connection after each request (on PostgreSQL, with the test transaction in it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield key
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@SCHEMA.parametrize()
@settings(deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_operation_conforms_to_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})


def test_every_operation_is_exercised():
    assert len(list(SCHEMA.get_all_operations())) == 25
