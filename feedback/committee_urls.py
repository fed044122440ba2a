from django.urls import path

from . import committee_views as views

app_name = "committee_feedback"

# Under /committee/<program_id>/ (see config/urls.py).
urlpatterns = [
    path("partnerships/", views.partnerships, name="partnerships"),
    path("partnerships/<int:partnership_id>/", views.partnership_detail, name="partnership"),
    path("partnerships/<int:partnership_id>/<str:action>/", views.act, name="act"),
    path("concerns/<int:concern_id>/resolve/", views.resolve_concern, name="resolve_concern"),
    path("audit/", views.audit, name="audit"),
]
