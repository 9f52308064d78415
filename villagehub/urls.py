from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from villagehub.communities import views as community_views
from villagehub.core import views as core_views

handler400 = "villagehub.core.views.bad_request"
handler404 = "villagehub.core.views.page_not_found"
handler500 = "villagehub.core.views.server_error"

urlpatterns = [
    path("i18n/setlang/", core_views.language_set, name="set_language"),
    path("outbox/", core_views.outbox, name="outbox"),
    path("outbox/<int:pk>/", core_views.outbox_message, name="outbox-message"),
    path("communities.geojson", community_views.community_geojson_view, name="communities-geojson"),
]

# English lives at unprefixed paths; every other language under its prefix (/sv/, /lv/, ...).
urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    path("", include("villagehub.communities.urls")),
    path("countries/", include("villagehub.countries.urls")),
    path("practices/", include("villagehub.practices.urls")),
    path("organisations/", include("villagehub.organisations.urls")),
    path("search/", include("villagehub.search.urls")),
    path("events/", include("villagehub.events.urls")),
    path("privacy/", core_views.privacy, name="privacy"),
    path("accounts/", include("villagehub.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
