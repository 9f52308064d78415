from django.urls import path

from . import views

app_name = "contact"
urlpatterns = [
    path("network/<slug:slug>/", views.contact_network_view, name="network"),
    path("country/<str:code>/", views.contact_country_view, name="country"),
    path("messages/", views.message_list_view, name="messages"),
    path("messages/<int:pk>/", views.message_view, name="message"),
]
