"""A member's circle meetings in their mentoring history (mentoring.history, registered from
CirclesConfig.ready): per program and role, the meetings held while they were in the circle
(begun and not cancelled, as the reports count them) and their length."""

from collections import Counter

from django.db.models import OuterRef, Subquery
from django.utils.translation import ngettext

from mentoring.history import FormatRow, hours_label

from .models import CircleMeeting, CircleMember


def rows(user):
    """One query: each meeting of a circle the member is in that began after they joined."""
    membership = CircleMember.objects.filter(circle=OuterRef("circle"), user=user, joined_at__lte=OuterRef("starts_at"))
    meetings = (
        CircleMeeting.objects.held()
        .annotate(role=Subquery(membership.values("role")[:1]))
        .filter(role__isnull=False)
        .select_related("circle__program__association", "circle__program__region")
    )
    held, minutes, programs = Counter(), Counter(), {}
    for meeting in meetings:
        key = (meeting.circle.program_id, "mentor" if meeting.role == "mentor" else "mentee")
        held[key] += 1
        minutes[key] += meeting.minutes
        programs[key[0]] = meeting.circle.program
    for (program_id, role), count in held.items():
        text = ngettext("%(count)s circle meeting, %(hours)s", "%(count)s circle meetings, %(hours)s", count) % {
            "count": count,
            "hours": hours_label(minutes[program_id, role]),
        }
        yield programs[program_id], FormatRow(role=role, text=text, minutes=minutes[program_id, role])
