from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views

from . import partnership_views, report_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("profile/", include("accounts.urls")),
    path("mentoring/", views.my_mentoring, name="my_mentoring"),
    path("programs/<int:program_id>/", views.program_detail, name="program"),
    path("programs/<int:program_id>/apply/<str:role>/", views.apply, name="apply"),
    path("programs/<int:program_id>/apply/<str:role>/autosave", views.autosave, name="autosave"),
    path("programs/<int:program_id>/resources/<int:resource_id>/", views.resource_file, name="resource_file"),
    path("programs/<int:program_id>/appoint-chair/", views.appoint_chair, name="appoint_chair"),
    path("applications/<int:application_id>/withdraw/", views.withdraw, name="withdraw"),
    path("committee/", include("mentoring.committee_urls")),
    path("committee/<int:program_id>/matching/", include("matching.urls")),
    path("committee/<int:program_id>/", include("feedback.committee_urls")),
    path("partnerships/<int:partnership_id>/", partnership_views.partnership, name="partnership"),
    path("partnerships/<int:partnership_id>/goals/", partnership_views.goal_add, name="goal_add"),
    path(
        "partnerships/<int:partnership_id>/goals/<int:goal_id>/",
        partnership_views.goal_progress,
        name="goal_progress",
    ),
    path("partnerships/<int:partnership_id>/meetings/", partnership_views.meeting_add, name="meeting_add"),
    path("partnerships/<int:partnership_id>/recognition/", partnership_views.recognition, name="recognition"),
    path("programs/<int:program_id>/recognition/", partnership_views.recognition_page, name="recognition_page"),
    path("staff/member-import/", accounts_views.member_import, name="member_import"),
    path("reports/", report_views.reports_home, name="reports"),
    path("reports/regions/<int:region_id>/", report_views.region_report, name="region_report"),
    path("committee/<int:program_id>/report/", report_views.program_report, name="program_report"),
    path("", include("feedback.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
