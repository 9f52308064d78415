from django.http import HttpResponse

# What other sites may read from a browser: the open data, never the pages or the admin.
OPEN_DATA_PREFIXES = ("/api/", "/catalog.", "/catalogue/", "/downloads/", "/feeds/", "/ngsi-ld/")
READ_METHODS = ("GET", "HEAD")


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
