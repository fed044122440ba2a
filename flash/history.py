"""A member's flash conversations in their mentoring history (mentoring.history, registered
from FlashConfig.ready): per program and side, how many took place and their hours."""

from collections import Counter

from django.db.models import Q
from django.utils.translation import ngettext

from mentoring.history import FormatRow, hours_label

from .models import Slot


def rows(user):
    held = Counter()
    programs = {}
    for slot in (
        Slot.objects.held()
        .filter(Q(mentor=user) | Q(member=user))
        .select_related("program__association", "program__region")
    ):
        role = "mentor" if slot.mentor_id == user.pk else "mentee"
        held[slot.program_id, role] += 1
        programs[slot.program_id] = slot.program
    for (program_id, role), count in held.items():
        minutes = count * Slot.MINUTES
        text = ngettext(
            "%(count)s flash conversation, %(hours)s", "%(count)s flash conversations, %(hours)s", count
        ) % {"count": count, "hours": hours_label(minutes)}
        yield programs[program_id], FormatRow(role=role, text=text, minutes=minutes)
