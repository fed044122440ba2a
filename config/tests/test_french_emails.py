"""Each email is written in its reader's language, whoever sends it (issue 26): a French member
reads hers in French, subject and body, though the one who set it off reads the site in English;
an English member reads his in English, though the sender reads the site in French. Each email
is set off through the service that sends it."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from config.tests.factories import EMAILS, invitation, record_expiry_warning
from outbox.emails import compose, in_doubt_note

pytestmark = [pytest.mark.django_db, pytest.mark.french]


@pytest.mark.parametrize(("send", "french", "english"), EMAILS, ids=[e[0].__name__ for e in EMAILS])
def test_a_french_member_reads_the_email_in_french_though_the_sender_reads_english(world, send, french, english):
    with translation.override("en"):
        email = send(world, "fr")
    assert french[0] in email.subject and english[0] not in email.subject, email.subject
    assert french[1] in email.body and english[1] not in email.body, email.body
    assert "Bonjour" in email.body and "Hello" not in email.body and "Dear" not in email.body
    assert email.language == "fr"


@pytest.mark.parametrize(("send", "french", "english"), EMAILS, ids=[e[0].__name__ for e in EMAILS])
def test_an_english_member_reads_the_email_in_english_though_the_sender_reads_french(world, send, french, english):
    with translation.override("fr"):
        email = send(world, "en")
    assert english[0] in email.subject and french[0] not in email.subject, email.subject
    assert english[1] in email.body and french[1] not in email.body, email.body
    assert "Bonjour" not in email.body


def test_the_words_built_in_python_for_a_french_email_are_french(world):
    """The invitation's role and its words to a mentor, the warning's records: built by the
    service for the reader, not the sender."""
    with translation.override("en"):
        invited = invitation(world, "fr")
        warned = record_expiry_warning(world, "fr")
    assert "Comme mentor, vous accompagneriez un nouveau membre de Northport pendant 12 mois" in invited.body
    assert "en vous rencontrant chaque mois" in invited.body and "every month" not in invited.body
    assert "Votre candidature à Northport new members comme personne mentorée" in warned.body
    assert "mentee" not in warned.body


def test_a_french_invitation_names_the_closing_date_in_french(world):
    program = world["program"]
    program.enrollment_closes_on = timezone.localdate().replace(month=12, day=3) + timedelta(days=365)
    program.save(update_fields=["enrollment_closes_on"])
    email = invitation(world, "fr")
    assert f"les candidatures sont ouvertes jusqu’au 3 décembre {program.enrollment_closes_on.year}." in email.body


def test_the_in_doubt_note_of_a_second_sending_is_in_the_recipients_language():
    again = compose(to="p@example.org", subject="Objet", body="Corps", in_doubt=True, language="fr")
    assert again.body.startswith("(Notre serveur de courriel a été interrompu")
    assert again.body.endswith(")\n\nCorps")
    assert in_doubt_note().startswith("(Our mail server was interrupted")
