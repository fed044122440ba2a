"""Partners whose language is French live their partnership in French: the partnership page (its
agreement, timeline, meetings, dates), the meeting form and its errors, the certificate (page and
PDF), and the emails and calendar invitations sent to them; an English partner's stay English."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from icalendar import Calendar
from pypdf import PdfReader

from conftest import in_french, partnership_for
from conftest import read as page
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail
from partnerships import certificates, life, meetings
from partnerships.models import Meeting
from partnerships.tests.factories import PARIS, in_days, propose

pytestmark = [pytest.mark.django_db, pytest.mark.french]


def in_fr(value, format):
    """`value` as French readers see it written."""
    with translation.override("fr"):
        return date_format(value, format)


@pytest.fixture
def pair(world):
    """An active partnership whose two partners have not confirmed their agreement; the mentee
    reads the site in French and lives in Paris, the mentor reads it in English."""
    p = partnership_for(world["program"], world["people"]["chair"], agreed=False)
    p.mentee.language = "fr"
    p.mentee.save(update_fields=["language"])
    p.mentee.profile.time_zone = "Europe/Paris"
    p.mentee.profile.save(update_fields=["time_zone"])
    OutgoingEmail.objects.all().delete()  # the introductions
    return p


def test_a_french_mentee_reads_the_partnership_page_in_french(client, pair):
    propose(pair, by=pair.mentor, starts_at=in_days(3, hour=15, zone=PARIS))
    in_french(client, pair.mentee)
    shown = page(client.get(reverse("partnership", args=[pair.pk])))
    assert f"Votre mentor : {pair.mentor.get_full_name()}" in shown
    assert f"depuis le {in_fr(pair.started_on, 'j F Y')}" in shown
    assert "Votre entente n’est pas encore confirmée par vous deux." in shown
    assert "Je l’ai lue et je confirme l’entente" in shown and "Ajouter vos propres conditions" in shown
    # The meeting the mentor proposed, in French words, date and time (Paris time).
    assert "Rencontres" in shown and "Prévues" in shown and "En attente de votre réponse" in shown
    assert f"{in_fr(in_days(3, hour=15, zone=PARIS), 'l j F Y')}, 15 h 00–16 h 00" in shown
    assert "Accepter" in shown and "Proposer un autre moment" in shown and "Refuser" in shown
    assert "Inscrire une rencontre" in shown and "Parler au comité" in shown
    for english in ("Your agreement", "Propose a meeting", "Waiting for you", "Log a meeting", " PM"):
        assert english not in shown


def test_a_french_mentee_confirms_the_agreement_and_marks_a_milestone_in_french(client, pair):
    in_french(client, pair.mentee)
    agreement = pair.agreement
    done = page(client.post(reverse("agreement_confirm", args=[pair.pk]), {"seen": agreement.fingerprint}, follow=True))
    expected = f"Merci : vous avez confirmé votre entente. On demande à {pair.mentor.first_name} de la confirmer aussi."
    assert expected in done
    milestone = pair.program.milestones.first()
    marked = page(
        client.post(
            reverse("milestone_done", args=[pair.pk, milestone.pk]),
            {"done_on": timezone.localdate().isoformat()},
            follow=True,
        )
    )
    assert f"« {milestone.title} » est marquée comme faite le {in_fr(timezone.localdate(), 'j F Y')}." in marked
    refused = page(
        client.post(reverse("meeting_add", args=[pair.pk]), {"met_on": in_days(2).date().isoformat(), "mode": "video"})
    )
    assert (
        "Choisissez aujourd’hui ou une date antérieure : une rencontre s’inscrit une fois qu’elle a eu lieu." in refused
    )


def test_a_french_partner_proposes_a_meeting_in_french(client, pair):
    in_french(client, pair.mentee)
    form = page(client.get(reverse("meeting_new", args=[pair.pk])))
    assert f"Proposer une rencontre à {pair.mentor.get_full_name()}" in form
    assert "Heure de début" in form and "Dans votre fuseau horaire (Europe/Paris)." in form
    assert "Envoyer la proposition" in form and "Start time" not in form
    refused = page(client.post(reverse("meeting_new", args=[pair.pk]), {"time": "18:30", "minutes": "5"}))
    assert "Rien n’a encore été envoyé, et tout ce que vous avez saisi est toujours là." in refused
    assert "Veuillez choisir une date." in refused and "Veuillez prévoir au moins 15 minutes." in refused
    assert "Please choose a date." not in refused


def test_a_french_partners_invitation_and_calendar_are_in_french_the_english_partners_in_english(pair, mailoutbox):
    starts = in_days(3, hour=15, zone=PARIS)
    meeting = propose(pair, by=pair.mentor, starts_at=starts)
    meetings.accept_meeting(meeting=meeting, by=pair.mentee)
    send_pending_emails()
    proposed, *invitations = mailoutbox
    assert proposed.to == [pair.mentee.email]
    assert proposed.subject == f"{pair.mentor.get_full_name()} propose une rencontre le {in_fr(starts, 'j F')}"
    assert f"Quand : le {in_fr(starts, 'l j F Y')} à 15 h 00 (fuseau horaire Europe/Paris), 60 minutes" in proposed.body
    french = next(m for m in invitations if m.to == [pair.mentee.email])
    english = next(m for m in invitations if m.to == [pair.mentor.email])
    assert french.subject == f"Invitation : rencontre avec {pair.mentor.get_full_name()} le {in_fr(starts, 'j F')}"
    assert f"Votre rencontre avec {pair.mentor.get_full_name()} est confirmée :" in french.body
    assert english.subject.startswith(f"Invitation: meeting with {pair.mentee.get_full_name()} on ")
    assert "is agreed" in english.body and "confirmée" not in english.body

    def summary(message):
        [part] = [p for p in message.message().iter_attachments() if p.get_content_type() == "text/calendar"]
        [event] = Calendar.from_ical(part.get_content()).walk("VEVENT")
        return str(event["SUMMARY"])

    assert summary(french) == f"Mentorat : {pair.mentee.get_full_name()} et {pair.mentor.get_full_name()}"
    assert summary(english) == f"Mentoring: {pair.mentor.get_full_name()} and {pair.mentee.get_full_name()}"


def test_a_french_partner_is_thanked_in_french_and_reads_the_certificate_in_french(client, pair, mailoutbox):
    Meeting.objects.create(
        partnership=pair, met_on=timezone.localdate() - timedelta(days=1), minutes=90, logged_by=pair.mentee
    )
    life.complete(partnership=pair, by=None)
    send_pending_emails()
    french = next(m for m in mailoutbox if m.to == [pair.mentee.email])
    english = next(m for m in mailoutbox if m.to == [pair.mentor.email])
    assert french.subject == f"Félicitations : vous avez terminé {pair.program.name}"
    assert "Votre attestation de participation est prête à imprimer ou à télécharger :" in french.body
    assert english.subject == f"Congratulations on completing {pair.program.name}"

    in_french(client, pair.mentee)
    shown = page(client.get(reverse("certificate", args=[pair.pk])))
    start, end = in_fr(pair.started_on, "j F Y"), in_fr(timezone.localdate(), "j F Y")
    assert "Attestation de participation" in shown and "Nous attestons que" in shown
    assert "a participé en tant que personne mentorée à" in shown and f"du {start} au {end}" in shown
    assert "1 rencontre inscrite avec son mentor" in shown and "Télécharger le PDF" in shown
    assert "Certificate of participation" not in shown

    pdf = client.get(reverse("certificate_pdf", args=[pair.pk]))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Attestation de participation" in text and "Nous attestons que" in text
    assert "a participé en tant que personne mentorée à" in text and f"du {start} au {end}" in text
    assert f"Délivrée le {end} par" in text and "Certificate" not in text


def test_the_same_certificate_reads_in_english_for_an_english_reader(pair):
    pair = life.complete(partnership=pair, by=None)
    facts = certificates.certificate_for(partnership=pair, user=pair.mentor)
    text = " ".join(PdfReader(io.BytesIO(certificates.certificate_pdf(facts))).pages[0].extract_text().split())
    assert "Certificate of participation" in text and "took part as a mentor in" in text
    assert f"Issued on {date_format(timezone.localdate(), 'F j, Y')} by" in text
