from django.urls import path

from . import views

app_name = "sync"
urlpatterns = [
    path("staff/sync/", views.staff_page, name="staff"),
    path("staff/sync/keys/<int:key_id>/revoke/", views.revoke, name="revoke"),
    path("api/sync/v1/members/", views.api_members, name="api_members"),
    path("api/sync/v1/openapi.json", views.openapi, name="openapi"),
]
