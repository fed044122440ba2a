from django.urls import include, path

from . import partnership_views, recruitment_views, views

# Members' pages (programs, questionnaires, partnerships). The committee's are in committee_urls.
urlpatterns = [
    path("mentoring/", views.my_mentoring, name="my_mentoring"),
    path("programs/<int:program_id>/", views.program_detail, name="program"),
    path("programs/<int:program_id>/apply/<str:role>/", views.apply, name="apply"),
    path("programs/<int:program_id>/apply/<str:role>/autosave", views.autosave, name="autosave"),
    path("programs/<int:program_id>/resources/<int:resource_id>/", views.resource_file, name="resource_file"),
    path("programs/<int:program_id>/appoint-chair/", views.appoint_chair, name="appoint_chair"),
    path("invitations/<str:token>/", recruitment_views.invitation, name="invitation"),
    path("applications/<int:application_id>/withdraw/", views.withdraw, name="withdraw"),
    path("committee/", include("mentoring.committee_urls")),
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
]
