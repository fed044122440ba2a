"""A member whose language is French reads their account pages in French: the profile with its
form, its errors and its message, the leadership roles, erasing the account, the 404 page."""

import pytest
from django.urls import reverse

from conftest import in_french
from conftest import read as page

pytestmark = [pytest.mark.django_db, pytest.mark.french]


@pytest.fixture
def french_client(client, member):
    return in_french(client, member)


def test_the_profile_speaks_french_with_its_errors_and_its_message(french_client, member):
    shown = page(french_client.get(reverse("accounts:profile")))
    assert "Les programmes se servent de votre profil pour vous trouver un bon jumelage." in shown
    assert "Prénom" in shown and "Courriels et calendrier" in shown and "Enregistrer le profil" in shown
    assert "Programs use your profile" not in shown

    profile = member.profile
    data = {
        "first_name": "Mia",
        "last_name": "Member",
        "association": profile.association_id,
        "job_title": "Broker",
        "member_since": "2999-01-01",
    }
    refused = page(french_client.post(reverse("accounts:profile"), data))
    assert "La date de votre adhésion ne peut pas être dans le futur." in refused
    assert "Rien n’a encore été enregistré, et tout ce que vous avez tapé est toujours là." in refused

    data["member_since"] = "2020-01-01"
    saved = page(french_client.post(reverse("accounts:profile"), data, follow=True))
    assert "Votre profil est enregistré." in saved


def test_the_roles_and_the_erasure_pages_speak_french(french_client):
    roles = page(french_client.get(reverse("accounts:roles")))
    assert "Mes rôles de leadership" in roles and "Aucun rôle inscrit pour l’instant." in roles
    assert "Choisissez un rôle" in roles and "Ajouter le rôle" in roles
    erase = page(french_client.get(reverse("accounts:erase")))
    assert "Effacer mon compte" in erase and "Conservé, sans votre nom" in erase
    assert "Cochez la case" not in erase  # an error only once the form is sent
    refused = page(french_client.post(reverse("accounts:erase"), {"password": "wrong"}))
    assert "Ce n’est pas votre mot de passe." in refused
    assert "Cochez la case pour indiquer que vous comprenez." in refused


def test_a_missing_page_says_so_in_french(french_client):
    shown = page(french_client.get("/no-such-page/"))
    assert "Nous n’avons pas trouvé cette page" in shown and "Aller à la page d’accueil" in shown
