"""Mentees still waiting for a mentor hear from the committee at the interval the program sets
(Program.waiting_notice_every_days), without a chair pressing a button.

Each application remembers when it was last told (last_waiting_notice_at, which the chair's
"tell the mentees not matched" button sets too); a notice is due an interval after that (or
after the mentee applied). The notice is claimed by a conditional update of that time, so two
runs at once send it once, and its outbox key names the interval, so a retry sends nothing new.
A job that did not run for days sends each waiting mentee one notice, not one per missed day.
"""

import itertools
from datetime import timedelta

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.language import language_of
from mentoring.branding import brand_id_for
from mentoring.models import Application, Program
from mentoring.orientation import waiting_for_orientation
from mentoring.services import held_back
from outbox.emails import queue_email

from .models import Proposal

Status = Application.Status


def waiting_mentees(program, *, now):
    """The program's mentees in the pool (sent, matchable, not matched) whose notice is due; not
    those waiting for the answer to their own request to a mentor (members choose: choosing.py)."""
    cut = now - timedelta(days=program.waiting_notice_every_days)
    asking = Proposal.objects.filter(
        program=program,
        origin=Proposal.Origin.MEMBER,
        status__in=(Proposal.Status.AWAITING_MENTOR, Proposal.Status.PROPOSED),
    )
    return (
        Application.objects.filter(
            program=program, role=Application.Role.MENTEE, status=Status.IN_POOL, user__is_active=True
        )
        .exclude(pk__in=asking.values("mentee_application_id"))
        .annotate(since=Coalesce("last_waiting_notice_at", "submitted_at", "created_at"))
        .filter(since__lte=cut)
        .select_related("user__profile__association__region")
        .order_by("pk")
    )


def notify_waiting_mentees(*, now=None) -> int:
    """One kind word to each mentee whose notice is due, in every program that sends them.
    Returns how many this run queued."""
    now = now or timezone.now()
    sent = 0
    for program in Program.objects.filter(waiting_notice_every_days__gt=0).order_by("pk"):
        # Read before writing: a pool is thousands at most, and SQLite does not isolate a cursor
        # still open from the updates made on the same connection.
        for chunk in itertools.batched(list(waiting_mentees(program, now=now)), 500):
            # Who matching leaves out for now (membership lapsed, moved away, orientation not
            # done) is not told "we are still looking": the committee is not, until that changes.
            left_out = held_back(program=program, applications=chunk)
            left_out |= waiting_for_orientation(
                program=program, applications=[a for a in chunk if a.pk not in left_out], stage="matching"
            )
            for application in chunk:
                if application.pk not in left_out:
                    sent += _notify(application, program=program, now=now)
    return sent


@transaction.atomic
def _notify(application, *, program, now) -> int:
    # Claim the notice first: only the run that finds the time unchanged writes the email.
    claimed = Application.objects.filter(
        pk=application.pk, status=Status.IN_POOL, last_waiting_notice_at=application.last_waiting_notice_at
    ).update(last_waiting_notice_at=now)
    if not claimed:
        return 0
    queue_email(
        key=f"still-waiting:{application.pk}:{application.since.isoformat()}",
        to=application.user.email,
        language=language_of(application.user),
        template="still_waiting",
        brand_id=brand_id_for(program=program),
        context={"program": program, "person": application.user, "application": application},
    )
    return 1


def mark_told(application_ids, *, now=None) -> None:
    """Mentees told by other means (the chair's button): their next notice is an interval later."""
    Application.objects.filter(pk__in=application_ids).update(last_waiting_notice_at=now or timezone.now())
