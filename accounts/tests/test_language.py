"""English or French: the footer's switch, kept on the account for a member, in the cookie for a
visitor; wrong, hostile and oversized input changes nothing and goes nowhere else."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts import language
from conftest import PASSWORD, make_member

pytestmark = pytest.mark.django_db


def switch(client, code, next_url="/"):
    """As the footer's button does: back to the page it was on (the Referer)."""
    return client.post(reverse("set_language"), {"language": code}, HTTP_REFERER=next_url)


def test_a_visitor_reads_the_site_in_french_once_they_choose_it(client):
    assert 'lang="en"' in client.get(reverse("account_login")).content.decode()
    response = switch(client, "fr", reverse("account_login"))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = client.get(reverse("account_login")).content.decode()
    assert 'lang="fr"' in page
    assert "Aller au contenu principal" in page and "Créer un compte" in page
    # The switch offers the way back, in its own language.
    assert 'lang="en"' in page and "English</button>" in page


def test_a_visitors_browser_language_is_heard_until_they_choose(client):
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9").content.decode()
    assert 'lang="fr"' in page


def test_a_members_choice_is_kept_on_the_account_and_follows_them_to_another_device(world):
    member = world["people"]["member"]
    phone = Client()
    phone.force_login(member)
    switch(phone, "fr")
    member.refresh_from_db()
    assert member.language == "fr"
    laptop = Client(HTTP_ACCEPT_LANGUAGE="en-US")  # an English browser, no cookie
    laptop.force_login(member)
    page = laptop.get(reverse("home")).content.decode()
    assert 'lang="fr"' in page and "Mon mentorat" in page
    switch(laptop, "en")
    member.refresh_from_db()
    assert member.language == "en"
    assert "My mentoring" in phone.get(reverse("home")).content.decode()


def test_a_language_chosen_before_signing_in_is_kept_on_the_account(client, world):
    """Chosen on the sign-in page, it becomes the member's: her emails are in French too."""
    member = world["people"]["member"]
    assert member.language == ""
    switch(client, "fr", reverse("account_login"))
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    member.refresh_from_db()
    assert member.language == "fr" and language.language_of(member) == "fr"


def test_a_language_kept_on_the_account_is_not_changed_by_the_cookie_at_sign_in(client, world):
    member = world["people"]["member"]
    member.language = "en"
    member.save(update_fields=["language"])
    switch(client, "fr", reverse("account_login"))
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    member.refresh_from_db()
    assert member.language == "en"


@pytest.mark.parametrize("code", ["xx", "", "fr-FR; DROP TABLE", "f" * 10_000, "<script>"])
def test_a_language_the_site_does_not_offer_changes_nothing_and_says_so(client, world, code):
    member = world["people"]["member"]
    client.force_login(member)
    response = switch(client, code, reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:profile")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    member.refresh_from_db()
    assert member.language == ""
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "That language is not offered here. Choose English or French." in page


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example", "/" + "a" * 5000 + "\x00"],
)
def test_the_switch_never_sends_anyone_to_another_site(client, target):
    response = switch(client, "fr", target)
    assert response.status_code == 302
    location = response["Location"]
    assert location == "/" or (location.startswith("/") and not location.startswith("//") and "evil" not in location)


def test_a_get_changes_nothing(client):
    assert client.get(reverse("set_language"), {"language": "fr"}).status_code == 405


def test_what_is_sent_to_someone_is_in_their_language_whoever_asks(world):
    from django.utils import translation

    french = make_member("francine@example.org", world["associations"]["easton"], language="fr")
    with translation.override("en"):
        with language.for_user(french):
            assert translation.gettext("Sign in") == "Se connecter"
        assert translation.gettext("Sign in") == "Sign in"
    assert language.language_of(world["people"]["member"]) == "en"
