from django.urls import path

from . import views

app_name = "matchmaking"
urlpatterns = [
    path("manage/<slug:slug>/", views.manage_view, name="manage"),
    path("manage/<slug:slug>/plan/", views.plan_view, name="plan"),
    path("<str:token>/", views.profile_view, name="profile"),
    path("<str:token>/participants/", views.participants_view, name="participants"),
    path("<str:token>/participants/<int:pk>/", views.participant_view, name="participant"),
    path("<str:token>/requests/<int:pk>/", views.request_action_view, name="request"),
    path("<str:token>/agenda/", views.agenda_view, name="agenda"),
    path("<str:token>/agenda.ics", views.agenda_ics_view, name="agenda-ics"),
    path("<str:token>/meetings/<int:pk>/", views.meeting_outcome_view, name="outcome"),
]
