from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list_view, name="list"),
    path("calendar.ics", views.calendar_view, name="calendar"),
    path("feed.atom", views.EventFeed(), name="feed"),
    path("results/", views.results_view, name="results"),
    path("results/chart.svg", views.results_chart_view, name="results-chart"),
    path("export/<str:what>.<str:fmt>", views.export_view, name="export"),
    path("new/", views.event_create_view, name="create"),
    path("programme/", views.programme_view, name="programme"),
    path("series/new/", views.series_create_view, name="series-create"),
    path("series/<slug:slug>/", views.series_view, name="series"),
    path("series/<slug:slug>/edit/", views.series_edit_view, name="series-edit"),
    path("series/<slug:slug>/host/", views.host_offer_view, name="host-offer"),
    path("offers/<int:pk>/", views.host_request_view, name="host-request"),
    path("registration/<str:token>/", views.registration_view, name="registration"),
    path("registration/<str:token>/cancel/", views.registration_cancel_view, name="cancel"),
    path("registration/<str:token>/accept/", views.registration_accept_view, name="accept"),
    path(
        "registration/<str:token>/event.ics", views.registration_ics_view, name="registration-ics"
    ),
    path("registration/<str:token>/feedback/", views.feedback_view, name="feedback"),
    path("<slug:slug>.ics", views.event_ics_view, name="ics"),
    path("<slug:slug>/", views.event_detail_view, name="detail"),
    path("<slug:slug>/register/", views.event_register_view, name="register"),
    path("<slug:slug>/report/", views.event_report_view, name="report"),
    path("<slug:slug>/manage/report/", views.manage_report_view, name="manage-report"),
    path("<slug:slug>/edit/", views.event_edit_view, name="edit"),
    path("<slug:slug>/edit/status/", views.event_action_view, name="action"),
    path("<slug:slug>/manage/", views.manage_view, name="manage"),
    path("<slug:slug>/manage/event/", views.manage_event_view, name="manage-event"),
    path(
        "<slug:slug>/manage/registration/<int:pk>/",
        views.manage_registration_view,
        name="manage-registration",
    ),
]
