"""In development the emails the site sends are kept and read on a page of their own, newest
first, decoded, links clickable; a banner points at it. Never where emails really go out, and
never to another machine."""

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse

from outbox import devmail

pytestmark = pytest.mark.django_db

DEV_MAILERS = {"default": {"BACKEND": devmail.BACKEND, "OPTIONS": {}}}


@pytest.fixture
def dev(settings, tmp_path):
    settings.DEBUG = True
    settings.MAILERS = DEV_MAILERS
    settings.DEV_MAIL_DIR = str(tmp_path / "mail")
    return settings


def send(subject, body, to="nico@example.org"):
    backend = devmail.EmailBackend()
    backend.send_messages([EmailMessage(subject, body, "mentoring@localhost", [to])])


def test_emails_are_kept_and_read_newest_first_with_links_that_work(dev, client, capsys):
    link = "http://127.0.0.1:8123/accounts/confirm-email/" + "Mg:1vX" * 20 + "/"  # long: once split in two
    send("Confirm your email address", f"Hello Nico,\n\nPlease confirm: {link}\n\nThé committee")
    send("Your feedback is due", "A later email")
    assert "Email to nico@example.org: Your feedback is due (read it at" in capsys.readouterr().out
    page = client.get(reverse("dev_emails"), REMOTE_ADDR="127.0.0.1").content.decode()
    assert page.index("Your feedback is due") < page.index("Confirm your email address")
    assert f'<a href="{link}"' in page and "Thé committee" in page  # decoded, not quoted-printable
    assert "Read the emails the site sent" in page  # the banner, on every page


def test_the_page_does_not_exist_elsewhere(dev, client, settings):
    send("Confirm your email address", "secret link")
    assert client.get(reverse("dev_emails"), REMOTE_ADDR="203.0.113.9").status_code == 404
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {}}}
    response = client.get(reverse("dev_emails"), REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 404
    assert b"Read the emails the site sent" not in client.get(reverse("home")).content
    settings.MAILERS = DEV_MAILERS
    settings.DEBUG = False
    assert client.get(reverse("dev_emails"), REMOTE_ADDR="127.0.0.1").status_code == 404


def test_only_the_newest_are_kept(dev, monkeypatch):
    monkeypatch.setattr(devmail, "KEEP", 3)
    for k in range(5):
        send(f"Email {k}", "body")
    assert [e["subject"] for e in devmail.recent()] == ["Email 4", "Email 3", "Email 2"]
