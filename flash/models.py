"""Flash conversations: one-hour slots a vetted mentor offers, each booked by one member with a
question, and one short feedback from each side afterwards (its note: the committee's alone)."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedTextField

from mentoring.models import Program
from mentoring.models.programs import COMMUNICATION_CHANNELS

QUESTION_MAX = 1000
NOTE_MAX = 300


class SlotQuerySet(models.QuerySet):
    def held(self):
        """The conversations that took place: booked, and either side said so afterwards (the
        reports count these, and a member's history their hours)."""
        said_held = FlashFeedback.objects.filter(slot=models.OuterRef("pk"), held=True)
        return self.filter(models.Exists(said_held), status=Slot.Status.BOOKED)


class Slot(models.Model):
    """One hour a mentor offers. The booking is on the slot itself: booking is one conditional
    update from open to booked, so two members clicking the same slot cannot both have it."""

    MINUTES = 60

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        BOOKED = "booked", _("Booked")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="flash_slots")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flash_slots")
    starts_at = models.DateTimeField()
    mode = models.CharField(max_length=20, choices=COMMUNICATION_CHANNELS)
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="flash_bookings"
    )
    question = models.TextField(max_length=QUESTION_MAX, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    # Raised on every change the calendars must follow (RFC 5545 SEQUENCE).
    sequence = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["program", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="booked") | models.Q(member__isnull=False), name="flash_booked_has_member"
            )
        ]

    def __str__(self):
        return f"Flash slot {self.pk}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.MINUTES)

    @property
    def uid(self):
        return f"flash-{self.pk}@{settings.SITE_NAME.replace(' ', '-').lower()}"


class FlashFeedback(models.Model):
    """One side's few words after a booked slot's time: asked once per side (the unique
    constraint holds when the job runs twice), answered once."""

    class Role(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MEMBER = "member", _("Member")

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="feedback")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    held = models.BooleanField(null=True)
    useful = models.PositiveSmallIntegerField(null=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = EncryptedTextField(blank=True, null=True)  # confidential: the program's committee only

    class Meta:
        constraints = [models.UniqueConstraint(fields=["slot", "role"], name="flash_one_feedback_per_side")]

    def __str__(self):
        return f"Flash feedback {self.pk}"
