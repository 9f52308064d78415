from django.urls import path

from . import views

app_name = "strategies"
urlpatterns = [
    path("communities/<slug:slug>/strategy/", views.strategy_view, name="strategy"),
    path("communities/<slug:slug>/strategy.pdf", views.strategy_pdf_view, name="pdf"),
    path("communities/<slug:slug>/strategy/edit/", views.strategy_edit_view, name="edit"),
    path("communities/<slug:slug>/strategy/review/", views.strategy_review_view, name="review"),
    path("needs/<int:pk>/", views.need_view, name="need"),
    path("networks/<slug:slug>/actions/", views.network_actions_view, name="network-actions"),
]
