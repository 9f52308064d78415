"""Every error under /api/v1/ is RFC 9457 problem details: each address of the OpenAPI
schema is tried with every method, and each write with every kind of broken body."""

import json
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from villagehub.accounts.services import api_token_create
from villagehub.api import api
from villagehub.core.api import MAX_BODY_BYTES
from villagehub.core.middleware import ApiProblemMiddleware

pytestmark = pytest.mark.django_db

SCHEMA = api.get_openapi_schema(path_prefix="/api/v1")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# A value for each path parameter; the record need not exist for these answers.
PATH_VALUES = {"slug": "no-such-record", "number": "3", "code": "SE"}


def _address(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: PATH_VALUES[match[1]], path)


ADDRESSES = {_address(path): item for path, item in SCHEMA["paths"].items()}
WRITES = [address for address, item in ADDRESSES.items() for method in item if method == "post"]


@pytest.fixture
def token():
    user = User.objects.create_user("writer", email="w@example.org", password="x" * 20)
    _token, key = api_token_create(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def anyone():
    return Client(raise_request_exception=False)


def problem(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["title"]
    return body


def test_the_schema_has_addresses_and_writes():
    assert len(ADDRESSES) == 24
    assert sorted(WRITES) == ["/api/v1/datasets", "/api/v1/submissions"]


@pytest.mark.parametrize("address", sorted(ADDRESSES))
def test_every_method_an_address_does_not_take_is_a_405_problem_with_allow(anyone, address):
    declared = {method.upper() for method in ADDRESSES[address]}
    allow = sorted({*declared, "OPTIONS"} | ({"HEAD"} if "GET" in declared else set()))
    for method in set(METHODS) - declared:
        response = anyone.generic(method, address)
        body = problem(response, 405)
        assert body["instance"] == address
        assert response["Allow"] == ", ".join(allow)
    options = anyone.options(address)
    assert (options.status_code, options["Allow"]) == (204, ", ".join(allow))


@pytest.mark.parametrize("address", sorted(ADDRESSES))
def test_every_address_answers_head_as_get_without_a_body(anyone, address):
    if "get" not in ADDRESSES[address]:
        return  # POST /datasets alone
    get, head = anyone.get(address), anyone.head(address)
    assert head.status_code == get.status_code
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""


@pytest.mark.parametrize("address", [*sorted(ADDRESSES), ""])
def test_addresses_the_api_does_not_have_are_404_problems(anyone, address):
    unknown = f"{address or '/api/v1'}/nope/deeper"
    body = problem(anyone.get(unknown), 404)
    assert body["instance"] == unknown


@pytest.mark.parametrize("address", WRITES)
def test_a_write_without_a_token_is_a_401_problem(anyone, address):
    problem(anyone.post(address, "{}", content_type="application/json"), 401)


@pytest.mark.parametrize("address", WRITES)
@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        ("{bad", "application/json", 400, "body"),
        ("[1, 2]", "application/json", 400, "body"),
        (b"\xff\xfe", "application/json", 400, "body"),
        ('{"title": "x"}', "text/plain", 415, "Content-Type"),
        ('{"title": "x"}', "", 415, "Content-Type"),
        ("title=x", "application/x-www-form-urlencoded", 415, "Content-Type"),
        ('{"title": "' + "x" * MAX_BODY_BYTES + '"}', "application/json", 413, "body"),
    ],
)
def test_a_broken_body_is_a_problem_naming_what_is_wrong(
    anyone, token, address, body, content_type, status, field
):
    response = anyone.post(address, body, content_type=content_type, **token)
    assert [error["field"] for error in problem(response, status)["errors"]] == [field]


@pytest.mark.parametrize("address", WRITES)
def test_a_body_missing_its_fields_is_a_400_problem_naming_them(anyone, token, address):
    response = anyone.post(address, "{}", content_type="application/json", **token)
    required = SCHEMA["components"]["schemas"][
        ADDRESSES[address]["post"]["requestBody"]["content"]["application/json"]["schema"][
            "$ref"
        ].rsplit("/", 1)[1]
    ]["required"]
    assert sorted(error["field"] for error in problem(response, 400)["errors"]) == sorted(required)


def test_a_server_error_in_the_api_is_a_500_problem(anyone, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr("villagehub.organisations.api.organisation_list", broken)
    body = problem(anyone.get("/api/v1/organisations"), 500)
    assert body["detail"] == "The server failed to answer; the error has been logged."
    assert "broken" not in json.dumps(body)


def test_the_documentation_page_is_read_only_and_its_errors_are_problems(anyone):
    assert anyone.get("/api/v1/docs").status_code == 200
    response = anyone.post("/api/v1/docs")
    problem(response, 405)
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_pages_outside_the_api_keep_their_html_errors(anyone):
    response = anyone.get("/communities/no-such-place/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_allow_lists_the_methods_answered_beside_ninja():
    assert ApiProblemMiddleware._allowed("POST, GET") == "GET, HEAD, OPTIONS, POST"
    assert ApiProblemMiddleware._allowed("POST") == "OPTIONS, POST"
