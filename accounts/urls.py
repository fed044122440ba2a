from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("my-data/", views.my_data, name="my_data"),
    path("erase/", views.erase, name="erase"),
]
