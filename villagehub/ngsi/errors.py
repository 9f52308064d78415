"""NGSI-LD errors (ETSI GS CIM 009, 5.5.2): ProblemDetails with the specification's type URIs."""

from __future__ import annotations

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"

# Errors the specification does not name (access to a hub entity) use the hub's own type URIs.
HUB_ERRORS = "urn:villagehub:ngsi-ld:errors:"


class NgsiError(Exception):
    """An error answered as a ProblemDetails document with its HTTP status."""

    status = 400
    kind = "InvalidRequest"
    title = "Invalid request"
    base = ERRORS

    def __init__(self, detail: str, **extra: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return self.base + self.kind

    def problem(self) -> dict:
        return {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


class InvalidRequest(NgsiError):
    kind = "InvalidRequest"
    title = "Invalid request"


class BadRequestData(NgsiError):
    kind = "BadRequestData"
    title = "Bad request data"


class ResourceNotFound(NgsiError):
    status = 404
    kind = "ResourceNotFound"
    title = "Resource not found"


class NonexistentTenant(NgsiError):
    status = 404
    kind = "NonexistentTenant"
    title = "Tenant not found"


class AlreadyExists(NgsiError):
    status = 409
    kind = "AlreadyExists"
    title = "Already exists"


class OperationNotSupported(NgsiError):
    status = 422
    kind = "OperationNotSupported"
    title = "Operation not supported"


class LdContextNotAvailable(NgsiError):
    status = 503
    kind = "LdContextNotAvailable"
    title = "JSON-LD context not available"


class TooManyResults(NgsiError):
    status = 403
    kind = "TooManyResults"
    title = "Too many results"


class NotAcceptable(NgsiError):
    status = 406
    kind = "InvalidRequest"
    title = "Not acceptable"


class UnsupportedMediaType(NgsiError):
    status = 415
    kind = "InvalidRequest"
    title = "Unsupported media type"


class MethodNotAllowed(NgsiError):
    status = 405
    kind = "InvalidRequest"
    title = "Method not allowed"


class Unauthorized(NgsiError):
    status = 401
    kind = "Unauthorized"
    title = "Unauthorized"
    base = HUB_ERRORS


class Forbidden(NgsiError):
    status = 403
    kind = "Forbidden"
    title = "Forbidden"
    base = HUB_ERRORS
