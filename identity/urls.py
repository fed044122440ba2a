from django.urls import path

from . import views

app_name = "identity"
urlpatterns = [
    path("staff/sign-in/", views.staff_sign_in, name="staff_sign_in"),
]
