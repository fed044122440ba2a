from django.urls import path

from . import views

# The committee's matching pages, under /committee/<program_id>/matching/ in the one `committee`
# namespace (config/committee_urls.py).
committee_urlpatterns = [
    path("<int:program_id>/matching/", views.queue, name="matching"),
    path("<int:program_id>/matching/run/", views.run, name="matching_run"),
    path("<int:program_id>/matching/runs/<int:run_id>/progress/", views.run_progress, name="matching_progress"),
    path("<int:program_id>/matching/decide/", views.decide, name="matching_decide"),
    path("<int:program_id>/matching/proposals/<int:proposal_id>/", views.proposal_detail, name="proposal"),
    path("<int:program_id>/matching/manual/", views.manual, name="matching_manual"),
    path("<int:program_id>/matching/weights/", views.weights, name="matching_weights"),
    path("<int:program_id>/matching/notify-unmatched/", views.notify_unmatched, name="notify_unmatched"),
]

# The mentor's answer to a proposed match, from the emailed link (its own credential).
urlpatterns = [
    path("match/<str:token>/", views.mentor_answer, name="mentor_answer"),
]
