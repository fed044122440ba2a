"""The partnership agreement both partners confirm, and the milestones of the timeline they mark done."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentoring.models import COMMUNICATION_CHANNELS, MeetingFrequency, Milestone, Partnership

TERMS_MAX_LENGTH = 2000


class Agreement(models.Model):
    """How a partnership will run: the program's guidelines as they were when it started, each
    partner's own added terms, and each partner's confirmation of what they read."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="agreement")
    # The program's terms, copied when the partnership started: a later change to the program's
    # guidelines does not change what two partners already agreed to.
    expectations = models.TextField(blank=True)
    meeting_frequency = models.CharField(max_length=20, choices=MeetingFrequency.choices)
    channels = models.JSONField(default=list, blank=True)
    confidentiality = models.TextField(blank=True)
    ending_early = models.TextField(_("how to end early"), blank=True)
    mentee_terms = models.TextField(_("the mentee's own terms"), blank=True, max_length=TERMS_MAX_LENGTH)
    mentor_terms = models.TextField(_("the mentor's own terms"), blank=True, max_length=TERMS_MAX_LENGTH)
    mentee_confirmed_at = models.DateTimeField(null=True, blank=True)
    mentor_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Made when the partnership started (so the committee follows it up after the program's
    # agreement_due_days), or later, for a partnership that started before agreements existed
    # (the partners can read and confirm it; the committee is not alerted about it).
    made_at_start = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Agreement of {self.partnership}"

    @property
    def is_confirmed(self):
        return self.mentee_confirmed_at is not None and self.mentor_confirmed_at is not None

    @property
    def status_text(self):
        """For the committee: "Confirmed by both", or who it waits for (in the reader's language)."""
        waiting = [role for role in ("mentee", "mentor") if self.confirmed_at(role) is None]
        if not waiting:
            return gettext("Confirmed by both")
        if not self.partnership.is_active:  # nobody waits for anything in an ended partnership
            if len(waiting) == 2:
                return gettext("Never confirmed by either partner")
            return (
                gettext("Never confirmed by the mentee")
                if waiting == ["mentee"]
                else gettext("Never confirmed by the mentor")
            )
        if len(waiting) == 2:
            return gettext("Waiting for both partners")
        return gettext("Waiting for the mentee") if waiting == ["mentee"] else gettext("Waiting for the mentor")

    def confirmed_at(self, role):
        return getattr(self, f"{role}_confirmed_at")

    def terms_of(self, role):
        return getattr(self, f"{role}_terms")

    @property
    def channel_labels(self):
        labels = dict(COMMUNICATION_CHANNELS)
        return [labels.get(key, key) for key in self.channels]

    @property
    def fingerprint(self):
        """A short digest of the words a partner reads: a confirmation posted for other words
        (the partner changed their terms meanwhile) is refused."""
        words = "\x1f".join(
            [
                self.expectations,
                self.meeting_frequency,
                ",".join(self.channels),
                self.confidentiality,
                self.ending_early,
                self.mentee_terms,
                self.mentor_terms,
            ]
        )
        return hashlib.sha256(words.encode()).hexdigest()[:16]


class MilestoneProgress(models.Model):
    """A milestone of the program's timeline that the partners marked done, and when."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="milestones_done")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="+")
    done_on = models.DateField()
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership", "done_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "milestone"], name="one_progress_per_milestone"),
        ]
        verbose_name_plural = _("milestone progress")

    def __str__(self):
        return f"{self.milestone.title} done on {self.done_on}"
