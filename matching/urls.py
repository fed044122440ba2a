from django.urls import path

from . import views

app_name = "matching"

# Under /committee/<program_id>/matching/ (see config/urls.py).
urlpatterns = [
    path("", views.queue, name="queue"),
    path("run/", views.run, name="run"),
    path("runs/<int:run_id>/progress/", views.run_progress, name="progress"),
    path("decide/", views.decide, name="decide"),
    path("proposals/<int:proposal_id>/", views.proposal_detail, name="proposal"),
    path("manual/", views.manual, name="manual"),
    path("weights/", views.weights, name="weights"),
    path("notify-unmatched/", views.notify_unmatched, name="notify_unmatched"),
]
