from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("feedback/<str:token>/", views.answer, name="answer"),
    path("partnerships/<int:partnership_id>/concern/", views.concern, name="concern"),
]
