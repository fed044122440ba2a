"""Mentoring circles: a mentor (or two) with a small group of mentees, their meetings with a
calendar invitation for every member, and one short feedback from each member after a meeting.

Who is in a circle (each rule in words where it is checked):
- its mentors: one or two mentors the committee vetted into the program's pool;
- its mentees: up to the program's `circle_size`; the committee adds them from the program's
  accepted mentee applications, or a member who may take part joins an open circle;
- every mentee-mentor pair keeps the rules of matching as things stand when someone comes in
  (circles.rules: the engine's own checks), and every person may take part in the program now.
The circle's row is locked while someone comes in, so two members taking the last place at once
get one place between them; the other is told the circle is full.

Meetings: a mentor of the circle or a member of the program's committee schedules, moves or
cancels one; every member gets an email with their own `.ics` (partnerships.meetings.calendar_file),
in their language and time zone, with the program's brand. Members who come in later are invited
to the meetings to come; those who leave get their cancellation.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import links
from accounts.language import language_of
from flash.services import is_vetted_mentor
from mentoring import compiled
from mentoring.branding import brand_id_for
from mentoring.models import Application, CommitteeMembership
from mentoring.models.programs import COMMUNICATION_CHANNELS
from outbox.emails import queue_email
from partnerships.meetings import ICS_MIMETYPE, calendar_file

from .models import (
    MAX_MENTORS,
    NAME_MAX,
    NOTE_MAX,
    TOPIC_MAX,
    Circle,
    CircleFeedback,
    CircleMeeting,
    CircleMember,
    Role,
)
from .rules import barred_circles, joining_problems

ACCEPTED_MENTEES = (Application.Status.IN_POOL, Application.Status.MATCHED)
FEEDBACK_LINK_DAYS = 30
LINK_PURPOSE = "circles.feedback"  # the links' purpose: a key of their own (accounts.links)


# --- Text a person types -------------------------------------------------------------------------


def _text(value, limit, *, required=None):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(required)
    if "\x00" in value:
        raise ValidationError(_("This text holds a character that can't be saved. Please retype it."))
    if len(value) > limit:
        raise ValidationError(
            _("Please keep this text to %(limit)s characters (it has %(count)s).")
            % {"limit": limit, "count": len(value)}
        )
    return value


# --- The circle ----------------------------------------------------------------------------------


def _locked(circle):
    return Circle.objects.select_for_update(of=("self",)).select_related("program").get(pk=circle.pk)


def members_of(circle):
    """The circle's members, mentors first, with what the rules and the emails read."""
    return list(
        CircleMember.objects.filter(circle=circle)
        .select_related("user__profile__association")
        .order_by("-role", "joined_at", "pk")
    )


@transaction.atomic
def create_circle(*, program, by, name, topic="", open_to_join=False) -> Circle:
    if not program.offers_circles:
        raise ValidationError(_("This program does not offer circles now. The chair turns them on in the set-up."))
    name = _text(name, NAME_MAX, required=_("Please give the circle a name."))
    topic = _text(topic, TOPIC_MAX)
    return Circle.objects.create(program=program, name=name, topic=topic, open_to_join=open_to_join, created_by=by)


@transaction.atomic
def update_circle(*, circle, by, name, topic, open_to_join) -> Circle:
    circle = _locked(circle)
    if circle.status == Circle.Status.ENDED:
        raise ValidationError(_("This circle has ended."))
    circle.name = _text(name, NAME_MAX, required=_("Please give the circle a name."))
    circle.topic = _text(topic, TOPIC_MAX)
    circle.open_to_join = bool(open_to_join)
    circle.save(update_fields=["name", "topic", "open_to_join"])
    return circle


def _check_place(circle, members, *, user, role, named):
    """The circle's limits and the rules, for `user` coming in as `role` (a ValidationError in words)."""
    if circle.status == Circle.Status.ENDED:
        raise ValidationError(_("This circle has ended."))
    if any(m.user_id == user.pk for m in members):
        if named:
            raise ValidationError(_("%(name)s is in this circle already.") % {"name": user.get_full_name()})
        raise ValidationError(_("You are in this circle already."))
    if role == Role.MENTOR:
        if sum(m.role == Role.MENTOR for m in members) >= MAX_MENTORS:
            raise ValidationError(_("A circle has two mentors at most."))
        if not is_vetted_mentor(program=circle.program, user=user):
            raise ValidationError(
                _("%(name)s is not a mentor the committee vetted for this program.") % {"name": user.get_full_name()}
            )
    elif sum(m.role == Role.MENTEE for m in members) >= circle.program.circle_size:
        raise ValidationError(
            _("This circle is full: it has %(count)s mentees, the program's limit.")
            % {"count": circle.program.circle_size}
        )
    problems = joining_problems(circle=circle, user=user, role=role, members=members, named=named)
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def add_member(*, circle, user, role, by) -> CircleMember:
    """The committee brings someone in: a vetted mentor, or a mentee whose application the program
    accepted. They are told by email, and invited to the meetings to come."""
    if role not in Role.values:
        raise ValidationError(_("Please choose mentor or mentee."))
    circle = _locked(circle)
    if (
        role == Role.MENTEE
        and not Application.objects.filter(
            program=circle.program, user=user, role=Application.Role.MENTEE, status__in=ACCEPTED_MENTEES
        ).exists()
    ):
        raise ValidationError(
            _("%(name)s has no accepted mentee application in this program.") % {"name": user.get_full_name()}
        )
    members = members_of(circle)
    _check_place(circle, members, user=user, role=role, named=True)
    member = CircleMember.objects.create(circle=circle, user=user, role=role, added_by=by)
    member = CircleMember.objects.select_related("user__profile", "circle__program").get(pk=member.pk)
    _email(member, template="circle_added", key=f"circle-added:{member.pk}", context={})
    _invite_to_upcoming(member, [*members, member])
    return member


@transaction.atomic
def join_circle(*, circle, user) -> CircleMember:
    """A member comes into an open circle as a mentee, by themselves."""
    circle = _locked(circle)
    if not (circle.program.offers_circles and circle.open_to_join):
        raise ValidationError(_("This circle is not open to join."))
    members = members_of(circle)
    _check_place(circle, members, user=user, role=Role.MENTEE, named=False)
    member = CircleMember.objects.create(circle=circle, user=user, role=Role.MENTEE)
    member = CircleMember.objects.select_related("user__profile", "circle__program").get(pk=member.pk)
    _invite_to_upcoming(member, [*members, member])
    return member


@transaction.atomic
def leave_circle(*, circle, user):
    """A mentee leaves; the meetings to come leave their calendar. (Mentors ask the committee,
    who removes them: a circle without its mentor needs someone to decide what happens.)"""
    circle = _locked(circle)
    member = CircleMember.objects.filter(circle=circle, user=user).select_related("user__profile").first()
    if member is None:
        raise ValidationError(_("You are not in this circle."))
    if member.role == Role.MENTOR:
        raise ValidationError(_("Mentors ask the program's committee to leave a circle."))
    _uninvite(member)
    member.delete()


@transaction.atomic
def remove_member(*, circle, member_id, by):
    circle = _locked(circle)
    member = CircleMember.objects.filter(circle=circle, pk=member_id).select_related("user__profile").first()
    if member is None:
        raise ValidationError(_("This person is not in the circle any more."))
    _uninvite(member)
    member.delete()


@transaction.atomic
def end_circle(*, circle, by) -> Circle:
    """The circle stops: nobody joins, and the meetings to come are called off in every calendar."""
    circle = _locked(circle)
    if circle.status == Circle.Status.ENDED:
        return circle
    circle.status, circle.ended_at, circle.open_to_join = Circle.Status.ENDED, timezone.now(), False
    circle.save(update_fields=["status", "ended_at", "open_to_join"])
    members = members_of(circle)
    for meeting in upcoming_meetings(circle).select_for_update(of=("self",)):
        _cancel(meeting, members, ended=True)
    return circle


# --- Who sees and organises ----------------------------------------------------------------------


def is_committee(program, user) -> bool:
    return CommitteeMembership.objects.filter(program=program, user=user).exists()


def can_organise(circle, user) -> bool:
    """Its mentors and the program's committee schedule, move and cancel the circle's meetings."""
    return CircleMember.objects.filter(circle=circle, user=user, role=Role.MENTOR).exists() or is_committee(
        circle.program, user
    )


def program_circles(*, program, user) -> tuple[list, list]:
    """(the program's circles this member is in, those they may join now), each Circle with its
    members as `people`, mentors first. May join: open, not ended, led by a mentor, not full, not
    theirs, no mentor the rules keep them from. Five queries, whatever the number of circles."""
    rows = (
        CircleMember.objects.filter(circle__program=program)
        .exclude(circle__status=Circle.Status.ENDED)
        .filter(Q(circle__open_to_join=True) | Q(circle_id__in=CircleMember.objects.filter(user=user).values("circle")))
        .select_related("circle", "user__profile__association")
        .order_by("circle__name", "circle_id", "-role", "joined_at", "pk")
    )
    circles = {}
    for row in rows:
        circle = circles.setdefault(row.circle_id, row.circle)
        circle.people = [*getattr(circle, "people", []), row]
    mine = [c for c in circles.values() if any(m.user_id == user.pk for m in c.people)]
    candidates = [
        c
        for c in circles.values()
        if c not in mine
        and any(m.role == Role.MENTOR for m in c.people)
        and sum(m.role == Role.MENTEE for m in c.people) < program.circle_size
    ]
    barred = barred_circles(program=program, user=user, circles=candidates)
    return mine, [c for c in candidates if c.pk not in barred]


def upcoming_meetings(circle, *, now=None):
    return CircleMeeting.objects.filter(
        circle=circle, status=CircleMeeting.Status.SCHEDULED, starts_at__gt=now or timezone.now()
    ).order_by("starts_at", "pk")


# --- Meetings ------------------------------------------------------------------------------------


def _check_meeting(circle, *, starts_at, mode, video_url):
    if starts_at <= timezone.now():
        raise ValidationError(_("Please choose a time from now on: this one has passed."))
    channels = circle.program.communication_channels
    # As the meeting form offers them: the program's ways to meet, or every one when it lists none.
    if mode not in [key for key, _label in COMMUNICATION_CHANNELS if not channels or key in channels]:
        raise ValidationError(_("Please choose one of the program's ways to meet."))
    # The link is shown as a link on the page and in calendars: a web address, never a script.
    if video_url and not video_url.lower().startswith("https://"):
        raise ValidationError(_("Please give the full link of the video call, starting with https://"))


@transaction.atomic
def schedule_meeting(*, circle, by, starts_at, minutes, mode, place="", video_url="", agenda="") -> CircleMeeting:
    """A meeting of the whole circle: every member gets the invitation. A forming circle is now meeting."""
    circle = _locked(circle)
    if not can_organise(circle, by):
        raise ValidationError(_("The circle's mentors and the program's committee schedule its meetings."))
    if circle.status == Circle.Status.ENDED:
        raise ValidationError(_("This circle has ended."))
    members = members_of(circle)
    if not any(m.role == Role.MENTEE for m in members):
        raise ValidationError(_("The circle has no mentee yet: a meeting needs someone to meet."))
    _check_meeting(circle, starts_at=starts_at, mode=mode, video_url=video_url)
    meeting = CircleMeeting.objects.create(
        circle=circle,
        scheduled_by=by,
        starts_at=starts_at,
        minutes=minutes,
        mode=mode,
        place=_text(place, 200),
        video_url=video_url,
        agenda=_text(agenda, 2000),
    )
    if circle.status == Circle.Status.FORMING:
        circle.status = Circle.Status.MEETING
        circle.save(update_fields=["status"])
    meeting.circle = circle
    for member in members:
        _meeting_email(meeting, member, members, "invitation")
    return meeting


def _locked_meeting(meeting):
    return CircleMeeting.objects.select_for_update(of=("self",)).select_related("circle__program").get(pk=meeting.pk)


def _check_changeable(meeting, by):
    if not can_organise(meeting.circle, by):
        raise ValidationError(_("The circle's mentors and the program's committee schedule its meetings."))
    if meeting.status == CircleMeeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: please schedule a new one."))
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("This meeting has started already: please schedule a new one."))


@transaction.atomic
def move_meeting(*, meeting, by, starts_at, minutes, mode, place="", video_url="", agenda="") -> CircleMeeting:
    """Another time (or place): the same meeting in every calendar, updated (a higher sequence)."""
    meeting = _locked_meeting(meeting)
    _check_changeable(meeting, by)
    _check_meeting(meeting.circle, starts_at=starts_at, mode=mode, video_url=video_url)
    meeting.starts_at, meeting.minutes, meeting.mode = starts_at, minutes, mode
    meeting.place, meeting.video_url, meeting.agenda = _text(place, 200), video_url, _text(agenda, 2000)
    meeting.sequence += 1
    meeting.save()
    members = members_of(meeting.circle)
    for member in members:
        _meeting_email(meeting, member, members, "moved")
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting, by) -> CircleMeeting:
    meeting = _locked_meeting(meeting)
    _check_changeable(meeting, by)
    _cancel(meeting, members_of(meeting.circle))
    return meeting


def _cancel(meeting, members, *, ended=False):
    meeting.status = CircleMeeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    for member in members:
        _meeting_email(meeting, member, members, "cancel", ended=ended)


def _invite_to_upcoming(member, members):
    for meeting in upcoming_meetings(member.circle).select_related("circle__program"):
        _meeting_email(meeting, member, members, "invitation")


def _uninvite(member):
    """The meetings to come leave the calendar of a member who leaves (or is removed)."""
    for meeting in upcoming_meetings(member.circle).select_related("circle__program"):
        _meeting_email(meeting, member, [member], "cancel", left=True)


# --- Emails --------------------------------------------------------------------------------------


def page_url(circle):
    return settings.SITE_URL.rstrip("/") + reverse("circles:circle", args=[circle.pk])


def invitation(meeting, *, person, method="REQUEST") -> str:
    """The `.ics` for one member, in their own time zone and words. Only the member is named as
    an attendee: the others' addresses are theirs to give (the circle's page names everyone)."""
    return calendar_file(
        uid=meeting.uid,
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        zone=person.profile.zone,
        summary=_("Mentoring circle: %(name)s") % {"name": meeting.circle.name},
        description=meeting.agenda or None,
        location=meeting.where,
        url=page_url(meeting.circle),
        attendees=[person],
        method=method,
    )


def _email(member, *, template, key, context, attachments=None):
    person, circle = member.user, member.circle
    language = language_of(person)
    zone = person.profile.zone
    with timezone.override(zone), translation.override(language):
        queue_email(
            key=key,
            to=person.email,
            language=language,
            template=template,
            brand_id=brand_id_for(program=circle.program),
            context={
                "circle": circle,
                "person": person,
                "is_mentor": member.role == Role.MENTOR,
                "zone_name": zone.key,
                "page_url": page_url(circle),
                **context,
            },
            attachments=attachments,
        )


def _meeting_email(meeting, member, members, what, **extra):
    """One member's email about a meeting, with their `.ics`: "invitation" and "moved" add or
    update it in their calendar (METHOD:REQUEST), "cancel" removes it (METHOD:CANCEL). The key holds
    the membership too: someone who leaves and comes back is invited again."""
    method = "CANCEL" if what == "cancel" else "REQUEST"
    person = member.user
    with translation.override(language_of(person)):
        ics = invitation(meeting, person=person, method=method)
    _email(
        member,
        template="circle_meeting_cancelled" if what == "cancel" else "circle_meeting",
        key=f"circle-meeting:{meeting.pk}:{meeting.sequence}:{what}:{person.pk}:{member.pk}",
        context={
            "meeting": meeting,
            "moved": what == "moved",
            "mentor_names": ", ".join(m.user.get_full_name() for m in members if m.role == Role.MENTOR),
            "starts": meeting.starts_at.astimezone(person.profile.zone),
            **extra,
        },
        attachments=[
            {
                "filename": "cancelled.ics" if method == "CANCEL" else "invitation.ics",
                "content": ics,
                "mimetype": ICS_MIMETYPE.format(method=method),
            }
        ],
    )


# --- Feedback after a meeting --------------------------------------------------------------------


def feedback_token(feedback) -> str:
    return links.make_token(LINK_PURPOSE, feedback.pk, feedback.respondent_id)


def feedback_url(feedback) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("circles:feedback", args=[feedback_token(feedback)])


def feedback_for_token(token, *, now=None):
    """The unanswered feedback a link is for, or None (altered, cut short, expired or used)."""
    ids = links.read_token(LINK_PURPOSE, token, 2)
    if ids is None:
        return None
    now = now or timezone.now()
    return (
        CircleFeedback.objects.select_related("meeting__circle__program", "respondent")
        .filter(
            pk=ids[0],
            respondent_id=ids[1],
            respondent__is_active=True,  # an erased account's link opens nothing
            answered_at__isnull=True,
            asked_at__gt=now - timedelta(days=FEEDBACK_LINK_DAYS),
        )
        .first()
    )


def ask_for_feedback(*, now=None) -> int:
    """Each member of each meeting that has ended is asked once: the meeting is claimed by one
    run (a conditional update), and the unique constraint (meeting, respondent) holds if two runs
    still met. State-based: a job that did not run for days catches up in one run. Those who came
    into the circle after the meeting began are not asked about it."""
    now = now or timezone.now()
    due = (
        CircleMeeting.objects.filter(
            status=CircleMeeting.Status.SCHEDULED,
            feedback_asked_at__isnull=True,
            starts_at__lte=now - timedelta(minutes=15),  # the shortest meeting; each is checked below
        )
        .select_related("circle__program")
        .order_by("starts_at", "pk")
    )
    asked = 0
    for meeting in due:
        if meeting.ends_at > now:
            continue
        with transaction.atomic():
            claimed = CircleMeeting.objects.filter(
                pk=meeting.pk, feedback_asked_at__isnull=True, status=CircleMeeting.Status.SCHEDULED
            ).update(feedback_asked_at=now)
            if claimed != 1:
                continue  # another run has it
            for member in CircleMember.objects.filter(
                circle=meeting.circle_id, joined_at__lte=meeting.starts_at, user__is_active=True
            ).select_related("user__profile", "circle__program"):
                asked += _ask(meeting, member)
    return asked


def _ask(meeting, member) -> int:
    try:
        with transaction.atomic():
            feedback, created = CircleFeedback.objects.get_or_create(
                meeting=meeting, respondent=member.user, defaults={"role": member.role}
            )
    except IntegrityError:
        return 0  # another run asked them a moment ago
    if not created:
        return 0
    person = member.user
    _email(
        member,
        template="circle_feedback",
        key=f"circle-feedback:{feedback.pk}",
        context={
            "meeting": meeting,
            "starts": meeting.starts_at.astimezone(person.profile.zone),
            "url": feedback_url(feedback),
            "days": FEEDBACK_LINK_DAYS,
        },
    )
    return 1


@transaction.atomic
def submit_feedback(*, feedback, useful, note="") -> CircleFeedback:
    note = _text(note, NOTE_MAX)
    if useful not in range(1, 6):
        raise ValidationError(_("Please choose how useful it was, from 1 to 5."))
    # Answered once: a double click or a second tab stores one answer.
    done = CircleFeedback.objects.filter(pk=feedback.pk, answered_at__isnull=True).update(
        answered_at=timezone.now(), useful=useful
    )
    if done != 1:
        raise ValidationError(_("This feedback was given already. Thank you."))
    feedback.refresh_from_db()
    if note:
        feedback.note = note  # encrypted: written on its own (an update() would not encrypt)
        feedback.save(update_fields=["note"])
    return feedback


# --- What a member sees --------------------------------------------------------------------------


# What circles_of's rows read (templates/circles/_circle_card.html): any other column would cost a
# query per row when read.
CIRCLE_CARD_COLUMNS = (
    "circle_id",
    "user_id",
    "role",
    "circle__name",
    "circle__status",
    "circle__program__name",
    "user__first_name",
    "user__last_name",
    "user__email",
)


def _circle_rows(user_id, now):
    next_meeting = CircleMeeting.objects.filter(
        circle=OuterRef("circle_id"), status=CircleMeeting.Status.SCHEDULED, starts_at__gt=now
    ).order_by("starts_at", "pk")
    return (
        CircleMember.objects.filter(circle_id__in=CircleMember.objects.filter(user_id=user_id).values("circle"))
        .exclude(circle__status=Circle.Status.ENDED)
        .annotate(next_meeting_at=Subquery(next_meeting.values("starts_at")[:1]))
        .select_related("circle__program", "user")
        # Only what the circle cards show: a program alone has some fifty columns.
        .only(*CIRCLE_CARD_COLUMNS)
        .order_by("circle__name", "circle_id", "-role", "joined_at", "pk")
    )


def circles_of(user, *, now=None) -> list[dict]:
    """The circles this person is in (not ended), each with its members and the start of its next
    meeting: one query, whatever the number of circles (My mentoring), compiled once per process."""
    rows = compiled.objects("circles-of", _circle_rows, user_id=user.pk, now=now or timezone.now())
    circles = {}
    for row in rows:
        item = circles.setdefault(
            row.circle_id, {"circle": row.circle, "members": [], "next_meeting_at": row.next_meeting_at}
        )
        item["members"].append(row)
        if row.user_id == user.pk:
            item["role"] = row.role
    return list(circles.values())
