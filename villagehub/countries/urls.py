from django.urls import path

from . import views

app_name = "countries"
urlpatterns = [
    path("", views.country_list_view, name="list"),
    path("<str:code>/", views.country_detail_view, name="detail"),
]
