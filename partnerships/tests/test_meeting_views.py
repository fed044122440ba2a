"""The scheduling pages: the propose form (times in the member's own zone, hostile input), the
buttons on the partnership page, and who may use them (the two partners; everyone else 404)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import partnership_for
from outbox.models import OutgoingEmail
from partnerships import agreements, meetings
from partnerships.models import Meeting, ScheduledMeeting


@pytest.fixture
def pair(world):
    p = partnership_for(world["program"], world["people"]["chair"])
    p.mentee.profile.time_zone = "Europe/Paris"
    p.mentee.profile.save(update_fields=["time_zone"])
    return p


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def form_data(**changes):
    data = {
        "date": in_days(3).isoformat(),
        "time": "18:30",
        "minutes": "45",
        "mode": "video",
        "place": "",
        "video_url": "https://meet.example.org/xyz",
        "agenda": "Talk about the claims course",
    }
    return {**data, **changes}


def propose(pair, **changes):
    start = datetime.combine(in_days(2), datetime.min.time(), tzinfo=ZoneInfo("UTC")) + timedelta(hours=15)
    return meetings.propose_meeting(
        partnership=pair, by=pair.mentee, starts_at=start, minutes=60, mode="video", **changes
    )


def test_a_partner_proposes_a_meeting_in_their_own_time_zone(client, pair):
    client.force_login(pair.mentee)
    response = client.get(reverse("meeting_new", args=[pair.pk]))
    assert response.status_code == 200
    assert "In your time zone (Europe/Paris)" in response.text
    response = client.post(reverse("meeting_new", args=[pair.pk]), form_data())
    assert response.status_code == 302 and response.url.endswith("#scheduled")
    meeting = ScheduledMeeting.objects.get()
    assert meeting.starts_at == datetime.combine(in_days(3), datetime.min.time(), tzinfo=ZoneInfo("Europe/Paris")) + (
        timedelta(hours=18, minutes=30)
    )
    assert (meeting.minutes, meeting.mode, meeting.proposed_by) == (45, "video", pair.mentee)
    assert OutgoingEmail.objects.filter(to=pair.mentor.email, key__contains=":proposed:").count() == 1


def test_the_modes_offered_are_the_programs_channels(client, pair):
    pair.program.communication_channels = ["in_person", "phone"]
    pair.program.save(update_fields=["communication_channels"])
    client.force_login(pair.mentee)
    response = client.post(reverse("meeting_new", args=[pair.pk]), form_data())
    assert "Please choose one of the ways listed." in response.text
    assert not ScheduledMeeting.objects.exists()


HOSTILE = {
    "empty": ({"date": "", "time": "", "minutes": ""}, "Please choose a date."),
    "in the past": ({"date": in_days(-1).isoformat()}, "Please choose a time from now on"),
    "far ahead": ({"date": in_days(900).isoformat()}, "Please choose a date within the next year."),
    "absurd length": ({"minutes": "100000"}, "Please keep a meeting to 8 hours"),
    "negative length": ({"minutes": "-5"}, "Please allow at least 15 minutes."),
    "not a date": ({"date": "tomorrow'; DROP TABLE x;--"}, "Please give the date as year-month-day."),
    "javascript link": ({"video_url": "javascript:alert(1)"}, "starting with https://"),
    "plain http link": ({"video_url": "http://meet.example.org/x"}, "starting with https://"),
    "oversized agenda": ({"agenda": "x" * 20000}, "Please keep this to 2000 characters or fewer (it has 20000)."),
    "oversized place": ({"place": "p" * 2000}, "Please keep this to 200 characters or fewer"),
    "nul byte": ({"agenda": "hello\x00world"}, "Null characters are not allowed."),
    "in person nowhere": ({"mode": "in_person", "place": ""}, "Please say where you will meet."),
    "unknown mode": ({"mode": "carrier_pigeon"}, "Please choose one of the ways listed."),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_input_gets_a_plain_message_and_keeps_what_was_typed(client, pair, case):
    changes, message = HOSTILE[case]
    client.force_login(pair.mentee)
    data = form_data(**changes)
    data.setdefault("agenda", "Talk about the claims course")
    response = client.post(reverse("meeting_new", args=[pair.pk]), data)
    assert response.status_code == 200
    assert message in response.text
    assert "There is a problem" in response.text or "Nothing was sent yet" in response.text
    if case not in ("nul byte", "oversized agenda"):
        assert data["agenda"] in response.text  # what was typed is still there
    assert not ScheduledMeeting.objects.exists()
    assert not OutgoingEmail.objects.filter(key__startswith="meeting:").exists()


def test_html_rtl_and_emoji_are_kept_and_shown_as_text(client, pair):
    agenda = "<script>alert('x')</script> مرحبا 👋 ' OR 1=1 --"
    client.force_login(pair.mentee)
    client.post(reverse("meeting_new", args=[pair.pk]), form_data(agenda=agenda, place="Café “Ümlaut” ✨"))
    meeting = ScheduledMeeting.objects.get()
    assert meeting.agenda == agenda
    page = client.get(reverse("partnership", args=[pair.pk])).text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page and "مرحبا 👋" in page


def test_the_partner_accepts_from_the_page_and_the_proposer_cannot(client, pair):
    meeting = propose(pair)
    client.force_login(pair.mentee)
    page = client.get(reverse("partnership", args=[pair.pk])).text
    assert "Waiting for" in page and reverse("meeting_accept", args=[pair.pk, meeting.pk]) not in page
    client.post(reverse("meeting_accept", args=[pair.pk, meeting.pk]))
    assert ScheduledMeeting.objects.get().status == "proposed"
    client.force_login(pair.mentor)
    page = client.get(reverse("partnership", args=[pair.pk])).text
    assert "Waiting for you" in page and reverse("meeting_accept", args=[pair.pk, meeting.pk]) in page
    response = client.post(reverse("meeting_accept", args=[pair.pk, meeting.pk]), follow=True)
    assert "You both get a calendar invitation" in response.text
    assert ScheduledMeeting.objects.get().status == "accepted"


def test_another_time_starts_from_the_meeting_and_cancel_works(client, pair):
    meeting = propose(pair, place="Room 4")
    client.force_login(pair.mentor)
    response = client.get(reverse("meeting_other_time", args=[pair.pk, meeting.pk]))
    assert 'value="Room 4"' in response.text and 'value="60"' in response.text
    client.post(reverse("meeting_other_time", args=[pair.pk, meeting.pk]), form_data())
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.proposed_by, meeting.minutes) == (1, pair.mentor, 45)
    client.post(reverse("meeting_cancel", args=[pair.pk, meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert "No meeting planned" in client.get(reverse("partnership", args=[pair.pk])).text


def test_log_this_meeting_in_one_click_once(client, pair):
    meeting = meetings.accept_meeting(meeting=propose(pair), by=pair.mentor)
    ScheduledMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    client.force_login(pair.mentee)
    page = client.get(reverse("partnership", args=[pair.pk])).text
    assert "Log this meeting" in page
    for _ in range(2):  # a double click logs it once
        client.post(reverse("meeting_log", args=[pair.pk, meeting.pk]))
    assert Meeting.objects.filter(partnership=pair).count() == 1
    page = client.get(reverse("partnership", args=[pair.pk])).text
    assert "Log this meeting" not in page and "No meeting logged yet" not in page


def test_others_get_404_everywhere(client, pair, world):
    meeting = propose(pair)
    other = partnership_for(world["program"], world["people"]["chair"], "b")
    for user in (world["people"]["member"], world["people"]["chair"], world["people"]["staff"], other.mentee):
        client.force_login(user)
        assert client.get(reverse("meeting_new", args=[pair.pk])).status_code == 404
        assert client.get(reverse("meeting_other_time", args=[pair.pk, meeting.pk])).status_code == 404
        for name in ("meeting_accept", "meeting_cancel", "meeting_log"):
            assert client.post(reverse(name, args=[pair.pk, meeting.pk])).status_code == 404
    # A partner of another partnership naming this meeting under their own partnership: 404 too.
    client.force_login(other.mentor)
    assert client.post(reverse("meeting_accept", args=[other.pk, meeting.pk])).status_code == 404
    assert client.get(reverse("meeting_other_time", args=[other.pk, meeting.pk])).status_code == 404
    assert ScheduledMeeting.objects.get().status == "proposed"


def test_post_only_urls_reject_get(client, pair):
    meeting = propose(pair)
    client.force_login(pair.mentor)
    for name in ("meeting_accept", "meeting_cancel", "meeting_log"):
        assert client.get(reverse(name, args=[pair.pk, meeting.pk])).status_code == 405


def test_an_ended_partnership_schedules_nothing(client, pair):
    pair.status = "completed"
    pair.save(update_fields=["status"])
    client.force_login(pair.mentee)
    response = client.post(reverse("meeting_new", args=[pair.pk]), form_data(), follow=True)
    assert "while the partnership is active" in response.text
    assert not ScheduledMeeting.objects.exists()


def test_the_partnership_page_costs_the_same_with_many_meetings(client, pair, django_assert_max_num_queries):
    client.force_login(pair.mentor)
    propose(pair)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("partnership", args=[pair.pk]))
    for _ in range(15):
        propose(pair)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("partnership", args=[pair.pk]))
    assert response.text.count("Waiting for you") == 16


def test_what_waits_for_a_partner_is_on_their_home_page(client, pair, django_assert_max_num_queries):
    """Waiting meetings were only on the partnership page; the home page spoke of feedback only."""
    home = reverse("home")
    client.force_login(pair.mentor)
    page = client.get(home).text
    assert "proposes a meeting" not in page and "waits for you to read and confirm" not in page

    proposed = propose(pair)  # by the mentee, at 15:00 UTC: 10:00 AM in the mentor's New York
    page = client.get(home).text
    starts = proposed.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert (
        f"<strong>{pair.mentee.get_full_name()}</strong> proposes a meeting on {starts:%A, %B} {starts.day} at 10:00 AM"
        in page
    )
    assert f'href="{reverse("partnership", args=[pair.pk])}#scheduled"' in page
    client.force_login(pair.mentee)
    assert "proposes a meeting" not in client.get(home).text  # hers, waiting for him: nothing to do

    meetings.accept_meeting(meeting=proposed, by=pair.mentor)
    ScheduledMeeting.objects.filter(pk=proposed.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    with django_assert_max_num_queries(30):
        page = client.get(home).text
    assert f"Did you meet <strong>{pair.mentor.get_full_name()}</strong>" in page
    meetings.log_meeting(meeting=ScheduledMeeting.objects.get(pk=proposed.pk), by=pair.mentee)
    assert "Did you meet" not in client.get(home).text


def test_an_agreement_to_confirm_is_on_the_home_page(client, world):
    fresh = partnership_for(world["program"], world["people"]["chair"], "b", agreed=False)
    client.force_login(fresh.mentee)
    page = client.get(reverse("home")).text
    assert f"Your partnership agreement with <strong>{fresh.mentor.get_full_name()}</strong> waits for you" in page
    agreements.confirm_agreement(partnership=fresh, user=fresh.mentee)
    assert "waits for you to read and confirm" not in client.get(reverse("home")).text
