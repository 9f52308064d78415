from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from villagehub.api import api
from villagehub.catalogue import views as catalogue_views
from villagehub.communities import views as community_views
from villagehub.core import views as core_views
from villagehub.interchange import views as interchange_views
from villagehub.practices.feeds import PracticeFeed

handler400 = "villagehub.core.views.bad_request"
handler404 = "villagehub.core.views.page_not_found"
handler500 = "villagehub.core.views.server_error"

urlpatterns = [
    path("i18n/setlang/", core_views.language_set, name="set_language"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("healthz", core_views.health, name="health"),
    path("outbox/", core_views.outbox, name="outbox"),
    path("media/<path:path>", core_views.media_view, name="media"),
    path("outbox/<int:pk>/", core_views.outbox_message, name="outbox-message"),
    path("communities.geojson", community_views.community_geojson_view, name="communities-geojson"),
    path("api/v1/", RedirectView.as_view(pattern_name="api-docs"), name="api-root"),
    path("api/v1/", api.urls),
    path("ngsi-ld/v1/", include("villagehub.ngsi.urls")),
    path("catalog", catalogue_views.catalogue_rdf_view, name="catalog"),
    path("catalog.<str:extension>", catalogue_views.catalogue_rdf_view, name="catalog-format"),
    path(
        "downloads/<slug:name>.<str:extension>",
        interchange_views.download_view,
        name="download",
    ),
    path(
        "catalogue/<slug:slug>.<str:extension>",
        catalogue_views.dataset_rdf_view,
        name="dataset-rdf",
    ),
]

# English lives at unprefixed paths; every other language under its prefix (/sv/, /lv/, ...).
urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    path("", include("villagehub.communities.urls")),
    path("countries/", include("villagehub.countries.urls")),
    path("practices/", include("villagehub.practices.urls")),
    path("organisations/", include("villagehub.organisations.urls")),
    path("solutions/", include("villagehub.solutions.urls")),
    path("", include("villagehub.strategies.urls")),
    path("", include("villagehub.indicators.urls")),
    path("matches/", include("villagehub.matching.urls")),
    path("search/", include("villagehub.search.urls")),
    path("events/", include("villagehub.events.urls")),
    path("matchmaking/", include("villagehub.matchmaking.urls")),
    path("news/", include("villagehub.news.urls")),
    path("comments/", include("villagehub.comments.urls")),
    path("contact/", include("villagehub.contact.urls")),
    path("dashboard/", include("villagehub.dashboard.urls")),
    path("privacy/", core_views.privacy, name="privacy"),
    path("privacy/<str:version>/", core_views.privacy, name="privacy-version"),
    path("accounts/", include("villagehub.accounts.urls")),
    path("contribute/notices/", include("villagehub.notices.urls")),
    path("contribute/", include("villagehub.contributions.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/docs", core_views.api_docs, name="api-docs"),
    path("catalogue/", include("villagehub.catalogue.urls")),
    path("feeds/practices.atom", PracticeFeed(), name="practices-feed"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
