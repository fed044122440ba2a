"""Recruiting members: the chair's announcement of an enrollment period, and named invitations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mentoring.models import Program


class Announcement(models.Model):
    """A program's enrollment announced to the eligible members: at most one per enrollment
    period (the database says so, whatever two chairs or two clicks do at the same moment)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="announcements")
    # The enrollment period announced, from its dates ("2026-03-01..2026-04-15"); "undated" for an
    # enrollment opened by hand without dates.
    period = models.CharField(max_length=40)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "period"], name="one_announcement_per_enrollment_period"),
        ]

    def __str__(self):
        return f"Announcement of {self.program} ({self.period})"


class Invitation(models.Model):
    """One person reached by an announcement, or invited by name to take a role. The email's
    personal link records when they first opened it."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("Announcement")
        INVITATION = "invitation", _("Personal invitation")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    # The role a named invitation asks the member to take; blank for an announcement (either).
    role = models.CharField(
        max_length=10,
        blank=True,
        choices=[("mentee", pgettext_lazy("role", "Mentee")), ("mentor", pgettext_lazy("role", "Mentor"))],
        default="",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"],
                condition=models.Q(kind="announcement"),
                name="one_announcement_per_person",
            ),
            models.UniqueConstraint(
                fields=["program", "user", "role"],
                condition=models.Q(kind="invitation"),
                name="one_invitation_per_person_and_role",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="announcement", announcement__isnull=False, role=""))
                | (models.Q(kind="invitation", announcement__isnull=True) & ~models.Q(role="")),
                name="invitation_kind_matches_fields",
            ),
        ]
        indexes = [models.Index(fields=["program", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.user} to {self.program}"
