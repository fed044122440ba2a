"""Mentoring circles: forming them (the size limit, the rules of matching for every pair), joining
and leaving, the meetings with one calendar file per member, the feedback job and its link, and
who may read what members said."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from circles import services
from circles.models import Circle, CircleFeedback, CircleMeeting, CircleMember
from conftest import applicant, make_member, partnership_for
from mentoring.history import mentoring_history
from mentoring.models import Application, ConfidentialAccess
from outbox.models import OutgoingEmail
from partnerships import life

pytestmark = pytest.mark.django_db


def emails(prefix):
    return list(OutgoingEmail.objects.filter(key__startswith=prefix).order_by("pk"))


def ics(email):
    [attachment] = email.attachments
    return attachment["content"].replace("\r\n ", "")


# --- Forming a circle ----------------------------------------------------------------------------


def test_the_committee_forms_a_circle_and_each_member_is_told(formed, mentor, mentees):
    members = CircleMember.objects.filter(circle=formed)
    assert sorted((m.user_id, m.role) for m in members) == sorted(
        [(mentor.pk, "mentor")] + [(m.pk, "mentee") for m in mentees]
    )
    told = {e.to for e in emails("circle-added:")}
    assert told == {mentor.email, *(m.email for m in mentees)}
    assert formed.status == "forming"


def test_a_circle_holds_the_programs_number_of_mentees_at_most(circles_program, circle, mentees, world):
    circles_program.circle_size = 3
    circles_program.save(update_fields=["circle_size"])
    chair = world["people"]["chair"]
    for mentee in mentees:
        services.add_member(circle=circle, user=mentee, role="mentee", by=chair)
    fourth = applicant(circles_program, "fourth@example.org", "mentee", employer="Firm 4").user
    with pytest.raises(ValidationError, match="This circle is full: it has 3 mentees"):
        services.add_member(circle=circle, user=fourth, role="mentee", by=chair)
    assert CircleMember.objects.filter(circle=circle).count() == 3


def test_two_mentors_at_most_and_only_vetted_ones(circles_program, circle, mentor, world):
    chair = world["people"]["chair"]
    services.add_member(circle=circle, user=mentor, role="mentor", by=chair)
    second = applicant(circles_program, "second.mentor@example.org", "mentor", years=20, employer="Other Firm").user
    services.add_member(circle=circle, user=second, role="mentor", by=chair)
    third = applicant(circles_program, "third.mentor@example.org", "mentor", years=20, employer="Third Firm").user
    with pytest.raises(ValidationError, match="two mentors at most"):
        services.add_member(circle=circle, user=third, role="mentor", by=chair)
    other = services.create_circle(program=circles_program, by=chair, name="Another")
    Application.objects.filter(user=third).update(status=Application.Status.AWAITING_VETTING)
    with pytest.raises(ValidationError, match="not a mentor the committee vetted"):
        services.add_member(circle=other, user=third, role="mentor", by=chair)


def test_the_committee_adds_mentees_from_accepted_applications_only(circles_program, circle, world):
    chair = world["people"]["chair"]
    with pytest.raises(ValidationError, match="no accepted mentee application"):
        services.add_member(circle=circle, user=world["people"]["member"], role="mentee", by=chair)
    withdrawn = applicant(circles_program, "gone@example.org", "mentee", employer="Gone Firm")
    Application.objects.filter(pk=withdrawn.pk).update(status=Application.Status.WITHDRAWN)
    with pytest.raises(ValidationError, match="no accepted mentee application"):
        services.add_member(circle=circle, user=withdrawn.user, role="mentee", by=chair)
    with pytest.raises(ValidationError, match="choose mentor or mentee"):
        services.add_member(circle=circle, user=withdrawn.user, role="chair", by=chair)


def test_nobody_is_in_a_circle_twice(circle, mentor, world):
    chair = world["people"]["chair"]
    services.add_member(circle=circle, user=mentor, role="mentor", by=chair)
    with pytest.raises(ValidationError, match="in this circle already"):
        services.add_member(circle=circle, user=mentor, role="mentor", by=chair)


def test_a_circle_is_made_only_where_the_program_offers_circles(world):
    with pytest.raises(ValidationError, match="does not offer circles"):
        services.create_circle(program=world["program"], by=world["people"]["chair"], name="Nope")


# --- The rules of matching, for every pair ------------------------------------------------------


def test_a_mentee_who_works_for_the_mentors_employer_is_refused_with_who_and_why(
    circles_program, circle, mentor, world
):
    chair = world["people"]["chair"]
    services.add_member(circle=circle, user=mentor, role="mentor", by=chair)
    colleague = applicant(circles_program, "colleague@example.org", "mentee", employer="Mentor Firm Inc.").user
    with pytest.raises(ValidationError) as refused:
        services.add_member(circle=circle, user=colleague, role="mentee", by=chair)
    [words] = refused.value.messages
    assert "Colleague Member and Circle Mentor" in words and "this program keeps colleagues apart" in words


def test_a_mentor_who_works_with_a_mentee_already_in_is_refused_too(circles_program, circle, mentees, world):
    chair = world["people"]["chair"]
    services.add_member(circle=circle, user=mentees[0], role="mentee", by=chair)
    same = applicant(circles_program, "same.firm@example.org", "mentor", years=20, employer="Firm 1").user
    with pytest.raises(ValidationError, match="colleagues apart"):
        services.add_member(circle=circle, user=same, role="mentor", by=chair)


def test_a_mentor_the_mentee_asked_to_avoid_and_the_other_way_round(circles_program, circle, mentor, mentees, world):
    chair = world["people"]["chair"]
    services.add_member(circle=circle, user=mentor, role="mentor", by=chair)
    Application.objects.filter(user=mentees[0]).update(avoid_partner_ids=[mentor.pk])
    with pytest.raises(ValidationError, match="The mentee asked not to be paired with this mentor"):
        services.add_member(circle=circle, user=mentees[0], role="mentee", by=chair)
    Application.objects.filter(user=mentor).update(avoid_partner_ids=[mentees[1].pk])
    with pytest.raises(ValidationError, match="The mentor asked not to be paired with this mentee"):
        services.add_member(circle=circle, user=mentees[1], role="mentee", by=chair)
    services.add_member(circle=circle, user=mentees[2], role="mentee", by=chair)


def test_a_pair_whose_partnership_was_dissolved_is_not_put_together_again(circles_program, circle, world):
    chair = world["people"]["chair"]
    ended = partnership_for(circles_program, chair, "gone")
    life.dissolve(partnership=ended, by=chair, reason="fit", note="")
    Application.objects.filter(pk__in=[ended.mentor_application_id, ended.mentee_application_id]).update(
        status=Application.Status.IN_POOL
    )
    services.add_member(circle=circle, user=ended.mentor, role="mentor", by=chair)
    with pytest.raises(ValidationError, match="partnership was dissolved"):
        services.add_member(circle=circle, user=ended.mentee, role="mentee", by=chair)


def test_membership_is_checked_as_it_stands_now(circles_program, circle, mentees, world):
    mentee = mentees[0]
    mentee.profile.membership_status = mentee.profile.MembershipStatus.LAPSED
    mentee.profile.save()
    with pytest.raises(ValidationError, match="membership has lapsed"):
        services.add_member(circle=circle, user=mentee, role="mentee", by=world["people"]["chair"])


def test_a_leadership_program_keeps_a_mentor_of_the_same_association_out(world):
    from mentoring.services import create_program

    north = world["regions"]["north"]
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    leaders = create_program(name="North leaders", kind="leadership", region=north, offers_circles=True)
    chair = world["people"]["chair"]
    mentee = applicant(leaders, "lead.mentee@example.org", "mentee", association=northport, employer="A")
    near = applicant(leaders, "near.mentor@example.org", "mentor", years=20, association=northport, employer="B")
    far = applicant(leaders, "far.mentor@example.org", "mentor", years=20, association=easton, employer="C")
    circle = services.create_circle(program=leaders, by=chair, name="Leaders")
    services.add_member(circle=circle, user=mentee.user, role="mentee", by=chair)
    with pytest.raises(ValidationError, match="same local association"):
        services.add_member(circle=circle, user=near.user, role="mentor", by=chair)
    services.add_member(circle=circle, user=far.user, role="mentor", by=chair)


# --- Joining an open circle and leaving ----------------------------------------------------------


@pytest.fixture
def open_circle(formed, world):
    return services.update_circle(
        circle=formed, by=world["people"]["chair"], name=formed.name, topic="", open_to_join=True
    )


def test_a_member_who_may_take_part_joins_an_open_circle_from_the_page(client, open_circle, world):
    member = world["people"]["member"]  # no application: a member of the program's association
    client.force_login(member)
    page = client.get(reverse("circles:program", args=[open_circle.program_id])).content.decode()
    assert "New in claims" in page and "Mentor: Circle Mentor" in page
    response = client.post(reverse("circles:join", args=[open_circle.pk]))
    assert response.status_code == 302 and response.url == reverse("circles:circle", args=[open_circle.pk])
    assert CircleMember.objects.filter(circle=open_circle, user=member, role="mentee", added_by=None).exists()


def test_a_closed_circle_cannot_be_joined(client, formed, world):
    with pytest.raises(ValidationError, match="not open to join"):
        services.join_circle(circle=formed, user=world["people"]["member"])
    client.force_login(world["people"]["member"])
    assert client.post(reverse("circles:join", args=[formed.pk])).status_code == 404


def test_a_member_the_rules_keep_from_the_mentor_neither_sees_nor_joins_it(client, open_circle, mentor, world):
    member = world["people"]["member"]
    Application.objects.filter(user=mentor).update(avoid_partner_ids=[member.pk])
    with pytest.raises(ValidationError) as refused:
        services.join_circle(circle=open_circle, user=member)
    assert refused.value.messages == ["This circle is not open to you. Please choose another."]  # no why
    client.force_login(member)
    assert "New in claims" not in client.get(reverse("circles:program", args=[open_circle.program_id])).content.decode()


def test_a_full_circle_is_not_offered(client, circles_program, open_circle, world):
    circles_program.circle_size = 3
    circles_program.save(update_fields=["circle_size"])
    client.force_login(world["people"]["member"])
    assert "New in claims" not in client.get(reverse("circles:program", args=[circles_program.pk])).content.decode()
    with pytest.raises(ValidationError, match="full"):
        services.join_circle(circle=open_circle, user=world["people"]["member"])


def test_a_member_who_may_not_take_part_is_told_why(client, open_circle, world):
    lapsed = make_member("lapsed@example.org", open_circle.program.association)
    lapsed.profile.membership_status = lapsed.profile.MembershipStatus.LAPSED
    lapsed.profile.save()
    client.force_login(lapsed)
    page = client.get(reverse("circles:program", args=[open_circle.program_id])).content.decode()
    assert "Your membership has lapsed" in page and "New in claims" not in page
    client.post(reverse("circles:join", args=[open_circle.pk]))
    assert not CircleMember.objects.filter(user=lapsed).exists()
    # Another association's member: the program is not theirs (404 like any program page).
    client.force_login(world["people"]["other_member"])
    assert client.get(reverse("circles:program", args=[open_circle.program_id])).status_code == 404
    assert client.post(reverse("circles:join", args=[open_circle.pk])).status_code == 404


def test_a_mentee_leaves_and_the_meetings_leave_their_calendar(client, meeting, mentees, mentor):
    client.force_login(mentees[0])
    response = client.post(reverse("circles:leave", args=[meeting.circle_id]))
    assert response.status_code == 302
    assert not CircleMember.objects.filter(circle=meeting.circle, user=mentees[0]).exists()
    [cancel] = [e for e in emails(f"circle-meeting:{meeting.pk}:0:cancel:") if e.to == mentees[0].email]
    assert "METHOD:CANCEL" in ics(cancel) and "no longer in the circle" in cancel.body
    with pytest.raises(ValidationError, match="Mentors ask the program's committee"):
        services.leave_circle(circle=meeting.circle, user=mentor)


def test_the_program_page_is_missing_where_circles_are_off(client, world):
    client.force_login(world["people"]["member"])
    assert client.get(reverse("circles:program", args=[world["program"].pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_members_joining_the_last_place_at_once_get_one_place(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: two members joining at once need PostgreSQL (DATABASE_URL)")
    program, chair = world["program"], world["people"]["chair"]
    program.offers_circles, program.circle_size = True, 3
    program.save(update_fields=["offers_circles", "circle_size"])
    mentor = applicant(program, "race.mentor@example.org", "mentor", years=20, employer="Race Firm").user
    circle = services.create_circle(program=program, by=chair, name="Last place", open_to_join=True)
    services.add_member(circle=circle, user=mentor, role="mentor", by=chair)
    for n in range(2):
        mentee = applicant(program, f"race.mentee{n}@example.org", "mentee", employer=f"Race {n}").user
        services.add_member(circle=circle, user=mentee, role="mentee", by=chair)
    members = [world["people"]["member"], world["people"]["officer"]]
    barrier, results = threading.Barrier(2), []

    def join(member):
        try:
            barrier.wait(10)
            services.join_circle(circle=circle, user=member)
            results.append("joined")
        except ValidationError as error:
            results.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=join, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == sorted(["joined", "This circle is full: it has 3 mentees, the program's limit."])
    assert CircleMember.objects.filter(circle=circle, role="mentee").count() == 3


# --- Meetings ------------------------------------------------------------------------------------


def test_a_meeting_reaches_every_member_with_their_own_calendar_file(formed, mentor, mentees, schedule):
    mentees[0].language = "fr"
    mentees[0].save(update_fields=["language"])
    mentees[1].profile.time_zone = "Europe/Paris"
    mentees[1].profile.save()
    meeting = schedule(formed, mentor, agenda="Claims <b>basics</b>")
    sent = {e.to: e for e in emails(f"circle-meeting:{meeting.pk}:0:invitation:")}
    assert set(sent) == {mentor.email, *(m.email for m in mentees)}
    for person in (mentor, *mentees):
        calendar = ics(sent[person.email])
        assert "METHOD:REQUEST" in calendar and f"UID:{meeting.uid}" in calendar
        assert f"mailto:{person.email}" in calendar  # each calendar file names its own reader only
        assert all(f"mailto:{other.email}" not in calendar for other in (mentor, *mentees) if other != person)
        assert "Claims <b>basics</b>" in sent[person.email].body
    assert "TZID=Europe/Paris" in ics(sent[mentees[1].email])
    assert (sent[mentees[0].email].language, sent[mentor.email].language) == ("fr", "en")
    formed.refresh_from_db()
    assert formed.status == "meeting"


def test_moving_and_cancelling_update_every_calendar(meeting, mentor, mentees):
    start = timezone.now() + timedelta(days=5)
    services.move_meeting(meeting=meeting, by=mentor, starts_at=start, minutes=90, mode="phone")
    moved = emails(f"circle-meeting:{meeting.pk}:1:moved:")
    assert len(moved) == 4 and all("SEQUENCE:1" in ics(e) and "METHOD:REQUEST" in ics(e) for e in moved)
    assert all("new time" in e.subject.lower() for e in moved)
    services.cancel_meeting(meeting=meeting, by=mentor)
    cancelled = emails(f"circle-meeting:{meeting.pk}:2:cancel:")
    assert len(cancelled) == 4 and all("METHOD:CANCEL" in ics(e) for e in cancelled)
    with pytest.raises(ValidationError, match="was cancelled"):
        services.cancel_meeting(meeting=meeting, by=mentor)


def test_a_member_who_comes_in_later_is_invited_to_the_meetings_to_come(meeting, circles_program, world):
    newcomer = applicant(circles_program, "newcomer@example.org", "mentee", employer="New Firm").user
    services.add_member(circle=meeting.circle, user=newcomer, role="mentee", by=world["people"]["chair"])
    [invitation] = [e for e in emails(f"circle-meeting:{meeting.pk}:0:invitation:") if e.to == newcomer.email]
    assert "METHOD:REQUEST" in ics(invitation)


def test_only_the_mentors_and_the_committee_organise_meetings(client, formed, mentees, world, schedule):
    with pytest.raises(ValidationError, match="mentors and the program's committee"):
        schedule(formed, mentees[0])
    client.force_login(mentees[0])
    day = (timezone.localdate() + timedelta(days=4)).isoformat()
    data = {"date": day, "time": "18:00", "minutes": "60", "mode": "video"}
    assert client.post(reverse("circles:circle", args=[formed.pk]), data).status_code == 404
    client.force_login(world["people"]["committee_member"])
    assert client.post(reverse("circles:circle", args=[formed.pk]), data).status_code == 302
    meeting = CircleMeeting.objects.get(circle=formed)
    client.force_login(mentees[0])
    assert client.get(reverse("circles:meeting", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("circles:meeting_cancel", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("circles:meeting_cancel", args=[meeting.pk])).status_code == 405


def test_a_circle_without_mentees_has_no_meeting(circle, mentor, world, schedule):
    services.add_member(circle=circle, user=mentor, role="mentor", by=world["people"]["chair"])
    with pytest.raises(ValidationError, match="no mentee yet"):
        schedule(circle, mentor)


def test_the_mentor_schedules_from_the_circles_page_and_a_bad_form_keeps_what_was_typed(client, formed, mentor):
    client.force_login(mentor)
    url = reverse("circles:circle", args=[formed.pk])
    agenda = "x" * 2001
    response = client.post(
        url, {"date": "2020-01-01", "time": "18:00", "minutes": "60", "mode": "video", "agenda": agenda}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "this one has passed" in body and agenda in body
    response = client.post(url, {"date": "", "time": "", "minutes": "abc", "mode": "carrier pigeon"})
    body = response.content.decode()
    assert "Please choose a date." in body and "Please choose one of the ways listed." in body
    assert not CircleMeeting.objects.exists()
    day = (timezone.localdate() + timedelta(days=4)).isoformat()
    response = client.post(
        url, {"date": day, "time": "18:00", "minutes": "60", "mode": "video", "agenda": "<script>x</script>"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_ending_a_circle_calls_off_its_meetings_everywhere(client, meeting, world):
    client.force_login(world["people"]["chair"])
    response = client.post(reverse("committee:circle_end", args=[meeting.circle.program_id, meeting.circle_id]))
    assert response.status_code == 302
    cancelled = emails(f"circle-meeting:{meeting.pk}:1:cancel:")
    assert len(cancelled) == 4 and all("has ended" in e.body for e in cancelled)
    meeting.circle.refresh_from_db()
    assert meeting.circle.status == "ended" and not meeting.circle.open_to_join


# --- Feedback after a meeting --------------------------------------------------------------------


def test_after_a_meeting_each_member_is_asked_once_however_often_the_job_runs(meeting, circles_program, world):
    assert services.ask_for_feedback() == 0  # not yet
    late = applicant(circles_program, "late@example.org", "mentee", employer="Late Firm").user
    with time_machine.travel(meeting.starts_at + timedelta(minutes=10)):
        services.add_member(circle=meeting.circle, user=late, role="mentee", by=world["people"]["chair"])
    with time_machine.travel(meeting.ends_at + timedelta(minutes=1)):
        assert services.ask_for_feedback() == 4  # the mentor and three mentees; not who came in later
        assert services.ask_for_feedback() == 0
    asks = emails("circle-feedback:")
    assert len(asks) == 4 and late.email not in {e.to for e in asks}
    assert CircleFeedback.objects.filter(meeting=meeting).count() == 4


def test_a_cancelled_meeting_asks_nobody(meeting, mentor):
    services.cancel_meeting(meeting=meeting, by=mentor)
    with time_machine.travel(meeting.ends_at + timedelta(days=1)):
        assert services.ask_for_feedback() == 0


@pytest.fixture
def asked(meeting):
    with time_machine.travel(meeting.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    return meeting


def test_the_feedback_link_works_once_and_the_note_is_kept_encrypted(client, asked, mentees):
    answer = CircleFeedback.objects.get(meeting=asked, respondent=mentees[0])
    url = reverse("circles:feedback", args=[services.feedback_token(answer)])
    assert client.get(url).status_code == 200
    response = client.post(url, {"useful": "4", "note": "zq-circle-note"})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    answer.refresh_from_db()
    assert (answer.useful, answer.note) == (4, "zq-circle-note")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM circles_circlefeedback WHERE id = %s", [answer.pk])
        assert "zq-circle-note" not in cursor.fetchone()[0]
    assert client.get(url).status_code == 410  # used


@pytest.mark.parametrize("useful", ["", "0", "6", "abc", "3.5"])
def test_a_usefulness_outside_one_to_five_is_refused_and_the_note_kept(client, asked, mentees, useful):
    answer = CircleFeedback.objects.get(meeting=asked, respondent=mentees[0])
    url = reverse("circles:feedback", args=[services.feedback_token(answer)])
    body = client.post(url, {"useful": useful, "note": "kept words"}).content.decode()
    assert "Please choose a number from 1 to 5." in body and "kept words" in body
    answer.refresh_from_db()
    assert answer.answered_at is None


def test_a_tampered_expired_or_oversized_link_is_the_kind_link_page(client, asked, mentees):
    answer = CircleFeedback.objects.get(meeting=asked, respondent=mentees[0])
    token = services.feedback_token(answer)
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 5000, "<script>", "1"):
        response = client.get(reverse("circles:feedback", args=[bad]))
        assert response.status_code == 410 and "This link can" in response.content.decode()
    with time_machine.travel(answer.asked_at + timedelta(days=services.FEEDBACK_LINK_DAYS, minutes=1)):
        assert client.get(reverse("circles:feedback", args=[token])).status_code == 410


def test_the_link_opens_nothing_once_the_account_is_erased(client, asked, mentees):
    from accounts.privacy import erase_member

    answer = CircleFeedback.objects.get(meeting=asked, respondent=mentees[0])
    url = reverse("circles:feedback", args=[services.feedback_token(answer)])
    assert client.get(url).status_code == 200
    erase_member(mentees[0])
    assert client.get(url).status_code == 410


def test_a_feedback_sent_twice_is_stored_once(asked, mentees):
    answer = CircleFeedback.objects.get(meeting=asked, respondent=mentees[0])
    services.submit_feedback(feedback=answer, useful=3, note="first")
    with pytest.raises(ValidationError, match="given already"):
        services.submit_feedback(feedback=answer, useful=1, note="second")
    answer.refresh_from_db()
    assert (answer.useful, answer.note) == (3, "first")


def test_only_the_committee_reads_the_notes_and_each_read_is_recorded(client, asked, mentor, mentees, world):
    answer = CircleFeedback.objects.get(meeting=asked, respondent=mentees[0])
    services.submit_feedback(feedback=answer, useful=2, note="zq-circle-note")
    url = reverse("committee:circle_feedback", args=[asked.circle.program_id])
    client.force_login(world["people"]["chair"])
    response = client.get(url)
    assert "zq-circle-note" in response.content.decode() and response["Cache-Control"] == "no-store, private"
    assert ConfidentialAccess.objects.filter(user=world["people"]["chair"], what="circle meeting feedback").exists()
    for role in ("member", "other_chair", "vp", "officer", "staff"):
        client.force_login(world["people"][role])
        assert client.get(url).status_code == 404, role
    for person in (mentor, *mentees):  # the circle's own members, the one who wrote it too
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert "zq-circle-note" not in client.get(reverse("circles:circle", args=[asked.circle_id])).content.decode()


def test_the_feedback_link_opens_in_the_respondents_language(client, meeting, mentees):
    mentees[0].language = "fr"
    mentees[0].save(update_fields=["language"])
    with time_machine.travel(meeting.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    answer = CircleFeedback.objects.get(meeting=meeting, respondent=mentees[0])
    response = client.get(reverse("circles:feedback", args=[services.feedback_token(answer)]))
    assert '<html lang="fr"' in response.content.decode()


def test_the_feedback_job_is_in_the_beat_schedule(settings):
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "circles.tasks.ask_for_feedback"]
    assert entry["schedule"] == 3600 and entry["options"]["expires"] < 3600


# --- Who sees a circle ---------------------------------------------------------------------------


def test_a_circles_page_is_for_its_members_and_the_committee(client, formed, mentees, world):
    url = reverse("circles:circle", args=[formed.pk])
    for person in (mentees[0], world["people"]["chair"], world["people"]["committee_member"]):
        client.force_login(person)
        assert client.get(url).status_code == 200
    for role in ("member", "other_member", "other_chair", "vp", "officer", "staff"):
        client.force_login(world["people"][role])
        assert client.get(url).status_code == 404, role
    assert client.get(reverse("circles:circle", args=[999999])).status_code == 404


def test_my_mentoring_shows_my_circles_with_their_members_and_next_meeting(client, meeting, mentor, mentees):
    for person in (mentees[0], mentor):
        client.force_login(person)
        page = client.get(reverse("my_mentoring")).content.decode()
        assert "My circles" in page and "New in claims" in page and "Next meeting" in page
        assert all(m.get_full_name() in page for m in mentees)


def test_the_circle_cards_read_only_the_columns_they_show(
    client, meeting, mentor, mentees, django_assert_max_num_queries
):
    """Not the program's fifty columns for its name; and no column the cards show is left to a
    query of its own (My mentoring's ceiling holds with a circle of several members)."""
    (item,) = services.circles_of(mentor)
    assert set(item["circle"].program.get_deferred_fields()) >= {"summary", "matching_weights"}
    assert not {"first_name", "last_name"} & set(item["members"][0].user.get_deferred_fields())
    client.force_login(mentor)
    with django_assert_max_num_queries(9):
        assert "New in claims" in client.get(reverse("my_mentoring")).content.decode()


# --- The committee's pages -----------------------------------------------------------------------


def test_the_committee_makes_a_circle_and_adds_people_from_the_page(client, circles_program, mentor, mentees, world):
    client.force_login(world["people"]["committee_member"])
    url = reverse("committee:circles", args=[circles_program.pk])
    response = client.post(url, {"name": "Thursday leaders", "topic": "Leading a team", "open_to_join": "on"})
    circle = Circle.objects.get(name="Thursday leaders")
    assert response.status_code == 302 and circle.open_to_join
    page = client.get(reverse("committee:circle", args=[circles_program.pk, circle.pk])).content.decode()
    assert mentor.get_full_name() in page and mentees[0].get_full_name() in page
    add = reverse("committee:circle_add", args=[circles_program.pk, circle.pk, "mentor"])
    assert client.post(add, {"mentor-person": mentor.pk}).status_code == 302
    add = reverse("committee:circle_add", args=[circles_program.pk, circle.pk, "mentee"])
    assert client.post(add, {"mentee-person": mentees[0].pk}).status_code == 302
    # Someone who is not a candidate (a hand-changed id) is refused in words, nothing added.
    response = client.post(add, {"mentee-person": world["people"]["chair"].pk})
    assert response.status_code == 200 and "Please choose someone from the list." in response.content.decode()
    assert client.post(add.replace("/mentee/", "/chair/"), {"chair-person": mentor.pk}).status_code == 404
    member = CircleMember.objects.get(circle=circle, user=mentees[0])
    remove = reverse("committee:circle_remove", args=[circles_program.pk, circle.pk, member.pk])
    assert client.post(remove).status_code == 302
    assert set(CircleMember.objects.filter(circle=circle).values_list("user_id", flat=True)) == {mentor.pk}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Please give the circle a name."),
        ("x" * 800, "80 characters or fewer"),
        ("Hi\x00there", "Null characters are not allowed"),
    ],
)
def test_a_bad_circle_name_is_refused_in_plain_words_and_kept(client, circles_program, world, name, message):
    client.force_login(world["people"]["chair"])
    topic = "مرحبا 👋 ' OR 1=1 --"
    response = client.post(reverse("committee:circles", args=[circles_program.pk]), {"name": name, "topic": topic})
    body = response.content.decode()
    assert response.status_code == 200 and message in body and "مرحبا 👋" in body
    assert not Circle.objects.exists()


def test_a_circles_name_with_markup_is_stored_as_written_and_shown_escaped(client, circles_program, formed, world):
    services.update_circle(
        circle=formed, by=world["people"]["chair"], name="<script>x</script>", topic="<b>t</b>", open_to_join=True
    )
    for person, url in (
        (world["people"]["chair"], reverse("committee:circles", args=[circles_program.pk])),
        (world["people"]["member"], reverse("circles:program", args=[circles_program.pk])),
    ):
        client.force_login(person)
        body = client.get(url).content.decode()
        assert "<script>x</script>" not in body and "&lt;script&gt;x&lt;/script&gt;" in body


def test_other_committees_and_members_get_404_on_the_committees_pages(client, formed, world):
    program = formed.program
    urls = [
        reverse("committee:circles", args=[program.pk]),
        reverse("committee:circle", args=[program.pk, formed.pk]),
    ]
    for role in ("member", "other_chair", "vp", "officer", "staff"):
        client.force_login(world["people"][role])
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)
    # The other program's chair, with the circle's id under their own program: missing too.
    client.force_login(world["people"]["other_chair"])
    other = world["other_program"].pk
    assert client.get(reverse("committee:circle", args=[other, formed.pk])).status_code == 404
    assert client.post(reverse("committee:circle_end", args=[other, formed.pk])).status_code == 404
    formed.refresh_from_db()
    assert formed.status == "forming"


# --- Data protection -----------------------------------------------------------------------------


def test_my_data_holds_my_own_feedback_and_never_another_members(client, asked, mentor, mentees):
    mine = CircleFeedback.objects.get(meeting=asked, respondent=mentees[0])
    theirs = CircleFeedback.objects.get(meeting=asked, respondent=mentor)
    services.submit_feedback(feedback=mine, useful=5, note="zq-my-own-note")
    services.submit_feedback(feedback=theirs, useful=4, note="zq-mentors-note")
    client.force_login(mentees[0])
    data = client.get(reverse("accounts:my_data")).content.decode()
    assert "zq-my-own-note" in data and "New in claims" in data and "zq-mentors-note" not in data


def test_erasure_removes_their_notes_and_their_name_from_the_others(asked, mentor, mentees):
    from accounts.privacy import erase_member

    mine = CircleFeedback.objects.get(meeting=asked, respondent=mentees[0])
    theirs = CircleFeedback.objects.get(meeting=asked, respondent=mentor)
    services.submit_feedback(feedback=mine, useful=5, note="I liked it")
    services.submit_feedback(
        feedback=theirs, useful=4, note=f"{mentees[0].first_name} {mentees[0].last_name} spoke well"
    )
    erase_member(mentees[0])
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.note is None and mine.useful == 5  # the counts stay
    assert mentees[0].last_name not in theirs.note
    assert not CircleMember.objects.filter(user=mentees[0]).exists()  # out of the circles going on


# --- Query counts --------------------------------------------------------------------------------


def _add_circles(program, chair, n, tag):
    for k in range(n):
        circle = services.create_circle(program=program, by=chair, name=f"Circle {tag}{k}", open_to_join=True)
        mentor = applicant(program, f"m.{tag}{k}@example.org", "mentor", years=20, employer=f"M {tag}{k}").user
        services.add_member(circle=circle, user=mentor, role="mentor", by=chair)
        mentee = applicant(program, f"e.{tag}{k}@example.org", "mentee", employer=f"E {tag}{k}").user
        services.add_member(circle=circle, user=mentee, role="mentee", by=chair)
        services.schedule_meeting(
            circle=circle, by=mentor, starts_at=timezone.now() + timedelta(days=2 + k), minutes=60, mode="video"
        )


# My mentoring is not a new page: its circles cost it one query, however many circles, and the
# history's other formats one for all (flash conversations and circle meetings in a UNION).
@pytest.mark.parametrize(
    ("who", "page", "most"),
    [
        ("member", lambda p, c: reverse("circles:program", args=[p.pk]), 10),
        ("mentee", lambda p, c: reverse("circles:program", args=[p.pk]), 10),
        ("mentee", lambda p, c: reverse("my_mentoring"), 10),
        ("mentee", lambda p, c: reverse("circles:circle", args=[c.pk]), 10),
        ("mentor", lambda p, c: reverse("circles:circle", args=[c.pk]), 10),
        ("chair", lambda p, c: reverse("committee:circles", args=[p.pk]), 10),
        ("chair", lambda p, c: reverse("committee:circle", args=[p.pk, c.pk]), 10),
        ("chair", lambda p, c: reverse("committee:circle_feedback", args=[p.pk]), 10),
    ],
)
def test_the_pages_cost_the_same_queries_with_more_circles(
    client, circles_program, meeting, mentor, mentees, world, django_assert_max_num_queries, who, page, most
):
    chair = world["people"]["chair"]
    person = {"mentee": mentees[0], "mentor": mentor}.get(who) or world["people"][who]
    url = page(circles_program, meeting.circle)
    services.update_circle(circle=meeting.circle, by=chair, name="New in claims", topic="", open_to_join=True)
    client.force_login(person)
    _add_circles(circles_program, chair, 1, "a")
    client.get(url)
    with django_assert_max_num_queries(most) as few:
        assert client.get(url).status_code == 200
    _add_circles(circles_program, chair, 6, "b")
    for circle in Circle.objects.exclude(pk=meeting.circle_id)[:3]:  # more circles of their own
        services.join_circle(circle=circle, user=mentees[0])
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        services.ask_for_feedback()
        for answer in CircleFeedback.objects.all():
            services.submit_feedback(feedback=answer, useful=3, note="Fine")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_pair_the_committee_rejected_or_the_mentor_declined_is_not_put_together(circles_program, circle, world):
    from matching.models import Proposal

    chair = world["people"]["chair"]
    mentor = applicant(circles_program, "picky.mentor@example.org", "mentor", years=20, employer="Picky Firm")
    rejected = applicant(circles_program, "rejected@example.org", "mentee", employer="R Firm")
    declined = applicant(circles_program, "declined@example.org", "mentee", employer="D Firm")
    for mentee, status in ((rejected, "rejected"), (declined, "mentor_declined")):
        Proposal.objects.create(
            program=circles_program, mentee_application=mentee, mentor_application=mentor, score=50, status=status
        )
    services.add_member(circle=circle, user=mentor.user, role="mentor", by=chair)
    with pytest.raises(ValidationError, match="The committee rejected this pair before"):
        services.add_member(circle=circle, user=rejected.user, role="mentee", by=chair)
    with pytest.raises(ValidationError, match="The mentor declined this pair before"):
        services.add_member(circle=circle, user=declined.user, role="mentee", by=chair)


@pytest.mark.parametrize(("size", "saved"), [("2", False), ("13", False), ("abc", False), ("12", True)])
def test_the_chair_turns_circles_on_with_a_size_from_3_to_12(client, world, size, saved):
    program = world["program"]
    client.force_login(world["people"]["chair"])
    data = {
        "section": "matching",
        "offers_circles": "on",
        "circle_size": size,
        "mentor_answer_days": "7",
        "member_asks_at_once": "2",
    }
    response = client.post(reverse("committee:setup", args=[program.pk]), data)
    program.refresh_from_db()
    assert (response.status_code == 302) is saved
    assert (program.offers_circles, program.circle_size) == ((True, 12) if saved else (False, 6))
    if not saved:
        assert size in response.content.decode()  # what was typed is still there


# --- In the mentoring history ---------------------------------------------------------------------


def test_the_history_counts_the_meetings_held_while_each_was_in_the_circle(
    formed, mentor, mentees, schedule, circles_program, world, django_assert_max_num_queries
):
    """Meetings begun and not cancelled, from the day a member joined: the mentor's hours of
    mentoring include them; a meeting to come, a cancelled one, or one before a late joiner
    came in does not count for them. One query for circles, however many meetings."""
    first = schedule(formed, mentor, days=1, minutes=90)
    schedule(formed, mentor, days=2, minutes=60)
    services.cancel_meeting(meeting=schedule(formed, mentor, days=3), by=mentor)
    schedule(formed, mentor, days=20)  # still to come
    with time_machine.travel(first.starts_at + timedelta(hours=2)):  # after the first, before the second
        late = applicant(circles_program, "late.joiner@example.org", "mentee", employer="Late Firm").user
        services.add_member(circle=formed, user=late, role="mentee", by=world["people"]["chair"])
    with time_machine.travel(first.starts_at + timedelta(days=10)):
        with django_assert_max_num_queries(3):  # the partnerships, the other formats at once, the program
            (group,) = mentoring_history(mentor)
        (row,) = [r for r in group.formats if "circle" in r.text]
        assert (row.role, row.minutes, row.text) == ("mentor", 150, "2 circle meetings, 2½ hours")
        assert group.mentor_minutes == 150
        (mine,) = mentoring_history(mentees[0])[0].formats
        assert (mine.role, mine.minutes) == ("mentee", 150)
        (theirs,) = mentoring_history(late)[0].formats
        assert theirs.text == "1 circle meeting, 1 hour"  # the second meeting only
