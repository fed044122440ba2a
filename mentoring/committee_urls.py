from django.urls import path

from . import committee_views as views
from . import orientation_views, recruitment_views, retention_views

app_name = "committee"

urlpatterns = [
    path("", views.committee_home, name="home"),
    path("<int:program_id>/pledge/", views.pledge, name="pledge"),
    path("<int:program_id>/setup/", views.setup, name="setup"),
    path("<int:program_id>/questions/", views.questions, name="questions"),
    path("<int:program_id>/questions/<int:question_id>/", views.question_edit, name="question_edit"),
    path("<int:program_id>/questions/<int:question_id>/delete/", views.question_delete, name="question_delete"),
    path("<int:program_id>/resources/", views.resources, name="resources"),
    path("<int:program_id>/resources/<int:resource_id>/delete/", views.resource_delete, name="resource_delete"),
    path("<int:program_id>/orientation/", orientation_views.items, name="orientation"),
    path("<int:program_id>/orientation/<int:item_id>/", orientation_views.item_edit, name="orientation_edit"),
    path(
        "<int:program_id>/orientation/<int:item_id>/delete/", orientation_views.item_delete, name="orientation_delete"
    ),
    path("<int:program_id>/orientation/<int:item_id>/move/", orientation_views.item_move, name="orientation_move"),
    path("<int:program_id>/members/", views.members, name="members"),
    path("<int:program_id>/members/<int:seat_id>/remove/", views.member_remove, name="member_remove"),
    path("<int:program_id>/applications/", views.applications, name="applications"),
    path("<int:program_id>/applications/<int:application_id>/", views.application_detail, name="application"),
    path("<int:program_id>/vetting/", views.vetting, name="vetting"),
    path("<int:program_id>/recruit/", recruitment_views.recruit, name="recruit"),
    path("<int:program_id>/expiry/", retention_views.committee_expiry, name="expiry"),
]
