"""The partnership's follow-up log: the committee's notes, and what was done (extended,
completed, dissolved, a concern resolved, a feedback email sent again). Its notes are the
committee's alone: the model is deliberately not in the admin nor in the audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.fields import ConfidentialTextField
from mentoring.models import Partnership


class FollowUp(models.Model):
    """What the committee did about a partnership: notes, extensions, completion, dissolution."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Follow-up note")
        EXTENDED = "extended", pgettext_lazy("follow-up", "Extended")
        COMPLETED = "completed", pgettext_lazy("follow-up", "Completed")
        DISSOLVED = "dissolved", pgettext_lazy("follow-up", "Dissolved")
        RESOLVED = "resolved", _("Concern resolved")
        SENT_AGAIN = "sent_again", _("Feedback email sent again")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="follow_ups")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    note = ConfidentialTextField(blank=True, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.created_at:%Y-%m-%d}"
