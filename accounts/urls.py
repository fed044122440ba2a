from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("my-data/", views.my_data, name="my_data"),
    path("erase/", views.erase, name="erase"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:role_id>/remove/", views.role_remove, name="role_remove"),
    # The email provider said the address bounced: a check email, and its link.
    path("address/check/", views.address_check, name="address_check"),
    path("address/works/<str:token>/", views.address_works, name="address_works"),
]
