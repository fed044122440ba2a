"""The record of who read (or was refused) confidential data."""

from django.conf import settings
from django.db import models

from .partnerships import Partnership
from .programs import Program


class ConfidentialAccess(models.Model):
    """Who read (or was refused) confidential data, when, and what. Written, never edited."""

    class Outcome(models.TextChoices):
        READ = "read", "Read"
        DENIED = "denied", "Denied"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, null=True, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.SET_NULL, null=True, related_name="+")
    what = models.CharField(max_length=40)  # "feedback response", "concern", "dissolution reason", ...
    object_id = models.PositiveBigIntegerField(null=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.READ)
    path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["program", "created_at"])]

    def __str__(self):
        return f"{self.user} {self.outcome} {self.what} {self.object_id}"
