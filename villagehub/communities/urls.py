from django.urls import path

from . import views

app_name = "communities"
urlpatterns = [
    path("communities/", views.community_list_view, name="list"),
    path("communities/<slug:slug>/", views.community_detail_view, name="detail"),
    path("networks/", views.network_list_view, name="networks"),
    path("networks/<slug:slug>/", views.network_detail_view, name="network"),
]
