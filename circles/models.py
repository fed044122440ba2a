"""Mentoring circles: a mentor (or two) with a small group of mentees, formed by the committee or
joined by members; the circle's meetings, each with a calendar invitation for every member; and
one short feedback from each member after each meeting (its note: the committee's alone)."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from encrypted_fields.fields import EncryptedTextField

from mentoring.models import COMMUNICATION_CHANNELS, Program
from partnerships.models.meetings import new_uid

NAME_MAX = 80
TOPIC_MAX = 500
NOTE_MAX = 300
MAX_MENTORS = 2  # "a mentor, or two"


class Role(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")


class Circle(models.Model):
    """A small group that meets: the program's size limit holds for its mentees (the circle's row
    is locked while someone joins, so two members taking the last place at once get one place)."""

    class Status(models.TextChoices):
        FORMING = "forming", pgettext_lazy("circle status", "Forming")
        MEETING = "meeting", pgettext_lazy("circle status", "Meeting")
        ENDED = "ended", pgettext_lazy("circle status", "Ended")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="circles")
    name = models.CharField(max_length=NAME_MAX)
    topic = models.TextField(max_length=TOPIC_MAX, blank=True)
    open_to_join = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FORMING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self):
        return f"Circle {self.pk}"

    @property
    def is_open(self):
        """Members may still come in (by the committee, or by themselves where it is open)."""
        return self.status != self.Status.ENDED


class CircleMember(models.Model):
    """A person in a circle, as its mentor or as one of its mentees. Leaving deletes the row."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    # None: the member joined an open circle themselves.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["circle", "-role", "joined_at", "pk"]  # mentors first
        constraints = [models.UniqueConstraint(fields=["circle", "user"], name="circles_once_per_circle")]

    def __str__(self):
        return f"Circle member {self.pk}"


class CircleMeetingQuerySet(models.QuerySet):
    def held(self, now=None):
        """The meetings that took place: begun, and not cancelled (the reports count these, and a
        member's history their hours)."""
        return self.filter(status=CircleMeeting.Status.SCHEDULED, starts_at__lte=now or timezone.now())


class CircleMeeting(models.Model):
    """A meeting of the whole circle. `uid` and `sequence` are the calendar's (RFC 5545): one uid
    for the meeting's whole life, the sequence raised on every change."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("meeting", "Scheduled")
        CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="meetings")
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(15), MaxValueValidator(480)])
    mode = models.CharField(max_length=20, choices=COMMUNICATION_CHANNELS, default="video")
    place = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    agenda = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    uid = models.CharField(max_length=100, unique=True, default=new_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    # When the feedback job asked its members (claimed by one run: two runs at once ask once).
    feedback_asked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CircleMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["status", "starts_at"]), models.Index(fields=["circle", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=15, minutes__lte=480), name="circle_meeting_sane_length"
            ),
        ]

    def __str__(self):
        return f"Circle meeting {self.pk}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def where(self):
        """Where to meet, in words: the video link, the place, or the way of meeting."""
        if self.mode == "video" and self.video_url:
            return self.video_url
        return self.place or self.get_mode_display()


class CircleFeedback(models.Model):
    """One member's few words after one meeting: asked once per member and meeting (the unique
    constraint holds when the job runs twice), answered once."""

    meeting = models.ForeignKey(CircleMeeting, on_delete=models.CASCADE, related_name="feedback")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    useful = models.PositiveSmallIntegerField(null=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = EncryptedTextField(blank=True, null=True)  # confidential: the program's committee only

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "respondent"], name="circles_one_feedback_per_member")
        ]

    def __str__(self):
        return f"Circle feedback {self.pk}"
