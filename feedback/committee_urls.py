from django.urls import path

from . import committee_views as views
from . import survey_views

app_name = "committee_feedback"

# Under /committee/<program_id>/ (see config/urls.py).
urlpatterns = [
    path("partnerships/", views.partnerships, name="partnerships"),
    path("partnerships/<int:partnership_id>/", views.partnership_detail, name="partnership"),
    path("partnerships/<int:partnership_id>/<str:action>/", views.act, name="act"),
    path("concerns/<int:concern_id>/resolve/", views.resolve_concern, name="resolve_concern"),
    path("audit/", views.audit, name="audit"),
    path("surveys/", survey_views.surveys_page, name="surveys"),
    path("surveys/preview/", survey_views.survey_preview, name="survey_preview"),
    path("surveys/<int:question_id>/", survey_views.survey_edit, name="survey_edit"),
    path("surveys/<int:question_id>/retire/", survey_views.survey_retire, name="survey_retire"),
    path("surveys/<int:question_id>/move/", survey_views.survey_move, name="survey_move"),
]
