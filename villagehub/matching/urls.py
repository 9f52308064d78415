from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("", views.follow_up_list_view, name="follow-ups"),
    path("follow/", views.follow_up_start_view, name="follow"),
    path("<int:pk>/practice/", views.follow_up_practice_view, name="practice"),
    path("pipeline/", views.pipeline_view, name="pipeline"),
]
