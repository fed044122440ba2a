from django.urls import path

from . import committee_views, views

# Members' pages (programs, questionnaires; the partnership's own pages are partnerships.urls).
urlpatterns = [
    path("mentoring/", views.my_mentoring, name="my_mentoring"),
    path("programs/<int:program_id>/", views.program_detail, name="program"),
    path("programs/<int:program_id>/apply/<str:role>/", views.apply, name="apply"),
    path("programs/<int:program_id>/apply/<str:role>/autosave", views.autosave, name="autosave"),
    path("programs/<int:program_id>/resources/<int:resource_id>/", views.resource_file, name="resource_file"),
    path("programs/<int:program_id>/appoint-chair/", views.appoint_chair, name="appoint_chair"),
    path("programs/<int:program_id>/next-cycle/", views.next_cycle, name="next_cycle"),
    path("applications/<int:application_id>/withdraw/", views.withdraw, name="withdraw"),
]

# The committee's pages of the core, in the one `committee` namespace (config/committee_urls.py).
committee_urlpatterns = [
    path("", committee_views.committee_home, name="home"),
    path("<int:program_id>/pledge/", committee_views.pledge, name="pledge"),
    path("<int:program_id>/setup/", committee_views.setup, name="setup"),
    path("<int:program_id>/questions/", committee_views.questions, name="questions"),
    path("<int:program_id>/questions/<int:question_id>/", committee_views.question_edit, name="question_edit"),
    path(
        "<int:program_id>/questions/<int:question_id>/delete/", committee_views.question_delete, name="question_delete"
    ),
    path("<int:program_id>/resources/", committee_views.resources, name="resources"),
    path(
        "<int:program_id>/resources/<int:resource_id>/delete/", committee_views.resource_delete, name="resource_delete"
    ),
    path("<int:program_id>/members/", committee_views.members, name="members"),
    path("<int:program_id>/members/<int:seat_id>/remove/", committee_views.member_remove, name="member_remove"),
    path("<int:program_id>/applications/", committee_views.applications, name="applications"),
    path("<int:program_id>/applications/<int:application_id>/", committee_views.application_detail, name="application"),
    path("<int:program_id>/vetting/", committee_views.vetting, name="vetting"),
]
