import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from accounts.models import Profile, User
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "María-José",
    "last_name": "O’Brien",
    "email": "new.member@example.org",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
}


def signup(client, **changes):
    return client.post(reverse("account_signup"), GOOD | changes)


def test_visitor_signs_up_and_gets_a_verification_email(client, mailoutbox):
    response = signup(client)

    assert response.status_code == 302
    user = User.objects.get(email="new.member@example.org")
    assert (user.first_name, user.last_name) == ("María-José", "O’Brien")
    assert Profile.objects.filter(user=user).exists()
    assert not EmailAddress.objects.get(user=user).verified
    # The request only queues it (no mail server, no broker in a web request); the outbox job sends it.
    assert mailoutbox == [] and OutgoingEmail.objects.get().to == "new.member@example.org"
    assert send_pending_emails() == 1
    assert len(mailoutbox) == 1
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    # Greeted by the association, not by the address the site happened to be served on.
    assert mailoutbox[0].body.splitlines()[0] == f"Hello from {settings.ASSOCIATION_NAME}!"


def test_unverified_email_cannot_sign_in(client):
    signup(client)
    client.logout()

    response = client.post(
        reverse("account_login"), {"login": GOOD["email"], "password": GOOD["password1"]}, follow=True
    )

    assert not response.wsgi_request.user.is_authenticated
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")


def test_verification_link_then_sign_in(client, mailoutbox):
    signup(client)
    send_pending_emails()
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mailoutbox[0].body).group(1)

    client.post(link)
    response = client.post(reverse("account_login"), {"login": GOOD["email"], "password": GOOD["password1"]})

    assert EmailAddress.objects.get(email=GOOD["email"]).verified
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].email == GOOD["email"]


def test_a_tampered_verification_link_gets_the_kind_expired_page(client, mailoutbox):
    signup(client)
    send_pending_emails()
    link = re.search(r"(/accounts/confirm-email/\S+)/", mailoutbox[0].body).group(1)

    response = client.get(link[:-1] + ("A" if link[-1] != "A" else "B") + "/")

    assert response.status_code == 200
    assert b"expired or is invalid" in response.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "This field is required."),
        ("first_name", "<script>alert(1)</script>", "Please use letters only"),
        ("last_name", "Robert'); DROP TABLE accounts_user;--", "Please use letters only"),
        ("first_name", "x" * 1500, "at most 150 characters"),
        ("first_name", "Ana\x00", "Null characters are not allowed."),
        ("last_name", "🙂🙂", "Please use letters only"),
        ("email", "not-an-email", "Enter a valid email address."),
        ("email", "a" * 300 + "@example.org", "That email address is too long"),
        ("password2", "something-else-entirely", "You must type the same password each time."),
        ("password1", "123", "This password is too short."),
    ],
)
def test_bad_signup_input_gets_a_plain_message_and_keeps_what_was_typed(client, field, value, message):
    response = signup(client, **{field: value, **({"password2": value} if field == "password1" else {})})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists()
    # What the member typed (other than passwords) is still in the form.
    if field != "first_name":
        assert "María-José" in response.content.decode()
    assert b"<script>alert(1)</script>" not in response.content


def test_right_to_left_names_are_welcome(client):
    response = signup(client, first_name="محمد", last_name="כהן")

    assert response.status_code == 302
    assert User.objects.get().first_name == "محمد"


def test_signing_up_twice_with_one_address_reveals_nothing(client, mailoutbox):
    signup(client)
    client.logout()
    response = signup(client, first_name="Someone", last_name="Else")

    # The same "check your email" step as a new address, and no second account.
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.count() == 1


def test_signing_up_with_a_known_address_takes_the_same_work_as_a_new_one(client, monkeypatch):
    """A timing difference is an answer: both paths hash a password once (the slow part by
    design), so an existing address cannot be told apart by how long sign-up takes."""
    from django.contrib.auth import hashers

    hashed = []
    original = hashers.MD5PasswordHasher.encode
    monkeypatch.setattr(
        hashers.MD5PasswordHasher, "encode", lambda self, *a, **k: hashed.append(1) or original(self, *a, **k)
    )
    signup(client)
    new_address = len(hashed)
    client.logout()
    hashed.clear()
    signup(client, first_name="Someone", last_name="Else")
    assert User.objects.count() == 1
    assert (new_address, len(hashed)) == (1, 1)
