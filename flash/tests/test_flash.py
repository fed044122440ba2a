"""Flash conversations: offering, booking and its rules, the race, the emails, the feedback."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from conftest import applicant, make_member, partnership_for
from flash import services
from flash.models import QUESTION_MAX, FlashFeedback, Slot
from mentoring.history import mentoring_history
from mentoring.models import Application
from outbox.models import OutgoingEmail
from partnerships import life

pytestmark = pytest.mark.django_db

QUESTION = "How do I prepare for my first claims review?"


def emails(prefix="flash:"):
    return list(OutgoingEmail.objects.filter(key__startswith=prefix).order_by("pk"))


# --- Offering ------------------------------------------------------------------------------------


def test_a_vetted_mentor_offers_a_slot_from_the_page(client, flash_program, mentor):
    client.force_login(mentor)
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(
        reverse("flash:slots", args=[flash_program.pk]), {"date": day, "time": "10:00", "mode": "phone", "note": "Hi"}
    )
    assert response.status_code == 302
    [slot] = Slot.objects.filter(mentor=mentor)
    assert (slot.status, slot.mode, slot.note) == ("open", "phone", "Hi")


def test_a_member_who_is_not_a_vetted_mentor_cannot_offer(client, flash_program, world):
    member = world["people"]["member"]
    with pytest.raises(ValidationError):
        services.offer_slot(
            program=flash_program, mentor=member, starts_at=timezone.now() + timedelta(days=1), mode="video"
        )
    client.force_login(member)
    response = client.post(reverse("flash:slots", args=[flash_program.pk]), {"date": "2030-01-01", "time": "10:00"})
    assert response.status_code == 404 and not Slot.objects.exists()


def test_a_mentor_awaiting_vetting_cannot_offer(flash_program, mentor):
    Application.objects.filter(user=mentor).update(status=Application.Status.AWAITING_VETTING)
    with pytest.raises(ValidationError):
        services.offer_slot(
            program=flash_program, mentor=mentor, starts_at=timezone.now() + timedelta(days=1), mode="video"
        )


def test_a_slot_in_the_past_or_with_a_way_the_program_does_not_use_is_refused(flash_program, mentor):
    with pytest.raises(ValidationError, match="passed"):
        services.offer_slot(
            program=flash_program, mentor=mentor, starts_at=timezone.now() - timedelta(hours=1), mode="video"
        )
    flash_program.communication_channels = ["video"]
    flash_program.save(update_fields=["communication_channels"])
    with pytest.raises(ValidationError, match="ways to meet"):
        services.offer_slot(
            program=flash_program, mentor=mentor, starts_at=timezone.now() + timedelta(days=1), mode="phone"
        )


def test_a_program_that_lists_no_way_to_meet_takes_any_as_the_form_offers_them(flash_program, make_slot):
    flash_program.communication_channels = []
    flash_program.save(update_fields=["communication_channels"])
    assert make_slot(mode="phone").mode == "phone"
    with pytest.raises(ValidationError, match="ways to meet"):
        make_slot(mode="carrier pigeon")


def test_the_program_without_flash_has_no_flash_page(client, world, mentor):
    program = world["program"]
    program.offers_flash = False
    program.save(update_fields=["offers_flash"])
    client.force_login(mentor)
    assert client.get(reverse("flash:slots", args=[program.pk])).status_code == 404


def test_the_mentor_withdraws_an_open_slot_and_cancelling_a_booked_one_tells_the_member(world, make_slot, mentor):
    member = world["people"]["member"]
    open_slot, booked = make_slot(days=2), make_slot(days=3)
    services.book_slot(slot=booked, member=member, question=QUESTION)
    assert services.withdraw_slot(slot=open_slot, by=mentor).status == "withdrawn"
    assert services.withdraw_slot(slot=booked, by=mentor).status == "cancelled"
    [cancel] = emails(f"flash:{booked.pk}:1:cancelled")
    assert cancel.to == member.email and "METHOD:CANCEL" in cancel.attachments[0]["content"]


def test_someone_else_cannot_withdraw_a_slot(client, world, slot):
    client.force_login(world["people"]["member"])
    assert client.post(reverse("flash:withdraw", args=[slot.pk])).status_code == 404
    assert client.get(reverse("flash:withdraw", args=[slot.pk])).status_code == 405
    slot.refresh_from_db()
    assert slot.status == "open"


# --- Booking -------------------------------------------------------------------------------------


def test_a_member_books_with_a_question_and_both_get_the_invitation(client, world, slot, mentor):
    member = world["people"]["member"]
    member.language = "fr"
    member.save(update_fields=["language"])
    client.force_login(member)
    page = client.get(reverse("flash:slots", args=[slot.program_id])).content.decode()
    assert mentor.get_full_name() in page and "Account manager" in page and "Claims and careers" in page
    response = client.post(reverse("flash:book", args=[slot.pk]), {"question": QUESTION})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert (slot.status, slot.member, slot.question) == ("booked", member, QUESTION)
    sent = {e.to: e for e in emails()}
    assert set(sent) == {member.email, mentor.email}
    for email in sent.values():
        ics = email.attachments[0]["content"]
        assert "METHOD:REQUEST" in ics and slot.uid in ics and QUESTION in email.body
    # Each in their own language (the French words arrive with the catalogue: tr-flash.json).
    assert (sent[member.email].language, sent[mentor.email].language) == ("fr", "en")


def test_the_slot_list_shows_upcoming_open_slots_only(client, world, make_slot, mentor):
    member = world["people"]["member"]
    upcoming, taken = make_slot(days=2, note="upcoming one"), make_slot(days=4, note="taken one")
    past = make_slot(days=1, note="past one")
    Slot.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    services.book_slot(
        slot=taken, member=applicant(taken.program, "other.booker@example.org", "mentee").user, question="Q"
    )
    client.force_login(member)
    page = client.get(reverse("flash:slots", args=[upcoming.program_id])).content.decode()
    assert "upcoming one" in page and "taken one" not in page and "past one" not in page


def test_a_member_cannot_book_their_own_slot(world, slot, mentor):
    with pytest.raises(ValidationError, match="your own"):
        services.book_slot(slot=slot, member=mentor, question=QUESTION)


def test_a_mentor_the_member_asked_to_avoid_is_not_offered(client, world, slot, mentor):
    application = applicant(slot.program, "avoider@example.org", "mentee")
    application.avoid_partner_ids = [mentor.pk]
    application.save(update_fields=["avoid_partner_ids"])
    with pytest.raises(ValidationError, match="not available"):
        services.book_slot(slot=slot, member=application.user, question=QUESTION)
    client.force_login(application.user)
    assert "Claims and careers" not in client.get(reverse("flash:slots", args=[slot.program_id])).content.decode()
    assert client.get(reverse("flash:book", args=[slot.pk])).status_code == 404


def test_a_member_the_mentor_asked_to_avoid_cannot_book(world, slot, mentor):
    member = world["people"]["member"]
    Application.objects.filter(user=mentor).update(avoid_partner_ids=[member.pk])
    with pytest.raises(ValidationError, match="not available"):
        services.book_slot(slot=slot, member=member, question=QUESTION)


def test_a_pair_whose_partnership_was_dissolved_cannot_meet_this_way(world, flash_program):
    chair = world["people"]["chair"]
    ended = partnership_for(flash_program, chair, "gone")
    life.dissolve(partnership=ended, by=chair, reason="fit", note="")
    Application.objects.filter(pk=ended.mentor_application_id).update(status=Application.Status.IN_POOL)
    slot = services.offer_slot(
        program=flash_program, mentor=ended.mentor, starts_at=timezone.now() + timedelta(days=2), mode="video"
    )
    with pytest.raises(ValidationError, match="not available"):
        services.book_slot(slot=slot, member=ended.mentee, question=QUESTION)


def test_a_member_holds_two_upcoming_bookings_at_most(world, make_slot):
    member = world["people"]["member"]
    first, second, third = make_slot(days=2), make_slot(days=3), make_slot(days=4)
    services.book_slot(slot=first, member=member, question=QUESTION)
    services.book_slot(slot=second, member=member, question=QUESTION)
    with pytest.raises(ValidationError, match="2 conversations booked"):
        services.book_slot(slot=third, member=member, question=QUESTION)
    # Once one has taken place, another may be booked.
    Slot.objects.filter(pk=first.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    services.book_slot(slot=third, member=member, question=QUESTION)


def test_a_member_who_may_not_take_part_cannot_book(client, world, slot):
    lapsed = make_member("lapsed@example.org", slot.program.association)
    lapsed.profile.membership_status = lapsed.profile.MembershipStatus.LAPSED
    lapsed.profile.save()
    with pytest.raises(ValidationError, match="lapsed"):
        services.book_slot(slot=slot, member=lapsed, question=QUESTION)
    client.force_login(lapsed)
    page = client.get(reverse("flash:slots", args=[slot.program_id])).content.decode()
    assert "Your membership has lapsed" in page and "Claims and careers" not in page
    # Another association's member: the program is not theirs (404 like any program page).
    client.force_login(world["people"]["other_member"])
    assert client.get(reverse("flash:book", args=[slot.pk])).status_code == 404
    assert client.get(reverse("flash:slots", args=[slot.program_id])).status_code == 404


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Please write your question"),
        ("   ", "Please write your question"),
        ("x" * (QUESTION_MAX * 10), "1000 characters or fewer"),
        ("Hi\x00there", "Null characters are not allowed"),
    ],
)
def test_a_bad_question_is_refused_in_plain_words_and_kept(client, world, slot, question, message):
    client.force_login(world["people"]["member"])
    response = client.post(reverse("flash:book", args=[slot.pk]), {"question": question})
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    if question.strip() and "\x00" not in question:
        assert question[:200] in body  # what they typed is still there
    slot.refresh_from_db()
    assert slot.status == "open"


def test_a_question_with_markup_is_stored_as_written_and_shown_escaped(client, world, slot, mentor):
    services.book_slot(slot=slot, member=world["people"]["member"], question="<script>alert(1)</script> ??")
    client.force_login(mentor)
    body = client.get(reverse("flash:slots", args=[slot.program_id])).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body


def test_a_booked_slot_is_missing_for_others(client, world, slot):
    services.book_slot(slot=slot, member=world["people"]["member"], question=QUESTION)
    client.force_login(world["people"]["chair"])
    assert client.get(reverse("flash:book", args=[slot.pk])).status_code == 404
    assert client.get(reverse("flash:book", args=[999999])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_members_clicking_the_same_slot_get_one_booking(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: two bookings at once need PostgreSQL (DATABASE_URL)")
    program = world["program"]
    program.offers_flash = True
    program.save(update_fields=["offers_flash"])
    mentor = applicant(program, "race.mentor@example.org", "mentor", years=20).user
    slot = services.offer_slot(
        program=program, mentor=mentor, starts_at=timezone.now() + timedelta(days=2), mode="video"
    )
    members = [world["people"]["member"], world["people"]["officer"]]
    barrier, results = threading.Barrier(2), []

    def book(member):
        try:
            barrier.wait(10)
            services.book_slot(slot=slot, member=member, question=QUESTION)
            results.append("booked")
        except ValidationError as error:
            results.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == sorted(["booked", "Someone else booked this slot a moment ago. Please choose another."])
    slot.refresh_from_db()
    assert slot.status == "booked" and slot.member in members
    assert OutgoingEmail.objects.filter(key__startswith=f"flash:{slot.pk}:").count() == 2


def test_the_slot_list_costs_the_same_queries_with_more_slots(
    client, world, flash_program, django_assert_max_num_queries
):
    mentors = [applicant(flash_program, f"many.{n}@example.org", "mentor", years=20).user for n in range(12)]
    member = world["people"]["member"]
    client.force_login(member)
    url = reverse("flash:slots", args=[flash_program.pk])
    services.offer_slot(
        program=flash_program, mentor=mentors[0], starts_at=timezone.now() + timedelta(days=1), mode="video"
    )
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for n, mentor in enumerate(mentors):
        for day in range(2):
            starts = timezone.now() + timedelta(days=2 + day, hours=n)
            services.offer_slot(program=flash_program, mentor=mentor, starts_at=starts, mode="video")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count(">Book</a>") == 25


# --- Feedback after ------------------------------------------------------------------------------


@pytest.fixture
def booked(world, slot):
    return services.book_slot(slot=slot, member=world["people"]["member"], question=QUESTION)


def test_after_the_hour_each_side_is_asked_once_however_often_the_job_runs(booked):
    assert services.ask_for_feedback() == 0  # not yet
    with time_machine.travel(booked.ends_at + timedelta(minutes=1)):
        assert services.ask_for_feedback() == 2
        assert services.ask_for_feedback() == 0
    asks = emails("flash-feedback:")
    assert sorted(e.to for e in asks) == sorted([booked.mentor.email, booked.member.email])
    assert FlashFeedback.objects.filter(slot=booked).count() == 2


def test_the_feedback_link_works_once_and_the_note_is_kept_encrypted(client, booked):
    with time_machine.travel(booked.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    answer = FlashFeedback.objects.get(slot=booked, role="member")
    url = reverse("flash:feedback", args=[services.feedback_token(answer)])
    assert client.get(url).status_code == 200
    response = client.post(url, {"held": "yes", "useful": "5", "note": "zq-flash-note"})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    answer.refresh_from_db()
    assert (answer.held, answer.useful, answer.note) == (True, 5, "zq-flash-note")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM flash_flashfeedback WHERE id = %s", [answer.pk])
        assert "zq-flash-note" not in cursor.fetchone()[0]
    assert client.get(url).status_code == 410  # used


@pytest.mark.parametrize("useful", ["0", "6", "abc", "3.5"])
def test_a_usefulness_outside_one_to_five_is_refused(client, booked, useful):
    with time_machine.travel(booked.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    answer = FlashFeedback.objects.get(slot=booked, role="mentor")
    url = reverse("flash:feedback", args=[services.feedback_token(answer)])
    response = client.post(url, {"held": "yes", "useful": useful, "note": "kept words"})
    assert (
        "Please choose a number from 1 to 5." in response.content.decode() and "kept words" in response.content.decode()
    )
    answer.refresh_from_db()
    assert answer.answered_at is None


def test_a_tampered_or_oversized_feedback_link_is_the_kind_link_page(client, booked):
    with time_machine.travel(booked.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    token = services.feedback_token(FlashFeedback.objects.get(slot=booked, role="mentor"))
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 5000, "<script>", "1"):
        response = client.get(reverse("flash:feedback", args=[bad]))
        assert response.status_code == 410 and "This link can" in response.content.decode()


def test_only_the_committee_reads_the_note(client, world, booked):
    with time_machine.travel(booked.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    answer = FlashFeedback.objects.get(slot=booked, role="member")
    services.submit_feedback(feedback=answer, held=True, useful=4, note="zq-flash-note")
    url = reverse("committee:flash", args=[booked.program_id])
    client.force_login(world["people"]["chair"])
    assert "zq-flash-note" in client.get(url).content.decode()
    for role in ("member", "other_chair", "vp", "officer", "staff"):
        client.force_login(world["people"][role])
        assert client.get(url).status_code == 404, role
    client.force_login(booked.mentor)
    assert client.get(url).status_code == 404
    assert "zq-flash-note" not in client.get(reverse("flash:slots", args=[booked.program_id])).content.decode()


def test_erasure_removes_the_question_and_the_notes(world, booked):
    from accounts.privacy import erase_member

    with time_machine.travel(booked.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    for answer in FlashFeedback.objects.filter(slot=booked):
        services.submit_feedback(feedback=answer, held=True, useful=4, note=f"about {booked.member.first_name}")
    erase_member(booked.member)
    booked.refresh_from_db()
    assert QUESTION not in booked.question
    assert list(FlashFeedback.objects.filter(slot=booked).values_list("note", flat=True)) == [None, None]
    assert FlashFeedback.objects.filter(slot=booked, held=True).count() == 2  # the counts stay


def test_the_feedback_job_is_in_the_beat_schedule(settings):
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "flash.tasks.ask_for_feedback"]
    assert entry["schedule"] == 3600 and entry["options"]["expires"] < 3600


def test_a_feedback_sent_twice_is_stored_once(booked):
    with time_machine.travel(booked.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    answer = FlashFeedback.objects.get(slot=booked, role="mentor")
    services.submit_feedback(feedback=answer, held=True, useful=3, note="first")
    with pytest.raises(ValidationError, match="given already"):
        services.submit_feedback(feedback=answer, held=False, useful=1, note="second")
    answer.refresh_from_db()
    assert (answer.held, answer.useful, answer.note) == (True, 3, "first")


def test_my_data_holds_my_own_question_and_never_the_other_sides_note(client, booked):
    with time_machine.travel(booked.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    mentors = FlashFeedback.objects.get(slot=booked, role="mentor")
    services.submit_feedback(feedback=mentors, held=True, useful=3, note="zq-mentors-note")
    client.force_login(booked.member)
    data = client.get(reverse("accounts:my_data")).content.decode()
    assert QUESTION in data and "zq-mentors-note" not in data


def test_the_feedback_link_opens_in_the_respondents_language(client, booked):
    booked.member.language = "fr"
    booked.member.save(update_fields=["language"])
    with time_machine.travel(booked.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    answer = FlashFeedback.objects.get(slot=booked, role="member")
    response = client.get(reverse("flash:feedback", args=[services.feedback_token(answer)]))
    assert '<html lang="fr"' in response.content.decode()


# --- In the mentoring history ---------------------------------------------------------------------


def test_the_history_counts_the_conversations_held_with_their_hours(client, world, make_slot, mentor, booked):
    """A conversation counts once either side said it took place; one nobody confirmed, or one
    cancelled, does not. The mentor's hours of mentoring include it; the member sees it too."""
    member = world["people"]["member"]
    other = services.book_slot(slot=make_slot(days=4), member=member, question=QUESTION)
    with time_machine.travel(other.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    said = FlashFeedback.objects.get(slot=booked, role="member")
    services.submit_feedback(feedback=said, held=True, useful=4)
    FlashFeedback.objects.filter(slot=other).update(held=False, answered_at=timezone.now())  # not held

    (group,) = mentoring_history(mentor)
    (row,) = group.formats
    assert (row.role, row.minutes, row.text) == ("mentor", 60, "1 flash conversation, 1 hour")
    assert group.mentor_minutes == 60 and group.as_mentor == 1
    (mine,) = mentoring_history(member)[0].formats
    assert (mine.role, mine.minutes) == ("mentee", 60)
    client.force_login(mentor)
    body = client.get(reverse("my_mentoring")).content.decode()
    assert "1 flash conversation, 1 hour" in body


def test_the_history_costs_one_query_for_flash_however_many_conversations(
    world, make_slot, mentor, django_assert_max_num_queries
):
    slots, booked_at = [make_slot(days=days) for days in (3, 4, 5)], timezone.now()
    for slot in slots:  # one upcoming booking at a time (a member holds two at most)
        with time_machine.travel(booked_at):
            services.book_slot(slot=slot, member=world["people"]["member"], question=QUESTION)
        booked_at = slot.ends_at + timedelta(minutes=1)
    with time_machine.travel(booked_at):
        services.ask_for_feedback()
    FlashFeedback.objects.update(held=True, answered_at=timezone.now())
    with django_assert_max_num_queries(3):  # the partnerships, the other formats at once, the program
        (group,) = mentoring_history(mentor)
    assert group.formats[0].text == "3 flash conversations, 3 hours"


def test_the_mentors_certificate_of_the_program_names_the_conversations_held(client, world, make_slot):
    """A mentor who completed a partnership in the program and held flash conversations there:
    the certificate (page and PDF) says so, in the same role; the mentee's says nothing of it."""
    import io

    from pypdf import PdfReader

    from partnerships import certificates

    chair = world["people"]["chair"]
    partnership = partnership_for(world["program"], chair, "cert")
    life.complete(partnership=partnership, by=None)
    partnership.refresh_from_db()
    mentor = partnership.mentor
    slot = services.offer_slot(
        program=world["program"], mentor=mentor, starts_at=timezone.now() + timedelta(days=2), mode="video"
    )
    slot = services.book_slot(slot=slot, member=world["people"]["member"], question=QUESTION)
    with time_machine.travel(slot.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
    FlashFeedback.objects.filter(slot=slot).update(held=True, answered_at=timezone.now())

    facts = certificates.certificate_for(partnership=partnership, user=mentor)
    assert facts.also_line == "Also in this program: 1 flash conversation, 1 hour"
    pdf = PdfReader(io.BytesIO(certificates.certificate_pdf(facts)))
    assert "1 flash conversation, 1 hour" in "".join(page.extract_text() for page in pdf.pages)
    client.force_login(mentor)
    assert "1 flash conversation, 1 hour" in client.get(reverse("certificate", args=[partnership.pk])).content.decode()
    assert certificates.certificate_for(partnership=partnership, user=partnership.mentee).also_line == ""
