from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.dataset_list_view, name="list"),
    path("<slug:slug>/", views.dataset_detail_view, name="detail"),
]
