import socket
import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from conftest import PASSWORD
from outbox.emails import send_pending_emails

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_member_signs_in_with_email_and_password(client, member):
    response = login(client, member.email, PASSWORD)

    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_wrong_password_says_so_plainly(client, member):
    response = login(client, member.email, "not-the-password")

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert member.email in response.content.decode()  # what was typed is kept


def test_six_failed_logins_block_the_seventh_even_with_the_right_password(client, member):
    for _ in range(5):
        login(client, member.email, "wrong-password")
    assert login(client, member.email, "wrong-password").status_code in (200, 429)

    response = login(client, member.email, PASSWORD)

    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_logout_ends_the_session(client, member):
    login(client, member.email, PASSWORD)
    old_cookie = client.cookies["sessionid"].value

    client.post(reverse("account_logout"))
    client.cookies["sessionid"] = old_cookie
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Session.objects.filter(session_key=old_cookie).exists()


def test_deactivating_a_member_ends_their_sessions(client, member):
    login(client, member.email, PASSWORD)
    member.is_active = False
    member.save(update_fields=["is_active"])

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_password_reset_looks_the_same_for_unknown_and_known_addresses(client, member, mailoutbox):
    known = client.post(reverse("account_reset_password"), {"email": member.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("account_reset_password_done")
    # With enumeration prevention the unknown address gets a "no account here" email, not silence.
    assert send_pending_emails() == 2
    assert {m.to[0] for m in mailoutbox} == {member.email, "nobody@example.org"}


def test_password_change_needs_the_old_password(client, member):
    client.force_login(member)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": "brand-new-passphrase", "password2": "brand-new-passphrase"},
    )

    assert response.status_code == 200
    assert "Please type your current password." in response.content.decode()


def test_admin_login_sends_visitors_to_the_allauth_sign_in(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")

    assert response.status_code == 302
    assert response.url == reverse("account_login") + "?next=/admin/"


def test_totp_two_factor_is_available(client, member):
    client.force_login(member)

    response = client.get(reverse("mfa_index"))

    assert response.status_code == 200
    assert "Authenticator App" in response.content.decode()


def test_two_members_behind_one_proxy_do_not_lock_each_other_out(client, world, settings):
    """Behind the HTTPS proxy every request comes from the proxy's address; with the number of
    trusted proxies set, the per-address limit counts each client's own address."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    member, other = world["people"]["member"], world["people"]["committee_member"]
    for n in range(12):  # past the per-address limit of 10 failures a minute, from one client
        client.post(
            reverse("account_login"),
            {"login": f"nobody{n}@example.org", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            **proxy,
        )
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
        **proxy,
    )
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(member.pk)

    # The one who guessed is still held back, and the per-account lock still holds.
    client.logout()
    blocked = client.post(
        reverse("account_login"),
        {"login": other.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        **proxy,
    )
    assert "_auth_user_id" not in client.session and blocked.status_code in (200, 429)
    for _ in range(6):
        client.post(
            reverse("account_login"),
            {"login": other.email, "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR="192.0.2.1",
            **proxy,
        )
    response = client.post(
        reverse("account_login"),
        {"login": other.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.44",
        **proxy,
    )
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


# --- Sign-in without Redis --------------------------------------------------------------------


def _redis_cache(settings, location):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FallbackRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "test-no-redis",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def hanging_redis():
    """A port that accepts connections and never answers, as a stopped (SIGSTOP) Redis does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()


@pytest.fixture
def no_redis():
    """A port where nothing listens, as a Redis that is down."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"redis://127.0.0.1:{port}/0"


@pytest.mark.parametrize("redis", ["no_redis", "hanging_redis"])
def test_sign_in_and_its_rate_limit_work_with_redis_down_or_hanging(client, member, settings, request, redis):
    _redis_cache(settings, request.getfixturevalue(redis))
    started = time.monotonic()
    response = login(client, member.email, PASSWORD)
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(member.pk)
    client.logout()
    for _ in range(5):
        login(client, member.email, "wrong-password")
    blocked = login(client, member.email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in blocked.content.decode()
    # One short timeout, not one per cache call (a circuit breaker).
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("next_url", "reason"),
    [
        ("/invitations/abc123/", "You were invited by name: sign in to open your questionnaire."),
        ("/committee/7/", "Sign in to reach the program&#x27;s committee, where you were appointed or added."),
        ("/partnerships/3/#scheduled", "Sign in to open your partnership&#x27;s page."),
        ("https://elsewhere.example/committee/7/", None),
        ("/no/such/page/", None),
        ("", None),
    ],
)
def test_the_sign_in_page_says_what_a_link_from_an_email_leads_to(client, db, next_url, reason):
    """Reached from an invitation or an appointment email, the page said only "Sign In"."""
    page = client.get(reverse("account_login"), {"next": next_url} if next_url else {}).content.decode()
    if reason is None:
        assert 'id="sign-in-reason"' not in page
    else:
        assert f'id="sign-in-reason"><i class="bi bi-box-arrow-in-right" aria-hidden="true"></i> {reason}</p>' in page
