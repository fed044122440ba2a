"""Succession: a mentor recommends their mentee for leadership; the mentee consents before the
region's vice president sees it; the VP invites them to the region's leadership program."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mentoring.models import Partnership, Region
from recruitment.models import Invitation

NOTE_MAX = 1000
PENDING = ("asked", "consented")


class LeadershipRecommendation(models.Model):
    class Status(models.TextChoices):
        ASKED = "asked", _("Waiting for the mentee's answer")
        CONSENTED = "consented", _("The mentee agreed")
        DECLINED = "declined", _("The mentee said no")
        WITHDRAWN = "withdrawn", _("Withdrawn by the mentor")

    # The same states in the mentee's own words, for the mentee's own page.
    STATUS_TO_MENTEE = {
        Status.ASKED: _("Waiting for your answer"),
        Status.CONSENTED: _("You agreed"),
        Status.DECLINED: _("You said no"),
        Status.WITHDRAWN: _("Withdrawn by your mentor"),
    }

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="recommendations")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leadership_recommendations"
    )
    # The mentee's region when recommended: its vice president reads it (after consent).
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="recommendations")
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASKED)
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="recommendations"
    )
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        constraints = [
            # Once per mentee and region while it waits for an answer or stands.
            models.UniqueConstraint(
                fields=["mentee", "region"],
                condition=models.Q(status__in=PENDING),
                name="one_standing_recommendation_per_mentee_and_region",
            ),
        ]

    def __str__(self):
        return f"Recommendation of {self.mentee} by {self.mentor}"

    @property
    def status_to_mentee(self):
        return self.STATUS_TO_MENTEE[self.status]
