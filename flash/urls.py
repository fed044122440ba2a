from django.urls import path

from . import views

app_name = "flash"

urlpatterns = [
    path("programs/<int:program_id>/flash/", views.slots, name="slots"),
    path("flash/<int:slot_id>/book/", views.book, name="book"),
    path("flash/<int:slot_id>/withdraw/", views.withdraw, name="withdraw"),
    path("flash/feedback/<str:token>/", views.feedback, name="feedback"),
]

# The committee's page, under /committee/<program_id>/ in the one `committee` namespace.
committee_urlpatterns = [
    path("<int:program_id>/flash/", views.committee_feedback, name="flash"),
]
