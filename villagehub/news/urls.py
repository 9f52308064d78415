from django.urls import path

from . import feeds, views

app_name = "news"
urlpatterns = [
    path("", views.news_list_view, name="list"),
    path("feed.atom", feeds.NewsFeed(), name="feed"),
    path("write/", views.news_create_view, name="create"),
    path("drafts/", views.news_drafts_view, name="drafts"),
    path("<slug:slug>/", views.news_detail_view, name="detail"),
    path("<slug:slug>/edit/", views.news_edit_view, name="edit"),
    path("<slug:slug>/publish/", views.news_publish_view, name="publish"),
]
