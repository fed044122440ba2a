"""A member whose language is French takes part in French: the home page, My mentoring, a
program, the questionnaire with its errors and its messages; and a French chair reads the
committee's pages in French."""

import pytest
from django.urls import reverse

from accounts.models import Profile
from conftest import applicant, in_french
from conftest import read as page

pytestmark = [pytest.mark.django_db, pytest.mark.french]


def test_a_french_member_applies_in_french(client, member, program):
    in_french(client, member)
    home = page(client.get(reverse("home")))
    assert "Bienvenue, Mia" in home and "Trouvez un mentor, ou devenez-en un." in home

    mine = page(client.get(reverse("my_mentoring")))
    assert "Les programmes auxquels vous pouvez participer" in mine
    assert "Poser ma candidature comme personne mentorée" in mine

    shown = page(client.get(reverse("program", args=[program.pk])))
    assert "Lignes directrices" in shown and "Participer" in shown

    form = page(client.get(reverse("apply", args=[program.pk, "mentee"])))
    assert f"Trouver un mentor dans {program.name}" in form
    assert "Envoyer ma candidature" in form and "Enregistrer le brouillon et quitter" in form
    assert "Comment vous aimeriez vous rencontrer" in form and "En semaine, le soir" in form

    refused = page(client.post(reverse("apply", args=[program.pk, "mentee"]), {"action": "send"}))
    assert "Il y a un problème" in refused and "Veuillez répondre à cette question." in refused

    kept = page(client.post(reverse("apply", args=[program.pk, "mentee"]), {"action": "draft"}, follow=True))
    assert "Votre brouillon est enregistré." in kept


def test_a_french_member_is_told_in_french_why_they_cannot_apply(client, member, program):
    member.profile.membership_status = Profile.MembershipStatus.LAPSED
    member.profile.save(update_fields=["membership_status"])
    in_french(client, member)
    shown = page(client.get(reverse("apply", args=[program.pk, "mentor"])))
    assert f"Vous ne pouvez pas poser votre candidature à {program.name} comme mentor pour le moment" in shown
    assert "Votre adhésion est échue. Renouvelez-la pour participer." in shown


def test_a_french_chair_reads_the_committee_pages_in_french(client, world, program):
    applicant(program, "mentor.one@example.org", "mentor")
    chair = world["people"]["chair"]
    in_french(client, chair)
    members = page(client.get(reverse("committee:members", args=[program.pk])))
    assert f"Le comité de {program.name}" in members and "Ajouter une personne au comité" in members
    assert "Tableau de bord" in members and "File de vérification" in members
    questions = page(client.get(reverse("committee:questions", args=[program.pk])))
    assert "Les questions propres au programme" in questions and "Enregistrer la question" in questions
    setup = page(client.get(reverse("committee:setup", args=[program.pk])))
    assert f"Configurer {program.name}" in setup and "Avant que les membres puissent poser leur candidature" in setup
