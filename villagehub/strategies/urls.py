from django.urls import path

from . import views

app_name = "strategies"
urlpatterns = [
    path("communities/<slug:slug>/strategy/", views.strategy_view, name="strategy"),
    path("communities/<slug:slug>/strategy.pdf", views.strategy_pdf_view, name="pdf"),
    path("communities/<slug:slug>/strategy/edit/", views.strategy_edit_view, name="edit"),
    path("communities/<slug:slug>/strategy/review/", views.strategy_review_view, name="review"),
    path(
        "networks/<slug:slug>/strategy/",
        views.strategy_view,
        {"kind": "network"},
        name="network-strategy",
    ),
    path(
        "networks/<slug:slug>/strategy.pdf",
        views.strategy_pdf_view,
        {"kind": "network"},
        name="network-pdf",
    ),
    path(
        "networks/<slug:slug>/strategy/edit/",
        views.network_strategy_edit_view,
        name="network-edit",
    ),
    path(
        "networks/<slug:slug>/strategy/review/",
        views.network_strategy_review_view,
        name="network-review",
    ),
    path("needs/<int:pk>/", views.need_view, name="need"),
    path("networks/<slug:slug>/actions/", views.network_actions_view, name="network-actions"),
]
