"""Meetings: the ones the partners schedule ahead, with calendar invitations, and the partners'
own log of the meetings that took place."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mentoring.models import COMMUNICATION_CHANNELS, Partnership


def new_uid():
    return f"{uuid.uuid4()}@mentoring"


class Meeting(models.Model):
    """The partners' own log of their meetings (optional, shared between the two)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="meetings")
    met_on = models.DateField(_("date"))
    mode = models.CharField(max_length=20, choices=COMMUNICATION_CHANNELS, default="video")
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), default=60, validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    notes = models.TextField(_("notes for you both"), blank=True, max_length=2000)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership", "-met_on", "-id"]

    def __str__(self):
        return f"Meeting on {self.met_on}"


class ScheduledMeeting(models.Model):
    """A meeting one partner proposes and the other accepts. `uid` and `sequence` are the
    calendar's (RFC 5545): one uid for the meeting's whole life, the sequence raised on every
    change so calendars replace the older copy."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for an answer")
        ACCEPTED = "accepted", pgettext_lazy("meeting", "Accepted")
        CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="scheduled_meetings")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    mode = models.CharField(max_length=20, choices=COMMUNICATION_CHANNELS, default="video")
    place = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    agenda = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    uid = models.CharField(max_length=100, unique=True, default=new_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    # Whether the calendars hold this meeting (an invitation went out since it was last accepted).
    in_calendars = models.BooleanField(default=False)
    # The reminder the day before: the sequence it was sent for (a moved meeting is reminded again).
    reminded_sequence = models.PositiveIntegerField(null=True, blank=True)
    logged_meeting = models.OneToOneField(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="scheduled"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["status", "starts_at"]), models.Index(fields=["partnership", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__gte=15, minutes__lte=480), name="meeting_sane_length"),
        ]

    def __str__(self):
        return f"Meeting on {self.starts_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def where(self):
        """Where to meet, in words: the video link, the place, or the phone."""
        if self.mode == "video" and self.video_url:
            return self.video_url
        if self.place:
            return self.place
        return self.get_mode_display()
