from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("indicators/", views.indicator_list_view, name="list"),
    path("indicators/<slug:code>/", views.indicator_detail_view, name="detail"),
    path(
        "indicators/<slug:code>/figures.<str:extension>",
        views.figures_download_view,
        name="figures",
    ),
    path(
        "indicators/<slug:code>/values.<str:extension>", views.values_download_view, name="values"
    ),
    path("communities/<slug:slug>/indicators/", views.publish_view, name="publish"),
    path(
        "communities/<slug:slug>/indicators/<int:pk>/delete/",
        views.value_delete_view,
        name="value-delete",
    ),
]
