"""The partnership page's scheduled meetings (templates/partnerships/_meetings.html), each with its
time in the reader's own time zone and what the reader may do with it."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import pgettext

from mentoring import compiled

from ..models import ScheduledMeeting

register = template.Library()


def _not_logged(partnership_id):
    return (
        ScheduledMeeting.objects.filter(partnership=partnership_id, logged_meeting__isnull=True)
        .exclude(status=ScheduledMeeting.Status.CANCELLED)
        .select_related("proposed_by")
        .order_by("starts_at", "pk")
    )


@register.simple_tag
def scheduled_meetings(partnership, user):
    """Meetings still to come (proposed or accepted) and accepted ones that took place but are
    not logged yet: one query, whatever the partnership's history, compiled once per process."""
    now = timezone.now()
    zone = user.profile.zone
    rows = compiled.objects("scheduled-meetings", _not_logged, partnership_id=partnership.pk)
    day_format = pgettext("date format with weekday", "l, F j, Y")
    shown = []
    for meeting in rows:
        past = meeting.starts_at <= now
        if past and meeting.status != ScheduledMeeting.Status.ACCEPTED:
            continue  # a proposal nobody accepted in time: nothing left to do with it
        starts, ends = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
        shown.append(
            {
                "meeting": meeting,
                "starts": starts,
                "ends": ends,
                # Written here, once each, rather than by the template's filters.
                "day": date_format(starts, "MONTH_DAY_FORMAT"),
                "when": f"{date_format(starts, day_format)}, {time_format(starts)}–{time_format(ends)}",
                "past": past,
                "mine": meeting.proposed_by_id == user.pk,
            }
        )
    return shown
