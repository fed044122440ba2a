"""The partnership record: two applications made a pair. What the partners record during it
(goals, meetings, the agreement) and the committee's follow-up log are the partnerships app's."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.fields import ConfidentialTextField

from .applications import Application
from .programs import Program


class Partnership(models.Model):
    """A mentee and a mentor in a program, from the approved match to completion or dissolution."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("partnership status", "Active")
        COMPLETED = "completed", pgettext_lazy("partnership status", "Completed")
        DISSOLVED = "dissolved", pgettext_lazy("partnership status", "Ended early")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="partnerships")
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partnerships_as_mentee"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partnerships_as_mentor"
    )
    mentee_application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    mentor_application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")

    class EndReason(models.TextChoices):
        COMPLETED = "completed", _("Completed as planned")
        SCHEDULES = "schedules", _("Schedules did not fit")
        FIT = "fit", _("The partners were not a good fit")
        GOALS_MET_EARLY = "goals_met_early", _("Goals met early")
        LEFT_ASSOCIATION = "left_association", _("A partner left the association")
        OTHER = "other", pgettext_lazy("why a partnership ended", "Other")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField()
    planned_end_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    # Why it ended: the category feeds the reports; the words are the committee's alone.
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_note = ConfidentialTextField("what happened (the committee only)", blank=True, null=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Recognition, with both partners' consent.
    mentee_consents_to_recognition = models.BooleanField(default=False)
    mentor_consents_to_recognition = models.BooleanField(default=False)
    success_story = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            # A mentee has one mentor at a time in a program; the database says so, whatever the race.
            models.UniqueConstraint(
                fields=["mentee_application"],
                condition=models.Q(status="active"),
                name="one_active_partnership_per_mentee",
            ),
            models.CheckConstraint(condition=~models.Q(mentee=models.F("mentor")), name="partnership_two_people"),
        ]
        indexes = [models.Index(fields=["program", "status"]), models.Index(fields=["mentor_application", "status"])]

    def __str__(self):
        return f"{self.mentee} with {self.mentor} ({self.program})"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    def role_of(self, user):
        """ "mentee", "mentor" or None: what this person is in the partnership."""
        if user.pk == self.mentee_id:
            return "mentee"
        if user.pk == self.mentor_id:
            return "mentor"
        return None

    def partner_of(self, user):
        return self.mentor if user.pk == self.mentee_id else self.mentee
