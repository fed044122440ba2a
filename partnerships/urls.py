"""The partnership's pages, for its two partners: the partnership page with its goals, meeting log,
agreement and milestones, the meetings they schedule, recognition and certificates."""

from django.urls import path

from .views import agreement, certificate, meeting, partnership

urlpatterns = [
    path("partnerships/<int:partnership_id>/", partnership.partnership, name="partnership"),
    path("partnerships/<int:partnership_id>/goals/", partnership.goal_add, name="goal_add"),
    path("partnerships/<int:partnership_id>/goals/<int:goal_id>/", partnership.goal_progress, name="goal_progress"),
    path("partnerships/<int:partnership_id>/meetings/", partnership.meeting_add, name="meeting_add"),
    path("partnerships/<int:partnership_id>/schedule/", meeting.meeting_new, name="meeting_new"),
    path(
        "partnerships/<int:partnership_id>/schedule/<int:meeting_id>/other-time/",
        meeting.meeting_other_time,
        name="meeting_other_time",
    ),
    path(
        "partnerships/<int:partnership_id>/schedule/<int:meeting_id>/accept/",
        meeting.meeting_accept,
        name="meeting_accept",
    ),
    path(
        "partnerships/<int:partnership_id>/schedule/<int:meeting_id>/cancel/",
        meeting.meeting_cancel,
        name="meeting_cancel",
    ),
    path(
        "partnerships/<int:partnership_id>/schedule/<int:meeting_id>/log/",
        meeting.meeting_log,
        name="meeting_log",
    ),
    path("partnerships/<int:partnership_id>/recognition/", partnership.recognition, name="recognition"),
    path("partnerships/<int:partnership_id>/certificate/", certificate.certificate, name="certificate"),
    path(
        "partnerships/<int:partnership_id>/certificate.pdf",
        certificate.certificate_download,
        name="certificate_pdf",
    ),
    path("partnerships/<int:partnership_id>/agreement/", agreement.confirm, name="agreement_confirm"),
    path("partnerships/<int:partnership_id>/agreement/terms/", agreement.terms, name="agreement_terms"),
    path(
        "partnerships/<int:partnership_id>/milestones/<int:milestone_id>/done/",
        agreement.milestone_done,
        name="milestone_done",
    ),
    path(
        "partnerships/<int:partnership_id>/milestones/<int:milestone_id>/undo/",
        agreement.milestone_undo,
        name="milestone_undo",
    ),
    path("programs/<int:program_id>/recognition/", partnership.recognition_page, name="recognition_page"),
]
