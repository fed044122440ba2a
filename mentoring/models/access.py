"""The record of who read (or was refused) confidential data."""

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from .applications import Application
from .partnerships import Partnership
from .programs import Program


class ConfidentialAccess(models.Model):
    """Who read (or was refused) confidential data, when, and what: one row per page read (or
    refused), with the confidential records it showed. Written, never edited."""

    class Outcome(models.TextChoices):
        READ = "read", pgettext_lazy("record of reads", "Read")
        DENIED = "denied", pgettext_lazy("record of reads", "Denied")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, null=True, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.SET_NULL, null=True, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.SET_NULL, null=True, related_name="+")
    what = models.CharField(max_length=40)  # the page: "partnership record", "questionnaire", "committee page", ...
    object_id = models.PositiveBigIntegerField(null=True)
    # The confidential records the page showed, by kind: {"feedback response": [ids], "concern": [ids], ...}
    items = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.READ)
    path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["program", "created_at"])]

    def __str__(self):
        return f"{self.user} {self.outcome} {self.what} {self.object_id}"

    KINDS = ("feedback response", "concern", "follow-up note", "dissolution reason", "vetting note")

    @property
    def shown(self) -> str:
        """What the page showed, in words: "2 feedback responses, 1 concern" (in a fixed order:
        the database may keep the keys in another)."""
        order = {kind: k for k, kind in enumerate(self.KINDS)}
        parts = []
        for kind in sorted(self.items, key=lambda kind: (order.get(kind, len(order)), kind)):
            ids = self.items[kind]
            parts.append(f"{len(ids)} {kind}" + ("" if len(ids) == 1 else "s"))
        return ", ".join(parts)
