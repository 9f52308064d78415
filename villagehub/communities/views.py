from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from villagehub.contributions.selectors import communities_edited_by, revisions_visible
from villagehub.core.filters import filters_parse, paginate
from villagehub.core.front_door import community_latest_news, front_door
from villagehub.core.pagecache import page_cache
from villagehub.practices.selectors import practice_list_base

from .models import Community, Network
from .selectors import (
    CommunityFilterForm,
    community_facets,
    community_geojson,
    community_list,
    community_map_points,
    community_practice_counts,
    country_choices_in_use,
)


@page_cache
def community_list_view(request):
    filters, problems = filters_parse(CommunityFilterForm, request.GET)
    communities = community_list(filters=filters)
    count = community_list(filters=filters, size_indexed=True).count()
    page = paginate(communities, request.GET, count=count)
    page.object_list = list(page.object_list)
    community_practice_counts(page.object_list)
    return render(
        request,
        "communities/community_list.html",
        {
            "page": page,
            "filters": filters,
            "problems": problems,
            "facets": community_facets(filters=filters),
            "countries": country_choices_in_use(),
            "kinds": Community.Kind.choices,
            "networks": Network.objects.order_by("name"),
            "map_points": community_map_points(communities),
            "map_tiles_url": settings.MAP_TILES_URL,
            "map_attribution": settings.MAP_ATTRIBUTION,
        },
    )


def community_detail_view(request, slug):
    community = get_object_or_404(
        Community.objects.prefetch_related("themes", "goals", "networks", "representatives"),
        slug=slug,
    )
    practices = (
        practice_list_base()
        .filter(community=community)
        .prefetch_related("themes")
        .order_by("title")
    )
    return render(
        request,
        "communities/community_detail.html",
        {
            "community": community,
            "practices": practices,
            "latest_news": community_latest_news(community=community),
            "revisions": revisions_visible(request.user, community),
            "user_edits": request.user.is_authenticated
            and communities_edited_by(request.user).filter(pk=community.pk).exists(),
        },
    )


def community_geojson_view(request):
    filters, _problems = filters_parse(CommunityFilterForm, request.GET)
    data = community_geojson(community_list(filters=filters))
    for feature in data["features"]:
        feature["properties"]["url"] = request.build_absolute_uri(feature["properties"]["url"])
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json"
    return response


def network_list_view(request):
    networks = Network.objects.select_related("operator").order_by("name")
    return render(request, "communities/network_list.html", {"networks": networks})


def network_detail_view(request, slug):
    network = get_object_or_404(
        Network.objects.select_related("operator").prefetch_related("goals", "themes"), slug=slug
    )
    return render(
        request,
        "communities/network_detail.html",
        {
            "network": network,
            "communities": network.communities.order_by("name"),
            "organisations": network.organisations.order_by("name"),
            **front_door(network=network),
        },
    )
