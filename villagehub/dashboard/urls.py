from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("dashboard.csv", views.dashboard_csv_view, name="csv"),
    path("chart.svg", views.dashboard_chart_view, name="chart"),
]
