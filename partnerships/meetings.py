"""Meetings the partners schedule: propose, accept (or propose another time), cancel, log.

Every accepted or changed meeting reaches both partners' calendars as an `.ics` invitation
(RFC 5545/5546): one UID for the meeting's whole life and a SEQUENCE raised on every change,
so a calendar replaces its copy (METHOD:REQUEST) or removes it (METHOD:CANCEL). Each copy gives
the time in its recipient's own time zone, with that zone's definition (VTIMEZONE).

Emails go through the outbox; their keys hold the meeting, its sequence and the person, so a
retried request or a second run of the reminder job queues nothing new.
"""

from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from accounts.language import language_of
from mentoring import compiled
from mentoring.branding import brand_id_for
from mentoring.models import Partnership
from outbox.emails import queue_email

from .models import Meeting, ScheduledMeeting

REMIND_BEFORE = timedelta(hours=24)
ICS_MIMETYPE = "text/calendar; method={method}; charset=utf-8"


# --- Calendar invitations --------------------------------------------------------------------


def _address(user, *, accepted=True):
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = user.get_full_name() or user.email
    address.params["ROLE"] = "REQ-PARTICIPANT"
    address.params["PARTSTAT"] = "ACCEPTED" if accepted else "NEEDS-ACTION"
    # The partners answered on the site already: their calendars need not reply to anyone.
    address.params["RSVP"] = "FALSE"
    return address


def invitation(meeting, *, person, method="REQUEST") -> str:
    """The `.ics` for one partner: the meeting in `person`'s own time zone and words in the active
    language (the caller's to choose: `_email` writes in the recipient's). METHOD:REQUEST adds or
    updates it in their calendar, METHOD:CANCEL removes it (same UID, a higher SEQUENCE)."""
    partnership = meeting.partnership
    partner = partnership.partner_of(person)
    return calendar_file(
        uid=meeting.uid,
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        zone=person.profile.zone,
        summary=_("Mentoring: %(person)s and %(partner)s")
        % {"person": person.get_full_name(), "partner": partner.get_full_name()},
        description=meeting.agenda or None,
        location=meeting.where,
        url=settings.SITE_URL.rstrip("/") + reverse("partnership", args=[partnership.pk]),
        attendees=[partnership.mentee, partnership.mentor],
        method=method,
    )


def calendar_file(*, uid, sequence, starts_at, ends_at, zone, summary, description, location, url, attendees, method):
    """An `.ics` (RFC 5545/5546) for one recipient, its times in `zone`: partners' meetings and
    flash conversations (flash/) alike. The site organises; `attendees` (users) attend."""
    # The site organises (it sent the invitation); both partners attend. With a partner as
    # organiser, that partner's calendar would treat its own copy as a meeting it sends.
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = name or settings.SITE_NAME
    event = Event.new(
        uid=uid,
        sequence=sequence,
        stamp=timezone.now(),
        start=starts_at.astimezone(zone),
        end=ends_at.astimezone(zone),
        summary=summary,
        description=description,
        location=location,
        url=url,
        organizer=organizer,
        attendees=[_address(user) for user in attendees],
        status="CANCELLED" if method == "CANCEL" else "CONFIRMED",
    )
    calendar = Calendar.new(prodid=f"-//{settings.SITE_NAME}//Mentoring//EN", method=method, subcomponents=[event])
    # The zone's rules around the meeting only (the full history since 1970 would be 4 kB of dates).
    day = starts_at.astimezone(zone).date()
    calendar.add_missing_timezones(first_date=day - timedelta(days=400), last_date=day + timedelta(days=400))
    del calendar["UID"]  # the calendar object's own id: clients want the event's only
    return calendar.to_ical().decode()


def _ics(meeting, person, method):
    return {
        "filename": "cancelled.ics" if method == "CANCEL" else "invitation.ics",
        "content": invitation(meeting, person=person, method=method),
        "mimetype": ICS_MIMETYPE.format(method=method),
    }


def _context(meeting, person):
    """What an email needs, with the time in the recipient's own zone."""
    partnership = meeting.partnership
    return {
        "meeting": meeting,
        "person": person,
        "partner": partnership.partner_of(person),
        "starts": meeting.starts_at.astimezone(person.profile.zone),
        "zone_name": person.profile.zone.key,
        "page_url": settings.SITE_URL.rstrip("/") + reverse("partnership", args=[partnership.pk]) + "#scheduled",
    }


def _email(meeting, person, what, *, template, method=None, **extra):
    """Queue one email about `meeting` to `person` (with the .ics when `method` is given). Rendered
    in the recipient's time zone and language: the templates' date filters show the times in it,
    and the calendar file's words (its summary, the way of meeting) are theirs too."""
    language = language_of(person)
    with timezone.override(person.profile.zone), translation.override(language):
        queue_email(
            key=f"meeting:{meeting.pk}:{meeting.sequence}:{what}:{person.pk}",
            to=person.email,
            language=language,
            template=template,
            brand_id=brand_id_for(program=meeting.partnership.program),
            context={**_context(meeting, person), **extra},
            attachments=[_ics(meeting, person, method)] if method else None,
        )


# --- The services ----------------------------------------------------------------------------


def _check_partner(partnership, by):
    if partnership.role_of(by) is None:
        raise ValidationError(_("Only the two partners arrange their meetings."))


def _check_active(partnership):
    if partnership.status != Partnership.Status.ACTIVE:
        raise ValidationError(_("Meetings are arranged while the partnership is active."))


def _check_future(starts_at):
    if starts_at <= timezone.now():
        raise ValidationError(_("Please choose a time from now on: this one has passed."))


def _check_link(video_url):
    # The link is shown as a link on the page and in calendars: a web address, never a script.
    if video_url and not video_url.lower().startswith("https://"):
        raise ValidationError(_("Please give the full link of the video call, starting with https://"))


def _locked(meeting):
    return (
        # Lock the meeting row only (the profiles are an outer join PostgreSQL cannot lock).
        ScheduledMeeting.objects.select_for_update(of=("self",))
        .select_related("partnership__mentee__profile", "partnership__mentor__profile")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def propose_meeting(
    *, partnership, by, starts_at, minutes, mode, place="", video_url="", agenda=""
) -> ScheduledMeeting:
    """`by` proposes a meeting; the other partner is emailed a link to accept or propose another time."""
    _check_partner(partnership, by)
    _check_active(partnership)
    _check_future(starts_at)
    _check_link(video_url)
    meeting = ScheduledMeeting.objects.create(
        partnership=partnership,
        proposed_by=by,
        starts_at=starts_at,
        minutes=minutes,
        mode=mode,
        place=place,
        video_url=video_url,
        agenda=agenda,
    )
    _email(meeting, partnership.partner_of(by), "proposed", template="meeting_proposed")
    return meeting


@transaction.atomic
def propose_other_time(*, meeting, by, starts_at, minutes, mode, place="", video_url="", agenda="") -> ScheduledMeeting:
    """Either partner proposes a change: same meeting (same UID), the next sequence, waiting for
    the other partner again. Calendars that hold it are updated once the change is accepted."""
    meeting = _locked(meeting)
    partnership = meeting.partnership
    _check_partner(partnership, by)
    _check_active(partnership)
    if meeting.status == ScheduledMeeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: please propose a new one."))
    if meeting.starts_at <= timezone.now() and meeting.status == ScheduledMeeting.Status.ACCEPTED:
        raise ValidationError(_("This meeting has started already: please propose a new one."))
    _check_future(starts_at)
    _check_link(video_url)
    meeting.proposed_by = by
    meeting.starts_at, meeting.minutes, meeting.mode = starts_at, minutes, mode
    meeting.place, meeting.video_url, meeting.agenda = place, video_url, agenda
    meeting.status = ScheduledMeeting.Status.PROPOSED
    meeting.sequence += 1
    meeting.save()
    _email(meeting, partnership.partner_of(by), "proposed", template="meeting_proposed")
    return meeting


@transaction.atomic
def accept_meeting(*, meeting, by) -> ScheduledMeeting:
    """The partner who was asked accepts: both get the invitation for their calendar. A double
    click or a second tab accepts once (the same sequence queues nothing new)."""
    meeting = _locked(meeting)
    partnership = meeting.partnership
    _check_partner(partnership, by)
    _check_active(partnership)
    if meeting.status == ScheduledMeeting.Status.ACCEPTED:
        return meeting
    if meeting.status != ScheduledMeeting.Status.PROPOSED:
        raise ValidationError(_("This meeting was cancelled: please propose a new one."))
    if meeting.proposed_by_id == by.pk:
        raise ValidationError(
            _("%(name)s accepts the time you proposed.") % {"name": partnership.partner_of(by).first_name}
        )
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("This time has passed: please propose another time."))
    meeting.status = ScheduledMeeting.Status.ACCEPTED
    meeting.in_calendars = True
    if meeting.starts_at - timezone.now() <= REMIND_BEFORE:
        meeting.reminded_sequence = meeting.sequence  # the invitation, a day or less ahead, is the reminder
    meeting.save(update_fields=["status", "in_calendars", "reminded_sequence", "updated_at"])
    for person in (partnership.mentee, partnership.mentor):
        _email(meeting, person, "invitation", template="meeting_invitation", method="REQUEST")
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting, by) -> ScheduledMeeting:
    """Either partner calls the meeting off. Calendars that hold it get METHOD:CANCEL (same UID,
    a higher sequence); a proposal nobody accepted yet is just withdrawn, with a word to the other."""
    meeting = _locked(meeting)
    partnership = meeting.partnership
    _check_partner(partnership, by)
    if meeting.status == ScheduledMeeting.Status.CANCELLED:
        return meeting
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("This meeting's time has passed: there is nothing to cancel."))
    meeting.status = ScheduledMeeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    if meeting.in_calendars:
        for person in (partnership.mentee, partnership.mentor):
            _email(meeting, person, "cancel", template="meeting_cancelled", method="CANCEL")
    else:  # a proposal withdrawn by its author, or declined by the other partner
        declined = meeting.proposed_by_id != by.pk
        _email(meeting, partnership.partner_of(by), "cancel", template="meeting_cancelled", declined=declined)
    return meeting


def cancel_upcoming_meetings(*, partnership) -> int:
    """The partnership ended (completed or dissolved; called in that transaction): its coming
    meetings are called off, and those in the partners' calendars removed (METHOD:CANCEL)."""
    upcoming = ScheduledMeeting.objects.select_for_update(of=("self",)).filter(
        partnership=partnership,
        status__in=[ScheduledMeeting.Status.PROPOSED, ScheduledMeeting.Status.ACCEPTED],
        starts_at__gt=timezone.now(),
    )
    count = 0
    for meeting in upcoming.select_related("partnership__mentee__profile", "partnership__mentor__profile"):
        meeting.status = ScheduledMeeting.Status.CANCELLED
        meeting.sequence += 1
        meeting.save(update_fields=["status", "sequence", "updated_at"])
        if meeting.in_calendars:
            for person in (partnership.mentee, partnership.mentor):
                _email(meeting, person, "cancel", template="meeting_cancelled", method="CANCEL", ended=True)
        count += 1
    return count


@transaction.atomic
def log_meeting(*, meeting, by) -> Meeting:
    """An accepted meeting that took place becomes a meeting-log entry (its date in `by`'s time
    zone, its mode and length). Once only: a second click returns the same entry."""
    meeting = _locked(meeting)
    partnership = meeting.partnership
    _check_partner(partnership, by)
    if meeting.logged_meeting_id:
        return meeting.logged_meeting
    if meeting.status != ScheduledMeeting.Status.ACCEPTED:
        raise ValidationError(_("Only an accepted meeting can be logged."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("You can log this meeting once it has taken place."))
    logged = Meeting.objects.create(
        partnership=partnership,
        met_on=meeting.starts_at.astimezone(by.profile.zone).date(),
        mode=meeting.mode,
        minutes=meeting.minutes,
        logged_by=by,
    )
    meeting.logged_meeting = logged
    meeting.save(update_fields=["logged_meeting", "updated_at"])
    return logged


# --- The reminder the day before (a beat job) ------------------------------------------------


def _not_reminded():
    return Q(reminded_sequence__isnull=True) | Q(reminded_sequence__lt=F("sequence"))


def send_meeting_reminders(*, now=None) -> int:
    """Remind both partners of each accepted meeting starting within a day, once per version of
    the meeting (a moved meeting is reminded again). Safe to run twice at once and to run late:
    a meeting that has not started is still reminded; one already started never is."""
    now = now or timezone.now()
    due = ScheduledMeeting.objects.filter(
        _not_reminded(),
        status=ScheduledMeeting.Status.ACCEPTED,
        partnership__status=Partnership.Status.ACTIVE,
        starts_at__gt=now,
        starts_at__lte=now + REMIND_BEFORE,
    )
    count = 0
    for meeting_id, sequence in due.values_list("pk", "sequence"):
        with transaction.atomic():
            # Claim the meeting first: two runs may overlap, only one wins the update. The
            # emails are queued in the same transaction, so a run killed here leaves neither.
            claimed = (
                ScheduledMeeting.objects.filter(_not_reminded(), pk=meeting_id, sequence=sequence)
                .filter(status=ScheduledMeeting.Status.ACCEPTED)
                .update(reminded_sequence=sequence)
            )
            if claimed != 1:
                continue
            meeting = ScheduledMeeting.objects.select_related(
                "partnership__mentee__profile", "partnership__mentor__profile"
            ).get(pk=meeting_id)
            for person in (meeting.partnership.mentee, meeting.partnership.mentor):
                _email(meeting, person, "reminder", template="meeting_reminder")
                count += 1
    return count


# --- What the nudges and the committee's queue read ------------------------------------------


def last_met_on():
    """For a Partnership queryset's annotate: the day of its latest meeting, logged or accepted
    (a meeting accepted for a coming day counts: the partners are in touch), else the start."""
    logged = Meeting.objects.filter(partnership=OuterRef("pk")).order_by("-met_on").values("met_on")[:1]
    scheduled = (
        ScheduledMeeting.objects.filter(partnership=OuterRef("pk"), status=ScheduledMeeting.Status.ACCEPTED)
        .order_by("-starts_at")
        .annotate(day=TruncDate("starts_at"))
        .values("day")[:1]
    )
    return Greatest(
        Coalesce(Subquery(logged), F("started_on")),
        Coalesce(Subquery(scheduled), F("started_on")),
    )


def _active_of(user_id):
    return Partnership.objects.filter(Q(mentee=user_id) | Q(mentor=user_id), status=Partnership.Status.ACTIVE)


def _meetings_waiting(user_id, now):
    """A meeting the partner proposed, to answer; one that took place, to log."""
    return (
        ScheduledMeeting.objects.filter(partnership__in=_active_of(user_id), logged_meeting__isnull=True)
        .filter(
            Q(status=ScheduledMeeting.Status.PROPOSED, starts_at__gt=now) & ~Q(proposed_by=user_id)
            | Q(status=ScheduledMeeting.Status.ACCEPTED, starts_at__lte=now)
        )
        .select_related("partnership__mentee", "partnership__mentor")
        .order_by("starts_at", "pk")
    )


def _agreements_unconfirmed(user_id):
    return (
        _active_of(user_id)
        .filter(
            Q(mentee=user_id, agreement__mentee_confirmed_at__isnull=True)
            | Q(mentor=user_id, agreement__mentor_confirmed_at__isnull=True),
            agreement__isnull=False,
        )
        .select_related("mentee", "mentor")
    )


def waiting_for(user, *, zone=None, now=None) -> list[dict]:
    """What waits for this member in their active partnerships, for the home page (it was only
    on each partnership's page): a meeting the partner proposed, to answer; a meeting that took
    place, to log; the agreement, to confirm. Two queries, whatever the number of partnerships
    (`zone`: the member's time zone, when the caller holds their profile already). Both are
    compiled once per process (mentoring.compiled)."""
    meetings = compiled.objects("meetings-waiting", _meetings_waiting, user_id=user.pk, now=now or timezone.now())
    zone = zone or user.profile.zone
    out = [
        {
            "what": "log" if meeting.status == ScheduledMeeting.Status.ACCEPTED else "answer",
            "partnership": meeting.partnership,
            "partner": meeting.partnership.partner_of(user),
            "starts": meeting.starts_at.astimezone(zone),
        }
        for meeting in meetings
    ]
    unconfirmed = compiled.objects("agreements-unconfirmed", _agreements_unconfirmed, user_id=user.pk)
    out += [{"what": "agreement", "partnership": p, "partner": p.partner_of(user)} for p in unconfirmed]
    return out
