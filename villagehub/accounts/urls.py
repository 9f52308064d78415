from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("my-data/", views.my_data_view, name="my-data"),
    path("my-data/download.json", views.my_data_download_view, name="my-data-download"),
    path("my-data/delete/", views.my_account_delete_view, name="delete"),
    path("people/", views.person_view, name="person"),
    path("api-tokens/", views.api_tokens_view, name="api-tokens"),
    path("themes/", views.themes_view, name="themes"),
    path("language/", views.language_view, name="language"),
]
