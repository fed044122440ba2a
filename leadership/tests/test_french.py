"""The leadership pages a regional vice president reads, in French (issue 26)."""

import pytest
from django.urls import reverse

from conftest import in_french, read

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
