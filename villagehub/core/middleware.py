from django.http import HttpResponse

from villagehub.core.api import PROBLEM_CONTENT_TYPE, ApiProblem, problem_response, status_title

# What other sites may read from a browser: the open data, never the pages or the admin.
OPEN_DATA_PREFIXES = ("/api/", "/catalog.", "/catalogue/", "/downloads/", "/feeds/", "/ngsi-ld/")
READ_METHODS = ("GET", "HEAD")


class NoContentLengthMiddleware:
    """No `Content-Length` on a 204 (RFC 9110, 8.6: a server must not send one), which
    CommonMiddleware adds to every answer; it stands before CommonMiddleware to undo that."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 204 and response.has_header("Content-Length"):
            del response["Content-Length"]
        return response


class OpenDataCorsMiddleware:
    """CORS for reads of the open data: any origin may GET, and may send conditional headers.

    No credentials are involved (`*` forbids them), so a page elsewhere can read nothing that
    is not public anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OPEN_DATA_PREFIXES):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ", ".join(READ_METHODS)
            response["Access-Control-Allow-Headers"] = (
                "Accept, Accept-Language, If-None-Match, If-Modified-Since, Link, NGSILD-Tenant"
            )
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
            if request.method not in READ_METHODS:
                return response
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = (
            "ETag, Last-Modified, Link, Content-Length, NGSILD-Results-Count"
        )
        return response


API_PREFIX = "/api/v1/"
# Headers of an error answer that a client needs in its problem-details version.
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


class ApiProblemMiddleware:
    """Every error under /api/v1/ is RFC 9457 problem details, whoever answered it.

    ninja's operations answer problems themselves (`core.api.HubAPI`); this turns what others
    answer into problems too: an address the API does not have (Django's 404 page), a method
    the address does not take (405, with its `Allow`), a server error. HEAD is answered as
    GET without the body, and OPTIONS with the address's methods in `Allow`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        method = request.method
        if method in ("HEAD", "OPTIONS"):
            request.method = "GET" if method == "HEAD" else "OPTIONS"
            try:
                response = self.get_response(request)
            finally:
                request.method = method
            if method == "OPTIONS" and response.status_code == 405:
                allow = response.get("Allow", "")
                response = HttpResponse(status=204)
                response["Allow"] = self._allowed(allow)
        else:
            response = self.get_response(request)
        if response.status_code == 405:
            response["Allow"] = self._allowed(response.get("Allow", ""))
        if response.status_code >= 400 and response.get("Content-Type") != PROBLEM_CONTENT_TYPE:
            response = self._problem(request, response)
        if method == "HEAD" and not response.streaming:
            response.content = b""
        return response

    @staticmethod
    def _allowed(allow: str) -> str:
        """ninja's `Allow`, with the methods answered here."""
        methods = {m.strip().upper() for m in allow.split(",") if m.strip()}
        if "GET" in methods:
            methods.add("HEAD")
        if methods:
            methods.add("OPTIONS")
        return ", ".join(sorted(methods))

    @staticmethod
    def _problem(request, response):
        status = response.status_code
        problem = ApiProblem(
            status=status, title=status_title(status), detail=DETAILS.get(status, "")
        )
        replacement = problem_response(request, problem)
        for header in KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        return replacement


DETAILS = {
    404: "The API has no such address: see /api/v1/docs.",
    405: "The address does not take this method: see Allow.",
    500: "The server failed to answer; the error has been logged.",
}
