"""Recruiting and the orientation in French: the chair's pages and the member's (issue 26)."""

import html

import pytest
from django.urls import reverse

from conftest import applicant
from recruitment.tests.factories import Required, item, require

pytestmark = [pytest.mark.django_db, pytest.mark.french]


def french(user):
    user.language = "fr"
    user.save(update_fields=["language"])
    return user


def text(response):
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_french_chair_recruits_and_sets_the_orientation_up_in_french(client, world):
    program = world["program"]
    require(program, Required.BEFORE_VETTING)
    item(program, "Guidelines")
    client.force_login(french(world["people"]["chair"]))

    recruit = text(client.get(reverse("committee:recruit", args=[program.pk])))
    assert "Recruter des membres" in recruit
    assert "Inviter des membres par leur nom" in recruit
    assert "Invite members by name" not in recruit

    page = text(client.get(reverse("committee:orientation", args=[program.pk])))
    assert "Ajouter un élément" in page
    assert "Quand les membres doivent-ils avoir terminé les éléments obligatoires ?" in page
    assert "Add an item" not in page

    refused = text(client.post(reverse("committee:recruit", args=[program.pk]), {"action": "invite", "role": "x"}))
    assert "Veuillez indiquer si vous les invitez comme mentors ou comme personnes mentorées." in refused


def test_a_french_member_goes_through_the_orientation_in_french(client, world):
    program = world["program"]
    require(program, Required.BEFORE_VETTING)
    item(program, "Guidelines")
    mentor = applicant(program, "new.mentor@example.org", "mentor").user
    client.force_login(french(mentor))

    page = text(client.get(reverse("orientation", args=[program.pk])))
    assert "Votre orientation" in page
    assert "Il reste 1 élément obligatoire." in page
    assert "Your orientation" not in page


def test_a_french_chair_previews_the_announcement_and_reads_who_was_skipped_in_french(client, world):
    program, member = world["program"], world["people"]["member"]
    client.force_login(french(world["people"]["chair"]))
    url = reverse("committee:recruit", args=[program.pk])

    page = text(client.get(url))
    assert "Northport new members est ouvert aux candidatures" in page
    assert "Bonjour (son prénom)," in page
    assert "(their first name)" not in page

    invite = {"action": "invite", "role": "mentor", "people": [member.pk]}
    client.post(url, invite)
    again = text(client.post(url, invite, follow=True))
    assert f"Aucun courriel n’a été envoyé à {member} : Mia a déjà reçu une invitation comme mentor." in again
