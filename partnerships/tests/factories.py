"""Helpers for tests of meetings (a plain module: tests import it, never each other)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from partnerships import meetings

PARIS = ZoneInfo("Europe/Paris")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def in_days(days, hour=15, zone=PARIS):
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=zone)


def propose(pair, *, by=None, starts_at=None, **extra):
    data = {"minutes": 60, "mode": "video", "video_url": "https://meet.example.org/abc", "agenda": "Goals ☕"}
    return meetings.propose_meeting(
        partnership=pair, by=by or pair.mentee, starts_at=starts_at or in_days(3), **{**data, **extra}
    )


def accepted(pair, starts_at):
    meeting = propose(pair, starts_at=starts_at)
    return meetings.accept_meeting(meeting=meeting, by=pair.mentor)
