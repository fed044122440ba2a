"""Flash conversations: a vetted mentor offers one-hour slots, an eligible member books one with a
question, both get the calendar invitation, and each side is asked one short feedback afterwards.

The rules a booking keeps (each in `booking_problems`, in words):
- the member may take part in the program (mentoring.services.membership_reasons: the same rules
  as the program's application: complete profile, local association or region, membership);
- not oneself; not a mentor either of them asked to avoid; not a pair whose partnership was
  dissolved (matching's rules for pairs, which apply on every path);
- at most OPEN_BOOKINGS upcoming bookings per member.
Booking is one conditional update (open -> booked): two members clicking the same slot get one
booking, and the other is told it was just taken."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import language_of
from accounts.models import User
from mentoring.branding import brand_id_for
from mentoring.models import Application, Partnership
from mentoring.models.programs import COMMUNICATION_CHANNELS
from mentoring.services import membership_reasons
from outbox.emails import queue_email
from partnerships.meetings import ICS_MIMETYPE, calendar_file

from .models import NOTE_MAX, QUESTION_MAX, FlashFeedback, Slot

OPEN_BOOKINGS = 2  # upcoming bookings a member may hold at once
OPEN_SLOTS = 10  # upcoming open slots a mentor may offer at once ("a few")
FEEDBACK_LINK_DAYS = 30
TOKEN_SALT = "flash.feedback"  # noqa: S105 - a namespace for signing, not a secret
VETTED = (Application.Status.IN_POOL, Application.Status.MATCHED)


# --- Who may offer and book ----------------------------------------------------------------------


def is_vetted_mentor(*, program, user) -> bool:
    """A mentor the committee vetted into this program's pool (matched since, or not)."""
    return Application.objects.filter(
        program=program, user=user, role=Application.Role.MENTOR, status__in=VETTED
    ).exists()


def barred_mentor_ids(*, member, mentor_ids) -> set:
    """Of `mentor_ids`, those this member may not talk to: either asked to avoid the other (in
    any application), or a partnership of theirs was dissolved (either way round). Two queries."""
    mentor_ids = set(mentor_ids)
    barred = set()
    for user_id, avoid in Application.objects.filter(Q(user=member) | Q(user_id__in=mentor_ids)).values_list(
        "user_id", "avoid_partner_ids"
    ):
        if user_id == member.pk:
            barred |= mentor_ids & set(avoid or ())
        elif member.pk in (avoid or ()):
            barred.add(user_id)
    dissolved = Partnership.objects.filter(status=Partnership.Status.DISSOLVED).filter(
        Q(mentee=member, mentor_id__in=mentor_ids) | Q(mentor=member, mentee_id__in=mentor_ids)
    )
    for mentee_id, mentor_id in dissolved.values_list("mentee_id", "mentor_id"):
        barred.add(mentor_id if mentee_id == member.pk else mentee_id)
    return barred


def upcoming_bookings(member, *, now=None):
    return Slot.objects.filter(member=member, status=Slot.Status.BOOKED, starts_at__gt=now or timezone.now())


def booking_problems(*, slot, member, now=None) -> list[str]:
    """Why this member may not book this slot, in words (none: they may)."""
    now = now or timezone.now()
    if slot.mentor_id == member.pk:
        return [_("This is one of your own slots.")]
    problems = membership_reasons(program=slot.program, user=member)
    if not slot.program.offers_flash:
        problems.append(_("This program does not offer flash conversations now."))
    if slot.mentor_id in barred_mentor_ids(member=member, mentor_ids=[slot.mentor_id]):
        problems.append(_("This mentor is not available to you. Please choose another."))
    if slot.starts_at <= now:
        problems.append(_("This slot has passed. Please choose another."))
    if upcoming_bookings(member, now=now).count() >= OPEN_BOOKINGS:
        problems.append(
            _("You have %(count)s conversations booked already: once one has taken place, you can book another.")
            % {"count": OPEN_BOOKINGS}
        )
    return problems


def open_slots(*, program, member, now=None) -> list[Slot]:
    """The upcoming open slots this member may book, soonest first (a fixed number of queries)."""
    slots = list(
        Slot.objects.filter(program=program, status=Slot.Status.OPEN, starts_at__gt=now or timezone.now())
        .exclude(mentor=member)
        .select_related("mentor__profile")
        .order_by("starts_at", "pk")
    )
    barred = barred_mentor_ids(member=member, mentor_ids={s.mentor_id for s in slots})
    return [s for s in slots if s.mentor_id not in barred]


# --- The mentor's slots --------------------------------------------------------------------------


def _check_text(value, limit):
    if "\x00" in value:
        raise ValidationError(_("This text holds a character that can't be saved. Please retype it."))
    if len(value) > limit:
        raise ValidationError(
            _("Please keep this text to %(limit)s characters (it has %(count)s).")
            % {"limit": limit, "count": len(value)}
        )


@transaction.atomic
def offer_slot(*, program, mentor, starts_at: datetime, mode, note="", now=None) -> Slot:
    now = now or timezone.now()
    if not program.offers_flash or not is_vetted_mentor(program=program, user=mentor):
        raise ValidationError(_("Mentors the committee has welcomed into this program offer flash conversations."))
    if starts_at <= now:
        raise ValidationError(_("Please choose a time from now on: this one has passed."))
    channels = program.communication_channels
    # As the meeting form offers them: the program's ways to meet, or every one when it lists none.
    if mode not in [key for key, _label in COMMUNICATION_CHANNELS if not channels or key in channels]:
        raise ValidationError(_("Please choose one of the program's ways to meet."))
    note = note.strip()
    _check_text(note, NOTE_MAX)
    # Lock the mentor's row: two tabs offering at once still keep to the limit.
    User.objects.select_for_update().get(pk=mentor.pk)
    if Slot.objects.filter(mentor=mentor, status=Slot.Status.OPEN, starts_at__gt=now).count() >= OPEN_SLOTS:
        raise ValidationError(_("You offer %(count)s open slots already.") % {"count": OPEN_SLOTS})
    return Slot.objects.create(program=program, mentor=mentor, starts_at=starts_at, mode=mode, note=note)


@transaction.atomic
def withdraw_slot(*, slot, by) -> Slot:
    """The mentor takes back a slot: an open one is withdrawn; a booked one is cancelled and the
    member is told (with the calendar's cancellation)."""
    slot = Slot.objects.select_for_update().select_related("program").get(pk=slot.pk)
    if slot.mentor_id != by.pk:
        raise ValidationError(_("Only the mentor who offered this slot can take it back."))
    if slot.starts_at <= timezone.now() or slot.status not in (Slot.Status.OPEN, Slot.Status.BOOKED):
        raise ValidationError(_("This slot can no longer be changed."))
    if slot.status == Slot.Status.OPEN:
        slot.status = Slot.Status.WITHDRAWN
        slot.save(update_fields=["status"])
        return slot
    slot.status, slot.sequence = Slot.Status.CANCELLED, slot.sequence + 1
    slot.save(update_fields=["status", "sequence"])
    slot = Slot.objects.select_related("program", "mentor__profile", "member__profile").get(pk=slot.pk)
    _email(slot, slot.member, "cancelled", template="flash_cancelled", method="CANCEL")
    return slot


# --- Booking -------------------------------------------------------------------------------------


@transaction.atomic
def book_slot(*, slot, member, question) -> Slot:
    question = (question or "").strip()
    if not question:
        raise ValidationError(_("Please write your question: it helps the mentor prepare."))
    _check_text(question, QUESTION_MAX)
    # Lock the member's row: two tabs booking two slots at once still keep to the limit.
    User.objects.select_for_update().get(pk=member.pk)
    slot = Slot.objects.select_related("program").get(pk=slot.pk)
    if slot.status != Slot.Status.OPEN:
        raise ValidationError(_("Someone else booked this slot a moment ago. Please choose another."))
    if problems := booking_problems(slot=slot, member=member):
        raise ValidationError(problems)
    now = timezone.now()
    # The race: only one of two members clicking the same slot turns it from open to booked.
    taken = Slot.objects.filter(pk=slot.pk, status=Slot.Status.OPEN).update(
        status=Slot.Status.BOOKED, member=member, question=question, booked_at=now
    )
    if taken != 1:
        raise ValidationError(_("Someone else booked this slot a moment ago. Please choose another."))
    slot = Slot.objects.select_related("program", "mentor__profile", "member__profile").get(pk=slot.pk)
    for person in (slot.member, slot.mentor):
        _email(slot, person, "booked", template="flash_booked", method="REQUEST")
    return slot


# --- Emails with the calendar invitation ---------------------------------------------------------


def other_of(slot, person):
    return slot.member if person.pk == slot.mentor_id else slot.mentor


def invitation(slot, *, person, method="REQUEST") -> str:
    """The `.ics` for one side, in their own time zone (partnerships.meetings builds it)."""
    return calendar_file(
        uid=slot.uid,
        sequence=slot.sequence,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        zone=person.profile.zone,
        summary=_("Flash conversation: %(person)s and %(other)s")
        % {"person": slot.mentor.get_full_name(), "other": slot.member.get_full_name()},
        description=slot.question or None,
        location=slot.get_mode_display(),
        url=page_url(slot.program),
        attendees=[slot.member, slot.mentor],
        method=method,
    )


def page_url(program):
    return settings.SITE_URL.rstrip("/") + reverse("flash:slots", args=[program.pk])


def _email(slot, person, what, *, template, method):
    language = language_of(person)
    zone = person.profile.zone
    with timezone.override(zone), translation.override(language):
        queue_email(
            key=f"flash:{slot.pk}:{slot.sequence}:{what}:{person.pk}",
            to=person.email,
            language=language,
            template=template,
            brand_id=brand_id_for(program=slot.program),
            context={
                "slot": slot,
                "person": person,
                "other": other_of(slot, person),
                "is_mentor": person.pk == slot.mentor_id,
                "starts": slot.starts_at.astimezone(zone),
                "zone_name": zone.key,
                "page_url": page_url(slot.program),
            },
            attachments=[
                {
                    "filename": "cancelled.ics" if method == "CANCEL" else "invitation.ics",
                    "content": invitation(slot, person=person, method=method),
                    "mimetype": ICS_MIMETYPE.format(method=method),
                }
            ],
        )


# --- Feedback after the conversation -------------------------------------------------------------


def feedback_token(feedback) -> str:
    return signing.dumps(feedback.pk, salt=TOKEN_SALT)


def feedback_for_token(token):
    """The unanswered feedback a link is for, or None (wrong, tampered, expired or used)."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT, max_age=timedelta(days=FEEDBACK_LINK_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return (
        FlashFeedback.objects.select_related("slot__program", "slot__mentor", "slot__member")
        .filter(pk=pk, answered_at__isnull=True, slot__status=Slot.Status.BOOKED)
        .first()
    )


def ask_for_feedback(*, now=None) -> int:
    """Each side of every booked slot whose hour has passed is asked once (the unique constraint
    holds when two runs overlap, and the outbox key when one is retried). State-based: a job that
    did not run for days catches up in one run."""
    now = now or timezone.now()
    due = (
        Slot.objects.filter(status=Slot.Status.BOOKED, starts_at__lte=now - timedelta(minutes=Slot.MINUTES))
        .annotate(asked=Count("feedback"))
        .filter(asked__lt=2)
        .select_related("program", "mentor__profile", "member__profile")
    )
    asked = 0
    for slot in due:
        brand_id = brand_id_for(program=slot.program)  # once per slot, for both sides
        for role, person in ((FlashFeedback.Role.MENTOR, slot.mentor), (FlashFeedback.Role.MEMBER, slot.member)):
            try:
                with transaction.atomic():
                    feedback, created = FlashFeedback.objects.get_or_create(
                        slot=slot, role=role, defaults={"respondent": person}
                    )
                    if not created:
                        continue
                    language = language_of(person)
                    with translation.override(language):
                        queue_email(
                            key=f"flash-feedback:{feedback.pk}",
                            to=person.email,
                            language=language,
                            template="flash_feedback",
                            brand_id=brand_id,
                            context={
                                "person": person,
                                "other": other_of(slot, person),
                                "url": settings.SITE_URL.rstrip("/")
                                + reverse("flash:feedback", args=[feedback_token(feedback)]),
                                "days": FEEDBACK_LINK_DAYS,
                            },
                        )
                    asked += 1
            except IntegrityError:
                continue  # another run asked them a moment ago
    return asked


@transaction.atomic
def submit_feedback(*, feedback, held, useful, note="") -> FlashFeedback:
    note = (note or "").strip()
    _check_text(note, NOTE_MAX)
    if useful is not None and useful not in range(1, 6):
        raise ValidationError(_("Please choose how useful it was, from 1 to 5."))
    # Answered once: a double click or a second tab stores one answer.
    done = FlashFeedback.objects.filter(pk=feedback.pk, answered_at__isnull=True).update(
        answered_at=timezone.now(), held=held, useful=useful
    )
    if done != 1:
        raise ValidationError(_("This feedback was given already. Thank you."))
    feedback.refresh_from_db()
    if note:
        feedback.note = note  # encrypted: written on its own (an update() would not encrypt)
        feedback.save(update_fields=["note"])
    return feedback
