from django.urls import path

from . import views

# The personal link in an announcement or an invitation (its own credential).
urlpatterns = [
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]

# The chair's recruiting page, in the one `committee` namespace (config/committee_urls.py).
committee_urlpatterns = [
    path("<int:program_id>/recruit/", views.recruit, name="recruit"),
]
