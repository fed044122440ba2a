from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.reports_home, name="reports"),
    path("reports/regions/<int:region_id>/", views.region_report, name="region_report"),
    path("reports/associations/<int:association_id>/", views.association_report, name="association_report"),
]

# The committee's dashboard and program report, in the one `committee` namespace
# (config/committee_urls.py).
committee_urlpatterns = [
    path("<int:program_id>/", views.committee_dashboard, name="dashboard"),
    path("<int:program_id>/report/", views.program_report, name="report"),
]
