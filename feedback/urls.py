from django.urls import path

from . import committee_views, survey_views, views

app_name = "feedback"

urlpatterns = [
    path("feedback/<str:token>/", views.answer, name="answer"),
    path("partnerships/<int:partnership_id>/concern/", views.concern, name="concern"),
]

# The committee's follow-up pages, under /committee/<program_id>/ in the one `committee` namespace
# (config/committee_urls.py).
committee_urlpatterns = [
    path("<int:program_id>/partnerships/", committee_views.partnerships, name="partnerships"),
    path("<int:program_id>/partnerships/<int:partnership_id>/", committee_views.partnership_detail, name="partnership"),
    path("<int:program_id>/partnerships/<int:partnership_id>/<str:action>/", committee_views.act, name="act"),
    path(
        "<int:program_id>/concerns/<int:concern_id>/resolve/", committee_views.resolve_concern, name="resolve_concern"
    ),
    path("<int:program_id>/audit/", committee_views.audit, name="audit"),
    path("<int:program_id>/surveys/", survey_views.surveys_page, name="surveys"),
    path("<int:program_id>/surveys/preview/", survey_views.survey_preview, name="survey_preview"),
    path("<int:program_id>/surveys/<int:question_id>/", survey_views.survey_edit, name="survey_edit"),
    path("<int:program_id>/surveys/<int:question_id>/retire/", survey_views.survey_retire, name="survey_retire"),
    path("<int:program_id>/surveys/<int:question_id>/move/", survey_views.survey_move, name="survey_move"),
]
