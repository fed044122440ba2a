"""Recognition: a certificate of participation for each partner of a completed partnership (a
printable page and a PDF), and a member's mentoring history across programs, shown to them and
to the committee of a program they apply to as a mentor. Anyone else, or a partnership that has
not completed, answers 404."""

import html
import io
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from conftest import APPLICANT_ANSWERS, applicant, comparable, make_member, partnership_for
from mentoring.history import mentoring_history
from mentoring.models import CommitteeMembership
from mentoring.services import create_program, start_application, submit_application
from outbox.models import OutgoingEmail
from partnerships import certificates, life
from partnerships.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(world):
    return world["people"]["chair"]


def log(partnership, *minutes, days_ago=5):
    for i, length in enumerate(minutes):
        Meeting.objects.create(
            partnership=partnership,
            met_on=timezone.localdate() - timedelta(days=days_ago + i),
            minutes=length,
            logged_by=partnership.mentee,
        )


@pytest.fixture
def completed(program, chair):
    p = partnership_for(program, chair, days_ago=200)
    log(p, 60, 90, 45)
    return life.complete(partnership=p, by=None)


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def text(response):
    return html.unescape(response.content.decode())


# --- The facts ---------------------------------------------------------------------------------


def test_a_mentor_certificate_counts_the_meetings_and_sums_their_minutes(completed):
    facts = certificates.certificate_for(partnership=completed, user=completed.mentor)
    assert facts.name == completed.mentor.get_full_name()
    assert facts.role == "mentor"
    assert facts.program == "Northport new members"
    assert facts.owner == "Northport"
    assert facts.started_on == completed.started_on
    assert facts.ended_on == timezone.localdate()
    assert facts.meetings == 3
    assert facts.minutes == 195
    assert facts.hours_label == "3¼ hours"


def test_a_mentee_certificate_names_the_mentee(completed):
    facts = certificates.certificate_for(partnership=completed, user=completed.mentee)
    assert facts.name == completed.mentee.get_full_name()
    assert facts.role == "mentee"
    assert facts.meetings == 3


def test_hours_are_said_plainly():
    label = certificates.hours_label
    assert label(0) == "no hours"
    assert label(60) == "1 hour"
    assert label(120) == "2 hours"
    assert label(30) == "½ hour"
    assert label(150) == "2½ hours"
    assert label(50) == "¾ hour"  # rounded to the nearest quarter hour
    assert label(5) == "¼ hour"  # a short meeting still counts


def test_there_is_no_certificate_for_an_active_or_ended_early_partnership(program, chair):
    active = partnership_for(program, chair, "b")
    ended = partnership_for(program, chair, "c")
    life.dissolve(partnership=ended, by=None, reason="schedules")
    for p in (active, ended):
        with pytest.raises(certificates.NoCertificate):
            certificates.certificate_for(partnership=p, user=p.mentor)


def test_there_is_no_certificate_for_someone_else(completed, world):
    with pytest.raises(certificates.NoCertificate):
        certificates.certificate_for(partnership=completed, user=world["people"]["chair"])


# --- The PDF -----------------------------------------------------------------------------------


def test_the_pdf_reads_back_with_the_name_program_dates_and_hours(completed):
    facts = certificates.certificate_for(partnership=completed, user=completed.mentor)
    content = certificates.certificate_pdf(facts)
    assert content.startswith(b"%PDF-")
    found = pdf_text(content)
    assert completed.mentor.get_full_name() in found
    assert "Northport new members" in found
    assert "3 meetings" in found and "3¼ hours" in found
    assert f"{completed.started_on:%B} {completed.started_on.day}, {completed.started_on.year}" in found


@pytest.mark.parametrize(
    "first_name,last_name,expected",
    [
        ("<script>alert(1)</script>", "O'Brien & Co", "<script>alert(1)</script> O'Brien & Co"),
        ("Zoë", "Łukasiewicz-Ñúñez", "Zoë Łukasiewicz-Ñúñez"),
        ("Δήμητρα", "Иванова", "Δήμητρα Иванова"),
        ("Ana 🎉", "Smith 👩🏽‍💼", "Ana Smith"),  # emoji are left out, the rest prints
        ("%PDF", ") Tj ET (", "%PDF ) Tj ET ("),
    ],
)
def test_names_with_markup_accents_and_emoji_make_a_sound_pdf(completed, first_name, last_name, expected):
    mentor = completed.mentor
    mentor.first_name, mentor.last_name = first_name, last_name
    mentor.save()
    facts = certificates.certificate_for(partnership=completed, user=mentor)
    found = " ".join(pdf_text(certificates.certificate_pdf(facts)).split())
    assert expected in found


@pytest.mark.parametrize("name", ["שרה כהן", "سارة أحمد"])
def test_right_to_left_names_print(completed, name):
    mentor = completed.mentor
    mentor.first_name, mentor.last_name = name.split()
    mentor.save()
    facts = certificates.certificate_for(partnership=completed, user=mentor)
    content = certificates.certificate_pdf(facts)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    found = pdf_text(content)
    # Every letter of the name is in the page (the reading order is the viewer's business).
    assert all(letter in found for letter in name.replace(" ", ""))


def test_a_very_long_name_and_program_stay_on_one_page(completed):
    mentor = completed.mentor
    mentor.first_name, mentor.last_name = "A" * 150, "B" * 150
    mentor.save()
    completed.program.name = ("Program " * 19)[:150]  # as long as a program's name may be
    completed.program.save()
    facts = certificates.certificate_for(partnership=completed, user=mentor)
    assert len(PdfReader(io.BytesIO(certificates.certificate_pdf(facts))).pages) == 1


# --- The pages ---------------------------------------------------------------------------------


def test_a_partner_sees_the_printable_certificate(client, completed):
    client.force_login(completed.mentor)
    response = client.get(reverse("certificate", args=[completed.pk]))
    assert response.status_code == 200
    body = text(response)
    assert "Certificate of participation" in body
    assert completed.mentor.get_full_name() in body
    assert "3 meetings" in body and "3¼ hours" in body
    assert reverse("certificate_pdf", args=[completed.pk]) in body
    assert response["Cache-Control"] == "no-store, private"


def test_a_partner_downloads_the_pdf(client, completed):
    client.force_login(completed.mentee)
    response = client.get(reverse("certificate_pdf", args=[completed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == ('attachment; filename="certificate-northport-new-members-mentee-a.pdf"')
    assert response["Cache-Control"] == "no-store, private"
    assert completed.mentee.get_full_name() in pdf_text(response.content)


def test_a_filename_without_latin_letters_still_says_what_it_is(client, completed):
    completed.mentee.first_name, completed.mentee.last_name = "שרה", '"; rm -rf\r\nX-Evil: 1'
    completed.mentee.save()
    client.force_login(completed.mentee)
    response = client.get(reverse("certificate_pdf", args=[completed.pk]))
    assert response["Content-Disposition"] == (
        'attachment; filename="certificate-northport-new-members-rm-rf-x-evil-1.pdf"'
    )
    assert "X-Evil" not in response


@pytest.mark.parametrize("name", ["certificate", "certificate_pdf"])
def test_someone_else_gets_the_same_404_as_for_a_missing_partnership(client, completed, world, name):
    for who in ("chair", "member", "staff", "other_member"):
        client.force_login(world["people"][who])
        forbidden = client.get(reverse(name, args=[completed.pk]))
        missing = client.get(reverse(name, args=[completed.pk + 1000]))
        assert forbidden.status_code == missing.status_code == 404
        assert comparable(forbidden) == comparable(missing)


@pytest.mark.parametrize("name", ["certificate", "certificate_pdf"])
def test_an_active_partnership_has_no_certificate_yet(client, program, chair, name):
    active = partnership_for(program, chair, "b")
    client.force_login(active.mentor)
    assert client.get(reverse(name, args=[active.pk])).status_code == 404


def test_the_partnership_page_and_my_mentoring_link_to_the_certificate_once_completed(client, program, chair):
    active = partnership_for(program, chair, "b")
    client.force_login(active.mentor)
    url = reverse("certificate", args=[active.pk])
    assert url not in client.get(reverse("partnership", args=[active.pk])).content.decode()
    assert url not in client.get(reverse("my_mentoring")).content.decode()
    log(active, 60)
    life.complete(partnership=active, by=None)
    assert url in client.get(reverse("partnership", args=[active.pk])).content.decode()
    assert url in client.get(reverse("my_mentoring")).content.decode()


def test_a_certificate_is_a_read_only_page(client, completed):
    client.force_login(completed.mentor)
    for name in ("certificate", "certificate_pdf"):
        assert client.post(reverse(name, args=[completed.pk])).status_code == 405


# --- The history -------------------------------------------------------------------------------


@pytest.fixture
def leadership(world):
    """The North region's leadership program, with a chair who has accepted the pledge."""
    program = create_program(
        name="North leaders", kind="leadership", region=world["regions"]["north"], enrollment_open=True
    )
    easton = world["associations"]["easton"]
    chair = make_member("leaders.chair@example.org", easton, first_name="Lee", last_name="Chair")
    CommitteeMembership.objects.create(
        program=program,
        user=chair,
        role="chair",
        pledge_accepted_at=timezone.now(),
        pledge_version=program.pledge_version,
    )
    program.require_two_factor = False
    program.save(update_fields=["require_two_factor"])
    return program, chair


def applies(program, user, role):
    """A member who already took part applies to another program."""
    application = start_application(program=program, user=user, role=role)
    return submit_application(application=application, answers={**APPLICANT_ANSWERS, "capacity": 1}, extra_answers={})


def test_the_history_lists_each_program_with_hours(completed, program, chair):
    history = mentoring_history(completed.mentor)
    assert [h.program for h in history] == [program]
    (row,) = history[0].partnerships
    assert (row.role, row.status, row.meetings, row.minutes) == ("mentor", "completed", 3, 195)
    assert history[0].mentor_minutes == 195
    assert row.partnership_id == completed.pk


def test_the_history_takes_a_fixed_number_of_queries(program, chair, world, django_assert_max_num_queries):
    mentor = applicant(program, "busy.mentor@example.org", "mentor", years=20, capacity=6)
    for i in range(4):
        mentee = applicant(program, f"mentee.h{i}@example.org", "mentee")
        p = life.start(mentee_application=mentee, mentor_application=mentor, by=chair)
        log(p, 60, 30)
        if i % 2:
            life.complete(partnership=p, by=None)
        mentor.refresh_from_db()
    user = mentor.user
    with django_assert_max_num_queries(2):  # the partnerships, and every other format at once (a UNION)
        history = mentoring_history(user)
    assert len(history[0].partnerships) == 4
    assert history[0].mentor_minutes == 4 * 90


def test_my_mentoring_shows_my_history(client, completed):
    client.force_login(completed.mentor)
    body = text(client.get(reverse("my_mentoring")))
    assert "My mentoring history" in body
    assert "Northport new members" in body
    assert "3¼ hours" in body


def test_the_leadership_committee_sees_a_mentor_candidate_history(client, completed, leadership):
    program, chair = leadership
    candidate = applies(program, completed.mentor, "mentor")
    client.force_login(chair)
    response = client.get(reverse("committee:application", args=[program.pk, candidate.pk]))
    assert response.status_code == 200
    body = text(response)
    assert "Mentoring history" in body
    assert "Northport new members" in body
    assert "3¼ hours" in body
    # The committee learns the dates and the hours, never who the partners were.
    assert completed.mentee.get_full_name() not in body


def test_a_mentee_candidate_page_shows_no_history(client, completed, leadership):
    program, chair = leadership
    candidate = applies(program, completed.mentee, "mentee")
    client.force_login(chair)
    body = text(client.get(reverse("committee:application", args=[program.pk, candidate.pk])))
    assert "Mentoring history" not in body


def test_a_committee_member_of_another_program_sees_no_history(client, completed, leadership, world):
    program, _ = leadership
    candidate = applies(program, completed.mentor, "mentor")
    client.force_login(world["people"]["other_chair"])
    assert client.get(reverse("committee:application", args=[program.pk, candidate.pk])).status_code == 404


def test_dates_are_spelled_out():
    assert certificates.long_date(date(2026, 3, 4)) == "March 4, 2026"


def test_the_demo_has_a_mentor_with_a_certificate():
    call_command("seed_demo")
    call_command("seed_demo")  # twice: nothing more
    morgan = User.objects.get(email="mentor@example.org")
    (completed,) = morgan.partnerships_as_mentor.filter(status="completed")
    facts = certificates.certificate_for(partnership=completed, user=morgan)
    assert (facts.meetings, facts.hours_label) == (8, "8¼ hours")


def test_a_name_with_markup_is_shown_as_text(client, completed):
    completed.mentor.first_name = '<script>alert("x")</script><b>'
    completed.mentor.save()
    client.force_login(completed.mentor)
    body = client.get(reverse("certificate", args=[completed.pk])).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body


def test_the_pages_take_a_fixed_number_of_queries(client, completed, django_assert_max_num_queries):
    log(completed, *[60] * 30)
    client.force_login(completed.mentor)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("certificate", args=[completed.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("certificate_pdf", args=[completed.pk])).status_code == 200


def test_a_name_of_emoji_and_control_characters_prints_the_email_instead(completed):
    mentor = completed.mentor
    # (A NUL can't be stored in PostgreSQL, and the forms refuse one: a bell instead.)
    mentor.first_name, mentor.last_name = "🎉\u202e", "\x07👩🏽‍💼"
    mentor.save()
    facts = certificates.certificate_for(partnership=completed, user=mentor)
    assert facts.name == mentor.email
    assert mentor.email in pdf_text(certificates.certificate_pdf(facts))
    assert certificates.printable("Ana\u202e\x00 Smith") == "Ana Smith"


@pytest.mark.parametrize("name", ["certificate", "certificate_pdf"])
def test_an_id_out_of_range_is_a_plain_404(client, completed, name):
    client.force_login(completed.mentor)
    assert client.get(reverse(name, args=[2**63])).status_code == 404


def test_the_completion_email_links_each_partner_to_their_certificate(completed):
    url = reverse("certificate", args=[completed.pk])
    for person in (completed.mentee, completed.mentor):
        email = OutgoingEmail.objects.get(key=f"completed:{completed.pk}:{person.pk}")
        assert url in email.body


@pytest.mark.django_db(False)
def test_the_pdf_library_is_loaded_when_a_certificate_is_made_not_when_the_site_starts():
    """fpdf2 and fontTools cost about a second of every web and worker process's start."""
    code = (
        "import sys, django; django.setup(); import config.urls, config.celery; "
        "print(sorted(m for m in ('fpdf', 'fontTools') if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"
