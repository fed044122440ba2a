"""The life of a partnership, in one place: start, extend, complete, dissolve. Every caller uses
these (matching starts partnerships when the chair approves a pair; the committee's follow-up
pages extend, complete and dissolve them; feedback's hourly job completes the overdue ones).

Each function runs in the caller's transaction, changes the partnership and the two applications,
writes its line in the follow-up log (FollowUp: extended, completed, dissolved), and writes the
partners' emails to the outbox (sent after commit, once). The final feedback round of a completed
partnership is not asked here: feedback's job finds the partnerships completed lately and asks it
(feedback.services.create_due_solicitations), so it is state in the database like every round.

Lock order, always: the two applications (by id), then anything else the caller locks (the
proposal), then the partnership, then its agreement (partnerships.agreements). Every change that
could touch the same rows queues on the same first lock, so none can deadlock another.
"""

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.language import language_of
from mentoring.branding import brand_id_for
from mentoring.models import Application, Partnership
from outbox.emails import queue_email

from . import meetings
from .agreements import make_agreement
from .models import FollowUp

Status = Application.Status


def lock_applications(*ids) -> dict:
    """The applications, locked in id order (the first step of the lock order), by id."""
    return {a.pk: a for a in Application.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk")}


def check_still_available(mentee_app, mentor_app):
    """The mentee still waits and the mentor still mentors (the applications, locked), or a
    ValidationError that says which. Capacity is the caller's to count."""
    if mentee_app.status != Status.IN_POOL:
        raise ValidationError(
            _("%(mentee)s is no longer waiting for a mentor (%(status)s).")
            % {"mentee": mentee_app.user, "status": mentee_app.get_status_display()}
        )
    if mentor_app.status not in (Status.IN_POOL, Status.MATCHED) or mentor_app.role != Application.Role.MENTOR:
        raise ValidationError(_("%(mentor)s is no longer available as a mentor.") % {"mentor": mentor_app.user})


@transaction.atomic
def start(*, mentee_application, mentor_application, by, started_on=None) -> Partnership:
    """Make the pair a partnership and introduce the partners.

    Capacity is counted inside the lock, and the database refuses a second active partnership
    for a mentee whatever happens. The applications passed in are brought up to date (the mentor's
    is MATCHED once full)."""
    locked = lock_applications(mentee_application.pk, mentor_application.pk)
    mentee_app, mentor_app = locked[mentee_application.pk], locked[mentor_application.pk]
    check_still_available(mentee_app, mentor_app)
    taken = Partnership.objects.filter(mentor_application=mentor_app, status=Partnership.Status.ACTIVE).count()
    if taken >= mentor_app.capacity:
        raise ValidationError(
            ngettext(
                "%(mentor)s is now full (%(capacity)s of %(capacity)s mentee).",
                "%(mentor)s is now full (%(capacity)s of %(capacity)s mentees).",
                mentor_app.capacity,
            )
            % {"mentor": mentor_app.user, "capacity": mentor_app.capacity}
        )
    program = mentee_app.program
    started_on = started_on or timezone.localdate()
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(
                program=program,
                mentee=mentee_app.user,
                mentor=mentor_app.user,
                mentee_application=mentee_app,
                mentor_application=mentor_app,
                started_on=started_on,
                planned_end_on=started_on + relativedelta(months=program.length_months),
                approved_by=by,
            )
    except IntegrityError:
        raise ValidationError(
            _("%(mentee)s already has a mentor in this program.") % {"mentee": mentee_app.user}
        ) from None
    make_agreement(partnership=partnership)
    mentee_app.status = Status.MATCHED
    mentee_app.save(update_fields=["status", "updated_at"])
    if taken + 1 >= mentor_app.capacity:
        mentor_app.status = Status.MATCHED
        mentor_app.save(update_fields=["status", "updated_at"])
    for given, fresh in ((mentee_application, mentee_app), (mentor_application, mentor_app)):
        given.status = fresh.status
    _introduce(partnership)
    return partnership


def _introduce(partnership):
    """Two emails: each partner learns who the other is, how to reach them, and the guidelines."""
    program = partnership.program
    pairs = [
        ("mentee", partnership.mentee, partnership.mentor, partnership.mentor_application),
        ("mentor", partnership.mentor, partnership.mentee, partnership.mentee_application),
    ]
    brand_id = brand_id_for(program=program)
    for role, person, partner, partner_application in pairs:
        queue_email(
            key=f"introduction:{partnership.pk}:{role}",
            to=person.email,
            language=language_of(person),
            template="introduction",
            brand_id=brand_id,
            context={
                "program": program,
                "person": person,
                "partner": partner,
                "partner_profile": partner.profile,
                "partner_application": partner_application,
                "role": role,
                "partnership": partnership,
                "milestones": list(program.milestones.all()),
            },
        )


@transaction.atomic
def extend(*, partnership, by, months, note="") -> Partnership:
    """Move the planned end `months` later (1 to 12), in the log with the committee's note."""
    if not 1 <= months <= 12:
        raise ValidationError(_("Extend by 1 to 12 months."))
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if not partnership.is_active:
        raise ValidationError(_("Only an active partnership can be extended."))
    partnership.planned_end_on += relativedelta(months=months)
    partnership.save(update_fields=["planned_end_on"])
    FollowUp.objects.create(
        partnership=partnership,
        author=by,
        kind=FollowUp.Kind.EXTENDED,
        said={"key": "extended", "months": months},
        note=note.strip() or None,
    )
    return partnership


@transaction.atomic
def complete(*, partnership, by, note="", said=None) -> Partnership:
    """Close a partnership that ran its course; both partners are thanked by email. `by`: who
    closed it (None: the hourly job); `note`, what they wrote; `said`, what the app says in the
    follow-up log (a key and its values, FollowUp.app_words). The final round's answers may still
    come in: feedback's job asks it of both partners (see the module's docstring)."""
    lock_applications(partnership.mentee_application_id, partnership.mentor_application_id)
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if not partnership.is_active:
        raise ValidationError(_("This partnership is already closed."))
    partnership.status = Partnership.Status.COMPLETED
    partnership.ended_on = timezone.localdate()
    partnership.end_reason = Partnership.EndReason.COMPLETED
    partnership.save(update_fields=["status", "ended_on", "end_reason"])
    _free_mentor_seat(partnership)
    meetings.cancel_upcoming_meetings(partnership=partnership)
    FollowUp.objects.create(
        partnership=partnership, author=by, kind=FollowUp.Kind.COMPLETED, note=note or None, said=said or {}
    )
    brand_id = brand_id_for(program=partnership.program)
    for person in (partnership.mentee, partnership.mentor):
        queue_email(
            key=f"completed:{partnership.pk}:{person.pk}",
            to=person.email,
            language=language_of(person),
            template="partnership_completed",
            brand_id=brand_id,
            context={
                "program": partnership.program,
                "person": person,
                "partner": partnership.partner_of(person),
                "partnership": partnership,
            },
        )
    return partnership


@transaction.atomic
def dissolve(*, partnership, by, reason, note="", rematch=True) -> Partnership:
    """End a partnership that is not working. The reason and the note stay with the committee
    (the note also in the log); the mentee returns to the matching pool (first in line), or
    withdraws with `rematch=False`, and this pair is never proposed again; the mentor's seat is
    free; both partners get a tactful email."""
    if reason not in Partnership.EndReason.values or reason == Partnership.EndReason.COMPLETED:
        raise ValidationError(_("Choose why the partnership ends."))
    locked = lock_applications(partnership.mentee_application_id, partnership.mentor_application_id)
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if not partnership.is_active:
        raise ValidationError(_("This partnership is already closed."))
    partnership.status = Partnership.Status.DISSOLVED
    partnership.ended_on = timezone.localdate()
    partnership.end_reason = reason
    partnership.end_note = note or None
    partnership.save(update_fields=["status", "ended_on", "end_reason", "end_note"])
    _free_mentor_seat(partnership)
    meetings.cancel_upcoming_meetings(partnership=partnership)
    mentee_app = locked[partnership.mentee_application_id]
    mentee_app.status = Status.IN_POOL if rematch else Status.WITHDRAWN
    # The email below tells the mentee they are back in the pool: the regular "still looking"
    # notice (matching/waiting.py) counts its interval from now.
    mentee_app.last_waiting_notice_at = timezone.now()
    mentee_app.save(update_fields=["status", "last_waiting_notice_at", "updated_at"])
    FollowUp.objects.create(partnership=partnership, author=by, kind=FollowUp.Kind.DISSOLVED, note=note or None)
    brand_id = brand_id_for(program=partnership.program)
    for person in (partnership.mentee, partnership.mentor):
        role = partnership.role_of(person)
        queue_email(
            key=f"dissolved:{partnership.pk}:{person.pk}",
            to=person.email,
            language=language_of(person),
            template="partnership_ended",
            brand_id=brand_id,
            context={
                "program": partnership.program,
                "person": person,
                "role": role,
                "rematch": rematch and role == "mentee",
            },
        )
    return partnership


def _free_mentor_seat(partnership):
    mentor_app = Application.objects.select_for_update().get(pk=partnership.mentor_application_id)
    if mentor_app.status == Status.MATCHED:
        mentor_app.status = Status.IN_POOL
        mentor_app.save(update_fields=["status", "updated_at"])
