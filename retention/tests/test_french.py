"""What will be removed, and "keep my history", in French (issue 26)."""

import pytest
from django.urls import reverse

from conftest import in_french, read
from retention import services as retention

pytestmark = [pytest.mark.django_db, pytest.mark.french]


def test_the_records_kept_page_and_the_keep_link_read_in_french(client, world):
    chair = world["people"]["chair"]
    in_french(client, chair)
    page = read(client.get(reverse("committee:expiry", args=[world["program"].pk])))
    assert "Dossiers conservés : ce qui sera supprimé" in page
    assert "Rien n’est à supprimer dans les 6 prochains mois." in page
    assert "Nothing is due to be removed" not in page

    client.logout()  # the link is opened without signing in: the browser's language
    link = reverse("keep_history", args=[retention.make_token(world["people"]["member"])])
    keep = read(client.get(link, HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9"))
    assert "Conserver mon historique de mentorat" in keep
    assert "Vous n’avez aucun dossier en attente de suppression." in keep
