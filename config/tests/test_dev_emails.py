"""In development the emails the site sends are kept and read on a page of their own, newest
first, decoded, links clickable; a banner points at it. Never where emails really go out, and
never to another machine."""

import re

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


def test_an_emails_attachment_is_shown_and_downloads_as_it_was_sent(dev, client):
    """The meeting invitation says "the attached invitation adds it to your calendar", and the
    page showed no attachment."""
    message = EmailMessage("Meeting with Oliver", "The attached invitation adds it.", "m@localhost", ["n@example.org"])
    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    message.attach("invitation.ics", ics, "text/calendar")
    devmail.EmailBackend().send_messages([message])
    send("Plain", "No attachment here")

    page = client.get(reverse("dev_emails"), REMOTE_ADDR="127.0.0.1").content.decode()
    [email_id] = re.findall(r'href="/dev/emails/([^/]+)/attachments/0/" download>invitation\.ics</a>', page)
    assert page.count("/attachments/") == 1 and "(text/calendar)" in page

    download = client.get(reverse("dev_email_attachment", args=[email_id, 0]), REMOTE_ADDR="127.0.0.1")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/calendar")
    assert download["Content-Disposition"] == 'attachment; filename="invitation.ics"'
    assert download.content.decode().splitlines() == ics.splitlines()
    # Nothing else is served: another index, a name devmail never wrote, another machine.
    for args in ([email_id, 1], ["..%2F..%2Fsettings", 0], ["20260101-120000-000000-0123abcd", 0]):
        assert client.get(reverse("dev_email_attachment", args=args), REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get(reverse("dev_email_attachment", args=[email_id, 0]), REMOTE_ADDR="10.0.0.7").status_code == 404


def test_the_html_part_is_shown_beside_the_text_with_inline_styles_only(dev, client):
    from outbox.emails import compose

    devmail.EmailBackend().send_messages(
        [compose(to="n@example.org", subject="Matched", body="Hello <b>Nico</b>,\n\nhttps://example.org/p/1/\n")]
    )
    page = client.get(reverse("dev_emails"), REMOTE_ADDR="127.0.0.1").content.decode()
    [email_id] = re.findall(r'<iframe class="email-html" src="/dev/emails/([^/]+)/html/"', page)
    html = client.get(reverse("dev_email_html", args=[email_id]), REMOTE_ADDR="127.0.0.1")
    assert html.status_code == 200 and "Hello &lt;b&gt;Nico&lt;/b&gt;" in html.content.decode()
    policy = html["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy and "script-src" not in policy
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    for args, addr in (([email_id], "10.0.0.7"), (["..%2F..%2Fsettings"], "127.0.0.1")):
        assert client.get(reverse("dev_email_html", args=args), REMOTE_ADDR=addr).status_code == 404
    send("Plain", "Text only")  # an email without HTML: no frame, and its HTML page is missing
    [plain_id] = [e["id"] for e in devmail.recent() if e["subject"] == "Plain"]
    assert client.get(reverse("dev_email_html", args=[plain_id]), REMOTE_ADDR="127.0.0.1").status_code == 404
