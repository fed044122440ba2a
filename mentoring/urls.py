from django.urls import path

from . import (
    agreement_views,
    certificate_views,
    committee_views,
    meeting_views,
    partnership_views,
    views,
)

# Members' pages (programs, questionnaires, partnerships).
urlpatterns = [
    path("mentoring/", views.my_mentoring, name="my_mentoring"),
    path("programs/<int:program_id>/", views.program_detail, name="program"),
    path("programs/<int:program_id>/apply/<str:role>/", views.apply, name="apply"),
    path("programs/<int:program_id>/apply/<str:role>/autosave", views.autosave, name="autosave"),
    path("programs/<int:program_id>/resources/<int:resource_id>/", views.resource_file, name="resource_file"),
    path("programs/<int:program_id>/appoint-chair/", views.appoint_chair, name="appoint_chair"),
    path("applications/<int:application_id>/withdraw/", views.withdraw, name="withdraw"),
    path("partnerships/<int:partnership_id>/", partnership_views.partnership, name="partnership"),
    path("partnerships/<int:partnership_id>/goals/", partnership_views.goal_add, name="goal_add"),
    path(
        "partnerships/<int:partnership_id>/goals/<int:goal_id>/",
        partnership_views.goal_progress,
        name="goal_progress",
    ),
    path("partnerships/<int:partnership_id>/meetings/", partnership_views.meeting_add, name="meeting_add"),
    path("partnerships/<int:partnership_id>/schedule/", meeting_views.meeting_new, name="meeting_new"),
    path(
        "partnerships/<int:partnership_id>/schedule/<int:meeting_id>/other-time/",
        meeting_views.meeting_other_time,
        name="meeting_other_time",
    ),
    path(
        "partnerships/<int:partnership_id>/schedule/<int:meeting_id>/accept/",
        meeting_views.meeting_accept,
        name="meeting_accept",
    ),
    path(
        "partnerships/<int:partnership_id>/schedule/<int:meeting_id>/cancel/",
        meeting_views.meeting_cancel,
        name="meeting_cancel",
    ),
    path(
        "partnerships/<int:partnership_id>/schedule/<int:meeting_id>/log/",
        meeting_views.meeting_log,
        name="meeting_log",
    ),
    path("partnerships/<int:partnership_id>/recognition/", partnership_views.recognition, name="recognition"),
    path("partnerships/<int:partnership_id>/certificate/", certificate_views.certificate, name="certificate"),
    path(
        "partnerships/<int:partnership_id>/certificate.pdf",
        certificate_views.certificate_download,
        name="certificate_pdf",
    ),
    path("partnerships/<int:partnership_id>/agreement/", agreement_views.confirm, name="agreement_confirm"),
    path("partnerships/<int:partnership_id>/agreement/terms/", agreement_views.terms, name="agreement_terms"),
    path(
        "partnerships/<int:partnership_id>/milestones/<int:milestone_id>/done/",
        agreement_views.milestone_done,
        name="milestone_done",
    ),
    path(
        "partnerships/<int:partnership_id>/milestones/<int:milestone_id>/undo/",
        agreement_views.milestone_undo,
        name="milestone_undo",
    ),
    path("programs/<int:program_id>/recognition/", partnership_views.recognition_page, name="recognition_page"),
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
