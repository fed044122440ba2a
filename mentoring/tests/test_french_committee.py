"""The committee's words in French: a French chair vets a mentor (the list, the record, the
status badge, the message after the decision) and removes a committee member; a French member
of the committee who has not accepted the pledge is told why in French; every application
status reads in French on its badge, and in English for an English reader; why a member is
held back from matching reads in French."""

from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from conftest import applicant, in_french, read
from mentoring.models import Application, CommitteeMembership
from mentoring.services import held_back

pytestmark = [pytest.mark.django_db, pytest.mark.french]

FRENCH_STATUSES = {
    "draft": "Brouillon, pas encore envoyé",
    "awaiting_vetting": "En attente de vérification par le comité",
    "more_info": "Le comité a demandé plus de renseignements",
    "in_pool": "En attente de jumelage",
    "declined": "Pas retenu comme mentor cette fois-ci",
    "matched": "Jumelée",
    "withdrawn": "Retirée",
}


def test_a_french_chair_vets_a_mentor_in_french(client, world, program):
    mentor = applicant(program, "mentor.one@example.org", "mentor")
    Application.objects.filter(pk=mentor.pk).update(status=Application.Status.AWAITING_VETTING)
    in_french(client, world["people"]["chair"])
    queue = read(client.get(reverse("committee:vetting", args=[program.pk])))
    assert "Mentors en attente de vérification" in queue and "Mentors awaiting vetting" not in queue
    record = read(client.get(reverse("committee:application", args=[program.pk, mentor.pk])))
    assert FRENCH_STATUSES["awaiting_vetting"] in record and "Awaiting vetting by the committee" not in record
    noted = read(
        client.post(
            reverse("committee:application", args=[program.pk, mentor.pk]),
            {"decision": "note", "note": "Solid references."},
            follow=True,
        )
    )
    assert "C’est noté." in noted and "Recorded." not in noted
    decided = read(
        client.post(
            reverse("committee:application", args=[program.pk, mentor.pk]),
            {"decision": "approve", "message": ""},
            follow=True,
        )
    )
    assert "Décision enregistrée; la personne candidate en est avisée par courriel." in decided
    assert "Quoi faire ensuite" in decided  # nobody else waits: back on the dashboard


def test_a_french_chair_removes_a_committee_member_in_french(client, world, program):
    seat = CommitteeMembership.objects.get(program=program, user=world["people"]["committee_member"])
    in_french(client, world["people"]["chair"])
    members = read(client.get(reverse("committee:members", args=[program.pk])))
    assert "Présidence" in members and "Membre du comité" in members
    removed = read(client.post(reverse("committee:member_remove", args=[program.pk, seat.pk]), follow=True))
    assert "Cora Committee a quitté le comité." in removed and "has left the committee" not in removed


def test_a_french_member_without_the_pledge_is_told_why_in_french(client, world, program):
    in_french(client, world["people"]["unpledged_member"])
    told = read(client.get(reverse("committee:vetting", args=[program.pk]), follow=True))
    assert "Vous verrez cette page une fois l’engagement accepté" in told
    refused = read(client.post(reverse("committee:pledge", args=[program.pk]), {}, follow=True))
    assert "Veuillez cocher la case pour accepter l’engagement." in refused
    accepted = read(client.post(reverse("committee:pledge", args=[program.pk]), {"accept": "yes"}, follow=True))
    assert "Merci. Votre engagement est enregistré." in accepted


@pytest.mark.parametrize(("status", "french"), FRENCH_STATUSES.items())
def test_every_status_badge_reads_in_the_readers_language(status, french):
    application = Application(status=status)
    with translation.override("fr"):
        badge = render_to_string("mentoring/_status_badge.html", {"application": application})
    assert french in badge
    english = render_to_string("mentoring/_status_badge.html", {"application": application})
    assert str(Application.Status(status).label) in english and french not in english


def test_why_a_member_is_held_back_from_matching_reads_in_french(world, program):
    lapsed = applicant(program, "lapsed.one@example.org", "mentee")
    moved = applicant(program, "moved.one@example.org", "mentee")
    Profile.objects.filter(user=lapsed.user).update(membership_status="lapsed", renewal_date=date(2026, 1, 31))
    Profile.objects.filter(user=moved.user).update(association=world["associations"]["easton"])
    found = Application.objects.filter(pk__in=[lapsed.pk, moved.pk]).select_related(
        "user__profile__association__region"
    )
    with translation.override("fr"):
        why = held_back(program=program, applications=list(found))
    assert why == {
        lapsed.pk: "adhésion échue le 31 janvier 2026",
        moved.pk: f"maintenant membre de Easton, et non de {program.owner_name}",
    }
