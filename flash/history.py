"""A member's flash conversations in their mentoring history (mentoring.history, registered
from FlashConfig.ready): per program and side, how many took place and their hours."""

from django.db.models import Case, Count, Q, Value, When
from django.utils.translation import ngettext

from mentoring.history import hours_label

from .models import Slot


def held(user, now):
    """The conversations held, per program and side (see mentoring.history.register)."""
    return (
        Slot.objects.held()
        .filter(Q(mentor=user) | Q(member=user))
        .annotate(role=Case(When(mentor=user, then=Value("mentor")), default=Value("mentee")))
        .order_by()
        .values_list("program_id", "role")
        .annotate(count=Count("pk"), minutes=Count("pk") * Slot.MINUTES)
    )


def words(count, minutes):
    return ngettext("%(count)s flash conversation, %(hours)s", "%(count)s flash conversations, %(hours)s", count) % {
        "count": count,
        "hours": hours_label(minutes),
    }
