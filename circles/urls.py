from django.urls import path

from . import views

app_name = "circles"

urlpatterns = [
    path("programs/<int:program_id>/circles/", views.program_circles, name="program"),
    path("circles/<int:circle_id>/", views.circle, name="circle"),
    path("circles/<int:circle_id>/join/", views.join, name="join"),
    path("circles/<int:circle_id>/leave/", views.leave, name="leave"),
    path("circles/meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("circles/meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("circles/feedback/<str:token>/", views.feedback, name="feedback"),
]

# The committee's pages, under /committee/<program_id>/ in the one `committee` namespace.
committee_urlpatterns = [
    path("<int:program_id>/circles/", views.committee_circles, name="circles"),
    path("<int:program_id>/circles/feedback/", views.committee_feedback, name="circle_feedback"),
    path("<int:program_id>/circles/<int:circle_id>/", views.committee_circle, name="circle"),
    path("<int:program_id>/circles/<int:circle_id>/add/<str:role>/", views.committee_add, name="circle_add"),
    path(
        "<int:program_id>/circles/<int:circle_id>/remove/<int:member_id>/",
        views.committee_remove,
        name="circle_remove",
    ),
    path("<int:program_id>/circles/<int:circle_id>/end/", views.committee_end, name="circle_end"),
]
