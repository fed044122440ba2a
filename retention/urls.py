from django.urls import path

from . import views

urlpatterns = [
    path("staff/expiry/", views.staff_expiry, name="staff_expiry"),
    path("keep-history/<str:token>/", views.keep_history, name="keep_history"),  # the signed link is the credential
]

# What will expire in a program (its chair), in the one `committee` namespace (config/committee_urls.py).
committee_urlpatterns = [
    path("<int:program_id>/expiry/", views.committee_expiry, name="expiry"),
]
