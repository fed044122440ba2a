"""Two partners start their partnership, end to end in a real headless Chromium: the mentee (in
Paris) confirms the agreement and proposes a time, the mentor (in Los Angeles) follows the emailed
link, confirms the agreement too and accepts; both get a calendar invitation (parsed back here:
same UID, METHOD:REQUEST, the start in each person's own time zone), and after the meeting the
mentee logs it in one click."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from conftest import applicant, approved, screenshot, sign_in
from outbox.emails import send_pending_emails
from partnerships.models import Agreement, Meeting, ScheduledMeeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGENDA = "Your first months: what went well, the claims course, and who to meet at the spring conference."


def invitation_in(email):
    [part] = [p for p in email.message().iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    return Calendar.from_ical(part.get_content())


def test_partners_schedule_a_meeting_get_invitations_and_log_it(page, browser, live_server, world, settings):
    program, chair = world["program"], world["people"]["chair"]
    settings.SITE_URL = live_server.url
    dana = applicant(program, "dana.reyes@example.org", "mentee", employer="Harbor Mutual")
    oliver = applicant(program, "oliver.grant@example.org", "mentor", years=22, employer="Keystone")
    partnership = approved(dana, oliver, by=chair)
    for person, zone in ((dana.user, "Europe/Paris"), (oliver.user, "America/Los_Angeles")):
        person.profile.time_zone = zone
        person.profile.save(update_fields=["time_zone"])
    send_pending_emails()
    mail.outbox.clear()
    day = timezone.localdate() + timedelta(days=5)

    # --- The mentee proposes a meeting, in her own time zone.
    sign_in(page, live_server, "dana.reyes@example.org")
    page.goto(f"{live_server.url}/partnerships/{partnership.pk}/")
    expect(page.locator("#agreement-notice")).to_contain_text("Neither of you has confirmed it")
    page.get_by_role("button", name="I have read it and confirm the agreement").click()
    expect(page.locator("#agreement-notice")).to_contain_text("Waiting for Oliver to confirm it.")
    expect(page.get_by_role("heading", name="Meetings", exact=True)).to_be_visible()
    # One section holds the meetings to come and those that took place (there were two, "Scheduled
    # meetings" and "Meetings").
    expect(page.get_by_role("region", name="Scheduled meetings")).to_have_count(0)
    page.get_by_role("link", name="Propose a meeting").click()
    expect(page.get_by_text("In your time zone (Europe/Paris)")).to_be_visible()
    # First a slip: a link that is not a web address.
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("18:30")
    page.get_by_label("Length (minutes)").fill("45")
    page.get_by_label("How you will meet").select_option("video")
    page.get_by_label("Video link").fill("javascript:alert(1)")
    page.get_by_label("Agenda").fill(AGENDA)
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_label("Agenda")).to_have_value(AGENDA)  # nothing lost
    screenshot(page, "meetings-01-propose-error")
    page.get_by_label("Video link").fill("https://meet.example.org/dana-oliver")
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_text("Your proposal is sent")).to_be_visible()
    expect(page.get_by_text("Waiting for Oliver", exact=True)).to_be_visible()
    screenshot(page, "meetings-02-proposed")

    meeting = ScheduledMeeting.objects.get()
    assert meeting.starts_at == datetime(day.year, day.month, day.day, 18, 30, tzinfo=ZoneInfo("Europe/Paris"))
    send_pending_emails()
    [proposal_email] = mail.outbox
    assert proposal_email.to == ["oliver.grant@example.org"]
    assert "9:30 AM (America/Los_Angeles time)" in proposal_email.body
    link = re.search(r"https?://\S+/partnerships/\d+/#scheduled", proposal_email.body).group(0)
    mail.outbox.clear()

    # --- The mentor follows the link and accepts; he sees the time in his own zone.
    mentor_page = browser.new_page()
    try:
        sign_in(mentor_page, live_server, "oliver.grant@example.org")
        mentor_page.goto(link)
        expect(mentor_page.locator("#agreement-notice")).to_contain_text("Dana confirmed it on")
        mentor_page.get_by_role("button", name="I have read it and confirm the agreement").click()
        expect(mentor_page.get_by_text("Thank you: you have both confirmed your agreement.")).to_be_visible()
        expect(mentor_page.locator("#agreement-notice")).to_have_count(0)
        assert Agreement.objects.get(partnership=partnership).is_confirmed
        expect(mentor_page.get_by_text("Waiting for you")).to_be_visible()
        expect(mentor_page.get_by_text("9:30 AM–10:15 AM")).to_be_visible()
        screenshot(mentor_page, "meetings-03-to-accept")
        mentor_page.get_by_role("button", name="Accept").click()
        expect(mentor_page.get_by_text("You both get a calendar invitation")).to_be_visible()
        scheduled = mentor_page.get_by_role("region", name="Meetings", exact=True)
        expect(scheduled.get_by_text("Accepted", exact=True)).to_be_visible()
        mentor_page.set_viewport_size({"width": 390, "height": 844})
        screenshot(mentor_page, "meetings-04-accepted-390")
    finally:
        mentor_page.close()

    # --- Both receive a valid invitation: same UID, METHOD:REQUEST, the start in their own zone.
    send_pending_emails()
    by_person = {email.to[0]: email for email in mail.outbox}
    assert sorted(by_person) == ["dana.reyes@example.org", "oliver.grant@example.org"]
    uids = set()
    for address, zone, local_start in (
        ("dana.reyes@example.org", "Europe/Paris", (18, 30)),
        ("oliver.grant@example.org", "America/Los_Angeles", (9, 30)),
    ):
        calendar = invitation_in(by_person[address])
        assert calendar["METHOD"] == "REQUEST"
        [event] = calendar.events
        uids.add(str(event["UID"]))
        start = event.decoded("DTSTART")
        assert (start.tzinfo.key, start.hour, start.minute) == (zone, *local_start)
        assert start == meeting.starts_at
        assert [tz["TZID"] for tz in calendar.timezones] == [zone]
        assert str(event["LOCATION"]) == "https://meet.example.org/dana-oliver"
        assert str(event["DESCRIPTION"]) == AGENDA
    assert uids == {meeting.uid}

    # --- After the meeting: "Log this meeting", one click.
    ScheduledMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/partnerships/{partnership.pk}/")
    screenshot(page, "meetings-05-log-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Log this meeting").click()
    expect(page.get_by_text("The meeting is logged")).to_be_visible()
    expect(page.get_by_role("button", name="Log this meeting")).to_have_count(0)
    logged = Meeting.objects.get(partnership=partnership)
    assert (logged.mode, logged.minutes, logged.logged_by) == ("video", 45, dana.user)
    expect(page.get_by_role("region", name="Meetings", exact=True).get_by_text("video call, 45 min")).to_be_visible()
    screenshot(page, "meetings-06-logged")
