"""Feedback in French: a French partner's feedback ask arrives in French (an English partner's
stays English), the page behind its link reads in French, and a French chair follows the
committee's partnerships, surveys and who read what in French."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from conftest import ask, in_french, link, partnership_for
from conftest import read as page
from feedback import closing, services
from feedback.models import Solicitation
from partnerships import life
from partnerships.models import FollowUp

pytestmark = [pytest.mark.django_db, pytest.mark.french]

POOR = {"satisfaction": 1, "met": "less", "progress": "none", "working": "no", "wants_new_partner": True}


@pytest.fixture
def pair(world):
    """The mentee reads the site in French; the mentor and the chair in English."""
    p = partnership_for(world["program"], world["people"]["chair"], days_ago=40)
    p.mentee.language = "fr"
    p.mentee.save(update_fields=["language"])
    return p


def test_a_french_partners_feedback_ask_is_in_french_the_english_partners_in_english(pair, mailoutbox):
    ask(pair)
    french = next(m for m in mailoutbox if m.to == [pair.mentee.email])
    english = next(m for m in mailoutbox if m.to == [pair.mentor.email])
    program = pair.program.name
    assert french.subject == f"Comment se passe votre jumelage de mentorat ? ({program})"
    assert f"Bonjour {pair.mentee.first_name}," in french.body
    assert f"Le comité de {program} aimerait savoir comment se passe votre jumelage avec" in french.body
    assert "Vos réponses sont confidentielles" in french.body and "/feedback/" in french.body
    assert english.subject == f"How is your mentoring partnership going? ({program})"
    assert "would like to know how your partnership with" in english.body and "Bonjour" not in english.body


def test_a_french_partners_reminder_is_in_french(pair, mailoutbox):
    ask(pair)
    mailoutbox.clear()
    Solicitation.objects.update(sent_at=timezone.now() - timedelta(days=30))
    services.send_reminders()
    french = next(m for m in mailoutbox if m.to == [pair.mentee.email])
    assert french.subject.startswith("Un rappel : comment se passe votre jumelage de mentorat ?")
    assert "Un petit rappel : nous n’avons pas encore eu de vos nouvelles." in french.body


def test_the_page_behind_the_link_is_in_the_respondents_language(client, pair):
    solicitation = ask(pair)
    shown = page(client.get(link(solicitation)))  # not signed in, no language chosen on the site
    assert '<html lang="fr">' in shown
    assert "Comment cela se passe-t-il ?" in shown and "Envoyer mes réponses" in shown
    assert f"Votre jumelage avec <strong>{pair.mentor.get_full_name()}</strong>" in shown
    assert "Quel est votre degré de satisfaction à l’égard de votre jumelage ?" in shown
    assert "Environ une fois par mois" in shown and "How is it going?" not in shown

    refused = page(client.post(link(solicitation), {"satisfaction": "9"}))
    assert "Il manque des réponses. Ce que vous avez écrit est toujours là." in refused
    assert "Choisissez un nombre de 1 à 5." in refused

    thanked = page(client.post(link(solicitation), POOR))
    assert f"Vos réponses sont entre les mains du comité de {pair.program.name}." in thanked

    used = page(client.get(link(solicitation), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Déjà envoyée" in used and "Cette rétroaction a déjà été envoyée. Merci !" in used


def test_a_visitor_who_chose_english_reads_the_link_in_english(client, pair):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    shown = page(client.get(link(ask(pair))))
    assert "How is it going?" in shown and "Comment" not in shown


def test_a_french_chair_follows_the_partnerships_in_french(client, world, pair):
    solicitation = ask(pair)
    services.submit_response(solicitation=solicitation, answers=POOR)
    chair = world["people"]["chair"]
    in_french(client, chair)
    program = pair.program

    listing = page(client.get(reverse("committee:partnerships", args=[program.pk])))
    assert "À surveiller" in listing and "Tous les jumelages" in listing
    assert "La rétroaction d’un partenaire dit que ça ne va pas bien" in listing
    assert "Rétroactions répondues" in listing and "1 sur 2" in listing and "Confirmée par les deux" in listing

    record = page(client.get(reverse("committee:partnership", args=[program.pk, pair.pk])))
    assert "Cette réponse a déclenché l’alerte" in record
    assert f"Ronde 1 · la personne mentorée ({pair.mentee.get_full_name()})" in record
    assert "Satisfaction <strong>1/5</strong> · ça fonctionne : <strong>non</strong>" in record
    assert "souhaite un nouveau jumelage" in record and "Rondes de rétroaction" in record
    assert "Prolonger ou terminer" in record and "Mettre fin au jumelage" in record
    assert "Entente et calendrier" in record and "Feedback rounds" not in record

    extended = page(
        client.post(
            reverse("committee:act", args=[program.pk, pair.pk, "extend"]), {"months": "3", "note": ""}, follow=True
        )
    )
    assert "Prolongé de 3 mois." in extended

    surveys = page(client.get(reverse("committee:surveys", args=[program.pk])))
    assert "Ajouter une question" in surveys and "Rétroaction périodique" in surveys
    assert "comme une personne mentorée" in surveys
    audit = page(client.get(reverse("committee:audit", args=[program.pk])))
    assert f"a lu le dossier du jumelage de {pair.mentee} avec {pair.mentor}" in audit


def test_the_follow_up_log_reads_in_the_chairs_language_what_a_person_wrote_as_written(client, world):
    """What the app writes in the log (extended, completed by the hourly job, a feedback email
    sent again) is worded when read: in French for a French chair, in English for an English
    one; the chair's own note stays as typed; lines saved before keep their English words."""
    program, chair = world["program"], world["people"]["chair"]
    p = partnership_for(program, chair, days_ago=40)
    s = ask(p, "mentee")
    Solicitation.objects.filter(pk=s.pk).update(status="failed", attempts=5, sent_at=None)
    services.send_again(solicitation=s, by=chair)
    life.extend(partnership=p, by=chair, months=3, note="Elles ont demandé plus de temps")
    life.complete(partnership=p, by=None, said=closing.auto_said(program))
    FollowUp.objects.create(partnership=p, author=None, kind="completed", note="Completed automatically (an old line).")
    url = reverse("committee:partnership", args=[program.pk, p.pk])

    french = page(in_french(client, chair).get(url))
    assert "Ronde 1, à la personne mentorée." in french
    assert "Prolongé de 3 mois. Elles ont demandé plus de temps" in french
    assert "Terminé automatiquement après le délai de grâce (30 jours après la fin prévue)." in french
    assert "Completed automatically (an old line)." in french  # saved before: as saved
    assert french.count("le programme ·") == 2  # both lines by the hourly job, the new one and the old one
    assert "Extended by" not in french and "Round 1" not in french

    chair.language = "en"
    chair.save(update_fields=["language"])
    english = page(client.get(url))
    assert "Round 1, to the mentee." in english
    assert "Extended by 3 months. Elles ont demandé plus de temps" in english
    assert "Completed automatically after the grace period (30 days after the planned end)." in english
    assert english.count("the program ·") == 2
