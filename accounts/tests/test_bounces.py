"""The email provider's tracking webhook (/email/events/<provider>/): authenticated (basic auth
for every provider, Mailgun's signature too), one transaction per request, and a hard bounce or
a complaint about a member's address suppresses exactly that address until the member changes
or confirms it; erasure forgets it."""

import base64
import datetime
import hashlib
import hmac
import json
import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.account.signals import email_changed, email_confirmed
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from accounts.privacy import erase_member
from conftest import read
from outbox.emails import queue_rendered, send_pending_emails
from outbox.models import OutgoingEmail, Suppression

pytestmark = pytest.mark.django_db

SECRET = "hook:s3cret"
SIGNING_KEY = "mailgun-signing-key"


def auth(secret=SECRET):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


@pytest.fixture
def postmark(settings):
    settings.EMAIL_PROVIDER = "postmark"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "server-token", "WEBHOOK_SECRET": SECRET}
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    mail.outbox = []
    return reverse("outbox:provider_events", args=["postmark"])


@pytest.fixture
def mailgun(settings):
    settings.EMAIL_PROVIDER = "mailgun"
    settings.ANYMAIL = {"MAILGUN_API_KEY": "key", "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": SECRET}
    return reverse("outbox:provider_events", args=["mailgun"])


def hard_bounce(address, event_id=1234, **extra):
    return {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "ID": event_id,
        "Email": address,
        "BouncedAt": "2026-11-30T10:00:00Z",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {"email": "outbox-7"},
        **extra,
    }


def post(client, url, payload, headers=None, content_type="application/json"):
    body = payload if isinstance(payload, bytes) else json.dumps(payload)
    return client.post(url, body, content_type=content_type, **(auth() if headers is None else headers))


def suppressed():
    return list(Suppression.objects.filter(lifted_at__isnull=True).values_list("address", flat=True))


def test_a_hard_bounce_suppresses_exactly_that_address(client, world, postmark):
    member, other = world["people"]["member"], world["people"]["other_member"]

    response = post(client, postmark, hard_bounce("Member@Example.org"))

    assert response.status_code == 200
    row = Suppression.objects.get()
    assert (row.address, row.reason, row.provider) == ("member@example.org", "bounced", "Postmark")
    assert row.event_id == "1234"
    assert row.email == "outbox-7"  # the email it was about, from the metadata we sent
    assert row.occurred_at == datetime.datetime(2026, 11, 30, 10, tzinfo=datetime.UTC)
    # The member's next email is held; another member's goes.
    held = queue_rendered(key="next", to=member.email, subject="Hello", body="Hello")
    queue_rendered(key="another", to=other.email, subject="Hello", body="Hello")
    assert send_pending_emails() == 1
    assert [m.to for m in mail.outbox] == [[other.email]]
    held.refresh_from_db()
    assert held.status == OutgoingEmail.Status.SUPPRESSED


def test_a_complaint_suppresses_the_address(client, world, postmark):
    complaint = {**hard_bounce("member@example.org"), "RecordType": "SpamComplaint", "Type": "SpamComplaint"}

    assert post(client, postmark, complaint).status_code == 200

    assert Suppression.objects.get().reason == Suppression.Reason.COMPLAINED


@pytest.mark.parametrize("kind", ["SoftBounce", "Transient", "DnsError", "AutoResponder", "VirusNotification"])
def test_soft_bounces_and_other_events_suppress_nothing(client, world, postmark, kind):
    assert post(client, postmark, hard_bounce("member@example.org", Type=kind)).status_code == 200
    delivered = {"RecordType": "Delivery", "Recipient": "member@example.org", "DeliveredAt": "2026-11-30T10:00:00Z"}
    assert post(client, postmark, delivered).status_code == 200

    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {},  # none
        auth("hook:wrong"),
        auth("hook:s3cret "),
        auth("HOOK:s3cret"),
        {"HTTP_AUTHORIZATION": "Bearer hook:s3cret"},
        {"HTTP_AUTHORIZATION": "Basic !!!not-base64"},
        auth("hook:" + "s3cret" * 2000),  # oversized
    ],
)
def test_wrong_credentials_are_refused_and_nothing_is_stored(client, world, postmark, headers):
    response = post(client, postmark, hard_bounce("member@example.org"), headers=headers)

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_a_replayed_event_changes_nothing_and_records_nothing_twice(client, world, postmark):
    for _ in range(3):
        assert post(client, postmark, hard_bounce("member@example.org")).status_code == 200
    assert Suppression.objects.count() == 1

    # Once the member confirmed the address again, a replay of the old bounce does not suppress it.
    address = EmailAddress.objects.get(email="member@example.org")
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert post(client, postmark, hard_bounce("member@example.org")).status_code == 200
    assert suppressed() == []
    # A new bounce does.
    assert post(client, postmark, hard_bounce("member@example.org", event_id=999)).status_code == 200
    assert suppressed() == ["member@example.org"]


def test_an_event_for_an_unknown_message_suppresses_a_members_address_and_nothing_else(client, world, postmark):
    unknown = hard_bounce("member@example.org", Metadata={}, MessageID="not-ours")
    assert post(client, postmark, unknown).status_code == 200
    assert suppressed() == ["member@example.org"]
    assert Suppression.objects.get().email == ""

    # An address that is no member's (a stranger, an old address, someone else's system): nothing kept.
    for n, address in enumerate(["stranger@example.net", "", "not an address", "x" * 300 + "@example.org"]):
        assert post(client, postmark, hard_bounce(address, event_id=5000 + n)).status_code == 200
    assert suppressed() == ["member@example.org"]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"[1, 2, 3]",
        b'"just a string"',
        b"\xff\xfe\x00garbage",
        json.dumps({**hard_bounce("member@example.org"), "Email": ["member@example.org"]}).encode(),
        json.dumps({**hard_bounce("member@example.org"), "Metadata": ["not", "a", "dict"]}).encode(),
    ],
)
def test_a_malformed_body_answers_400_and_stores_nothing(client, world, postmark, body):
    response = post(client, postmark, body)

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_an_oversized_body_answers_400_and_stores_nothing(client, world, postmark, settings):
    payload = hard_bounce("member@example.org", Details="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))

    assert post(client, postmark, payload).status_code == 400
    assert not Suppression.objects.exists()


def mailgun_event(address, *, key=SIGNING_KEY, token="a" * 50, severity="permanent", event="failed"):
    timestamp = str(int(timezone.now().timestamp()))
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": event,
            "severity": severity,
            "recipient": address,
            "timestamp": float(timestamp),
            "id": "mailgun-event-id",
            "reason": "bounce",
            "user-variables": {"email": "feedback-12,13"},
            "message": {"headers": {"message-id": "20261130.1@mg.example.org"}},
        },
    }


def test_mailgun_checks_its_signature_and_the_basic_auth(client, world, mailgun):
    forged = mailgun_event("member@example.org", key="not-the-key")
    tampered = mailgun_event("member@example.org")
    tampered["signature"]["token"] = "b" * 50  # the signature no longer matches

    assert post(client, mailgun, forged).status_code == 400
    assert post(client, mailgun, tampered).status_code == 400
    assert post(client, mailgun, mailgun_event("member@example.org"), headers=auth("hook:wrong")).status_code == 400
    assert post(client, mailgun, {"event-data": {"event": "failed"}}).status_code == 400  # no signature at all
    assert not Suppression.objects.exists()

    assert post(client, mailgun, mailgun_event("member@example.org")).status_code == 200
    assert post(client, mailgun, mailgun_event("member@example.org")).status_code == 200  # replayed
    row = Suppression.objects.get()
    assert (row.address, row.provider, row.email) == ("member@example.org", "Mailgun", "feedback-12,13")


def test_a_mailgun_temporary_failure_suppresses_nothing(client, world, mailgun):
    assert post(client, mailgun, mailgun_event("member@example.org", severity="temporary")).status_code == 200
    assert not Suppression.objects.exists()


def test_the_webhook_exists_only_for_the_provider_the_site_sends_through(client, world, settings, postmark):
    assert client.get(postmark).status_code == 405  # not a page: POST only
    assert client.head(postmark).status_code == 200  # some providers check the address so
    for other in ("mailgun", "sendgrid", "brevo", "amazon_ses", "nothing"):
        assert post(client, reverse("outbox:provider_events", args=[other]), {}).status_code == 404
    settings.EMAIL_PROVIDER = ""  # SMTP, the default
    assert post(client, postmark, hard_bounce("member@example.org")).status_code == 404
    assert not Suppression.objects.exists()


def test_changing_or_confirming_the_address_lifts_it(client, world, postmark):
    member = world["people"]["member"]
    post(client, postmark, hard_bounce(member.email))
    old = EmailAddress.objects.get(email=member.email)
    new = EmailAddress.objects.create(user=member, email="mia.new@example.org", verified=True)

    email_changed.send(sender=EmailAddress, request=None, user=member, from_email_address=old, to_email_address=new)

    assert suppressed() == []
    assert Suppression.objects.get().address == ""  # nothing kept of the old address


def test_erasure_forgets_the_members_suppressions(client, world, postmark):
    member = world["people"]["member"]
    EmailAddress.objects.create(user=member, email="mia.work@example.org", verified=True)
    post(client, postmark, hard_bounce(member.email))
    post(client, postmark, hard_bounce("MIA.work@example.org", event_id=77))
    post(client, postmark, hard_bounce(world["people"]["other_member"].email, event_id=78))

    erase_member(member)

    assert suppressed() == [world["people"]["other_member"].email]


def test_the_member_sees_on_their_home_page_that_their_emails_bounced(client, world, postmark):
    member, other = world["people"]["member"], world["people"]["other_member"]
    post(client, postmark, hard_bounce(member.email))

    client.force_login(member)
    page = read(client.get(reverse("home")))
    assert "Emails to member@example.org bounced on November 30, 2026: check your address." in strip_tags(page)
    assert f'href="{reverse("account_email")}"' in page

    client.force_login(other)
    assert "bounced" not in read(client.get(reverse("home")))


def test_the_home_page_notice_costs_no_query(client, world, postmark, django_assert_max_num_queries):
    """The ceiling of config/tests/test_page_queries.py, with a bounce to show."""
    member = world["people"]["member"]
    post(client, postmark, {**hard_bounce(member.email), "RecordType": "SpamComplaint", "Type": "SpamComplaint"})
    client.force_login(member)

    with django_assert_max_num_queries(9):
        page = read(client.get(reverse("home")))

    assert "were marked as spam on November 30, 2026, so we stopped sending them" in strip_tags(page)


def check_link(client, member):
    """The member asks for a check email from their home page; the link it holds."""
    client.force_login(member)
    response = client.post(reverse("accounts:address_check"))
    assert response.status_code == 302
    mail.outbox = []
    assert send_pending_emails() == 1  # to the suppressed address: the member asked for it
    (check,) = mail.outbox
    assert check.to == [member.email] and check.subject == "Does your email address work?"
    return re.search(r"https?://\S+(/profile/address/works/\S+/)", check.body).group(1)


def test_a_check_email_confirms_the_address_again(client, world, postmark):
    """allauth confirms only addresses not verified yet: a verified address that bounced is
    confirmed again by the link of a check email, which only its reader has."""
    member = world["people"]["member"]
    post(client, postmark, hard_bounce(member.email))
    link = check_link(client, member)
    client.logout()  # the link works signed in or not

    shown = client.get(link)
    assert shown.status_code == 200 and suppressed() == [member.email]  # a link scanner changes nothing
    done = client.post(link)

    assert done.status_code == 200
    assert "Your address works: emails to member@example.org are sent again." in read(done)
    assert suppressed() == []
    assert client.post(link).status_code == 404  # used: nothing more
    client.force_login(member)
    assert "bounced" not in read(client.get(reverse("home")))


def test_no_check_email_without_a_bounce_and_not_on_get(client, world):
    client.force_login(world["people"]["member"])
    assert client.get(reverse("accounts:address_check")).status_code == 405
    client.post(reverse("accounts:address_check"))
    assert not OutgoingEmail.objects.filter(key__contains="address-check").exists()


def test_a_check_link_altered_hostile_oversized_or_expired_does_nothing(client, world, postmark):
    member = world["people"]["member"]
    post(client, postmark, hard_bounce(member.email))
    link = check_link(client, member)
    token = link.rstrip("/").rsplit("/", 1)[1]
    other = world["people"]["other_member"]
    post(client, postmark, hard_bounce(other.email, event_id=2))
    others = check_link(client, other).rstrip("/").rsplit("/", 1)[1]

    for bad in [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character changed
        token[:20],
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "é" * 40,
        token * 20,  # oversized
        "x" * 5000,
    ]:
        url = reverse("accounts:address_works", args=[bad.replace("/", "")])
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404
            assert "This link doesn&#x27;t work" in response.content.decode() or "link doesn" in read(response)
    assert sorted(suppressed()) == sorted([member.email, other.email])

    # One member's link lifts their own address only.
    client.post(reverse("accounts:address_works", args=[others]))
    assert suppressed() == [member.email]

    # After seven days the link no longer works.
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client.post(link).status_code == 404
    assert suppressed() == [member.email]


def test_making_another_address_primary_through_allauth_lifts_the_old_ones(client, world, postmark):
    member = world["people"]["member"]
    EmailAddress.objects.create(user=member, email="mia.new@example.org", verified=True)
    post(client, postmark, hard_bounce(member.email))
    client.force_login(member)

    client.post(reverse("account_email"), {"action_primary": "", "email": "mia.new@example.org"})

    member.refresh_from_db()
    assert member.email == "mia.new@example.org"
    assert suppressed() == []
