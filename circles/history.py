"""A member's circle meetings in their mentoring history (mentoring.history, registered from
CirclesConfig.ready): per program and role, the meetings held while they were in the circle
(begun and not cancelled, as the reports count them) and their length."""

from django.db.models import Case, Count, OuterRef, Subquery, Sum, Value, When
from django.utils.translation import ngettext

from mentoring.history import hours_label

from .models import CircleMeeting, CircleMember


def held(user, now):
    """Each meeting of a circle the member is in that began after they joined, per program and
    role (see mentoring.history.register)."""
    membership = CircleMember.objects.filter(circle=OuterRef("circle"), user=user, joined_at__lte=OuterRef("starts_at"))
    return (
        CircleMeeting.objects.held(now)
        .annotate(member_role=Subquery(membership.values("role")[:1]))
        .filter(member_role__isnull=False)
        .annotate(role=Case(When(member_role="mentor", then=Value("mentor")), default=Value("mentee")))
        .order_by()
        .values_list("circle__program_id", "role")
        .annotate(count=Count("pk"), minutes=Sum("minutes"))
    )


def words(count, minutes):
    return ngettext("%(count)s circle meeting, %(hours)s", "%(count)s circle meetings, %(hours)s", count) % {
        "count": count,
        "hours": hours_label(minutes),
    }
