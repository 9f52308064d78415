from django.urls import path

from . import views

app_name = "solutions"
urlpatterns = [
    path("", views.solution_list_view, name="list"),
    path("mine/", views.solution_mine_view, name="mine"),
    path("new/<slug:provider>/", views.solution_new_view, name="new"),
    path("<slug:slug>/", views.solution_detail_view, name="detail"),
    path("<slug:slug>/edit/", views.solution_edit_view, name="edit"),
    path("<slug:slug>/submit/", views.solution_submit_view, name="submit"),
    path("<slug:slug>/references/", views.reference_add_view, name="reference-add"),
    path("<slug:slug>/review/", views.solution_review_view, name="review"),
]
