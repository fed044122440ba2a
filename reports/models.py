"""The reports' snapshot: figures counted by a job, by day, program and local association. Derived
data only: it can be dropped and taken again at any time (reports.figures.take_snapshot).

A snapshot writes only the rows whose figures changed: each row says which snapshot wrote it
(`since`) and which one replaced it (`until`, None while it is current), so that a page reading
an older snapshot still sees that snapshot's rows while a newer one is written beside them."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from mentoring.models import LocalAssociation, Program


class ReportSnapshot(models.Model):
    """One taking of the report figures (ReportDay rows). The reports read the latest; a job takes
    a new one every few minutes, so that a region's dashboard sums a few thousand rows instead of
    grouping every application, partnership and answer of the region on each view."""

    taken_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField("time it took", default=0)

    class Meta:
        get_latest_by = "id"

    def __str__(self):
        return f"Report figures taken at {self.taken_at:%Y-%m-%d %H:%M}"


class FiguresQuerySet(models.QuerySet):
    def of(self, snapshot):
        """The rows as they stood at `snapshot`: written by it or before it, not replaced by then."""
        return self.filter(Q(until=None) | Q(until__gt=snapshot.pk), since__lte=snapshot.pk)


class ReportDay(models.Model):
    """Counts for one day, one program and one local association (the mentee's or applicant's),
    as they stood when the snapshot was taken. The reports sum them over the days of a period.

    Rows without a day hold the state at the snapshot (active now, retention); rows without a
    program hold an association's membership renewals."""

    # Snapshot ids, not foreign keys: a row outlives the snapshot that wrote it while it is current.
    since = models.BigIntegerField("written by snapshot")
    until = models.BigIntegerField("replaced by snapshot", null=True)
    day = models.DateField(null=True)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, null=True, related_name="+")
    association = models.ForeignKey(LocalAssociation, on_delete=models.CASCADE, null=True, related_name="+")
    # On the day it happened.
    mentees_applied = models.PositiveIntegerField(default=0)
    mentors_applied = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    rematched = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    dissolved = models.PositiveIntegerField(default=0)
    asked = models.PositiveIntegerField(default=0)  # on the day the ask was sent
    answered = models.PositiveIntegerField(default=0)  # of those asks
    score_1 = models.PositiveIntegerField(default=0)  # answers giving each satisfaction score
    score_2 = models.PositiveIntegerField(default=0)
    score_3 = models.PositiveIntegerField(default=0)
    score_4 = models.PositiveIntegerField(default=0)
    score_5 = models.PositiveIntegerField(default=0)
    goals = models.PositiveIntegerField(default=0)  # on the day their partnership started
    goals_achieved = models.PositiveIntegerField(default=0)
    flash_held = models.PositiveIntegerField(default=0)  # flash conversations that took place, on their day
    circle_meetings_held = models.PositiveIntegerField(default=0)  # circle meetings that took place, on their day
    # The state at the snapshot (rows without a day).
    awaiting_vetting = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    circles_meeting = models.PositiveIntegerField(default=0)  # circles meeting (not forming, not ended)
    circle_members = models.PositiveIntegerField(default=0)  # their mentees and mentors
    participants = models.PositiveIntegerField(default=0)  # a program's mentees and mentors
    participants_renewed = models.PositiveIntegerField(default=0)
    mentees = models.PositiveIntegerField(default=0)  # an association's members who were mentees
    mentees_renewed = models.PositiveIntegerField(default=0)
    mentors = models.PositiveIntegerField(default=0)
    mentors_renewed = models.PositiveIntegerField(default=0)
    others = models.PositiveIntegerField(default=0)  # who took no part
    others_renewed = models.PositiveIntegerField(default=0)

    objects = FiguresQuerySet.as_manager()

    class Meta:
        # Reports read a few programs' rows over a period; the job drops the rows replaced.
        indexes = [
            models.Index(fields=["program", "day"]),
            models.Index(fields=["until"], condition=Q(until__isnull=False), name="reports_day_replaced"),
        ]

    def __str__(self):
        return f"Report figures for {self.day or 'now'}"


class ReportCount(models.Model):
    """How many had each value of a measure, on one day, for one program and local association:
    the days from application to match and the reasons partnerships ended (on the day), and the
    days mentees have been waiting (at the snapshot, without a day). Medians are taken from these."""

    class Measure(models.TextChoices):
        DAYS_TO_MATCH = "days_to_match", "Whole days from application to match"
        END_REASON = "end_reason", "Why a partnership ended"
        DAYS_WAITING = "days_waiting", "Whole days a mentee has been waiting"

    # Snapshot ids, not foreign keys: a row outlives the snapshot that wrote it while it is current.
    since = models.BigIntegerField("written by snapshot")
    until = models.BigIntegerField("replaced by snapshot", null=True)
    day = models.DateField(null=True)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, null=True, related_name="+")
    association = models.ForeignKey(LocalAssociation, on_delete=models.CASCADE, null=True, related_name="+")
    measure = models.CharField(max_length=20, choices=Measure.choices)
    value = models.CharField(max_length=20)
    n = models.PositiveIntegerField()

    objects = FiguresQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["program", "measure", "day"]),
            models.Index(fields=["until"], condition=Q(until__isnull=False), name="reports_count_replaced"),
        ]

    def __str__(self):
        return f"{self.measure} {self.value}: {self.n}"


class ReportChange(models.Model):
    """Something the reports count changed: written by database triggers (migration 0003) in the
    same statement as the change, whatever made it (a service, the admin, a bulk update, a
    deletion, erasure), and consumed by the next snapshot, which recounts what it touched.

    Ids only, not foreign keys: what they point at may be gone. A row with every id empty
    (a TRUNCATE, or the migration that added the triggers) means that anything may have changed."""

    program_id = models.BigIntegerField(null=True)  # its figures
    partnership_id = models.BigIntegerField(null=True)  # its program's figures
    user_id = models.BigIntegerField(null=True)  # their programs' figures and their association's renewals
    association_id = models.BigIntegerField(null=True)  # its renewals

    def __str__(self):
        return f"Report change {self.pk}"
