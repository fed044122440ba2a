"""One-click unsubscribe (RFC 8058): the link in announcements and invitations turns off that one
preference, without signing in, and nothing else; a scanner opening it changes nothing."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts.unsubscribe import SALT, list_unsubscribe_headers, make_token, unsubscribe, unsubscribe_url
from conftest import make_member

ONE_CLICK = {"List-Unsubscribe": "One-Click"}  # what a mail client posts (RFC 8058)


@pytest.fixture
def alice(db):
    return make_member("alice@example.org", None, first_name="Alice", last_name="Able")


@pytest.fixture
def bob(db):
    return make_member("bob@example.org", None, first_name="Bob", last_name="Baker")


def prefs(user):
    user.profile.refresh_from_db()
    return (user.profile.email_announcements, user.profile.email_invitations)


def url(user, preference="email_announcements"):
    return reverse("unsubscribe", args=[make_token(user, preference)])


def mail_client():
    """A mail client: no cookies, no CSRF token, and Django's CSRF check on."""
    return Client(enforce_csrf_checks=True)


def test_a_mail_client_unsubscribes_in_one_click_without_signing_in(alice):
    response = mail_client().post(url(alice), ONE_CLICK)

    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert prefs(alice) == (False, True)  # invitations untouched


def test_the_invitations_link_turns_off_invitations_only(alice):
    response = mail_client().post(url(alice, "email_invitations"), ONE_CLICK)

    assert response.status_code == 200
    assert prefs(alice) == (True, False)


def test_opening_the_link_changes_nothing_and_offers_one_button(alice):
    """Link scanners and previews open links: a GET only asks."""
    response = Client().get(url(alice))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Stop emails announcing that a program is open for applications to alice@example.org?" in body
    main = body[body.index("<main") : body.index("</main>")]  # the footer has the language switch
    assert main.count('type="submit"') == 1
    assert prefs(alice) == (True, True)
    assert "no-cache" in response["Cache-Control"]


def test_a_reused_link_is_still_fine_and_changes_nothing_more(alice):
    client = mail_client()
    client.post(url(alice), ONE_CLICK)
    alice.profile.refresh_from_db()
    alice.profile.email_invitations = True
    alice.profile.save()

    again = client.post(url(alice), ONE_CLICK)
    later = client.get(url(alice))

    assert again.status_code == 200
    assert prefs(alice) == (False, True)
    assert b"already unsubscribed" in later.content


def test_a_member_who_turned_it_back_on_can_use_the_old_link_again(alice):
    mail_client().post(url(alice), ONE_CLICK)
    alice.profile.email_announcements = True
    alice.profile.save()

    mail_client().post(url(alice), ONE_CLICK)

    assert prefs(alice) == (False, True)


def test_the_link_of_one_member_never_changes_another(alice, bob):
    mail_client().post(url(alice), ONE_CLICK)
    mail_client().post(url(alice, "email_invitations"), ONE_CLICK)

    assert prefs(alice) == (False, False)
    assert prefs(bob) == (True, True)


def test_signed_in_as_someone_else_the_link_still_changes_only_its_own_member(client, alice, bob):
    client.force_login(bob)
    client.post(url(alice), ONE_CLICK)

    assert prefs(alice) == (False, True)
    assert prefs(bob) == (True, True)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature altered
        lambda t: t[:10],  # cut short
        lambda t: "x" + t,
        lambda t: t + "x" * 400,  # oversized
        lambda t: t.replace(":", "."),
    ],
    ids=["altered", "cut", "prefixed", "oversized", "mangled"],
)
def test_a_tampered_link_gets_the_kind_page_and_changes_nothing(alice, spoil):
    token = spoil(make_token(alice, "email_announcements"))

    for method in ("get", "post"):
        response = getattr(mail_client(), method)(reverse("unsubscribe", args=[token]), ONE_CLICK)
        assert response.status_code == 404
        assert b"This link can&#x27;t be used" in response.content or b"This link can't be used" in response.content
    assert prefs(alice) == (True, True)


def test_a_link_forged_for_another_member_or_preference_is_refused(alice, bob):
    """The member id and the preference are inside the signature: changing either breaks it."""
    genuine = make_token(alice, "email_announcements")
    for forged in (
        signing.dumps([bob.pk, "a"], salt="another.salt", compress=True),
        signing.dumps([bob.pk, "x"], salt=SALT, compress=True),  # no such preference
        signing.dumps({"u": bob.pk}, salt=SALT),
        signing.dumps([str(bob.pk), "a"], salt=SALT),
    ):
        assert forged != genuine
        assert mail_client().post(reverse("unsubscribe", args=[forged]), ONE_CLICK).status_code == 404
    assert prefs(alice) == prefs(bob) == (True, True)


def test_a_closed_account_link_changes_nothing(alice):
    alice.is_active = False
    alice.save()

    assert mail_client().post(url(alice), ONE_CLICK).status_code == 404


def test_only_get_and_post(alice):
    assert Client().put(url(alice)).status_code == 405
    assert prefs(alice) == (True, True)


def test_the_headers_point_at_the_link(alice, settings):
    headers = list_unsubscribe_headers(alice, "email_invitations")

    assert headers == {
        "List-Unsubscribe": f"<{unsubscribe_url(alice, 'email_invitations')}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert unsubscribe_url(alice, "email_invitations").startswith(settings.SITE_URL + "/unsubscribe/")


def test_the_service_is_idempotent(alice):
    assert unsubscribe(user=alice, preference="email_announcements") is True
    assert unsubscribe(user=alice, preference="email_announcements") is False
    with pytest.raises(ValueError):
        unsubscribe(user=alice, preference="is_staff")
    assert prefs(alice) == (False, True)
