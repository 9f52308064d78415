"""Problem details (RFC 9457): the one shape of every error of the API."""

from collections.abc import Iterable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import HttpError

from villagehub.core.filters import UNKNOWN_SLUG
from villagehub.core.versions import (  # noqa: F401 - shared with the routers
    record_version,
    tables_version,
)

PROBLEM_CONTENT_TYPE = "application/problem+json"


# The largest request body the API reads (documented in the README); a larger one is a 413.
MAX_BODY_BYTES = 1024 * 1024


# The codes of a filter form's errors for a well-formed value that names no record; values
# of closed lists are checked by the query's schema before the form sees them.
NAMES_NOTHING = {UNKNOWN_SLUG, "invalid_choice"}


class ProblemField(Schema):
    field: str
    reason: str


class Problem(Schema):
    """An RFC 9457 problem details object."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[ProblemField] = []


class ApiProblem(Exception):
    def __init__(
        self,
        *,
        status: int,
        title: str,
        detail: str = "",
        errors: Iterable[tuple[str, str]] = (),
        type_: str = "about:blank",
    ) -> None:
        super().__init__(title)
        self.status, self.title, self.detail, self.type = status, title, detail, type_
        self.errors = [{"field": field, "reason": reason} for field, reason in errors]


class NotModified(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__("not modified")
        self.response = response


def problem_response(request: HttpRequest, problem: ApiProblem) -> HttpResponse:
    body = Problem(
        type=problem.type,
        title=problem.title,
        status=problem.status,
        detail=problem.detail,
        instance=request.get_full_path(),
        errors=[ProblemField(**error) for error in problem.errors],
    )
    return HttpResponse(
        body.model_dump_json(), status=problem.status, content_type=PROBLEM_CONTENT_TYPE
    )


def invalid_parameters(errors: Iterable[tuple[str, str]]) -> ApiProblem:
    return ApiProblem(
        status=400,
        title="Invalid query parameters",
        detail="One or more query parameters are unknown or have a value that is not allowed.",
        errors=errors,
        type_="/api/v1/docs#problem-invalid-parameters",
    )


def body_too_large() -> ApiProblem:
    return ApiProblem(
        status=413,
        title="Request body too large",
        detail=f"The API reads request bodies of up to {MAX_BODY_BYTES} bytes.",
        errors=[("body", f"longer than {MAX_BODY_BYTES} bytes")],
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps what the body parser raises in an HttpError: the parser's problem is the answer.
    if isinstance(exc.__cause__, ApiProblem):
        return problem_response(request, exc.__cause__)
    return problem_response(
        request, ApiProblem(status=exc.status_code, title=status_title(exc.status_code))
    )


def status_title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
