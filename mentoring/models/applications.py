"""Members' questionnaires (applications) and the committee's vetting of mentors."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.fields import ConfidentialTextField

from .programs import AVAILABILITY, COMMUNICATION_CHANNELS, MeetingFrequency, Program


class Application(models.Model):
    """A member's questionnaire for one program in one role, from draft to matched or withdrawn."""

    class Role(models.TextChoices):
        MENTEE = "mentee", _("Mentee")
        MENTOR = "mentor", _("Mentor")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft, not sent yet")
        AWAITING_VETTING = "awaiting_vetting", _("Awaiting vetting by the committee")
        MORE_INFO = "more_info", _("The committee asked for more information")
        IN_POOL = "in_pool", _("Waiting to be matched")
        DECLINED = "declined", _("Not accepted as a mentor this time")
        MATCHED = "matched", pgettext_lazy("application status", "Matched")
        WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn")

    class CareerStage(models.TextChoices):
        STUDENT = "student", _("Student or just starting")
        EARLY = "early", _("Early career (under 5 years)")
        MID = "mid", _("Mid career (5 to 15 years)")
        SENIOR = "senior", _("Senior (over 15 years)")
        EXECUTIVE = "executive", _("Executive or owner")

    # Still editable by the member (matched and withdrawn are final).
    EDITABLE = {Status.DRAFT, Status.AWAITING_VETTING, Status.MORE_INFO, Status.IN_POOL}
    # A mentor in these states has been through the committee and may be matched.
    MATCHABLE = {Status.IN_POOL}

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications")
    role = models.CharField(max_length=10, choices=Role.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    # The questionnaire.
    goals = models.TextField(blank=True, max_length=2000)
    topics = models.JSONField(default=list, blank=True)
    career_stage = models.CharField(max_length=20, choices=CareerStage.choices, blank=True)
    years_experience = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(70)])
    communication_modes = models.JSONField(default=list, blank=True)
    availability = models.JSONField(default=list, blank=True)
    hours_per_month = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(40)])
    meeting_frequency = models.CharField(max_length=20, choices=MeetingFrequency.choices, blank=True)
    languages = models.JSONField(default=list, blank=True)
    partner_preferences = models.TextField(blank=True, max_length=1000)
    preferred_partner_emails = models.JSONField(default=list, blank=True)
    avoid_emails = models.JSONField(default=list, blank=True)
    # The same people as members (user ids), found from the addresses when the questionnaire is
    # sent, and later for an address that signs up then: a change of address never undoes them.
    preferred_partner_ids = models.JSONField(default=list, blank=True)
    avoid_partner_ids = models.JSONField(default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(10)])
    introduction = models.TextField(blank=True, max_length=2000)
    extra_answers = models.JSONField(default=dict, blank=True)

    # What the member typed but has not sent yet, exactly as typed (valid or not): never lost.
    draft = models.JSONField(default=dict, blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)

    # What the committee says to the candidate (not its internal notes).
    message_to_member = models.TextField(blank=True, max_length=2000)

    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When this mentee was last told the committee is still looking (matching/waiting.py, or the
    # chair's button after a matching run): the next notice is due an interval after it.
    last_waiting_notice_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["program", "user", "role"], name="one_application_per_role"),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1) & models.Q(capacity__lte=10), name="application_capacity_1_to_10"
            ),
        ]
        indexes = [models.Index(fields=["program", "role", "status"])]

    def __str__(self):
        return f"{self.user} as {self.get_role_display().lower()} in {self.program}"

    def get_absolute_url(self):
        return reverse("apply", args=[self.program_id, self.role])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_sent(self):
        return self.status != self.Status.DRAFT and self.submitted_at is not None

    @property
    def communication_labels(self):
        labels = dict(COMMUNICATION_CHANNELS)
        return [labels.get(mode, mode) for mode in self.communication_modes]

    @property
    def availability_labels(self):
        labels = dict(AVAILABILITY)
        return [labels.get(slot, slot) for slot in self.availability]

    @property
    def days_waiting(self):
        return (timezone.now() - self.submitted_at).days if self.submitted_at else None


class VettingNote(models.Model):
    """The committee's record on a mentor candidate. Read by the committee alone."""

    class Decision(models.TextChoices):
        NOTE = "note", _("Note only")
        APPROVE = "approve", pgettext_lazy("vetting decision", "Approved")
        DECLINE = "decline", pgettext_lazy("vetting decision", "Declined")
        MORE_INFO = "more_info", _("Asked for more information")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="vetting_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.NOTE)
    text = ConfidentialTextField("internal note", blank=True, null=True, max_length=4000)  # encrypted at rest
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "created_at", "id"]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.author} on {self.created_at:%Y-%m-%d}"
