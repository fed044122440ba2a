from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.reports_home, name="reports"),
    path("reports/regions/<int:region_id>/", views.region_report, name="region_report"),
    path("reports/associations/<int:association_id>/", views.association_report, name="association_report"),
    path("committee/<int:program_id>/", views.committee_dashboard, name="committee_dashboard"),
    path("committee/<int:program_id>/report/", views.program_report, name="program_report"),
]
