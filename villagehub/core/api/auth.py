"""Who calls: personal API tokens (`Authorization: Bearer vh_...`)."""

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from ninja.security import HttpBearer

from villagehub.accounts.services import api_token_use
from villagehub.core.versions import (  # noqa: F401 - shared with the routers
    record_version,
    tables_version,
)

from .problems import ApiProblem, problem_response


class TokenAuth(HttpBearer):
    """Personal API tokens (`Authorization: Bearer vh_...`): the request acts as the owner."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_use(key=token)
        if user is not None:
            request.user = user
        return user


def _unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = problem_response(
        request,
        ApiProblem(
            status=401,
            title="Unauthorized",
            detail="Send a personal API token: Authorization: Bearer <token>.",
        ),
    )
    response["WWW-Authenticate"] = "Bearer"
    return response
