from django.urls import path

from . import views

app_name = "contributions"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("communities/new/", views.community_new_view, name="community-new"),
    path("providers/new/", views.provider_new_view, name="provider-new"),
    path("communities/<slug:slug>/request/", views.role_request_view, name="role-request"),
    path(
        "organisations/<slug:slug>/request/",
        views.role_request_view,
        {"kind": "organisation"},
        name="organisation-request",
    ),
    path("invitations/", views.invitation_create_view, name="invite"),
    path("invitations/<str:token>/", views.invitation_view, name="invitation"),
    path("communities/<slug:slug>/practices/new/", views.practice_new_view, name="practice-new"),
    path(
        "events/<slug:slug>/practices/new/",
        views.event_practice_new_view,
        name="event-practice-new",
    ),
    path("communities/<slug:slug>/edit/", views.community_edit_view, name="community-edit"),
    path("communities/<slug:slug>/datasets/new/", views.dataset_new_view, name="dataset-new"),
    path(
        "networks/<slug:slug>/datasets/new/",
        views.network_dataset_new_view,
        name="network-dataset-new",
    ),
    path(
        "organisations/<slug:slug>/edit/",
        views.organisation_edit_view,
        name="organisation-edit",
    ),
    path("practices/<slug:slug>/edit/", views.practice_edit_view, name="practice-edit"),
    path("countries/<str:code>/", views.factsheet_edit_view, name="factsheet-edit"),
    path("submissions/<int:pk>/", views.submission_edit_view, name="submission"),
    path("review/<int:pk>/", views.review_view, name="review"),
    path("requests/<int:pk>/", views.role_request_decide_view, name="request-decide"),
]
