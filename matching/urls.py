from django.urls import path

from . import choosing_views, views

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

# The mentor's answer to a proposed match, from the emailed link (its own credential); members
# choosing their mentor (choosing_views).
urlpatterns = [
    path("match/<str:token>/", views.mentor_answer, name="mentor_answer"),
    path("programs/<int:program_id>/mentors/", choosing_views.choose, name="choose_mentor"),
    path("programs/<int:program_id>/mentors/<int:application_id>/ask/", choosing_views.ask, name="ask_mentor"),
    path("mentor-requests/<int:proposal_id>/withdraw/", choosing_views.withdraw, name="withdraw_request"),
]
