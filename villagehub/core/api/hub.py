"""The API object: JSON bodies only, problem details for every error, OpenAPI extras."""

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from villagehub.core.versions import (  # noqa: F401 - shared with the routers
    record_version,
    tables_version,
)

from .auth import _unauthorized
from .problems import (
    MAX_BODY_BYTES,
    PROBLEM_CONTENT_TYPE,
    ApiProblem,
    NotModified,
    _http_error,
    body_too_large,
    invalid_parameters,
    problem_response,
)


class JsonBodyParser(Parser):
    """Bodies are JSON objects, said so by their Content-Type, and at most MAX_BODY_BYTES."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        media_type = request.content_type or ""
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise ApiProblem(
                status=415,
                title="Unsupported media type",
                detail="Send the body as JSON, with Content-Type: application/json.",
                errors=[("Content-Type", f"not JSON: {media_type[:50] or 'none'}")],
            )
        if len(request.body) > MAX_BODY_BYTES:
            raise body_too_large()
        try:
            data = json.loads(request.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ApiProblem(
                status=400, title="Invalid request", errors=[("body", f"not JSON: {error}")]
            ) from None
        if not isinstance(data, dict):
            raise ApiProblem(
                status=400, title="Invalid request", errors=[("body", "not a JSON object")]
            )
        return data


def _not_modified(request: HttpRequest, exc: NotModified) -> HttpResponse:
    return exc.response


class HubAPI(NinjaAPI):
    """The read API: problem details for every error, and an OpenAPI schema that says so.

    What happens outside ninja's operations (an unknown address, a method the address does
    not take, a server error) is turned into problem details by `ApiProblemMiddleware`.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(parser=JsonBodyParser(), **kwargs)
        # ninja declares that a handler may be given the exception's class as well as the
        # exception (`Exc = Union[_E, Type[_E]]`); it is given the exception, as these expect.
        self.add_exception_handler(HttpError, _http_error)  # type: ignore[arg-type]
        self.add_exception_handler(
            RequestDataTooBig, lambda request, exc: problem_response(request, body_too_large())
        )
        self.add_exception_handler(ApiProblem, problem_response)  # type: ignore[arg-type]
        self.add_exception_handler(NotModified, _not_modified)  # type: ignore[arg-type]
        self.add_exception_handler(AuthenticationError, _unauthorized)  # type: ignore[arg-type]
        self.add_exception_handler(NinjaValidationError, self._validation_error)  # type: ignore[arg-type]
        self.add_exception_handler(
            Http404,
            lambda request, exc: problem_response(
                request,
                ApiProblem(status=404, title="Not found", detail="There is no such record."),
            ),
        )

    @staticmethod
    def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors, in_body = [], False
        for error in exc.errors:
            location = list(error.get("loc", ()))
            if location[:1] == ["body"]:
                # ("body", <parameter name>, field, ...): the client knows only the field.
                in_body, location = True, location[2:]
            location = [str(part) for part in location if part not in ("query", "path")]
            errors.append((".".join(location) or "request", str(error.get("msg", ""))))
        if in_body:
            return problem_response(
                request, ApiProblem(status=400, title="Invalid request", errors=errors)
            )
        return problem_response(request, invalid_parameters(errors))

    def get_openapi_operation_id(self, operation: Any) -> str:
        name: str = operation.view_func.__name__
        return name.removesuffix("_endpoint")

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["info"]["license"] = {
            "name": "Open data; see each record's source",
            "identifier": "CC-BY-4.0",
        }
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.get("responses", {})
                if any(p["name"] == "cursor" for p in operation.get("parameters", [])):
                    # A cursor that names no page of the list is a 404.
                    responses.setdefault(
                        404,
                        {
                            "description": "Not Found",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Problem"}
                                }
                            },
                        },
                    )
                for status, response in responses.items():
                    content = response.get("content", {})
                    if str(status).startswith("4") and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
                    if str(status) == "200":
                        response["headers"] = {
                            "ETag": {"schema": {"type": "string"}},
                            "Last-Modified": {"schema": {"type": "string"}},
                        }
        return schema
