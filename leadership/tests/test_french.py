"""The leadership pages a regional vice president reads, in French (issue 26)."""

import pytest
from django.urls import reverse

from conftest import in_french, partnership_for, read
from leadership.models import LeadershipRecommendation

pytestmark = [pytest.mark.django_db, pytest.mark.french]


def test_a_french_vice_president_reads_the_officers_and_the_pipeline_in_french(client, world):
    vp = world["people"]["vp"]
    in_french(client, vp)

    northport = world["associations"]["northport"]
    officers = read(client.get(reverse("association_officers", args=[northport.pk])))
    assert "Membres du bureau de Northport" in officers
    assert "Nommer un membre du bureau" in officers
    assert "Appoint an officer" not in officers

    north = world["regions"]["north"]
    pipeline = read(client.get(reverse("leadership_pipeline", args=[north.pk])))
    assert "Relève en leadership : région North" in pipeline
    assert "Aucune recommandation pour l’instant." in pipeline


def test_a_french_mentor_and_mentee_read_the_recommendation_in_french(client, world):
    p = partnership_for(world["program"], world["people"]["chair"], "fr")
    in_french(client, p.mentor)
    form = read(client.get(reverse("recommend", args=[p.pk])))
    assert "Pourquoi vous recommandez cette personne (facultatif)" in form
    done = read(client.post(reverse("recommend", args=[p.pk]), {"note": "Prête à diriger"}, follow=True))
    assert "Merci. On demande d’abord l’avis de Mentee;" in done
    assert "is asked first" not in done

    rec = LeadershipRecommendation.objects.get(partnership=p)
    in_french(client, p.mentee)
    page = read(client.get(reverse("recommendation", args=[rec.pk])))
    assert "En attente de votre réponse" in page and "Oui, transmettez-la" in page
    assert "Waiting for your answer" not in page
    refused = read(client.post(reverse("recommendation", args=[rec.pk]), {"answer": "maybe"}))
    assert "Veuillez choisir oui ou non." in refused
    answered = read(client.post(reverse("recommendation", args=[rec.pk]), {"answer": "yes"}, follow=True))
    assert "Merci. La vice-présidence de la région peut maintenant la lire et pourrait vous inviter." in answered
    assert "Vous avez accepté" in answered


def test_a_french_vice_president_appoints_an_officer_in_french(client, world):
    northport = world["associations"]["northport"]
    in_french(client, world["people"]["vp"])
    url = reverse("association_officers", args=[northport.pk])
    refused = read(client.post(url, {"role": "membership"}))
    assert "Choisissez le membre qui occupera ce rôle." in refused
    member = world["people"]["member"]
    done = read(client.post(url, {"person": member.pk, "role": "membership", "confirm": "1"}, follow=True))
    assert f"{member} est maintenant responsable du recrutement des membres de Northport." in done
    again = read(client.post(url, {"person": member.pk, "role": "membership", "confirm": "1"}))
    assert f"{member} est déjà responsable du recrutement des membres de Northport." in again
