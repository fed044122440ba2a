"""Helpers that build data for the feedback tests in bulk (shared by the real-worker tests)."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from mentoring.models import Application, Partnership


def many_due_partnerships(program, count, prefix, *, started_on=None, planned_end_on=None):
    """The same, built in bulk (the batch test needs many; the approval path is tested above).
    By default their first feedback round is due; other dates for other jobs."""
    today = timezone.localdate()
    roles = [role for _ in range(count) for role in ("mentee", "mentor")]
    users = User.objects.bulk_create(
        User(email=f"{prefix}.{role}{i // 2}@example.org", first_name=f"{role.title()}{i // 2}", last_name=prefix)
        for i, role in enumerate(roles)
    )
    apps = Application.objects.bulk_create(
        Application(program=program, user=user, role=role, status="matched")
        for user, role in zip(users, roles, strict=True)
    )
    return Partnership.objects.bulk_create(
        Partnership(
            program=program,
            mentee=apps[2 * i].user,
            mentor=apps[2 * i + 1].user,
            mentee_application=apps[2 * i],
            mentor_application=apps[2 * i + 1],
            started_on=started_on or today - timedelta(days=program.feedback_first_after_days + 1),
            planned_end_on=planned_end_on or today + timedelta(days=300),
        )
        for i in range(count)
    )
