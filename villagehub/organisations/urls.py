from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list_view, name="list"),
    path("<slug:slug>/", views.organisation_detail_view, name="detail"),
]
