from django.urls import path

from . import webhooks

app_name = "outbox"
urlpatterns = [
    path("email/events/<str:provider>/", webhooks.provider_events, name="provider_events"),
]
