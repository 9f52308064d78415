from django.urls import path

from . import views

app_name = "comments"
urlpatterns = [
    path("<str:kind>/<int:pk>/", views.comment_create_view, name="create"),
    path("<str:kind>/<int:pk>/switch/", views.item_switch_view, name="item-switch"),
    path("network/<slug:slug>/switch/", views.network_switch_view, name="network-switch"),
    path("<int:pk>/edit/", views.comment_edit_view, name="edit"),
    path("<int:pk>/delete/", views.comment_delete_view, name="delete"),
    path("<int:pk>/hide/", views.comment_hide_view, name="hide"),
    path("<int:pk>/restore/", views.comment_restore_view, name="restore"),
    path("<int:pk>/report/", views.comment_report_view, name="report"),
]
