from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import npgettext
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language

from villagehub.communities.models import Community, Network
from villagehub.core.front_door import front_door
from villagehub.countries.models import Factsheet
from villagehub.organisations.models import Organisation
from villagehub.practices.selectors import practice_list


def home(request):
    network = (
        Network.objects.filter(slug=settings.HUB_NETWORK).first() if settings.HUB_NETWORK else None
    )
    counts = {
        "communities": Community.objects.count(),
        "practices": practice_list(filters={}).count(),
        "countries": Community.objects.order_by().values("country").distinct().count(),
        "organisations": Organisation.objects.count(),
        "networks": Network.objects.count(),
        "factsheets": Factsheet.objects.count(),
    }
    # A word after a number takes its own grammatical form in many languages (Finnish
    # "12 käytäntöä"), hence plural forms with a context rather than the model names.
    labels = {
        "communities": npgettext("number of", "community", "communities", counts["communities"]),
        "practices": npgettext("number of", "practice", "practices", counts["practices"]),
        "countries": npgettext("number of", "country", "countries", counts["countries"]),
        "organisations": npgettext(
            "number of", "organisation", "organisations", counts["organisations"]
        ),
        "networks": npgettext("number of", "network", "networks", counts["networks"]),
        "factsheets": npgettext(
            "number of", "country factsheet", "country factsheets", counts["factsheets"]
        ),
    }
    numbers = [(counts[key], labels[key]) for key in counts]
    return render(
        request,
        "core/home.html",
        {
            "network": network,
            "networks": Network.objects.order_by("name"),
            "numbers": numbers,
            **front_door(),
        },
    )


@require_safe
def api_docs(request):
    """The API's documentation, rendered on the server from its OpenAPI schema."""
    from villagehub.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    operations = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "parameters": [_api_parameter(p) for p in operation.get("parameters", [])],
                }
            )
    return render(
        request,
        "core/api_docs.html",
        {
            "operations": operations,
            "schema_url": request.build_absolute_uri("/api/v1/openapi.json"),
        },
    )


def _api_parameter(parameter: dict) -> dict:
    schema = parameter.get("schema", {})
    options = schema.get("anyOf", [schema])
    kinds = []
    for option in options:
        if "enum" in option:
            kinds.append(" | ".join(str(v) for v in option["enum"]))
        elif option.get("type") and option["type"] != "null":
            kinds.append(option["type"])
    return {
        "name": parameter["name"],
        "required": parameter.get("required", False),
        "type": " | ".join(kinds),
        "description": parameter.get("description") or schema.get("description", ""),
    }


def health(request):
    """A constant answer that touches no database: for load balancers' health checks, and the
    floor the API benchmarks measure against (the cost of the server and middleware alone)."""
    return JsonResponse({"status": "ok"})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the static icon."""
    return HttpResponsePermanentRedirect(staticfiles_storage.url("img/favicon.ico"))


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        from villagehub.core.api import ApiProblem, problem_response

        return problem_response(
            request, ApiProblem(status=404, title="Not found", detail="There is no such address.")
        )
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def server_error(request):
    return render(request, "500.html", status=500)


@require_POST
def language_set(request):
    """Django's set_language, run in the language of the page the visitor comes from.

    set_language translates the `next` address by resolving it in the active language; the
    switcher posts to an unprefixed address, so without this a visitor on a /sv/ page would
    be resolved in English and stay on the Swedish page.
    """
    next_path = urlsplit(request.POST.get("next", "")).path
    page_language = translation.get_language_from_path(next_path) or settings.LANGUAGE_CODE
    with translation.override(page_language):
        return set_language(request)


def privacy(request, version=None):
    """The privacy notice in force, or an earlier version people accepted (each version is a
    template of its own, `core/privacy/<version>.html`, kept unchanged once published)."""
    from django.http import Http404

    versions = settings.PRIVACY_NOTICE_VERSIONS
    version = version or settings.PRIVACY_NOTICE_VERSION
    if version not in versions:
        raise Http404
    return render(
        request,
        "core/privacy.html",
        {
            "version": version,
            "current": settings.PRIVACY_NOTICE_VERSION,
            "is_current": version == settings.PRIVACY_NOTICE_VERSION,
            "versions": versions,
            "notice_template": f"core/privacy/{version}.html",
        },
    )


def _outbox_enabled() -> bool:
    return settings.DEBUG and settings.EMAIL_BACKEND == "villagehub.core.mail.OutboxBackend"


def outbox(request):
    """Development only: the e-mail the hub would have sent, to read and click through."""
    from django.http import Http404

    from .models import OutboxMessage

    if not _outbox_enabled():
        raise Http404
    return render(request, "core/outbox.html", {"messages_sent": OutboxMessage.objects.all()[:200]})


def outbox_message(request, pk):
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    from .models import OutboxMessage

    if not _outbox_enabled():
        raise Http404
    return render(
        request, "core/outbox_message.html", {"message": get_object_or_404(OutboxMessage, pk=pk)}
    )


def media_view(request, path):
    """Uploaded files, served so that a browser never runs them: downloads (images shown
    inline), their declared type only, and a policy that allows no script."""
    import mimetypes

    from django.core.exceptions import SuspiciousFileOperation
    from django.http import FileResponse, Http404
    from django.utils._os import safe_join

    try:
        full = safe_join(settings.MEDIA_ROOT, path)
    except (ValueError, SuspiciousFileOperation):  # a path leaving MEDIA_ROOT
        raise Http404 from None
    from pathlib import Path

    if not Path(full).is_file():
        raise Http404
    content_type, _encoding = mimetypes.guess_type(full)
    image = (content_type or "").startswith("image/") and not full.endswith(".svg")
    response = FileResponse(
        open(full, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=not image,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response
