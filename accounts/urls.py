from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("my-data/", views.my_data, name="my_data"),
    path("erase/", views.erase, name="erase"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:role_id>/remove/", views.role_remove, name="role_remove"),
]
