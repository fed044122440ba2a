"""Closing on time: a partnership still open when its planned end plus the program's grace
period has passed is completed by the hourly job, as the committee would complete it
(partnerships.life.complete: the partners thanked, the mentor's seat freed, a line in the
follow-up log; the close-out survey, i.e. the final feedback round, is then asked of each partner
once by the feedback job, services.create_due_solicitations).

State in the database decides what is due (status and planned end), never the day the job runs:
a run that comes late completes what is overdue, once; a second run (or two at once) finds
nothing left. A chair who extends a partnership moves its planned end, so nothing completes.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from mentoring.models import Partnership, Program
from partnerships import life

ACTIVE = Partnership.Status.ACTIVE


def auto_said(program) -> dict:
    """The follow-up log's line, worded when read (FollowUp.app_words): "Completed automatically
    after the grace period (30 days after the planned end)."."""
    return {"key": "completed_automatically", "days": program.grace_days_after_end}


def complete_overdue_partnerships(*, today=None) -> int:
    """Complete every active partnership whose planned end + grace is today or before. Each in
    its own short transaction, so a worker that dies halfway keeps what it finished and the
    next run does the rest. Returns how many this run completed."""
    today = today or timezone.localdate()
    overdue_anywhere = Partnership.objects.filter(program=OuterRef("pk"), status=ACTIVE, planned_end_on__lte=today)
    completed = 0
    for program in Program.objects.filter(Exists(overdue_anywhere)).order_by("pk"):
        cut = today - timedelta(days=program.grace_days_after_end)
        due = Partnership.objects.filter(program=program, status=ACTIVE, planned_end_on__lte=cut).order_by("pk")
        for pk, mentee_app, mentor_app in due.values_list("pk", "mentee_application_id", "mentor_application_id"):
            completed += _complete_if_still_due(pk, mentee_app, mentor_app, program=program, cut=cut)
    return completed


@transaction.atomic
def _complete_if_still_due(pk, mentee_app, mentor_app, *, program, cut) -> int:
    # The lock order of partnerships.life (applications, then the partnership), and the
    # question asked again under the lock: another run may have completed it, or the chair
    # extended it, since the list above was read.
    life.lock_applications(mentee_app, mentor_app)
    partnership = Partnership.objects.select_for_update().filter(pk=pk).first()
    if partnership is None or partnership.status != ACTIVE or partnership.planned_end_on > cut:
        return 0
    try:
        life.complete(partnership=partnership, by=None, said=auto_said(program))
    except ValidationError:  # closed meanwhile: nothing to do
        return 0
    return 1
