from django.urls import path

from . import feeds, views

app_name = "news"
urlpatterns = [
    path("", views.news_list_view, name="list"),
    path("feed.atom", feeds.NewsFeed(), name="feed"),
    path("write/", views.news_create_view, name="create"),
    path("drafts/", views.news_drafts_view, name="drafts"),
    path("subscribe/", views.subscribe_view, name="subscribe"),
    path(
        "subscribe/confirm/<str:token>/",
        views.subscription_confirm_view,
        name="subscription-confirm",
    ),
    path("subscription/<str:token>/", views.subscription_view, name="subscription"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("newsletters/", views.issue_list_view, name="issues"),
    path("newsletters/digest/", views.digest_view, name="digest"),
    path("newsletters/<int:pk>/", views.issue_view, name="issue"),
    path("newsletters/<int:pk>/preview.html", views.issue_preview_html_view, name="issue-html"),
    path("newsletters/<int:pk>/send/", views.issue_send_view, name="issue-send"),
    path("<slug:slug>/", views.news_detail_view, name="detail"),
    path("<slug:slug>/edit/", views.news_edit_view, name="edit"),
    path("<slug:slug>/publish/", views.news_publish_view, name="publish"),
]
