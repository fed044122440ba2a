from django.contrib import admin
from django.urls import include, path

from . import views

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
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
