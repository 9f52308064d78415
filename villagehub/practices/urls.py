from django.urls import path

from . import views

app_name = "practices"
urlpatterns = [
    path("", views.practice_list_view, name="list"),
    path("<slug:slug>/", views.practice_detail_view, name="detail"),
]
