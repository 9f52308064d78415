from django.http import Http404, StreamingHttpResponse

from villagehub.communities.models import Community
from villagehub.communities.selectors import community_features

from .downloads import DOWNLOADS, csv_lines, json_chunks

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "geojson": "application/geo+json",
}


def download_view(request, name: str, extension: str):
    """/downloads/<list>.csv|.json (and communities.geojson): the whole public list, streamed."""
    download = DOWNLOADS.get(name)
    if download is None or extension not in MEDIA_TYPES:
        raise Http404
    if extension == "csv":
        body = csv_lines(download)
    elif extension == "json":
        body = json_chunks(download.rows())
    elif name == "communities":
        body = json_chunks(
            _absolute_urls(request, community_features(Community.objects.all())),
            head='{"type": "FeatureCollection", "features": [',
            tail="]}\n",
        )
    else:
        raise Http404
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in body), content_type=MEDIA_TYPES[extension]
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


def _absolute_urls(request, features):
    for feature in features:
        feature["properties"]["url"] = request.build_absolute_uri(feature["properties"]["url"])
        yield feature
