"""The partnership's follow-up log: the committee's notes, and what was done (extended,
completed, dissolved, a concern resolved, a feedback email sent again). Its notes are the
committee's alone: the model is deliberately not in the admin nor in the audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

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
    note = ConfidentialTextField(blank=True, null=True)  # what a person wrote, kept as written
    # What the app says about what was done, as a key and its values ({"key": "extended", "months": 3}),
    # worded when read, in the reader's language (app_words); {} for lines saved before that, whose
    # note holds the app's words in English.
    said = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.created_at:%Y-%m-%d}"

    @property
    def app_words(self) -> str:
        """What the app wrote on this line, in the active language ("" when it wrote nothing)."""
        key = self.said.get("key") if self.said else None
        if key == "extended":
            months = self.said["months"]
            return ngettext("Extended by %(months)s month.", "Extended by %(months)s months.", months) % {
                "months": months
            }
        if key == "completed_automatically":
            days = self.said["days"]
            return ngettext(
                "Completed automatically after the grace period (%(days)s day after the planned end).",
                "Completed automatically after the grace period (%(days)s days after the planned end).",
                days,
            ) % {"days": days}
        if key == "sent_again":
            if self.said["role"] == "mentor":
                return gettext("Round %(round)s, to the mentor.") % {"round": self.said["round"]}
            return gettext("Round %(round)s, to the mentee.") % {"round": self.said["round"]}
        return ""

    @property
    def shown_note(self) -> str:
        """The line's words: the app's, then what a person wrote (lines saved before: as saved)."""
        return " ".join(part for part in (self.app_words, self.note or "") if part)

    @property
    def by_the_program(self) -> bool:
        """Written by the hourly job rather than a person (lines saved before: read from their words)."""
        if self.said:
            return self.said.get("key") == "completed_automatically"
        return self.author_id is None and (self.note or "").startswith("Completed automatically")
