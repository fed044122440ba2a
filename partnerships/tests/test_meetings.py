"""Scheduling meetings with calendar invitations: propose, accept, another time, cancel, log,
the reminder the day before (exactly once), and what the nudges and the committee's queue read."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from conftest import partnership_for
from outbox.emails import STUCK_AFTER, send_pending_emails
from outbox.models import OutgoingEmail
from partnerships import life, meetings, tasks
from partnerships.models import Meeting, ScheduledMeeting
from partnerships.tests.factories import accepted, in_days, propose


@pytest.fixture
def pair(world):
    """An active partnership; the mentee lives in Paris, the mentor in Los Angeles."""
    p = partnership_for(world["program"], world["people"]["chair"])
    for person, zone in ((p.mentee, "Europe/Paris"), (p.mentor, "America/Los_Angeles")):
        person.profile.time_zone = zone
        person.profile.save(update_fields=["time_zone"])
    OutgoingEmail.objects.all().delete()  # the introductions
    return p


def sent(mailoutbox):
    send_pending_emails()
    return mailoutbox


def calendar_of(message):
    """The .ics attached to a sent email, parsed back, with the part's content type."""
    parts = [part for part in message.message().iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_content()), parts[0]


# --- Propose, accept: invitations in each person's zone --------------------------------------


def test_proposing_emails_the_other_partner_only(pair, mailoutbox):
    propose(pair)
    [email] = sent(mailoutbox)
    assert email.to == [pair.mentor.email]
    assert "would like to meet" in email.body
    assert "6:00 AM (America/Los_Angeles time)" in email.body  # 15:00 in Paris, in the mentor's zone
    assert reverse("partnership", args=[pair.pk]) in email.body
    assert not list(email.message().iter_attachments())


def test_each_partner_reads_the_meeting_in_their_own_language(pair, mailoutbox):
    """The mentee proposes, with the site in English; the mentor reads French: the day and month
    of the email to the mentor are French (the email's words follow as they are translated)."""
    pair.mentor.language = "fr"
    pair.mentor.save(update_fields=["language"])
    meeting = propose(pair)
    [email] = sent(mailoutbox)
    day = timezone.localtime(meeting.starts_at, timezone.get_fixed_timezone(-8 * 60))
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    assert months[day.month - 1] in email.body.lower()


def test_accepting_sends_both_a_calendar_invitation_in_their_own_zone(pair, mailoutbox):
    meeting = propose(pair)
    sent(mailoutbox).clear()
    meetings.accept_meeting(meeting=meeting, by=pair.mentor)
    emails = sent(mailoutbox)
    assert sorted(e.to[0] for e in emails) == sorted([pair.mentee.email, pair.mentor.email])
    for email in emails:
        person = pair.mentee if email.to == [pair.mentee.email] else pair.mentor
        calendar, part = calendar_of(email)
        assert part.get_param("method") == "REQUEST"
        assert part.get_content_charset() == "utf-8"
        assert calendar["METHOD"] == "REQUEST"
        [event] = calendar.events
        assert str(event["UID"]) == meeting.uid
        assert event["SEQUENCE"] == 0
        assert event["STATUS"] == "CONFIRMED"
        start = event.decoded("DTSTART")
        assert start == meeting.starts_at
        assert start.tzinfo.key == person.profile.time_zone
        assert event["DTSTART"].params["TZID"] == person.profile.time_zone
        assert [tz["TZID"] for tz in calendar.timezones] == [person.profile.time_zone]
        assert event.decoded("DTEND") - start == timedelta(minutes=60)
        assert str(event["LOCATION"]) == "https://meet.example.org/abc"
        assert str(event["DESCRIPTION"]) == "Goals ☕"
        assert str(event["ORGANIZER"]).startswith("mailto:")
        assert sorted(str(a) for a in event["ATTENDEE"]) == sorted(
            [f"mailto:{pair.mentee.email}", f"mailto:{pair.mentor.email}"]
        )
    meeting.refresh_from_db()
    assert meeting.status == ScheduledMeeting.Status.ACCEPTED


def test_the_proposer_cannot_accept_their_own_proposal(pair, mailoutbox):
    meeting = propose(pair)
    with pytest.raises(ValidationError):
        meetings.accept_meeting(meeting=meeting, by=pair.mentee)
    assert ScheduledMeeting.objects.get().status == "proposed"


def test_accepting_twice_sends_nothing_more(pair, mailoutbox):
    meeting = propose(pair)
    meetings.accept_meeting(meeting=meeting, by=pair.mentor)
    count = OutgoingEmail.objects.count()
    meetings.accept_meeting(meeting=meeting, by=pair.mentor)
    assert OutgoingEmail.objects.count() == count


def test_another_time_keeps_the_uid_raises_the_sequence_and_waits_for_the_other(pair, mailoutbox):
    meeting = propose(pair)
    meetings.accept_meeting(meeting=meeting, by=pair.mentor)
    sent(mailoutbox).clear()
    moved = meetings.propose_other_time(
        meeting=meeting, by=pair.mentor, starts_at=in_days(4, 18), minutes=45, mode="phone", place="+1 555 0100"
    )
    assert (moved.uid, moved.sequence, moved.status) == (meeting.uid, 1, "proposed")
    [email] = sent(mailoutbox)
    assert email.to == [pair.mentee.email] and "at another time" in email.body
    mailoutbox.clear()
    meetings.accept_meeting(meeting=moved, by=pair.mentee)
    for email in sent(mailoutbox):
        calendar, _ = calendar_of(email)
        [event] = calendar.events
        assert (str(event["UID"]), event["SEQUENCE"]) == (meeting.uid, 1)
        assert event.decoded("DTSTART") == in_days(4, 18)
        assert str(event["LOCATION"]) == "+1 555 0100"


def test_cancelling_an_accepted_meeting_sends_method_cancel_with_a_higher_sequence(pair, mailoutbox):
    meeting = propose(pair)
    meetings.accept_meeting(meeting=meeting, by=pair.mentor)
    sent(mailoutbox).clear()
    meetings.cancel_meeting(meeting=meeting, by=pair.mentee)
    emails = sent(mailoutbox)
    assert len(emails) == 2
    for email in emails:
        calendar, part = calendar_of(email)
        assert part.get_param("method") == "CANCEL" and calendar["METHOD"] == "CANCEL"
        [event] = calendar.events
        assert (str(event["UID"]), event["SEQUENCE"], event["STATUS"]) == (meeting.uid, 1, "CANCELLED")
    meetings.cancel_meeting(meeting=meeting, by=pair.mentee)
    assert OutgoingEmail.objects.filter(key__contains=":cancel:").count() == 2


def test_withdrawing_a_proposal_tells_the_other_without_a_calendar(pair, mailoutbox):
    meeting = propose(pair)
    sent(mailoutbox).clear()
    meetings.cancel_meeting(meeting=meeting, by=pair.mentee)
    [email] = sent(mailoutbox)
    assert email.to == [pair.mentor.email] and not list(email.message().iter_attachments())
    assert email.subject.startswith("Cancelled")


def test_declining_a_proposal_tells_the_proposer(pair, mailoutbox):
    meeting = propose(pair)
    sent(mailoutbox).clear()
    meetings.cancel_meeting(meeting=meeting, by=pair.mentor)
    [email] = sent(mailoutbox)
    assert email.to == [pair.mentee.email] and email.subject.startswith("Declined")
    assert "can't make the meeting you proposed" in email.body


def test_only_partners_of_an_active_partnership_arrange_meetings(pair, world):
    with pytest.raises(ValidationError):
        propose(pair, by=world["people"]["member"])
    with pytest.raises(ValidationError):
        propose(pair, starts_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        propose(pair, video_url="javascript:alert(1)")
    pair.status = "completed"
    pair.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        propose(pair)
    assert not ScheduledMeeting.objects.exists()


def test_ending_the_partnership_calls_off_its_coming_meetings(pair, mailoutbox):
    agreed = meetings.accept_meeting(meeting=propose(pair), by=pair.mentor)
    waiting = propose(pair, starts_at=in_days(9))
    sent(mailoutbox).clear()
    life.complete(partnership=pair, by=None)
    agreed.refresh_from_db()
    waiting.refresh_from_db()
    assert (agreed.status, agreed.sequence, waiting.status) == ("cancelled", 1, "cancelled")
    cancellations = [e for e in sent(mailoutbox) if e.subject.startswith("Cancelled")]
    assert sorted(e.to[0] for e in cancellations) == sorted([pair.mentee.email, pair.mentor.email])
    for email in cancellations:
        calendar, _ = calendar_of(email)
        assert calendar["METHOD"] == "CANCEL" and str(calendar.events[0]["UID"]) == agreed.uid
        assert "Your partnership has ended" in email.body


# --- Logging a meeting that took place -------------------------------------------------------


def test_a_meeting_that_took_place_is_logged_once(pair):
    meeting = propose(pair, starts_at=in_days(2, 9))
    meetings.accept_meeting(meeting=meeting, by=pair.mentor)
    with pytest.raises(ValidationError):
        meetings.log_meeting(meeting=meeting, by=pair.mentee)  # not yet
    with time_machine.travel(in_days(2, 11), tick=False):
        logged = meetings.log_meeting(meeting=meeting, by=pair.mentee)
        again = meetings.log_meeting(meeting=meeting, by=pair.mentor)
    assert again == logged and Meeting.objects.count() == 1
    assert (logged.met_on, logged.mode, logged.minutes, logged.notes) == (in_days(2, 9).date(), "video", 60, "")


# --- The reminder the day before: exactly once -----------------------------------------------


def reminders():
    return sorted(OutgoingEmail.objects.filter(key__contains=":reminder:").values_list("to", flat=True))


def test_reminders_go_once_to_each_partner_even_when_the_job_runs_twice(pair):
    meeting = accepted(pair, in_days(3))
    with time_machine.travel(meeting.starts_at - timedelta(hours=30)):
        assert meetings.send_meeting_reminders() == 0  # not within a day yet
    with time_machine.travel(meeting.starts_at - timedelta(hours=23)):
        assert meetings.send_meeting_reminders() == 2
        assert meetings.send_meeting_reminders() == 0
    assert reminders() == sorted([pair.mentee.email, pair.mentor.email])


def test_a_late_run_still_reminds_before_the_start_and_never_after(pair, world):
    soon = accepted(pair, in_days(3, 10))
    other = partnership_for(world["program"], world["people"]["chair"], "b")
    past = meetings.accept_meeting(
        meeting=meetings.propose_meeting(
            partnership=other, by=other.mentee, starts_at=in_days(3, 8), minutes=30, mode="phone"
        ),
        by=other.mentor,
    )
    # The job did not run for a day; it runs again at 09:00, between the two meetings.
    with time_machine.travel(in_days(3, 9)):
        assert meetings.send_meeting_reminders() == 2
    assert reminders() == sorted([pair.mentee.email, pair.mentor.email])
    past.refresh_from_db()
    soon.refresh_from_db()
    assert past.reminded_sequence is None and soon.reminded_sequence == soon.sequence


def test_a_moved_meeting_is_reminded_again_and_a_cancelled_one_never(pair):
    meeting = accepted(pair, in_days(3))
    with time_machine.travel(meeting.starts_at - timedelta(hours=20)):
        meetings.send_meeting_reminders()
    moved = meetings.propose_other_time(meeting=meeting, by=pair.mentee, starts_at=in_days(5), minutes=60, mode="video")
    meetings.accept_meeting(meeting=moved, by=pair.mentor)
    cancelled = accepted(pair, in_days(6))
    meetings.cancel_meeting(meeting=cancelled, by=pair.mentor)
    with time_machine.travel(in_days(5) - timedelta(hours=20)):
        assert meetings.send_meeting_reminders() == 2
    with time_machine.travel(in_days(6) - timedelta(hours=20)):
        assert meetings.send_meeting_reminders() == 0
    assert len(reminders()) == 4
    assert OutgoingEmail.objects.filter(key__startswith=f"meeting:{meeting.pk}:1:reminder:").count() == 2


def test_a_meeting_accepted_less_than_a_day_ahead_gets_no_separate_reminder(pair):
    starts = timezone.now() + timedelta(hours=5)
    accepted(pair, starts)
    assert meetings.send_meeting_reminders() == 0
    assert reminders() == []


def test_a_worker_killed_while_sending_a_reminder_sends_it_once_more_saying_so(pair, mailoutbox):
    """Judged by what each person received: one reminder each, the one in doubt once more with a
    note, never a third copy. (A real worker process is killed in feedback/tests/test_worker.py,
    on PostgreSQL; here the dead worker's row is left in "sending" as it would be.)"""
    meeting = accepted(pair, in_days(3))
    OutgoingEmail.objects.update(status=OutgoingEmail.Status.SENT)  # the invitations went out
    with time_machine.travel(meeting.starts_at - timedelta(hours=20)):
        meetings.send_meeting_reminders()
    mentee_row = OutgoingEmail.objects.get(key__contains=":reminder:", to=pair.mentee.email)
    # The worker claimed the mentee's reminder, may have sent it, and died.
    OutgoingEmail.objects.filter(pk=mentee_row.pk).update(
        status=OutgoingEmail.Status.SENDING, claimed_at=timezone.now() - STUCK_AFTER - timedelta(minutes=1)
    )
    send_pending_emails()
    with time_machine.travel(meeting.starts_at - timedelta(hours=19)):
        assert meetings.send_meeting_reminders() == 0  # the job itself does not queue them again
    send_pending_emails()
    received = {}
    for email in mailoutbox:
        received.setdefault(email.to[0], []).append(email.body)
    assert len(received[pair.mentor.email]) == 1
    [copy] = received[pair.mentee.email]
    assert "may have reached you already" in copy


def test_a_reminder_job_killed_midway_leaves_no_half_reminded_meeting(pair, world):
    """Each meeting is claimed and its two emails queued in one transaction: a run killed after
    the first meeting leaves the second untouched, and the next run reminds it (and only it)."""
    first = accepted(pair, in_days(3, 10))
    other = partnership_for(world["program"], world["people"]["chair"], "b")
    second = meetings.accept_meeting(
        meeting=meetings.propose_meeting(
            partnership=other, by=other.mentee, starts_at=in_days(3, 11), minutes=30, mode="phone"
        ),
        by=other.mentor,
    )
    with time_machine.travel(in_days(2, 12)):
        # What a killed run leaves: the first meeting done, nothing of the second.
        ScheduledMeeting.objects.filter(pk=first.pk).update(reminded_sequence=first.sequence)
        for person in (pair.mentee, pair.mentor):
            meetings._email(first, person, "reminder", template="meeting_reminder")
        assert meetings.send_meeting_reminders() == 2
        assert meetings.send_meeting_reminders() == 0
    assert len(reminders()) == 4
    second.refresh_from_db()
    assert second.reminded_sequence == second.sequence


def test_beat_runs_the_reminder_job_often_enough_to_remind_a_day_ahead(pair, settings):
    task = "partnerships.tasks.send_meeting_reminders"
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == task]
    assert entry["schedule"] <= 15 * 60
    meeting = accepted(pair, in_days(3))
    with time_machine.travel(meeting.starts_at - timedelta(hours=23)):
        assert tasks.send_meeting_reminders() == 2  # the task, as the worker runs it
